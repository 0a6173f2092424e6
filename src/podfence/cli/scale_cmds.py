"""Commands over the class engine: `matrix` (dense or grouped, any size) and `watch`.

`matrix` replaces the dense-only command of `cli.main` with the same options and the same
dense output contract, plus `--group/--no-group` and `--all-ports`. `watch` re-analyses
on every file change and prints what became allowed or denied.
"""

from __future__ import annotations

import time

import click

from podfence.analysis.matrix import class_matrix
from podfence.cli.cluster_source import Live, cluster_options, load_input
from podfence.cli.common import (
    BadInput,
    namespace_option,
    output_option,
    paths_argument,
    ports_option,
)
from podfence.cli.scale_load import load_scaled
from podfence.cli.scale_watch import Watcher
from podfence.engine.classes import ClassEngine
from podfence.model import ProtocolPort
from podfence.render.data import matrix_data
from podfence.render.grouped import (
    grouped_data,
    grouped_ports_data,
    render_grouped,
    render_grouped_ports,
)
from podfence.render.serialize import dump
from podfence.render.text import render_matrix

__all__ = ["matrix", "watch", "GROUP_ABOVE"]

GROUP_ABOVE = 200
"""Without --group/--no-group, group when the input has more endpoints than this."""


@click.command()
@paths_argument
@ports_option(help="PORT[/PROTOCOL] (TCP); repeatable. Required unless --all-ports.")
@namespace_option
@cluster_options
@output_option("text", "json", "yaml")
@click.option(
    "--group/--no-group",
    default=None,
    help=f"Show classes of endpoints that no policy tells apart (default: above {GROUP_ABOVE} "
    "endpoints).",
)
@click.option(
    "--all-ports",
    is_flag=True,
    help="Every allowed port and protocol, per pair of groups (implies --group).",
)
def matrix(
    paths: tuple[str, ...],
    ports: tuple[ProtocolPort, ...],
    namespace: str,
    output: str,
    group: bool | None,
    all_ports: bool,
    live: Live,
) -> None:
    """Who can reach whom: every pod and workload to every other, per port.

    Large inputs are grouped into classes of endpoints that no policy can tell apart.
    """
    if not ports and not all_ports:
        raise click.UsageError("Missing option '-p' / '--port' (or give --all-ports).")
    if all_ports and group is False:
        raise BadInput("--all-ports reports groups: it cannot be used with --no-group")
    cluster = load_input(paths, namespace, live, load_files=load_scaled)
    engine = ClassEngine(cluster)
    unique = list(dict.fromkeys(ports))
    if all_ports:
        result = engine.grouped_ports()
        text = render_grouped_ports(result) if output == "text" else None
        click.echo(text if text is not None else dump(grouped_ports_data(result), output), nl=False)
        return
    if group or (group is None and len(cluster.endpoints) > GROUP_ABOVE):
        grouped = engine.grouped(unique)
        if output == "text":
            click.echo(render_grouped(grouped), nl=False)
        else:
            click.echo(dump(grouped_data(grouped), output), nl=False)
        return
    dense = class_matrix(engine, unique)
    if output == "text":
        click.echo(render_matrix(dense), nl=False)
    else:
        click.echo(dump(matrix_data(dense), output), nl=False)


@click.command()
@paths_argument
@ports_option(required=True)
@namespace_option
@click.option(
    "--interval",
    type=click.FloatRange(min=0.05),
    default=1.0,
    show_default=True,
    help="Seconds between checks of the files' modification times.",
)
@click.option("--rounds", type=int, default=0, hidden=True, help="Stop after N checks (tests).")
def watch(
    paths: tuple[str, ...],
    ports: tuple[ProtocolPort, ...],
    namespace: str,
    interval: float,
    rounds: int,
) -> None:
    """Re-analyse on every change of the files; print what became allowed or denied.

    Polls the modification times of PATH... (directories: their *.yaml, *.yml and *.json
    files). A change to one policy or pod is applied incrementally. Stop with Ctrl-C.
    """
    if not paths or "-" in paths:
        raise BadInput("watch needs files or directories (not standard input)")
    watcher = Watcher(list(paths), list(dict.fromkeys(ports)), namespace, click.echo)
    watcher.start()
    checks = 0
    try:
        while not rounds or checks < rounds:
            time.sleep(interval)
            checks += 1
            watcher.check()
    except KeyboardInterrupt:
        click.echo("stopped", err=True)

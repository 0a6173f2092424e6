"""Commands over the class engine: `matrix` (dense or grouped, any size) and `watch`.

`matrix` replaces the dense-only command of `cli.main` with the same options and the same
dense output contract, plus `--group/--no-group` and `--all-ports`. The shape of `-o json`
and `-o yaml` is chosen by the flags alone (dense unless `--group` or `--all-ports`), never by
the input's size; only the text view groups large inputs on its own. `watch` re-analyses on
every file change and prints what became allowed or denied.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterable, Sequence

import click

from podfence.analysis.grouped import allowed_entries
from podfence.analysis.matrix import class_matrix
from podfence.analysis.named_ports import (
    NamedPort,
    QueryPort,
    numbers_needed,
    query_matrix,
    resolver,
)
from podfence.cli.cluster_source import Live, cluster_options, load_input
from podfence.cli.common import (
    BadInput,
    input_options,
    namespace_option,
    output_option,
    paths_argument,
    ports_option,
)
from podfence.cli.progress import working
from podfence.cli.scale_load import load_scaled
from podfence.cli.scale_watch import Watcher
from podfence.engine.classes import ClassEngine
from podfence.load import LoadOptions
from podfence.model import Cluster, ProtocolPort
from podfence.render.data import matrix_data
from podfence.render.grouped import (
    MAX_GRID,
    render_grouped,
    render_grouped_pairs,
    render_grouped_ports,
)
from podfence.render.grouped_stream import group_item, stream_grouped
from podfence.render.serialize import dump
from podfence.render.text import render_matrix

__all__ = ["matrix", "watch", "GROUP_ABOVE"]

GROUP_ABOVE = 200
"""Without --group/--no-group, the text view groups when the input has more endpoints than
this (machine output keeps the dense shape; a note on stderr points at --group)."""


@click.command()
@paths_argument
@ports_option(
    help="PORT[/PROTOCOL] (TCP), or a container port's NAME[/PROTOCOL] resolved on each "
    "destination; repeatable. Required unless --all-ports.",
    named=True,
)
@namespace_option
@input_options
@cluster_options
@output_option("text", "json", "yaml")
@click.option(
    "--group/--no-group",
    default=None,
    help="Show classes of endpoints that no policy tells apart (default for text: above "
    f"{GROUP_ABOVE} endpoints; -o json|yaml is grouped only with --group).",
)
@click.option(
    "--all-ports",
    is_flag=True,
    help="Every allowed port and protocol, per pair of groups (implies --group).",
)
def matrix(
    paths: tuple[str, ...],
    ports: tuple[QueryPort, ...],
    namespace: str,
    output: str,
    group: bool | None,
    all_ports: bool,
    live: Live,
    loading: LoadOptions,
) -> None:
    """Who can reach whom: every pod and workload to every other, per port.

    Large inputs are shown as text over classes of endpoints that no policy can tell apart;
    -o json|yaml is dense unless --group is given. A named port is resolved on each
    destination (a column whose pod does not define it is denied), so it needs the ungrouped
    matrix.
    """
    if not ports and not all_ports:
        raise click.UsageError("Missing option '-p' / '--port' (or give --all-ports).")
    if all_ports and group is False:
        raise BadInput("--all-ports reports groups: it cannot be used with --no-group")
    named = [str(p) for p in ports if isinstance(p, NamedPort)]
    if named and (group or all_ports):
        raise BadInput(
            f"a named port ({', '.join(named)}) is resolved on each destination pod: "
            "it needs the ungrouped matrix (drop --group/--all-ports, or give numbers)"
        )
    cluster = load_input(paths, namespace, live, loading, load_files=load_scaled)
    engine = _classes(cluster)
    if named and group is None and len(cluster.endpoints) > GROUP_ABOVE:
        raise BadInput(
            f"a named port ({', '.join(named)}) is resolved on each destination pod: with "
            f"{len(cluster.endpoints)} endpoints (above {GROUP_ABOVE}, grouped by default) "
            "ask for the ungrouped matrix with --no-group, or give numbers"
        )
    unique = list(dict.fromkeys(ports))
    if all_ports:
        if output == "text":
            click.echo(render_grouped_ports(engine.grouped_ports()), nl=False)
        else:
            _stream(engine, None, output)
        return
    large = len(cluster.endpoints) > GROUP_ABOVE
    if group is None and large and output != "text":
        click.echo(
            f"podfence: note: {len(cluster.endpoints)} endpoints: -o {output} gives the dense "
            "matrix; --group gives it over classes of endpoints",
            err=True,
        )
    if group or (group is None and large and output == "text"):
        numbers = [p for p in unique if isinstance(p, ProtocolPort)]
        if output != "text":
            _stream(engine, numbers, output)
        elif len(engine.classes) > MAX_GRID:
            entries = allowed_entries(engine, numbers)
            _write_lines(render_grouped_pairs(engine.classes, numbers, entries))
        else:
            click.echo(render_grouped(engine.grouped(numbers)), nl=False)
        return
    resolve = resolver(cluster.endpoints)
    by_number = class_matrix(engine, numbers_needed(unique, resolve))
    dense = query_matrix(unique, by_number, resolve)
    if output == "text":
        click.echo(render_matrix(dense), nl=False)
    else:
        click.echo(dump(matrix_data(dense), output), nl=False)


def _write_lines(chunks: Iterable[str]) -> None:
    out = sys.stdout
    for chunk in chunks:
        out.write(chunk)
    out.flush()


def _stream(engine: ClassEngine, ports: Sequence[ProtocolPort] | None, output: str) -> None:
    """The grouped document (see render.grouped_stream), written as it is produced."""
    stream_grouped(
        (group_item(g) for g in engine.classes),
        allowed_entries(engine, ports),
        ports=ports,
        output=output,
        write=sys.stdout.write,
    )
    sys.stdout.flush()


def _classes(cluster: Cluster) -> ClassEngine:
    """The class engine of `cluster`, with a spinner on a terminal for large clusters."""
    with working("computing classes", cluster):
        return ClassEngine(cluster)


@click.command()
@paths_argument
@ports_option(required=True)
@namespace_option
@input_options
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
    loading: LoadOptions,
) -> None:
    """Re-analyse on every change of the files; print what became allowed or denied.

    Polls the modification times of PATH... (directories: their *.yaml, *.yml and *.json
    files). A change to one policy or pod is applied incrementally. Stop with Ctrl-C.
    """
    if not paths or "-" in paths:
        raise BadInput("watch needs files or directories (not standard input)")
    watcher = Watcher(list(paths), list(dict.fromkeys(ports)), namespace, click.echo, loading)
    watcher.start()
    checks = 0
    try:
        while not rounds or checks < rounds:
            time.sleep(interval)
            checks += 1
            watcher.check()
    except KeyboardInterrupt:
        click.echo("stopped", err=True)

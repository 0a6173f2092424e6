"""Data-plane commands: `compile`, `lab up|apply|probe|down|ls`, `verify`.

Thin: parse options, load manifests, call `podfence.dataplane`, print. Exit codes: 0 ok,
1 kernel and engine disagree (verify), 2 bad input or an environment problem (one message,
never a traceback).
"""

from __future__ import annotations

import json
import signal
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from types import FrameType

import click

from podfence.cli.common import (
    EXIT_FINDINGS,
    BadInput,
    PortSpecType,
    kube_version_option,
    load_or_exit,
    namespace_option,
    paths_argument,
    ports_option,
)
from podfence.dataplane.lab import (
    Lab,
    LabError,
    ProbeError,
    down_all,
    down_lab,
    list_labs,
    plan_lab,
)
from podfence.dataplane.lab.agent import AgentError
from podfence.dataplane.lab.lifecycle import require_root
from podfence.dataplane.lab.matrix import DnsReport
from podfence.dataplane.nft import ApplyError, compile_ruleset, emit
from podfence.dataplane.run import CommandError, ToolMissing
from podfence.dataplane.verify import verify
from podfence.load import LoadOptions
from podfence.model import ProtocolPort
from podfence.render.data import matrix_data
from podfence.render.text import render_matrix

__all__ = ["compile_command", "lab_group", "verify_command"]

_ERRORS = (LabError, ApplyError, ProbeError, AgentError, CommandError, ToolMissing, OSError)


@contextmanager
def _errors() -> Iterator[None]:
    """Known failures become one message and exit status 2, never a traceback."""
    try:
        yield
    except _ERRORS as err:
        raise BadInput(str(err)) from err


def _probe_ports(specs: Sequence[ProtocolPort]) -> list[ProtocolPort]:
    return [ProtocolPort(spec.port, spec.protocol) for spec in specs]


_PORT = PortSpecType()
_name = click.option("--name", required=True, help="The lab's name.")


@click.command("compile")
@paths_argument
@namespace_option
@kube_version_option
@click.option(
    "--lab-ips",
    is_flag=True,
    help="Give pods without a status IP the address `lab up` would give them.",
)
def compile_command(
    paths: tuple[str, ...], namespace: str, load_options: LoadOptions, lab_ips: bool
) -> None:
    """Print the nftables ruleset (table inet podfence) enforcing the policies of PATHS.

    Only pods with an IP can be enforced (status.podIP, or --lab-ips)."""
    cluster = load_or_exit(paths, namespace, load_options)
    if lab_ips:
        cluster = plan_lab(cluster, "compile").cluster
    click.echo(emit(compile_ruleset(cluster)), nl=False)


@click.group("lab")
def lab_group() -> None:
    """A lab of network namespaces enforcing the compiled ruleset (needs root)."""


def _interrupt_on_term(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


@lab_group.command("up")
@paths_argument
@_name
@click.option("--serve", "serve", multiple=True, type=_PORT, help="Extra port every pod serves.")
@namespace_option
@kube_version_option
def lab_up(
    paths: tuple[str, ...],
    name: str,
    serve: tuple[ProtocolPort, ...],
    namespace: str,
    load_options: LoadOptions,
) -> None:
    """Build lab NAME from PATHS: namespaces, veths, listeners, ruleset."""
    cluster = load_or_exit(paths, namespace, load_options)
    previous = signal.signal(signal.SIGTERM, _interrupt_on_term)
    with _errors():
        require_root()
        try:
            lab = Lab.up(cluster, name=name, serve=_probe_ports(serve))
        except KeyboardInterrupt:
            raise BadInput(f"interrupted: lab {name} removed") from None
        finally:
            signal.signal(signal.SIGTERM, previous)
    state = lab.state
    click.echo(f"lab {name} up: {len(state.pods)} pods, node namespace {state.node_netns}")
    for pod in state.pods:
        ips = ", ".join(str(ip) for ip in pod.ips)
        click.echo(f"  {pod.endpoint}  {ips}  {pod.netns}")
    for note in state.notes:
        click.echo(f"note: {note}", err=True)


@lab_group.command("apply")
@paths_argument
@_name
@namespace_option
@kube_version_option
def lab_apply(paths: tuple[str, ...], name: str, namespace: str, load_options: LoadOptions) -> None:
    """Recompile from PATHS and replace lab NAME's ruleset atomically."""
    cluster = load_or_exit(paths, namespace, load_options)
    with _errors():
        require_root()
        ruleset = Lab.attach(name).apply(cluster)
    click.echo(
        f"lab {name}: applied {ruleset.rule_count} rules, "
        f"{len(ruleset.sets)} sets, {ruleset.element_count} elements"
    )


def _dns_text(report: DnsReport) -> list[str]:
    lines = ["DNS (A query over UDP and TCP to each kube-dns pod)"]
    for row in report.rows:
        udp, tcp = ("yes" if row.udp_ok else "no"), ("yes" if row.tcp_ok else "no")
        lines.append(f"  {row.endpoint} via {row.server}: udp {udp}, tcp {tcp}")
    return lines


@lab_group.command("probe")
@_name
@ports_option(help="PORT[/PROTOCOL] to probe (TCP); repeatable.")
@click.option(
    "--dns",
    is_flag=True,
    help="Also resolve a name over UDP and TCP through each kube-dns pod "
    '(JSON: an extra "dns" list).',
)
@click.option("-o", "--output", type=click.Choice(["text", "json"]), default="text")
@click.option("--timeout", type=click.FloatRange(0.01, 30), default=1.0, show_default=True)
def lab_probe(
    name: str, ports: tuple[ProtocolPort, ...], dns: bool, output: str, timeout: float
) -> None:
    """Probe every pod to every pod of lab NAME with real connections."""
    if not ports and not dns:
        raise BadInput("give at least one --port, or --dns")
    with _errors():
        require_root()
        lab = Lab.attach(name)
        result = lab.probe(_probe_ports(ports), timeout=timeout)
        report = lab.probe_dns(timeout=timeout) if dns else None
    if output == "json":
        data = matrix_data(result.as_matrix())
        if report is not None:
            data["dns"] = report.to_json()
        click.echo(json.dumps(data, indent=2))
        return
    lines = [render_matrix(result.as_matrix()).rstrip("\n")] if ports else []
    if report is not None:
        lines += _dns_text(report)
    click.echo("\n".join(lines))


@lab_group.command("down")
@click.option("--name", default=None, help="The lab to remove.")
@click.option("--all", "everything", is_flag=True, help="Every lab and podfence-* namespace.")
def lab_down(name: str | None, everything: bool) -> None:
    """Remove a lab (or all of them, leftovers of a crash included)."""
    if (name is None) == (not everything):
        raise BadInput("give exactly one of --name NAME or --all")
    with _errors():
        require_root()
        if everything:
            for removed in down_all():
                click.echo(f"removed {removed}")
        elif down_lab(str(name)):
            click.echo(f"lab {name} removed")
        else:
            raise BadInput(f"no lab named {name}")


@lab_group.command("ls")
def lab_ls() -> None:
    """List labs (orphaned: namespaces left without state; podfence lab down --all)."""
    infos = list_labs()
    if not infos:
        click.echo("no labs")
    for info in infos:
        agent = "agent running" if info.agent else "agent stopped"
        click.echo(f"{info.name}\t{info.status}\t{info.pods} pods\t{info.active} active\t{agent}")


@click.command("verify")
@paths_argument
@ports_option(required=True)
@namespace_option
@kube_version_option
@click.option("--timeout", type=click.FloatRange(0.01, 30), default=0.5, show_default=True)
def verify_command(
    paths: tuple[str, ...],
    ports: tuple[ProtocolPort, ...],
    namespace: str,
    load_options: LoadOptions,
    timeout: float,
) -> None:
    """Compare the kernel with the engine on a throwaway lab; exit 1 on any disagreement."""
    cluster = load_or_exit(paths, namespace, load_options)
    with _errors():
        require_root()
        found = verify(cluster, _probe_ports(ports), timeout=timeout)
    for disagreement in found:
        click.echo(str(disagreement))
    if found:
        click.echo(f"{len(found)} disagreements", err=True)
        sys.exit(EXIT_FINDINGS)
    click.echo("kernel and engine agree")

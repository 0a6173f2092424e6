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

from podfence.analysis.by_name import parse_dns
from podfence.analysis.named_ports import (
    NamedPort,
    QueryPort,
    Resolver,
    named_numbers,
    numbers_needed,
    query_matrix,
    resolver,
)
from podfence.analysis.query import QueryError
from podfence.cli.common import (
    EXIT_FINDINGS,
    BadInput,
    PortSpecType,
    input_options,
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
from podfence.dataplane.lab.state import LabState
from podfence.dataplane.nft import ApplyError, Ruleset, compile_ruleset, emit
from podfence.dataplane.nft.tiers import DNS_NOTE
from podfence.dataplane.run import CommandError, ToolMissing
from podfence.dataplane.verify import verify
from podfence.load import LoadOptions
from podfence.model import IPAddress, ProtocolPort
from podfence.render.data import matrix_data
from podfence.render.text import render_matrix
from podfence.render.words import count

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


def lab_resolver(state: LabState, endpoints: Sequence[str]) -> Resolver:
    """What a named port means on each pod of a lab (its manifests' container ports)."""

    def resolve(port: NamedPort) -> list[tuple[int, ...]]:
        pods = [state.pod(ident) for ident in endpoints]
        return [named_numbers(pod.ports, port) if pod else () for pod in pods]

    return resolve


def _numbers(ports: Sequence[QueryPort], resolve: Resolver) -> list[ProtocolPort]:
    """The numbers to probe for `ports`; a name that no pod defines is bad input."""
    for port in ports:
        if isinstance(port, NamedPort) and not any(resolve(port)):
            raise BadInput(f"no pod defines a container port named {port.name} for {port.protocol}")
    return numbers_needed(ports, resolve)


_PORT = PortSpecType()
_name = click.option("--name", required=True, help="The lab's name.")


def _dns_map(items: tuple[str, ...]) -> dict[IPAddress, tuple[str, ...]]:
    """`--dns NAME=IP` items as the compiler takes them: each address with its names."""
    try:
        by_name = parse_dns(items)
    except QueryError as exc:
        raise BadInput(str(exc)) from None
    names: dict[IPAddress, list[str]] = {}
    for name, addresses in by_name.items():
        for address in addresses:
            names.setdefault(address, []).append(name)
    return {address: tuple(found) for address, found in names.items()}


def _dns_notes(ruleset: Ruleset) -> None:
    """What depends on DNS at run time, on stderr (the ruleset's header says it too)."""
    for note in ruleset.notes:
        if note.startswith(DNS_NOTE):
            click.echo(f"note: {note}", err=True)


@click.command("compile")
@paths_argument
@namespace_option
@input_options
@click.option(
    "--lab-ips",
    is_flag=True,
    help="Give pods without a status IP the address `lab up` would give them.",
)
@click.option(
    "--dns",
    "dns_items",
    multiple=True,
    metavar="NAME=IP",
    help="An outside address a ClusterNetworkPolicy domainNames peer stands for (repeatable; "
    "as `can --dns`). Without it, domainNames rules match nothing, and a note says so.",
)
def compile_command(
    paths: tuple[str, ...],
    namespace: str,
    lab_ips: bool,
    dns_items: tuple[str, ...],
    loading: LoadOptions,
) -> None:
    """Print the nftables ruleset (table inet podfence) enforcing the policies of PATHS:
    NetworkPolicies and the ClusterNetworkPolicy tiers.

    Only pods with an IP can be enforced (status.podIP, or --lab-ips)."""
    dns = _dns_map(dns_items)
    cluster = load_or_exit(paths, namespace, loading)
    if lab_ips:
        cluster = plan_lab(cluster, "compile").cluster
    ruleset = compile_ruleset(cluster, dns=dns or None)
    _dns_notes(ruleset)
    click.echo(emit(ruleset), nl=False)


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
@input_options
def lab_up(
    paths: tuple[str, ...],
    name: str,
    serve: tuple[ProtocolPort, ...],
    namespace: str,
    loading: LoadOptions,
) -> None:
    """Build lab NAME from PATHS: namespaces, veths, listeners, ruleset."""
    cluster = load_or_exit(paths, namespace, loading)
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
    click.echo(f"lab {name} up: {count(len(state.pods), 'pod')}, node namespace {state.node_netns}")
    for pod in state.pods:
        ips = ", ".join(str(ip) for ip in pod.ips)
        click.echo(f"  {pod.endpoint}  {ips}  {pod.netns}")
    for note in state.notes:
        click.echo(f"note: {note}", err=True)


@lab_group.command("apply")
@paths_argument
@_name
@namespace_option
@input_options
def lab_apply(paths: tuple[str, ...], name: str, namespace: str, loading: LoadOptions) -> None:
    """Recompile from PATHS and replace lab NAME's ruleset atomically."""
    cluster = load_or_exit(paths, namespace, loading)
    with _errors():
        require_root()
        ruleset = Lab.attach(name).apply(cluster)
    click.echo(
        f"lab {name}: applied {count(ruleset.rule_count, 'rule')}, "
        f"{count(len(ruleset.sets), 'set')}, {count(ruleset.element_count, 'element')}"
    )


def _dns_text(report: DnsReport) -> list[str]:
    lines = ["DNS (A query over UDP and TCP to each kube-dns pod)"]
    for row in report.rows:
        udp, tcp = ("yes" if row.udp_ok else "no"), ("yes" if row.tcp_ok else "no")
        lines.append(f"  {row.endpoint} via {row.server}: udp {udp}, tcp {tcp}")
    return lines


@lab_group.command("probe")
@_name
@ports_option(
    help="PORT[/PROTOCOL] to probe (TCP), or a container port's NAME[/PROTOCOL] resolved "
    "on each destination pod; repeatable.",
    named=True,
)
@click.option(
    "--dns",
    is_flag=True,
    help="Also resolve a name over UDP and TCP through each kube-dns pod "
    '(JSON: an extra "dns" list).',
)
@click.option("-o", "--output", type=click.Choice(["text", "json"]), default="text")
@click.option("--timeout", type=click.FloatRange(0.01, 30), default=1.0, show_default=True)
def lab_probe(
    name: str, ports: tuple[QueryPort, ...], dns: bool, output: str, timeout: float
) -> None:
    """Probe every pod to every pod of lab NAME with real connections."""
    if not ports and not dns:
        raise BadInput("give at least one --port, or --dns")
    asked = list(dict.fromkeys(ports))
    with _errors():
        require_root()
        lab = Lab.attach(name)
        ids = sorted(lab.state.active)
        resolve = lab_resolver(lab.state, ids)
        result = lab.probe(_probe_ports(_numbers(asked, resolve)), timeout=timeout)
        report = lab.probe_dns(timeout=timeout) if dns else None
    observed = query_matrix(asked, result.as_matrix(), lab_resolver(lab.state, result.endpoints))
    if output == "json":
        data = matrix_data(observed)
        if report is not None:
            data["dns"] = report.to_json()
        click.echo(json.dumps(data, indent=2))
        return
    lines = [render_matrix(observed).rstrip("\n")] if ports else []
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
@ports_option(
    required=True,
    help="PORT[/PROTOCOL] (TCP), or a container port's NAME[/PROTOCOL]: every number it "
    "resolves to on some pod is verified; repeatable.",
    named=True,
)
@namespace_option
@input_options
@click.option("--timeout", type=click.FloatRange(0.01, 30), default=0.5, show_default=True)
def verify_command(
    paths: tuple[str, ...],
    ports: tuple[QueryPort, ...],
    namespace: str,
    timeout: float,
    loading: LoadOptions,
) -> None:
    """Compare the kernel with the engine on a throwaway lab; exit 1 on any disagreement."""
    cluster = load_or_exit(paths, namespace, loading)
    numbers = _numbers(list(dict.fromkeys(ports)), resolver(cluster.endpoints))
    with _errors():
        require_root()
        found = verify(cluster, _probe_ports(numbers), timeout=timeout)
    for disagreement in found:
        click.echo(str(disagreement))
    if found:
        click.echo(count(len(found), "disagreement"), err=True)
        sys.exit(EXIT_FINDINGS)
    click.echo("kernel and engine agree")

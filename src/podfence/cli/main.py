"""`podfence`: the command line. Thin: load, call an analysis, render, exit with a code."""

from __future__ import annotations

import importlib
import sys

import click

from podfence import __version__
from podfence.analysis.explain import account_policy
from podfence.cli.cluster_source import Live, cluster_options, load_input, read_live, wants_live
from podfence.cli.common import (
    EXIT_BAD_INPUT,
    EXIT_FINDINGS,
    EXIT_OK,
    BadInput,
    PortSpecType,
    kube_version_option,
    namespace_option,
    output_option,
    paths_argument,
    resolve_party,
)
from podfence.engine import Engine
from podfence.load import LoadOptions, LoadResult, load_paths
from podfence.model import Connection, Direction, External, ProtocolPort, Severity
from podfence.render.data import account_data, diagnostics_data, verdict_data
from podfence.render.serialize import dump
from podfence.render.text import render_account, render_verdict

__all__ = ["cli", "main"]


_LAZY: dict[str, tuple[str, str]] = {
    "agent": ("podfence.cli.agent_cmd", "agent"),
    "matrix": ("podfence.cli.scale_cmds", "matrix"),
    "watch": ("podfence.cli.scale_cmds", "watch"),
    "lint": ("podfence.cli.lint_cmd", "lint"),
    "compile": ("podfence.cli.dataplane_cmds", "compile_command"),
    "lab": ("podfence.cli.dataplane_cmds", "lab_group"),
    "verify": ("podfence.cli.dataplane_cmds", "verify_command"),
    "graph": ("podfence.cli.review_cmds", "graph"),
    "report": ("podfence.cli.review_cmds", "report"),
    "diff": ("podfence.cli.review_cmds", "diff"),
}
"""Commands whose modules are imported only when used (numpy, rich, the lab...): a
`podfence can` does not pay for them at start-up."""


class _LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *_LAZY})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = _LAZY.get(cmd_name)
        if target is None:
            return super().get_command(ctx, cmd_name)
        command = getattr(importlib.import_module(target[0]), target[1])
        assert isinstance(command, click.Command) and command.name == cmd_name
        return command


@click.group(
    name="podfence",
    cls=_LazyGroup,
    context_settings={"help_option_names": ["-h", "--help"]},
)
@click.version_option(__version__, prog_name="podfence")
def cli() -> None:
    """Kubernetes NetworkPolicy, exactly: who can reach whom, on which port, and why."""


@cli.command()
@paths_argument
@namespace_option
@kube_version_option
@cluster_options
@output_option("text", "json", "yaml")
def validate(
    paths: tuple[str, ...],
    namespace: str,
    load_options: LoadOptions,
    output: str,
    live: Live,
) -> None:
    """Load and validate manifests as the API server would; report every problem.

    Exit 0 when valid (warnings allowed), 2 on any error.
    """
    result = _validate_input(paths, namespace, live, load_options)
    errors = result.error_count
    if output == "text":
        for d in result.diagnostics:
            click.echo(str(d), err=d.severity is Severity.ERROR)
        if result.cluster is not None:
            c = result.cluster
            click.echo(
                f"ok: {len(c.namespaces)} namespaces, {len(c.endpoints)} pods/workloads, "
                f"{len(c.policies)} policies"
            )
        else:
            click.echo(f"{errors} error(s)", err=True)
    else:
        click.echo(dump(diagnostics_data(result.diagnostics), output), nl=False)
    raise SystemExit(EXIT_OK if result.ok else EXIT_BAD_INPUT)


@cli.command()
@click.argument("source", metavar="SRC")
@click.argument("destination", metavar="DST")
@paths_argument
@click.option(
    "-p", "--port", "port", type=PortSpecType(), required=True, help="PORT[/PROTOCOL] (TCP)."
)
@namespace_option
@kube_version_option
@cluster_options
@output_option("text", "json", "yaml")
def can(
    source: str,
    destination: str,
    paths: tuple[str, ...],
    port: ProtocolPort,
    namespace: str,
    load_options: LoadOptions,
    output: str,
    live: Live,
) -> None:
    """Can SRC open a connection to DST on --port? Exit 0 if allowed, 1 if denied.

    SRC and DST are NAMESPACE/NAME of a pod or workload, or an IP address.
    """
    loaded = load_input(paths, namespace, live, load_options)
    src = resolve_party(loaded, source)
    dst = resolve_party(loaded, destination)
    if isinstance(src, External) and isinstance(dst, External):
        raise BadInput(
            f"neither {source} nor {destination} is a pod or workload of the input: "
            "NetworkPolicy only governs traffic from or to pods"
        )
    verdict = Engine(loaded).evaluate(Connection(src, dst, port.port, port.protocol))
    if output == "text":
        click.echo(render_verdict(verdict), nl=False)
    else:
        click.echo(dump(verdict_data(verdict), output), nl=False)
    raise SystemExit(EXIT_OK if verdict.allowed else EXIT_FINDINGS)


@cli.command()
@paths_argument
@click.option("--policy", "policy_key", metavar="NS/NAME", help="Explain one policy.")
@click.option("--pod", "pod_id", metavar="NS/NAME", help="Explain what applies to one pod.")
@namespace_option
@kube_version_option
@cluster_options
@output_option("text", "json", "yaml")
def explain(
    paths: tuple[str, ...],
    policy_key: str | None,
    pod_id: str | None,
    namespace: str,
    load_options: LoadOptions,
    output: str,
    live: Live,
) -> None:
    """Explain policies in plain language (all, one with --policy, or those of --pod)."""
    if policy_key and pod_id:
        raise BadInput("give --policy or --pod, not both")
    loaded = load_input(paths, namespace, live, load_options)
    engine = Engine(loaded)
    policies = loaded.policies
    header = ""
    if policy_key:
        found = loaded.policy(policy_key)
        if found is None:
            raise BadInput(f"no NetworkPolicy {policy_key!r} in the input")
        policies = (found,)
    elif pod_id:
        party = resolve_party(loaded, pod_id)
        if isinstance(party, External):
            raise BadInput(f"{pod_id!r} is an address outside the cluster: no policy applies")
        ep = party
        lines = [f"{ep.kind} {ep.id}"]
        keys: dict[str, None] = {}
        for d in Direction:
            sel = engine.selecting(ep, d)
            if ep.host_network:
                lines.append(f"  {d}: hostNetwork pod, NetworkPolicies do not apply")
            elif sel:
                lines.append(f"  {d}: isolated by {', '.join(p.key for p in sel)}")
            else:
                lines.append(f"  {d}: not isolated (no policy selects it): all {d} allowed")
            keys.update((p.key, None) for p in sel)
        header = "\n".join(lines) + "\n"
        policies = tuple(p for p in loaded.policies if p.key in keys)
    accounts = [account_policy(engine, p) for p in policies]
    if output == "text":
        body = "\n".join(render_account(a) for a in accounts)
        click.echo(header + ("\n" if header and body else "") + body, nl=False)
    else:
        click.echo(dump({"policies": [account_data(a) for a in accounts]}, output), nl=False)


def _validate_input(
    paths: tuple[str, ...], namespace: str, live: Live, options: LoadOptions
) -> LoadResult:
    """Like load_input, but keeps the result so every diagnostic can be reported."""
    if wants_live(paths, live):
        return read_live(namespace, live, options)
    if not paths:
        raise BadInput("no input: give files, directories or - for stdin")
    return load_paths(list(paths), default_namespace=namespace, stdin=sys.stdin, options=options)


def main() -> None:
    """Entry point: click's own errors exit 2; a closed pipe is not an error."""
    try:
        cli.main(prog_name="podfence")
    except BrokenPipeError:
        sys.stderr.close()
        raise SystemExit(EXIT_OK) from None

"""`podfence`: the command line. Thin: load, call an analysis, render, exit with a code."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable
from typing import TypeVar

import click

from podfence import __version__
from podfence.analysis.explain import account_pod, account_policy
from podfence.analysis.query import QueryError, ask_connection, resolve_endpoint
from podfence.cli.cluster_source import Live, cluster_options, load_input, read_live, wants_live
from podfence.cli.common import (
    EXIT_BAD_INPUT,
    EXIT_FINDINGS,
    EXIT_OK,
    BadInput,
    PortSpecType,
    namespace_option,
    output_option,
    paths_argument,
)
from podfence.engine import Engine
from podfence.load import LoadResult, load_paths
from podfence.model import ProtocolPort, Severity
from podfence.render.data import account_data, diagnostics_data, pod_account_data, verdict_data
from podfence.render.serialize import dump
from podfence.render.text import render_account, render_pod_account, render_verdict

__all__ = ["cli", "main"]


_LAZY: dict[str, tuple[str, str]] = {
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
@cluster_options
@output_option("text", "json", "yaml")
def validate(
    paths: tuple[str, ...],
    namespace: str,
    output: str,
    live: Live,
) -> None:
    """Load and validate manifests as the API server would; report every problem.

    Exit 0 when valid (warnings allowed), 2 on any error.
    """
    result = _validate_input(paths, namespace, live)
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
@cluster_options
@output_option("text", "json", "yaml")
def can(
    source: str,
    destination: str,
    paths: tuple[str, ...],
    port: ProtocolPort,
    namespace: str,
    output: str,
    live: Live,
) -> None:
    """Can SRC open a connection to DST on --port? Exit 0 if allowed, 1 if denied.

    SRC and DST are NAMESPACE/NAME of a pod or workload, or an IP address.
    """
    loaded = load_input(paths, namespace, live)
    connection = _asked(lambda: ask_connection(loaded, source, destination, port))
    verdict = Engine(loaded).evaluate(connection)
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
@cluster_options
@output_option("text", "json", "yaml")
def explain(
    paths: tuple[str, ...],
    policy_key: str | None,
    pod_id: str | None,
    namespace: str,
    output: str,
    live: Live,
) -> None:
    """Explain policies in plain language (all, one with --policy, or those of --pod)."""
    if policy_key and pod_id:
        raise BadInput("give --policy or --pod, not both")
    loaded = load_input(paths, namespace, live)
    engine = Engine(loaded)
    if pod_id:
        endpoint = _asked(lambda: resolve_endpoint(loaded, pod_id))
        pod = account_pod(engine, endpoint)
        text = render_pod_account(pod) if output == "text" else None
        click.echo(text if text is not None else dump(pod_account_data(pod), output), nl=False)
        return
    policies = loaded.policies
    if policy_key:
        found = loaded.policy(policy_key)
        if found is None:
            raise BadInput(f"no NetworkPolicy {policy_key!r} in the input")
        policies = (found,)
    accounts = [account_policy(engine, p) for p in policies]
    if output == "text":
        click.echo("\n".join(render_account(a) for a in accounts), nl=False)
    else:
        click.echo(dump({"policies": [account_data(a) for a in accounts]}, output), nl=False)


_T = TypeVar("_T")


def _asked(question: Callable[[], _T]) -> _T:
    """The answer to a question about the input; a question it cannot answer exits 2."""
    try:
        return question()
    except QueryError as exc:
        raise BadInput(str(exc)) from None


def _validate_input(paths: tuple[str, ...], namespace: str, live: Live) -> LoadResult:
    """Like load_input, but keeps the result so every diagnostic can be reported."""
    if wants_live(paths, live):
        return read_live(namespace, live)
    if not paths:
        raise BadInput("no input: give files, directories or - for stdin")
    return load_paths(list(paths), default_namespace=namespace, stdin=sys.stdin)


def main() -> None:
    """Entry point: click's own errors exit 2; a closed pipe is not an error."""
    try:
        cli.main(prog_name="podfence")
    except BrokenPipeError:
        sys.stderr.close()
        raise SystemExit(EXIT_OK) from None

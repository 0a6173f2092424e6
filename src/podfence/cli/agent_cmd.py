"""`podfence agent --node NAME`: enforce the cluster's NetworkPolicies on one node.

Thin: parse options, run `podfence.agent.run`. Exit 0 when stopped (or `--once`
done), 2 when it cannot start (no kubeconfig, no nft, the API server unreachable with
`--once`, a ruleset nft refuses with `--once`): one message, never a traceback.
"""

from __future__ import annotations

import sys

import click

from podfence.agent.http import parse_address
from podfence.agent.loop import AgentConfig
from podfence.agent.run import AgentFailed, RunOptions, run_agent
from podfence.cli.common import BadInput, KubeVersionType
from podfence.dataplane.nft import TABLE
from podfence.load import KubeVersion

__all__ = ["agent"]


def _address(ctx: click.Context, param: click.Parameter, value: str | None) -> object:
    if value is None or value == "":
        return None
    try:
        return parse_address(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


@click.command(name="agent")
@click.option("--node", required=True, envvar="NODE_NAME", help="This node's name ($NODE_NAME).")
@click.option("--kubeconfig", metavar="FILE", help="Kubeconfig (default: in-cluster, ~/.kube).")
@click.option("--context", metavar="NAME", help="Kubeconfig context.")
@click.option(
    "--netns",
    metavar="NAME",
    help="Apply inside this podfence-* network namespace (a lab node) instead of here.",
)
@click.option("--table", default=TABLE, show_default=True, help="The agent's own nft table.")
@click.option(
    "--listen",
    default="127.0.0.1:9746",
    show_default=True,
    callback=_address,
    help="HOST:PORT of /metrics, /healthz, /readyz and /status ('' for none).",
)
@click.option(
    "--kube-version",
    "kube_version",
    type=KubeVersionType(),
    default=None,
    help="Judge objects as this Kubernetes version (default: the API server's).",
)
@click.option("--once", is_flag=True, help="List once, apply once, exit.")
@click.option("--dry-run", is_flag=True, help="Apply nothing (with --once: print the ruleset).")
@click.option(
    "--watch-timeout",
    default=300,
    show_default=True,
    type=click.IntRange(1, 3600),
    help="Seconds a watch lasts before it is resumed.",
)
def agent(
    node: str,
    kubeconfig: str | None,
    context: str | None,
    netns: str | None,
    table: str,
    listen: tuple[str, int] | None,
    kube_version: KubeVersion | None,
    once: bool,
    dry_run: bool,
    watch_timeout: int,
) -> None:
    """Enforce the cluster's NetworkPolicies on node NAME with nftables.

    Watches Pods, Namespaces, Nodes and NetworkPolicies (and ClusterNetworkPolicies when
    served, not yet enforced) and keeps table `inet podfence` current for the node's pods.
    `--once --dry-run` prints the ruleset it would apply.
    """
    config = AgentConfig(node=node, table=table, dry_run=dry_run)
    options = RunOptions(
        kubeconfig=kubeconfig,
        context=context,
        netns=netns,
        listen=None if once else listen,
        once=once,
        watch_timeout=watch_timeout,
        kube_version=kube_version,
    )
    try:
        code = run_agent(config, options, out=sys.stdout, err=sys.stderr)
    except AgentFailed as exc:
        raise BadInput(str(exc)) from None
    raise SystemExit(code)

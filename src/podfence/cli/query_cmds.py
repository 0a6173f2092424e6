"""`podfence validate`, `can` and `explain`: load, ask the per-pair engine, render, exit with a
code. Imported only when one of them runs (see `podfence.cli.main`)."""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Mapping
from typing import NoReturn, TypeVar

import click

from podfence.analysis.by_name import ask_by_name, is_dns_name, parse_dns
from podfence.analysis.explain import account_pod, account_policy
from podfence.analysis.explain_cnp import account_cluster_policy, account_pod_tiers
from podfence.analysis.named_ports import NamedPort, QueryPort, ask
from podfence.analysis.query import QueryError, ask_parties, resolve_endpoint, resolve_party
from podfence.cli.cluster_source import Live, cluster_options, load_input, read_live, wants_live
from podfence.cli.common import (
    EXIT_BAD_INPUT,
    EXIT_FINDINGS,
    EXIT_OK,
    BadInput,
    QueryPortType,
    did_you_mean,
    echo_diagnostics,
    input_options,
    load_result,
    namespace_option,
    output_option,
    paths_argument,
)
from podfence.engine import Engine
from podfence.load import LoadOptions, LoadResult
from podfence.model import (
    Cluster,
    ClusterNetworkPolicy,
    Endpoint,
    External,
    IPAddress,
    NetworkPolicy,
)
from podfence.render.cnp_data import cluster_account_data, pod_tiers_data
from podfence.render.cnp_text import render_cluster_account, render_pod_tiers
from podfence.render.data import (
    account_data,
    diagnostics_data,
    name_query_data,
    pod_account_data,
    query_data,
    validated_data,
)
from podfence.render.serialize import dump
from podfence.render.text import (
    render_accounts,
    render_pod_account,
    render_query,
    validated_summary,
)
from podfence.render.tiers import render_name_query
from podfence.render.words import count

__all__ = ["validate", "can", "explain"]


@click.command()
@paths_argument
@namespace_option
@input_options
@cluster_options
@output_option("text", "json", "yaml")
def validate(
    paths: tuple[str, ...],
    namespace: str,
    output: str,
    live: Live,
    loading: LoadOptions,
) -> None:
    """Load and validate manifests as the API server would; report every problem.

    Exit 0 when valid (warnings allowed), 2 on any error. Diagnostics go to stderr, one per
    line; the summary to stdout.
    """
    result = _validate_input(paths, namespace, live, loading)
    if output == "text":
        echo_diagnostics(result)
        if result.cluster is not None:
            click.echo(f"ok: {validated_summary(result.cluster)}")
        else:
            click.echo(count(result.error_count, "error"), err=True)
    else:
        data = diagnostics_data(result.diagnostics)
        if result.cluster is not None:
            data["summary"] = validated_data(result.cluster)
        click.echo(dump(data, output), nl=False)
    raise SystemExit(EXIT_OK if result.ok else EXIT_BAD_INPUT)


@click.command()
@click.argument("source", metavar="SRC")
@click.argument("destination", metavar="DST")
@paths_argument
@click.option(
    "-p",
    "--port",
    "port",
    type=QueryPortType(),
    required=True,
    help="PORT[/PROTOCOL] (TCP), or a port NAME[/PROTOCOL] of DST's containers.",
)
@click.option(
    "--dns",
    "dns_items",
    multiple=True,
    metavar="NAME=IP",
    help="What a DNS name resolves to (repeatable). DST may then be that name, and an "
    "address is known by its names (ClusterNetworkPolicy domainNames match by name).",
)
@namespace_option
@input_options
@cluster_options
@output_option("text", "json", "yaml")
def can(
    source: str,
    destination: str,
    paths: tuple[str, ...],
    port: QueryPort,
    dns_items: tuple[str, ...],
    namespace: str,
    output: str,
    live: Live,
    loading: LoadOptions,
) -> None:
    """Can SRC open a connection to DST on --port? Exit 0 if allowed, 1 if denied.

    SRC and DST are NAMESPACE/NAME of a pod or workload, or an IP address; DST may also be
    a DNS name (answered for the addresses --dns gives it, or else for every region of
    addresses the policies tell apart). A named port (--port http) means the numbers DST's
    containers give that name for that protocol; it is allowed when each of them is. With
    ClusterNetworkPolicies, each side names the tier, the policy and the rule that decided.
    """
    loaded = load_input(paths, namespace, live, loading)
    dns = _asked(lambda: parse_dns(dns_items))
    if _is_name(destination):
        _can_by_name(loaded, source, destination, port, dns, output)
    asked = _asked(lambda: ask_parties(loaded, source, destination, dns))
    if isinstance(port, NamedPort) and isinstance(asked.destination, External):
        raise BadInput(
            f"{destination} is outside the cluster: only pods define named ports; "
            "give a port number"
        )
    answer = ask(Engine(loaded), asked.source, asked.destination, port, asked.family)
    if output == "text":
        click.echo(render_query(answer), nl=False)
    else:
        click.echo(dump(query_data(answer), output), nl=False)
    raise SystemExit(EXIT_OK if answer.allowed else EXIT_FINDINGS)


@click.command()
@paths_argument
@click.option(
    "--policy",
    "policy_key",
    metavar="NS/NAME|cnp/NAME",
    help="Explain one policy (a ClusterNetworkPolicy as cnp/NAME, or NAME).",
)
@click.option("--pod", "pod_id", metavar="NS/NAME", help="Explain what applies to one pod.")
@namespace_option
@input_options
@cluster_options
@output_option("text", "json", "yaml")
def explain(
    paths: tuple[str, ...],
    policy_key: str | None,
    pod_id: str | None,
    namespace: str,
    output: str,
    live: Live,
    loading: LoadOptions,
) -> None:
    """Explain policies in plain language (all, one with --policy, or those of --pod).

    --policy takes a NetworkPolicy NS/NAME or a ClusterNetworkPolicy cnp/NAME (or NAME).
    With ClusterNetworkPolicies, --pod also says what each tier says for the pod.
    """
    if policy_key and pod_id:
        raise BadInput("give --policy or --pod, not both")
    loaded = load_input(paths, namespace, live, loading)
    engine = Engine(loaded)
    if pod_id:
        endpoint = _asked(lambda: resolve_endpoint(loaded, pod_id))
        _explain_pod(engine, endpoint, output)
        return
    policies = loaded.policies
    cluster_policies = loaded.cluster_policies
    if policy_key:
        policies, cluster_policies = _one_policy(loaded, policy_key)
    accounts = [account_policy(engine, p) for p in policies]
    cluster_accounts = [account_cluster_policy(engine, p) for p in cluster_policies]
    if output == "text":
        texts = (
            [render_accounts(accounts, tiered=bool(cluster_accounts))]
            if accounts or not cluster_accounts
            else []
        )
        texts += [render_cluster_account(a) for a in cluster_accounts]
        click.echo("\n".join(texts), nl=False)
        return
    data: dict[str, object] = {"policies": [account_data(a) for a in accounts]}
    if loaded.cluster_policies:
        data["clusterPolicies"] = [cluster_account_data(a) for a in cluster_accounts]
    click.echo(dump(data, output), nl=False)


def _one_policy(
    cluster: Cluster, key: str
) -> tuple[tuple[NetworkPolicy, ...], tuple[ClusterNetworkPolicy, ...]]:
    """The policy `--policy` names: `ns/name`, or `cnp/NAME` / `NAME` of a CNP."""
    found = cluster.policy(key) if "/" in key and not key.startswith("cnp/") else None
    if found is not None:
        return (found,), ()
    cnp = cluster.cluster_policy(key) if key.startswith("cnp/") or "/" not in key else None
    if cnp is not None:
        return (), (cnp,)
    known = [p.key for p in cluster.policies] + [p.key for p in cluster.cluster_policies]
    kind = "ClusterNetworkPolicy" if key.startswith("cnp/") or "/" not in key else "NetworkPolicy"
    raise BadInput(f"no {kind} {key!r} in the input{did_you_mean(key, known)}")


def _explain_pod(engine: Engine, endpoint: Endpoint, output: str) -> None:
    pod = account_pod(engine, endpoint)
    tiers = account_pod_tiers(engine, endpoint) if engine.tiered else None
    if output == "text":
        text = render_pod_account(pod)
        if tiers is not None:
            text = render_pod_tiers(tiers) + "\n" + text
        click.echo(text, nl=False)
        return
    data = pod_account_data(pod)
    if tiers is not None:
        data["tiers"] = pod_tiers_data(tiers)
    click.echo(dump(data, output), nl=False)


_T = TypeVar("_T")


def _is_name(text: str) -> bool:
    """A DNS name, not an address nor `namespace/name`."""
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return "/" not in text and is_dns_name(text)
    return False


def _can_by_name(
    cluster: Cluster,
    source: str,
    name: str,
    port: QueryPort,
    dns: Mapping[str, tuple[IPAddress, ...]],
    output: str,
) -> NoReturn:
    src = _asked(lambda: resolve_party(cluster, source, dns)).party
    if isinstance(src, External):
        raise BadInput(f"{source} is outside the cluster: ask from a pod or workload")
    if isinstance(port, NamedPort):
        raise BadInput(
            f"{name} is outside the cluster: only pods define named ports; give a port number"
        )
    answer = ask_by_name(Engine(cluster), src, name, port, dns)
    if output == "text":
        click.echo(render_name_query(answer, render_query), nl=False)
    else:
        click.echo(dump(name_query_data(answer), output), nl=False)
    raise SystemExit(EXIT_OK if answer.allowed else EXIT_FINDINGS)


def _asked(question: Callable[[], _T]) -> _T:
    """The answer to a question about the input; a question it cannot answer exits 2."""
    try:
        return question()
    except QueryError as exc:
        raise BadInput(str(exc)) from None


def _validate_input(
    paths: tuple[str, ...], namespace: str, live: Live, loading: LoadOptions
) -> LoadResult:
    """Like load_input, but keeps the result so every diagnostic can be reported."""
    if wants_live(paths, live):
        return read_live(namespace, live, loading)
    return load_result(paths, namespace, loading)

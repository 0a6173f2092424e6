"""PF001 open-namespace: pods that no policy isolates, per namespace and direction.

A pod some ClusterNetworkPolicy (Admin or Baseline) applies to in a direction is not open in
that direction: the cluster administrators decide for it (PF030-PF035 look at those rules).
"""

from __future__ import annotations

from collections.abc import Iterator

from podfence.analysis.lint.context import LintContext
from podfence.analysis.lint.finding import Finding
from podfence.analysis.lint.words import who, yaml_scalar
from podfence.model import Direction, Endpoint, Tier

__all__ = ["SYSTEM_NAMESPACES", "check_open_namespaces", "default_deny_yaml"]

SYSTEM_NAMESPACES = frozenset({"kube-system", "kube-public", "kube-node-lease"})
"""Not checked by PF001: the platform's own pods (CoreDNS, CNI, kube-proxy), often hostNetwork."""


def default_deny_yaml(namespace: str, direction: Direction) -> str:
    return (
        "apiVersion: networking.k8s.io/v1\n"
        "kind: NetworkPolicy\n"
        "metadata:\n"
        f"  name: default-deny-{direction.rules_field}\n"
        f"  namespace: {yaml_scalar(namespace)}\n"
        "spec:\n"
        "  podSelector: {}\n"
        f"  policyTypes: [{direction.value}]"
    )


def _namespace_order(ctx: LintContext) -> list[str]:
    names = [ns.name for ns in ctx.cluster.namespaces]
    names += sorted({ep.namespace for ep in ctx.cluster.endpoints} - set(names))
    return names


def _open(ctx: LintContext, ep: Endpoint, direction: Direction) -> bool:
    if ctx.isolated(ep, direction):
        return False
    return not any(ctx.engine.cluster_selecting(ep, direction, tier) for tier in Tier)


def check_open_namespaces(ctx: LintContext) -> Iterator[Finding]:
    for namespace in _namespace_order(ctx):
        if namespace in SYSTEM_NAMESPACES:
            continue
        pods = [ep for ep in ctx.endpoints_in(namespace) if not ep.host_network]
        for direction in Direction:
            open_pods = [ep for ep in pods if _open(ctx, ep, direction)]
            if not open_pods:
                continue
            count = f"{len(open_pods)} of {len(pods)}" if len(open_pods) < len(pods) else "all"
            if direction is Direction.INGRESS:
                message = (
                    f"no ingress isolation: {count} pods of namespace {namespace} accept "
                    "connections from everywhere"
                )
                consequence = (
                    f"{who(open_pods)} can be reached from every pod of every namespace and "
                    "from any address, on every port: no NetworkPolicy selects them for Ingress"
                )
                extra = "then allow each real flow into these pods"
            else:
                message = (
                    f"no egress isolation: {count} pods of namespace {namespace} can reach "
                    "everything"
                )
                consequence = (
                    f"{who(open_pods)} can open connections to every pod of every namespace and "
                    "to any address (the cloud metadata service 169.254.169.254 included), on "
                    "every port: no NetworkPolicy selects them for Egress"
                )
                extra = "then allow DNS (UDP and TCP 53 to CoreDNS) and each real flow out"
            fix = (
                f"add a default deny for {direction.value} in {namespace}, {extra}:\n"
                + default_deny_yaml(namespace, direction)
            )
            yield ctx.namespace_finding(
                "PF001", namespace, message=message, consequence=consequence, fix=fix
            )

"""PF005 split-and: a podSelector item next to a namespaceSelector item is an OR.

It fires only where the two readings differ on the cluster as given: the namespaces that the
namespaceSelector item selects hold pods that the podSelector does not match (those pods are
let in by the OR and would be kept out by the AND).
"""

from __future__ import annotations

from collections.abc import Iterator

from podfence.analysis.lint.context import LintContext
from podfence.analysis.lint.finding import Finding
from podfence.analysis.lint.words import and_join, selector_text, selector_yaml, who
from podfence.model import Direction, Peer

__all__ = ["check_and_or"]


def _pod_only(peer: Peer) -> bool:
    return (
        peer.pod_selector is not None
        and not peer.pod_selector.is_empty
        and peer.namespace_selector is None
        and peer.ip_block is None
    )


def _namespace_only(peer: Peer) -> bool:
    return (
        peer.namespace_selector is not None and peer.pod_selector is None and peer.ip_block is None
    )


def check_and_or(ctx: LintContext) -> Iterator[Finding]:
    for site in ctx.rule_sites():
        peers = site.rule.peers
        pod_items = [j for j, p in enumerate(peers) if _pod_only(p)]
        if not pod_items:
            continue
        field = site.direction.peers_field
        for k, ns_peer in enumerate(peers):
            if not _namespace_only(ns_peer) or ns_peer.namespace_selector is None:
                continue
            j = min(pod_items, key=lambda i: abs(i - k))
            pod_selector = peers[j].pod_selector
            assert pod_selector is not None
            namespaces = [ns.name for ns in ctx.namespaces_matching(ns_peer.namespace_selector)]
            pods = ctx.peer_endpoints(site.policy, ns_peer)
            as_one = Peer(pod_selector=pod_selector, namespace_selector=ns_peer.namespace_selector)
            anded = {ep.id for ep in ctx.would_match(as_one, site.policy.namespace)}
            extra = [ep for ep in pods if ep.id not in anded]
            if not extra:
                continue
            both = [ep for ep in pods if ep.id in anded]
            ns_text = selector_text(ns_peer.namespace_selector)
            pod_text = selector_text(pod_selector)
            verb = "admits" if site.direction is Direction.INGRESS else "reaches"
            and_pods = f" ({who(both)})" if both else " (none in the input)"
            yield ctx.policy_finding(
                "PF005",
                site.policy,
                f"{site.field}.{field}[{k}]",
                message=(
                    f"{field}[{j}] (podSelector) and {field}[{k}] (namespaceSelector) are two "
                    f"items, so they are ORed: {field}[{k}] alone {verb} every pod of "
                    f"{and_join(namespaces)}"
                ),
                consequence=(
                    f"as written (OR): pods with {pod_text} in {site.policy.namespace}, OR every "
                    f"pod of namespaces labelled {ns_text}, including {who(extra)}; "
                    f"as one item (AND): only pods with {pod_text} in namespaces labelled "
                    f"{ns_text}{and_pods}"
                ),
                fix=(
                    "if you meant AND, make them one item:\n"
                    f"- podSelector: {selector_yaml(pod_selector)}\n"
                    f"  namespaceSelector: {selector_yaml(ns_peer.namespace_selector)}\n"
                    "if you meant OR, annotate the policy with podfence.io/ignore: PF005"
                ),
            )

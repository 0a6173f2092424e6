"""ClusterNetworkPolicies in plain language: one policy rule by rule, and what each tier says
for a pod."""

from __future__ import annotations

from typing import assert_never

from podfence.analysis.explain_cnp import (
    ClusterDirectionAccount,
    ClusterPeerAccount,
    ClusterPolicyAccount,
    PodTiers,
    TierSide,
)
from podfence.model import (
    Action,
    ClusterPeer,
    ClusterProtocol,
    Direction,
    DomainNamesPeer,
    EveryPort,
    LabelSelector,
    NamedPort,
    NamespacesPeer,
    NamespacesSubject,
    NetworksPeer,
    NodesPeer,
    PodsPeer,
    PodsSubject,
    PortNumber,
    PortRangeMatch,
    Protocols,
    Subject,
    Tier,
    UnknownPeer,
    UnknownProtocol,
)
from podfence.render.phrases import selector_phrase

__all__ = [
    "action_phrase",
    "cluster_peer_phrase",
    "protocols_phrase",
    "render_cluster_account",
    "render_pod_tiers",
    "subject_phrase",
]


def _namespaces(selector: LabelSelector) -> str:
    if selector.is_empty:
        return "every namespace"
    return f"namespaces labelled {selector_phrase(selector)}"


def _pods(namespaces: LabelSelector, pods: LabelSelector | None) -> str:
    who = "every pod" if pods is None or pods.is_empty else f"pods with {selector_phrase(pods)}"
    return f"{who} in {_namespaces(namespaces)}"


def subject_phrase(subject: Subject) -> str:
    match subject:
        case NamespacesSubject(namespaces):
            return _pods(namespaces, None)
        case PodsSubject(namespaces, pods):
            return _pods(namespaces, pods)
        case _:
            assert_never(subject)


def cluster_peer_phrase(peer: ClusterPeer) -> str:
    match peer:
        case NamespacesPeer(namespaces):
            return _pods(namespaces, None)
        case PodsPeer(namespaces, pods):
            return _pods(namespaces, pods)
        case NetworksPeer(networks):
            listed = ", ".join(str(n) for n in networks)
            return f"addresses in {listed} (pods' addresses too)"
        case NodesPeer(nodes):
            which = "every node" if nodes.is_empty else f"nodes labelled {selector_phrase(nodes)}"
            return f"the addresses of {which}"
        case DomainNamesPeer(names):
            return f"the names {', '.join(names)} (what they resolve to is known at run time)"
        case UnknownPeer(fields):
            return f"a peer podfence does not know ({', '.join(fields) or 'no field'})"
        case _:
            assert_never(peer)


def _protocol(entry: ClusterProtocol) -> str:
    match entry:
        case PortNumber() | PortRangeMatch():
            return str(entry)
        case NamedPort(name):
            return f"the port named {name!r} on the destination"
        case UnknownProtocol(fields):
            return f"an entry podfence does not know ({'.'.join(fields) or 'no field'})"
        case _:
            assert_never(entry)


def protocols_phrase(protocols: Protocols) -> str:
    if isinstance(protocols, EveryPort):
        return "on every port and protocol"
    return "on " + " OR ".join(_protocol(e) for e in protocols)


def action_phrase(action: Action, tier: Tier) -> str:
    match action:
        case Action.ACCEPT:
            final = "no NetworkPolicy is consulted" if tier is Tier.ADMIN else "final"
            return f"ACCEPT ({final})"
        case Action.DENY:
            final = "no NetworkPolicy is consulted" if tier is Tier.ADMIN else "final"
            return f"DENY ({final})"
        case Action.PASS:
            to = "the NetworkPolicy tier" if tier is Tier.ADMIN else "the default (allowed)"
            return f"PASS (the rest of the {tier} tier is skipped: on to {to})"
        case _:
            assert_never(action)


def _matched(peer: ClusterPeerAccount) -> str:
    if isinstance(peer.peer, DomainNamesPeer):
        return "addresses outside the cluster, by name (no pod)"
    found = ", ".join(peer.matched) if peer.matched else "no pod or workload in the input"
    if isinstance(peer.peer, NodesPeer):
        nodes = ", ".join(
            f"{n.name} ({', '.join(str(ip) for ip in n.ips) or 'no IP'})" for n in peer.nodes
        )
        found += f"; nodes: {nodes or 'none in the input'}"
    return found


def _direction(acc: ClusterDirectionAccount, tier: Tier) -> list[str]:
    name = acc.direction.value
    if not acc.rules:
        return [f"  {name}: no rules (the policy does not affect {name})"]
    side = "from" if acc.direction is Direction.INGRESS else "to"
    lines = [f"  {name}: the first rule that matches decides, in this order:"]
    for rule in acc.rules:
        label = f'{rule.ref.field} "{rule.ref.name}"' if rule.ref.name else rule.ref.field
        who = f"{side} " + ", OR ".join(
            f"[{p.ref.peer}] {cluster_peer_phrase(p.peer)}" for p in rule.peers
        )
        what = action_phrase(rule.action, tier)
        lines.append(f"    {label}: {what} {who}, {protocols_phrase(rule.protocols)}")
        if rule.unknown:
            effect = "matches nothing" if rule.action is Action.ACCEPT else "DENIES everything"
            lines.append(
                f"      fails closed: podfence does not know {'; '.join(rule.unknown)}, so the "
                f"rule {effect} (network-policy-api: a newer CRD's field)"
            )
            continue
        for p in rule.peers:
            lines.append(f"      [{p.ref.peer}] matches: {_matched(p)}")
    return lines


def render_cluster_account(acc: ClusterPolicyAccount) -> str:
    pol = acc.policy
    order = (
        "before every NetworkPolicy"
        if pol.tier is Tier.ADMIN
        else "for pods no NetworkPolicy isolates, after them"
    )
    lines = [
        f"ClusterNetworkPolicy {pol.key} ({pol.location})",
        f"  tier {pol.tier}, priority {pol.priority}: evaluated {order}; lower priorities first",
        f"  subject: {subject_phrase(pol.subject)}",
        "  selected: " + (", ".join(acc.selected) if acc.selected else "nothing in the input"),
    ]
    if acc.host_network:
        lines.append(
            f"  not selected: {', '.join(acc.host_network)} (hostNetwork pods are never subjects)"
        )
    if acc.same_priority:
        lines.append(
            f"  same tier and priority as {', '.join(acc.same_priority)}: where both match a "
            "connection, their order is undefined upstream"
        )
    lines += _direction(acc.ingress, pol.tier)
    lines += _direction(acc.egress, pol.tier)
    return "\n".join(lines) + "\n"


def _tier_side(side: TierSide) -> list[str]:
    d = side.direction.value
    admin = ", ".join(side.admin) if side.admin else "none applies"
    lines = [f"  {d}:", f"    1. Admin: {admin}"]
    if side.network_policies:
        lines.append(
            f"    2. NetworkPolicy: isolated by {', '.join(side.network_policies)}: they decide "
            "what the Admin tier passes"
        )
        if side.baseline:
            lines.append(
                f"    3. Baseline: {', '.join(side.baseline)} (never reached: the NetworkPolicy "
                "tier decides for this pod)"
            )
        else:
            lines.append("    3. Baseline: none applies")
        return lines
    lines.append("    2. NetworkPolicy: none isolates it (the tier does not decide)")
    baseline = ", ".join(side.baseline) if side.baseline else "none applies"
    lines.append(f"    3. Baseline: {baseline}")
    lines.append("    4. otherwise: allowed")
    return lines


def render_pod_tiers(acc: PodTiers) -> str:
    """The tiers for a pod, direction by direction, then each CNP that applies."""
    ep = acc.endpoint
    lines = [f"Tiers of {ep.kind} {ep.id} (evaluated in this order; a connection needs both sides)"]
    if ep.host_network:
        lines.append("  hostNetwork pod: no ClusterNetworkPolicy selects it")
    else:
        for side in (acc.ingress, acc.egress):
            lines += _tier_side(side)
    header = "\n".join(lines) + "\n"
    body = "\n".join(render_cluster_account(a) for a in acc.policies)
    return header + ("\n" if body else "") + body

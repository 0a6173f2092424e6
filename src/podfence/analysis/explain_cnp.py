"""Accounts of ClusterNetworkPolicies as data: what one selects and, rule by rule in the order
they are checked, what each rule does to what; and, for a pod, what each tier says.

The plain-language text is made from this by podfence.render; nothing here is prose.
"""

from __future__ import annotations

from dataclasses import dataclass

from podfence.engine import Engine
from podfence.model import (
    Action,
    ClusterNetworkPolicy,
    ClusterPeer,
    ClusterRuleRef,
    Direction,
    Endpoint,
    Node,
    NodesPeer,
    Protocols,
    Tier,
)

__all__ = [
    "ClusterDirectionAccount",
    "ClusterPeerAccount",
    "ClusterPolicyAccount",
    "ClusterRuleAccount",
    "PodTiers",
    "TierSide",
    "account_cluster_policy",
    "account_pod_tiers",
]


@dataclass(frozen=True, slots=True)
class ClusterPeerAccount:
    ref: ClusterRuleRef
    peer: ClusterPeer
    matched: tuple[str, ...]
    """Endpoints of the cluster it matches (by labels, or by one of their addresses)."""
    nodes: tuple[Node, ...] = ()
    """For a `nodes` peer: the nodes its selector matches."""


@dataclass(frozen=True, slots=True)
class ClusterRuleAccount:
    ref: ClusterRuleRef
    action: Action
    peers: tuple[ClusterPeerAccount, ...]
    protocols: Protocols
    unknown: tuple[str, ...]
    """The fields podfence does not know: the rule fails closed."""


@dataclass(frozen=True, slots=True)
class ClusterDirectionAccount:
    direction: Direction
    rules: tuple[ClusterRuleAccount, ...]
    """In the order they are checked (written order); empty: the direction is not affected."""


@dataclass(frozen=True, slots=True)
class ClusterPolicyAccount:
    policy: ClusterNetworkPolicy
    selected: tuple[str, ...]
    """The pods its subject selects (hostNetwork pods never)."""
    host_network: tuple[str, ...]
    """hostNetwork pods its subject's selectors would match: not selected."""
    same_priority: tuple[str, ...]
    """Other CNPs of the tier with the same priority (their order is undefined upstream)."""
    ingress: ClusterDirectionAccount
    egress: ClusterDirectionAccount

    def direction(self, direction: Direction) -> ClusterDirectionAccount:
        return self.ingress if direction is Direction.INGRESS else self.egress


def _subject_would_match(engine: Engine, key: str, endpoint: Endpoint) -> bool:
    """A hostNetwork pod the subject's selectors match (labels alone)."""
    plain = Endpoint(endpoint.namespace, endpoint.name, endpoint.kind, endpoint.labels)
    return engine.cluster_selects(key, plain)


def account_cluster_policy(engine: Engine, policy: ClusterNetworkPolicy) -> ClusterPolicyAccount:
    endpoints = engine.cluster.endpoints
    key = policy.key
    selected = tuple(ep.id for ep in endpoints if engine.cluster_selects(key, ep))
    host = tuple(
        ep.id for ep in endpoints if ep.host_network and _subject_would_match(engine, key, ep)
    )
    same = tuple(
        p.key
        for p in engine.cluster.cluster_policies
        if p.tier is policy.tier and p.priority == policy.priority and p.name != policy.name
    )

    def direction_account(direction: Direction) -> ClusterDirectionAccount:
        rules = []
        for i, rule in enumerate(policy.rules(direction)):
            ref = ClusterRuleRef(policy.name, direction, i, rule.name)
            compiled = engine.cluster_compiled(key).rules(direction)[i]
            peers = []
            for j, peer in enumerate(rule.peers):
                matched: tuple[str, ...] = ()
                if not compiled.unknown:
                    matched = tuple(
                        ep.id
                        for ep in endpoints
                        if engine.cluster_peer_matches(key, direction, i, j, ep)
                    )
                nodes = (
                    engine.resolver.selected_nodes(peer.nodes)
                    if isinstance(peer, NodesPeer)
                    else ()
                )
                peers.append(
                    ClusterPeerAccount(
                        ClusterRuleRef(policy.name, direction, i, rule.name, peer=j),
                        peer,
                        matched,
                        nodes,
                    )
                )
            rules.append(
                ClusterRuleAccount(ref, rule.action, tuple(peers), rule.protocols, compiled.unknown)
            )
        return ClusterDirectionAccount(direction, tuple(rules))

    return ClusterPolicyAccount(
        policy,
        selected,
        host,
        same,
        ingress=direction_account(Direction.INGRESS),
        egress=direction_account(Direction.EGRESS),
    )


@dataclass(frozen=True, slots=True)
class TierSide:
    """What the tiers say for one direction of a pod."""

    direction: Direction
    admin: tuple[str, ...]
    """Admin CNPs that apply, in evaluation order."""
    network_policies: tuple[str, ...]
    """NetworkPolicies that isolate the pod (empty: the tier does not decide for it)."""
    baseline: tuple[str, ...]
    """Baseline CNPs that apply, in evaluation order (only reached when no NetworkPolicy
    isolates the pod)."""


@dataclass(frozen=True, slots=True)
class PodTiers:
    endpoint: Endpoint
    ingress: TierSide
    egress: TierSide
    policies: tuple[ClusterPolicyAccount, ...]
    """The accounts of the CNPs that apply to the pod (either direction), Admin first."""

    def direction(self, direction: Direction) -> TierSide:
        return self.ingress if direction is Direction.INGRESS else self.egress


def account_pod_tiers(engine: Engine, endpoint: Endpoint) -> PodTiers:
    def side(direction: Direction) -> TierSide:
        return TierSide(
            direction,
            engine.cluster_selecting(endpoint, direction, Tier.ADMIN),
            tuple(p.key for p in engine.selecting(endpoint, direction)),
            engine.cluster_selecting(endpoint, direction, Tier.BASELINE),
        )

    ingress, egress = side(Direction.INGRESS), side(Direction.EGRESS)
    keys = dict.fromkeys((*ingress.admin, *egress.admin, *ingress.baseline, *egress.baseline))
    by_key = {p.key: p for p in engine.cluster.cluster_policies}
    policies = tuple(account_cluster_policy(engine, by_key[k]) for k in keys)
    return PodTiers(endpoint, ingress, egress, policies)

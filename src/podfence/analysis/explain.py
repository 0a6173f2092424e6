"""A policy's account as data: what it selects, isolates and allows, rule by rule.

The plain-language text is made from this by podfence.render; nothing here is prose.
"""

from __future__ import annotations

from dataclasses import dataclass

from podfence.engine import Engine
from podfence.model import Direction, NetworkPolicy, Peer, PolicyPort, RuleRef

__all__ = ["PeerAccount", "RuleAccount", "DirectionAccount", "PolicyAccount", "account_policy"]


@dataclass(frozen=True, slots=True)
class PeerAccount:
    ref: RuleRef
    peer: Peer
    policy_namespace: str
    matched: tuple[str, ...]
    """Endpoints of the cluster this peer matches."""


@dataclass(frozen=True, slots=True)
class RuleAccount:
    ref: RuleRef
    peers: tuple[PeerAccount, ...]
    """Empty: every peer (any pod of any namespace, and any address)."""
    ports: tuple[PolicyPort, ...]
    """Empty: every port and protocol."""


@dataclass(frozen=True, slots=True)
class DirectionAccount:
    direction: Direction
    isolates: bool
    """True when the policy's policyTypes contain this direction."""
    rules: tuple[RuleAccount, ...]
    ignored_rules: int
    """Rules written for this direction but ignored because policyTypes lacks it."""


@dataclass(frozen=True, slots=True)
class PolicyAccount:
    policy: NetworkPolicy
    selected: tuple[str, ...]
    ingress: DirectionAccount
    egress: DirectionAccount

    def direction(self, direction: Direction) -> DirectionAccount:
        return self.ingress if direction is Direction.INGRESS else self.egress


def account_policy(engine: Engine, policy: NetworkPolicy) -> PolicyAccount:
    endpoints = engine.cluster.endpoints
    selected = tuple(ep.id for ep in endpoints if engine.policy_selects(policy.key, ep))

    def direction_account(direction: Direction) -> DirectionAccount:
        written = policy.rules(direction)
        if direction not in policy.policy_types:
            return DirectionAccount(direction, False, (), len(written))
        rules = []
        for i, rule in enumerate(written):
            peers = []
            for j, peer in enumerate(rule.peers):
                matched = tuple(ep.id for ep in endpoints if engine.peer_matches(policy, peer, ep))
                peers.append(
                    PeerAccount(
                        RuleRef(policy.key, direction, i, j), peer, policy.namespace, matched
                    )
                )
            rules.append(RuleAccount(RuleRef(policy.key, direction, i), tuple(peers), rule.ports))
        return DirectionAccount(direction, True, tuple(rules), 0)

    return PolicyAccount(
        policy,
        selected,
        ingress=direction_account(Direction.INGRESS),
        egress=direction_account(Direction.EGRESS),
    )

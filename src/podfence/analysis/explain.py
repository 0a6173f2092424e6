"""Accounts as data: what a policy selects, isolates and allows, rule by rule; and what
applies to a pod, direction by direction, with the accounts of the policies selecting it.

The plain-language text is made from this by podfence.render; nothing here is prose.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from podfence.engine import Engine
from podfence.model import (
    AddressSet,
    Direction,
    Endpoint,
    NetworkPolicy,
    Peer,
    PolicyPort,
    RuleRef,
)

__all__ = [
    "PeerAccount",
    "RuleAccount",
    "DirectionAccount",
    "PolicyAccount",
    "account_policy",
    "Isolation",
    "PodDirection",
    "PodAccount",
    "account_pod",
]


@dataclass(frozen=True, slots=True)
class PeerAccount:
    ref: RuleRef
    peer: Peer
    policy_namespace: str
    matched: tuple[str, ...]
    """Endpoints of the cluster this peer matches."""
    addresses: AddressSet | None = None
    """For an ipBlock: the addresses it matches (cidr minus except; empty when the except
    entries cover the cidr). None for a pod or namespace selector."""


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
    # a NetworkPolicy selects pods of its own namespace only: the others need not be asked
    own = [ep for ep in endpoints if ep.namespace == policy.namespace]
    selected = tuple(ep.id for ep in own if engine.policy_selects(policy.key, ep))

    def direction_account(direction: Direction) -> DirectionAccount:
        written = policy.rules(direction)
        if direction not in policy.policy_types:
            return DirectionAccount(direction, False, (), len(written))
        rules = []
        for i, rule in enumerate(written):
            peers = []
            for j, peer in enumerate(rule.peers):
                # compiled once, asked of every endpoint (as peer_matches, any IP family)
                found = engine.would_match(
                    peer, policy_namespace=policy.namespace, endpoints=endpoints
                )
                matched = tuple(ep.id for ep in found)
                block = peer.ip_block
                addresses = engine.resolver.block(block) if block is not None else None
                ref = RuleRef(policy.key, direction, i, j)
                peers.append(PeerAccount(ref, peer, policy.namespace, matched, addresses))
            rules.append(RuleAccount(RuleRef(policy.key, direction, i), tuple(peers), rule.ports))
        return DirectionAccount(direction, True, tuple(rules), 0)

    return PolicyAccount(
        policy,
        selected,
        ingress=direction_account(Direction.INGRESS),
        egress=direction_account(Direction.EGRESS),
    )


class Isolation(enum.Enum):
    """Whether policies restrict one direction of a pod."""

    ISOLATED = "isolated"
    """Some policy selects it for the direction: only what a rule allows gets through."""
    NOT_ISOLATED = "not-isolated"
    """No policy selects it for the direction: everything is allowed."""
    HOST_NETWORK = "host-network"
    """A hostNetwork pod: NetworkPolicies do not apply to it."""


@dataclass(frozen=True, slots=True)
class PodDirection:
    direction: Direction
    isolation: Isolation
    selected_by: tuple[str, ...]
    """Keys of the policies that isolate the pod for this direction, in order."""

    @property
    def isolated(self) -> bool:
        return self.isolation is Isolation.ISOLATED


@dataclass(frozen=True, slots=True)
class PodAccount:
    endpoint: Endpoint
    ingress: PodDirection
    egress: PodDirection
    policies: tuple[PolicyAccount, ...]
    """The accounts of the policies that select the pod (either direction), in input order."""

    def direction(self, direction: Direction) -> PodDirection:
        return self.ingress if direction is Direction.INGRESS else self.egress


def account_pod(engine: Engine, endpoint: Endpoint) -> PodAccount:
    def side(direction: Direction) -> PodDirection:
        keys = tuple(p.key for p in engine.selecting(endpoint, direction))
        if endpoint.host_network:
            return PodDirection(direction, Isolation.HOST_NETWORK, keys)
        state = Isolation.ISOLATED if keys else Isolation.NOT_ISOLATED
        return PodDirection(direction, state, keys)

    ingress, egress = side(Direction.INGRESS), side(Direction.EGRESS)
    selecting = {*ingress.selected_by, *egress.selected_by}
    policies = tuple(
        account_policy(engine, p) for p in engine.cluster.policies if p.key in selecting
    )
    return PodAccount(endpoint, ingress, egress, policies)

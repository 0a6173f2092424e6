"""Compile policies once into matchers per rule (who they select is `resolve`'s job)."""

from __future__ import annotations

from dataclasses import dataclass

from podfence.engine.match import (
    AnyPeer,
    AnyPort,
    PeerMatcher,
    PortMatcher,
    compile_peer,
    compile_port,
)
from podfence.model import Direction, LabelSelector, NetworkPolicy, Rule

__all__ = ["CompiledRule", "CompiledPolicy", "compile_policy"]


@dataclass(frozen=True, slots=True)
class CompiledRule:
    policy: str
    direction: Direction
    index: int
    peers: tuple[PeerMatcher, ...]
    ports: tuple[PortMatcher, ...]
    peers_listed: bool
    """False when `from`/`to` was missing or empty (then `peers` is a single AnyPeer)."""
    ports_listed: bool


@dataclass(frozen=True, slots=True)
class CompiledPolicy:
    key: str
    namespace: str
    pod_selector: LabelSelector
    directions: frozenset[Direction]
    ingress: tuple[CompiledRule, ...]
    egress: tuple[CompiledRule, ...]

    def rules(self, direction: Direction) -> tuple[CompiledRule, ...]:
        return self.ingress if direction is Direction.INGRESS else self.egress


def _compile_rule(
    policy: NetworkPolicy, direction: Direction, index: int, rule: Rule
) -> CompiledRule:
    peers: tuple[PeerMatcher, ...] = tuple(
        compile_peer(p, policy_namespace=policy.namespace) for p in rule.peers
    ) or (AnyPeer(),)
    ports: tuple[PortMatcher, ...] = tuple(compile_port(p) for p in rule.ports) or (AnyPort(),)
    return CompiledRule(
        policy=policy.key,
        direction=direction,
        index=index,
        peers=peers,
        ports=ports,
        peers_listed=bool(rule.peers),
        ports_listed=bool(rule.ports),
    )


def compile_policy(policy: NetworkPolicy) -> CompiledPolicy:
    """Rules of a direction missing from `policyTypes` are ignored, as upstream does."""

    def rules(direction: Direction) -> tuple[CompiledRule, ...]:
        if direction not in policy.policy_types:
            return ()
        return tuple(
            _compile_rule(policy, direction, i, r) for i, r in enumerate(policy.rules(direction))
        )

    return CompiledPolicy(
        key=policy.key,
        namespace=policy.namespace,
        pod_selector=policy.pod_selector,
        directions=policy.policy_types,
        ingress=rules(Direction.INGRESS),
        egress=rules(Direction.EGRESS),
    )

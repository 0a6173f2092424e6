"""Compile a cluster's policies once: matchers per rule, and who each policy selects."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from podfence.engine.match import (
    AnyPeer,
    AnyPort,
    PeerMatcher,
    PortMatcher,
    compile_peer,
    compile_port,
)
from podfence.model import Cluster, Direction, Endpoint, LabelSelector, NetworkPolicy, Rule

__all__ = ["CompiledRule", "CompiledPolicy", "compile_policy", "namespace_label_map", "selects"]


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


def namespace_label_map(cluster: Cluster) -> Mapping[str, Mapping[str, str]]:
    return {ns.name: dict(ns.labels) for ns in cluster.namespaces}


def selects(policy: CompiledPolicy, endpoint: Endpoint, direction: Direction) -> bool:
    """Does the policy select the endpoint for `direction` (and so isolate it)?

    hostNetwork pods are never selected: NetworkPolicy does not apply to them.
    """
    return (
        direction in policy.directions
        and not endpoint.host_network
        and endpoint.namespace == policy.namespace
        and policy.pod_selector.matches(dict(endpoint.labels))
    )

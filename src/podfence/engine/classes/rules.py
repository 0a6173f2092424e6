"""Rules in class terms: which universe ids a rule's peers are, and which ports it allows.

A `ClassRule` names pod peers, ipBlocks and named ports by universe id, so it stays valid
when classes or port atoms change; masks and peer classes are worked out from it on demand.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import assert_never

from podfence.engine.classes.ports import PortAtoms
from podfence.engine.compiled import CompiledRule
from podfence.engine.match import (
    AnyPeer,
    AnyPort,
    IPPeer,
    NamedPortMatcher,
    PodPeer,
    PortRangeMatcher,
)
from podfence.engine.universe import Universe
from podfence.model import Direction, PortSet, Protocol

__all__ = ["ClassRule", "class_rules", "range_sets"]


@dataclass(frozen=True, slots=True)
class ClassRule:
    any_peer: bool
    pod_peers: tuple[int, ...]
    blocks: tuple[int, ...]
    any_port: bool
    ranges: tuple[tuple[Protocol, int, int], ...]
    named: tuple[int, ...]

    def base_mask(self, atoms: PortAtoms) -> int:
        """Every port this rule allows whatever the destination (named ports aside)."""
        return atoms.ranges_mask(self.any_port, self.ranges)


def _class_rule(rule: CompiledRule, universe: Universe) -> ClassRule:
    any_peer = False
    peers: list[int] = []
    blocks: list[int] = []
    for peer in rule.peers:
        match peer:
            case AnyPeer():
                any_peer = True
            case PodPeer():
                peers.append(universe.peer_id(peer))
            case IPPeer(block):
                blocks.append(universe.block_id(block))
            case _:
                assert_never(peer)
    any_port = False
    ranges: list[tuple[Protocol, int, int]] = []
    named: list[int] = []
    for port in rule.ports:
        match port:
            case AnyPort():
                any_port = True
            case PortRangeMatcher(protocol, rng):
                ranges.append((protocol, rng.first, rng.last))
            case NamedPortMatcher(protocol, name):
                named.append(universe.named_id((name, protocol)))
            case _:
                assert_never(port)
    return ClassRule(
        any_peer,
        tuple(sorted(set(peers))),
        tuple(sorted(set(blocks))),
        any_port,
        tuple(sorted(set(ranges), key=lambda r: (r[0].value, r[1], r[2]))),
        tuple(sorted(set(named))),
    )


def class_rules(universe: Universe, policy_id: int) -> dict[Direction, tuple[ClassRule, ...]]:
    """The rules of a policy by direction (a direction not in policyTypes has none)."""
    policy = universe.policies[policy_id]
    assert policy is not None
    return {d: tuple(_class_rule(r, universe) for r in policy.rules(d)) for d in Direction}


def range_sets(universe: Universe, policy_ids: Iterable[int] | None = None) -> list[PortSet]:
    """The distinct numeric port ranges of the rules of some policies (default: every live
    one), as port sets."""
    ids = [pid for pid, _ in universe.live()] if policy_ids is None else policy_ids
    found: set[tuple[Protocol, int, int]] = set()
    for pid in ids:
        policy = universe.policies[pid]
        if policy is None:
            continue
        for rule in (*policy.ingress, *policy.egress):
            for port in rule.ports:
                if isinstance(port, PortRangeMatcher):
                    found.add((port.protocol, port.ports.first, port.ports.last))
    return [PortSet.span(protocol, first, last) for protocol, first, last in found]

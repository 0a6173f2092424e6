"""The connectivity graph of a large cluster, collapsed to classes: what a person can read.

Above `COLLAPSE_ABOVE` endpoints, `build_graph` draws one node per class of endpoints that no
policy tells apart (the class engine's classes, inside their namespace; a class spanning
several namespaces is drawn outside them), and one edge per pair of classes with anything
allowed, labelled with every allowed port, read from the class engine's sparse table of
allowed pairs (never pods x pods). The rules on an edge are those the per-pair engine
gives for one member of each class. The ipBlocks are drawn as before; only classes that an
outside address may reach (not isolated for ingress, or isolated by a policy with a rule
for addresses) or that may reach one (likewise for egress) are asked about them.
"""

from __future__ import annotations

from collections.abc import Sequence

from podfence.analysis.samples import PortSpan
from podfence.engine import Engine
from podfence.engine.classes import ClassEngine, EndpointClass
from podfence.engine.match import AnyPeer, IPPeer
from podfence.model import Connection, Direction, Endpoint, Party

__all__ = ["COLLAPSE_ABOVE", "ClassView", "class_view"]

COLLAPSE_ABOVE = 300
"""Graphs of more endpoints than this are drawn over classes (`--collapse` sets it)."""


class ClassView:
    """The classes of a cluster and the ports allowed between them (and outside addresses)."""

    def __init__(self, engine: Engine, classes: ClassEngine, probes: Sequence[PortSpan]):
        self.engine = engine
        self.groups: tuple[EndpointClass, ...] = classes.classes
        self.endpoints = {ep.id: ep for ep in engine.cluster.endpoints}
        bits = [classes.atoms.atom(p.port, p.protocol) for p in probes]
        by_mask: dict[int, frozenset[PortSpan]] = {}
        self.pairs: dict[tuple[int, int], frozenset[PortSpan]] = {}
        for pair in classes.grouped_ports().pairs():
            if pair.source == pair.destination and len(self.groups[pair.source].members) < 2:
                continue  # a pod and itself
            found = by_mask.get(pair.mask)
            if found is None:
                found = by_mask[pair.mask] = frozenset(
                    p for p, bit in zip(probes, bits, strict=True) if pair.mask >> bit & 1
                )
            if found:
                self.pairs[(pair.source, pair.destination)] = found

    def member(self, group: int) -> Endpoint:
        return self.endpoints[self.groups[group].members[0]]

    def two_members(self, group: int) -> tuple[Endpoint, Endpoint]:
        first, second = self.groups[group].members[:2]
        return self.endpoints[first], self.endpoints[second]

    def may_meet_outside(self, group: int, direction: Direction) -> bool:
        """Whether that side of the class may allow an outside address at all."""
        ep = self.member(group)
        policies = self.engine.selecting(ep, direction)
        if not policies:
            return True
        return any(
            isinstance(peer, IPPeer | AnyPeer)
            for policy in policies
            for rule in policy.rules(direction)
            for peer in rule.peers
        )

    def with_outside(
        self, group: int, outside: Party, probes: Sequence[PortSpan], *, outbound: bool
    ) -> frozenset[PortSpan]:
        """The probes on which the class reaches `outside` (outbound) or is reached by it."""
        direction = Direction.EGRESS if outbound else Direction.INGRESS
        if not self.may_meet_outside(group, direction):
            return frozenset()
        ep = self.member(group)
        src, dst = (ep, outside) if outbound else (outside, ep)
        return frozenset(
            p for p in probes if self.engine.allowed(Connection(src, dst, p.port, p.protocol))
        )


def class_view(engine: Engine, probes: Sequence[PortSpan]) -> ClassView:
    return ClassView(engine, ClassEngine(engine.cluster), probes)

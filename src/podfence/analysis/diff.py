"""Semantic diff: which connections two clusters (old, new) allow differently, and why.

Both clusters are evaluated over the same parties and ports: the union of their endpoints
(matched by `namespace/name`; each cluster uses its own version of an endpoint when it has
one, the other's when not, so a new pod is judged by the old policies too), one address per
atom of the ipBlocks of either, and one port per span cut by the ports of either (see
analysis.samples). So the diff is exact, and policies that mean the same diff as empty however
they are written.

Changed cells are grouped by the side that changed (egress of the source or ingress of the
destination), the rules that allow them (from the new verdict for a gain, the old one for a
loss) and their ports. With ClusterNetworkPolicies the rules are tier by tier: the Pass rules
on the way, the Admin or Baseline rule that accepted, the NetworkPolicy rules; the denying
verdict (`now`) names the Admin or Baseline rule that denies.
"""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from podfence.analysis.samples import PortSpan, address_atoms, policy_port_sets, port_spans
from podfence.engine import DirectionVerdict, Engine, Reason, Verdict
from podfence.engine.classes import ClassEngine
from podfence.model import Cluster, ClusterRuleRef, Connection, Direction, Party, RuleRef

__all__ = ["Change", "ChangedCell", "ChangeGroup", "Diff", "diff_clusters"]


class Change(enum.Enum):
    GAINED = "gained"
    LOST = "lost"


@dataclass(frozen=True, slots=True)
class ChangedCell:
    change: Change
    source: str
    destination: str
    probe: PortSpan
    side: Direction
    """The side that changed: EGRESS of the source or INGRESS of the destination."""
    via: tuple[RuleRef | ClusterRuleRef, ...]
    """Rules of that side allowing it (new verdict for a gain, old for a loss; ports cut):
    with tiers, the Pass rules, the accepting Admin or Baseline rule, then NetworkPolicy
    rules."""
    reason: Reason
    """That side's reason in the verdict that allows it (NOT_ISOLATED: no policy applied)."""
    now: DirectionVerdict
    """That side in the verdict that denies it (old for a gain, new for a loss)."""


@dataclass(frozen=True, slots=True)
class ChangeGroup:
    change: Change
    side: Direction
    subjects: tuple[str, ...]
    """Whose side changed: sources (EGRESS: they reach) or destinations (INGRESS: accept)."""
    peers: tuple[str, ...]
    ports: tuple[PortSpan, ...]
    via: tuple[RuleRef | ClusterRuleRef, ...]
    reason: Reason


@dataclass(frozen=True, slots=True)
class Diff:
    old: Cluster
    new: Cluster
    parties: tuple[str, ...]
    probes: tuple[PortSpan, ...]
    cells: tuple[ChangedCell, ...]
    groups: tuple[ChangeGroup, ...]

    @property
    def gained(self) -> tuple[ChangeGroup, ...]:
        return tuple(g for g in self.groups if g.change is Change.GAINED)

    @property
    def lost(self) -> tuple[ChangeGroup, ...]:
        return tuple(g for g in self.groups if g.change is Change.LOST)

    def connections(self, change: Change) -> int:
        """Changed (source, destination) pairs."""
        return len({(c.source, c.destination) for c in self.cells if c.change is change})


def _completed(cluster: Cluster, other: Cluster) -> Cluster:
    """`cluster` with the endpoints and namespaces only `other` has."""
    have = {ep.id for ep in cluster.endpoints}
    names = {ns.name for ns in cluster.namespaces}
    endpoints = cluster.endpoints + tuple(ep for ep in other.endpoints if ep.id not in have)
    namespaces = cluster.namespaces + tuple(ns for ns in other.namespaces if ns.name not in names)
    return dataclasses.replace(
        cluster,
        endpoints=tuple(sorted(endpoints, key=lambda e: e.id)),
        namespaces=tuple(sorted(namespaces, key=lambda n: n.name)),
    )


def _side(verdict: Verdict, direction: Direction) -> DirectionVerdict:
    return verdict.egress if direction is Direction.EGRESS else verdict.ingress


def _changed_side(denying: Verdict) -> Direction:
    """The side to blame: the denying ingress (the destination's), else the egress."""
    return Direction.INGRESS if not denying.ingress.allowed else Direction.EGRESS


def _cell(
    change: Change, src: str, dst: str, probe: PortSpan, old: Verdict, new: Verdict
) -> ChangedCell:
    allowing, denying = (new, old) if change is Change.GAINED else (old, new)
    side = _changed_side(denying)
    good = _side(allowing, side)
    return ChangedCell(change, src, dst, probe, side, _via(good), good.reason, _side(denying, side))


def _via(side: DirectionVerdict) -> tuple[RuleRef | ClusterRuleRef, ...]:
    """The rules that let a side through (rule level: no peer, port or protocol entry)."""
    found: list[RuleRef | ClusterRuleRef] = [
        dataclasses.replace(p.ref, peer=None, protocol=None) for p in side.passed
    ]
    if side.decided_by is not None:
        found.append(dataclasses.replace(side.decided_by.ref, peer=None, protocol=None))
    found += [dataclasses.replace(r, port=None) for r in side.allowed_by]
    return tuple(dict.fromkeys(found))


_Via = tuple[RuleRef | ClusterRuleRef, ...]
_SubjectKey = tuple[Change, Direction, str, _Via, Reason]
_GroupKey = tuple[Change, Direction, tuple[str, ...], tuple[PortSpan, ...], _Via, Reason]


def _group(cells: Iterable[ChangedCell]) -> tuple[ChangeGroup, ...]:
    by_subject: dict[_SubjectKey, dict[str, set[PortSpan]]] = {}
    for c in cells:
        egress = c.side is Direction.EGRESS
        subject, peer = (c.source, c.destination) if egress else (c.destination, c.source)
        key: _SubjectKey = (c.change, c.side, subject, c.via, c.reason)
        by_subject.setdefault(key, {}).setdefault(peer, set()).add(c.probe)
    merged: dict[_GroupKey, list[str]] = {}
    for (change, side, subject, via, reason), peers in by_subject.items():
        by_ports: dict[frozenset[PortSpan], list[str]] = {}
        for peer, found in sorted(peers.items()):
            by_ports.setdefault(frozenset(found), []).append(peer)
        for probes, names in by_ports.items():
            ports = tuple(sorted(probes, key=lambda p: p.sort_key))
            merged.setdefault((change, side, tuple(names), ports, via, reason), []).append(subject)
    groups = [
        ChangeGroup(change, side, tuple(sorted(subjects)), peers_, ports, via, reason)
        for (change, side, peers_, ports, via, reason), subjects in merged.items()
    ]
    order = list(Change)
    groups.sort(key=lambda g: (order.index(g.change), g.subjects, g.side.value, g.peers))
    return tuple(groups)


def _flips(
    old: Engine,
    old_pair: tuple[Party, Party],
    new: Engine,
    new_pair: tuple[Party, Party],
    probes: Sequence[PortSpan],
) -> tuple[tuple[PortSpan, bool], ...]:
    """The probes whose verdict differs between the clusters, with the new verdict."""
    out = []
    for p in probes:
        now = new.allowed(Connection(*new_pair, p.port, p.protocol))
        if now != old.allowed(Connection(*old_pair, p.port, p.protocol)):
            out.append((p, now))
    return tuple(out)


def diff_clusters(old: Cluster, new: Cluster) -> Diff:
    old_c, new_c = _completed(old, new), _completed(new, old)
    old_e, new_e = Engine(old_c), Engine(new_c)
    probes = port_spans(policy_port_sets(old_e) | policy_port_sets(new_e))
    parties_old: dict[str, Party] = {ep.id: ep for ep in old_c.endpoints}
    parties_new: dict[str, Party] = {ep.id: ep for ep in new_c.endpoints}
    outside: set[str] = set()
    for atom in address_atoms([old_e, new_e]):
        name = atom.label if not atom.inside else f"addresses in {atom.label}"
        parties_old[name] = parties_new[name] = atom.party
        outside.add(name)
    # Two different endpoints are reached alike, in each cluster, when their classes are the
    # same there (the class engine is exact): each pair of (old class, new class) is asked once.
    # The class engine has no tiers yet: with ClusterNetworkPolicies, every pair is asked.
    tiered = old_e.tiered or new_e.tiered
    old_k = {} if tiered else {m: c.id for c in ClassEngine(old_c).classes for m in c.members}
    new_k = {} if tiered else {m: c.id for c in ClassEngine(new_c).classes for m in c.members}
    flips: dict[tuple[int, int, int, int], tuple[tuple[PortSpan, bool], ...]] = {}
    cells: list[ChangedCell] = []
    for a in parties_old:
        for b in parties_old:
            if a == b or (a in outside and b in outside):
                continue
            pair = (old_k[a], new_k[a], old_k[b], new_k[b]) if a in old_k and b in old_k else None
            found = flips.get(pair) if pair is not None else None
            if found is None:
                old_pair, new_pair = (
                    (parties_old[a], parties_old[b]),
                    (parties_new[a], parties_new[b]),
                )
                found = _flips(old_e, old_pair, new_e, new_pair, probes)
                if pair is not None:
                    flips[pair] = found
            for p, now in found:
                co = Connection(parties_old[a], parties_old[b], p.port, p.protocol)
                cn = Connection(parties_new[a], parties_new[b], p.port, p.protocol)
                change = Change.GAINED if now else Change.LOST
                cells.append(_cell(change, a, b, p, old_e.evaluate(co), new_e.evaluate(cn)))
    return Diff(old, new, tuple(parties_old), probes, tuple(cells), _group(cells))

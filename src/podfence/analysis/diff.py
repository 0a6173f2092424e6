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

At cluster scale, pairs of endpoints are compared class by class: the class engine of each
cluster gives every allowed port of every pair of its classes (a sparse table), endpoints are
grouped by their (old class, new class), and only the pairs of such groups that something
allows in either cluster are compared, on every probe. An outside address can change its
answer only for an endpoint whose own definition or whose isolating policies (of that side)
changed (or that a changed ClusterNetworkPolicy selects, in either cluster; every one that
some ClusterNetworkPolicy selects when the Nodes changed): only those are asked, pair by
pair. Each changed cell is then explained by the per-pair engine. `every_pair=True` asks the
per-pair engine about every pair instead (the reference the class-by-class diff is tested
against), and `Diff.per_pair` says so.
"""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from podfence.analysis.samples import PortSpan, address_atoms, policy_port_sets, port_spans
from podfence.analysis.snapshots import nodes_changed, object_changes, same_but_location
from podfence.engine import DirectionVerdict, Engine, Reason, Verdict
from podfence.engine.classes import ClassEngine
from podfence.model import (
    Cluster,
    ClusterRuleRef,
    Connection,
    Direction,
    Endpoint,
    Party,
    RuleRef,
)

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
    per_pair: str | None = None
    """Why every pair was asked the per-pair engine (None: class by class, see above)."""

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


_Flips = tuple[tuple[PortSpan, bool], ...]


def _per_pair(
    old_e: Engine,
    new_e: Engine,
    parties_old: dict[str, Party],
    parties_new: dict[str, Party],
    outside: set[str],
    probes: Sequence[PortSpan],
    classes: tuple[dict[str, int], dict[str, int]],
) -> dict[tuple[str, str], _Flips]:
    """Every pair asked the per-pair engine (answers shared by pairs of the same classes)."""
    old_k, new_k = classes
    cache: dict[tuple[int, int, int, int], _Flips] = {}
    found: dict[tuple[str, str], _Flips] = {}
    for a in parties_old:
        for b in parties_old:
            if a == b or (a in outside and b in outside):
                continue
            pair = (old_k[a], new_k[a], old_k[b], new_k[b]) if a in old_k and b in old_k else None
            flips = cache.get(pair) if pair is not None else None
            if flips is None:
                flips = _flips(
                    old_e,
                    (parties_old[a], parties_old[b]),
                    new_e,
                    (parties_new[a], parties_new[b]),
                    probes,
                )
                if pair is not None:
                    cache[pair] = flips
            if flips:
                found[(a, b)] = flips
    return found


class _AllowedProbes(dict[int, frozenset[int]]):
    """Per mask of port atoms of one class engine (memoised as met), the probes it allows
    (by index)."""

    def __init__(self, engine: ClassEngine, probes: Sequence[PortSpan]) -> None:
        super().__init__()
        self._bits = [engine.atoms.atom(p.port, p.protocol) for p in probes]

    def __missing__(self, mask: int) -> frozenset[int]:
        value = frozenset(i for i, bit in enumerate(self._bits) if mask >> bit & 1)
        self[mask] = value
        return value


@dataclass(frozen=True, slots=True)
class _Side:
    """One cluster as the class engine saw it: each endpoint's group, every allowed pair of
    groups (group -> group -> port atoms), and which probes a mask allows."""

    group_of: dict[str, int]
    pairs: dict[tuple[int, int], int]
    probes: _AllowedProbes


def _side_of(engine: ClassEngine, probes: Sequence[PortSpan]) -> _Side:
    group_of = {m: g.id for g in engine.classes for m in g.members}
    pairs = {(p.source, p.destination): p.mask for p in engine.grouped_ports().pairs()}
    return _Side(group_of, pairs, _AllowedProbes(engine, probes))


def _class_sides(old: Cluster, new: Cluster, probes: Sequence[PortSpan]) -> tuple[_Side, _Side]:
    """Both clusters through one class engine: built for the old one, then changed in place
    into the new one object by object (a whole rebuild when namespaces differ)."""
    engine = ClassEngine(old)
    before = _side_of(engine, probes)
    updates = object_changes(old, new)
    if updates is None:
        engine.rebuild(new)
    else:
        for update in updates:
            engine.update(update)
    return before, _side_of(engine, probes)


def _between_endpoints(
    old: _Side, new: _Side, probes: Sequence[PortSpan]
) -> dict[tuple[str, str], _Flips]:
    """Endpoint pairs whose answer changed, class by class (see the module's docstring)."""
    joint: dict[tuple[int, int], list[str]] = {}
    for ident, o in old.group_of.items():
        joint.setdefault((o, new.group_of[ident]), []).append(ident)
    by_old: dict[int, list[tuple[int, int]]] = {}
    by_new: dict[int, list[tuple[int, int]]] = {}
    for key in joint:
        by_old.setdefault(key[0], []).append(key)
        by_new.setdefault(key[1], []).append(key)
    candidates: set[tuple[tuple[int, int], tuple[int, int]]] = set()
    for s, d in old.pairs:
        candidates.update((a, b) for a in by_old.get(s, ()) for b in by_old.get(d, ()))
    for s, d in new.pairs:
        candidates.update((a, b) for a in by_new.get(s, ()) for b in by_new.get(d, ()))
    found: dict[tuple[str, str], _Flips] = {}
    for a, b in candidates:
        before = old.probes[old.pairs.get((a[0], b[0]), 0)]
        after = new.probes[new.pairs.get((a[1], b[1]), 0)]
        if before == after:
            continue
        flips = tuple((probes[i], i in after) for i in sorted(before ^ after))
        for src in joint[a]:
            for dst in joint[b]:
                if src != dst:
                    found[(src, dst)] = flips
    return found


def _dirty(old_e: Engine, new_e: Engine, old: Cluster, new: Cluster) -> set[str]:
    """Endpoints whose side towards outside addresses may answer differently: changed
    themselves, isolated (in either cluster) by a policy that changed, or selected (in
    either cluster) by a ClusterNetworkPolicy that changed, or by any when the Nodes changed
    (a `nodes` peer's addresses). (Namespace labels do not matter: towards the outside, only
    the endpoint's own isolating and selecting policies, its ports and addresses decide.)"""
    before = {p.key: p for p in old.policies}
    after = {p.key: p for p in new.policies}
    changed = {
        k
        for k in before.keys() | after.keys()
        if k not in before or k not in after or not same_but_location(before[k], after[k])
    }
    new_eps = {ep.id: ep for ep in new.endpoints}
    dirty = {ep.id for ep in old.endpoints if not same_but_location(ep, new_eps[ep.id])}
    for key in changed:
        namespace = (before.get(key) or after[key]).namespace
        for ep in old.endpoints:
            if ep.namespace != namespace or ep.id in dirty:
                continue
            if (key in before and old_e.policy_selects(key, ep)) or (
                key in after and new_e.policy_selects(key, new_eps[ep.id])
            ):
                dirty.add(ep.id)
    cnp_before = {p.key: p for p in old.cluster_policies}
    cnp_after = {p.key: p for p in new.cluster_policies}
    every = nodes_changed(old, new)
    cnps = {
        k
        for k in cnp_before.keys() | cnp_after.keys()
        if every
        or k not in cnp_before
        or k not in cnp_after
        or not same_but_location(cnp_before[k], cnp_after[k])
    }
    for key in sorted(cnps):
        for ep in old.endpoints:
            if ep.id in dirty:
                continue
            if (key in cnp_before and old_e.cluster_selects(key, ep)) or (
                key in cnp_after and new_e.cluster_selects(key, new_eps[ep.id])
            ):
                dirty.add(ep.id)
    return dirty


def _with_outside(
    old_e: Engine,
    new_e: Engine,
    parties: tuple[dict[str, Party], dict[str, Party]],
    outside: set[str],
    probes: Sequence[PortSpan],
    dirty: set[str],
) -> dict[tuple[str, str], _Flips]:
    """Pairs of an endpoint and an outside address whose answer changed: asked only for the
    `dirty` endpoints."""
    parties_old, parties_new = parties
    found: dict[tuple[str, str], _Flips] = {}
    for ident, old in parties_old.items():
        new = parties_new[ident]
        if not isinstance(old, Endpoint) or not isinstance(new, Endpoint):
            continue
        if ident not in dirty:
            continue
        for name in outside:
            x_old, x_new = parties_old[name], parties_new[name]
            flips = _flips(old_e, (old, x_old), new_e, (new, x_new), probes)
            if flips:
                found[(ident, name)] = flips
            flips = _flips(old_e, (x_old, old), new_e, (x_new, new), probes)
            if flips:
                found[(name, ident)] = flips
    return found


def diff_clusters(old: Cluster, new: Cluster, *, every_pair: bool = False) -> Diff:
    """What `new` allows that `old` does not, and the reverse, class by class (or, with
    `every_pair`, asking the per-pair engine about every pair: slow, the reference)."""
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
    if every_pair:
        flips = _per_pair(old_e, new_e, parties_old, parties_new, outside, probes, ({}, {}))
    else:
        before, after = _class_sides(old_c, new_c, probes)
        flips = _between_endpoints(before, after, probes)
        parties = (parties_old, parties_new)
        dirty = _dirty(old_e, new_e, old_c, new_c)
        flips.update(_with_outside(old_e, new_e, parties, outside, probes, dirty))
    cells: list[ChangedCell] = []
    order = {name: i for i, name in enumerate(parties_old)}
    for a, b in sorted(flips, key=lambda pair: (order[pair[0]], order[pair[1]])):
        for p, now in flips[(a, b)]:
            co = Connection(parties_old[a], parties_old[b], p.port, p.protocol)
            cn = Connection(parties_new[a], parties_new[b], p.port, p.protocol)
            change = Change.GAINED if now else Change.LOST
            cells.append(_cell(change, a, b, p, old_e.evaluate(co), new_e.evaluate(cn)))
    per_pair = "every pair was asked (every_pair=True)" if every_pair else None
    return Diff(old, new, tuple(parties_old), probes, tuple(cells), _group(cells), per_pair)

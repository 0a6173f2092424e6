"""Incremental re-analysis: one policy or one endpoint changed, without recomputing everything.

A changed policy is checked against the classes first: if every class is uniform under what
the new version looks at (its podSelector, new peers, new ipBlocks, new named ports), the
classes stay; the policy's pairs are swapped, new port boundaries split their atom, and only
the classes it selects (before or after) are summarised again. A changed endpoint that lands
in an existing class just moves. Anything else (a class would split, a new class, a changed
namespace) rebuilds from scratch, which is always correct; `Change.rebuilt` says which.
"""

from __future__ import annotations

import bisect
import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

import numpy as np
import numpy.typing as npt

from podfence.engine.address_index import AddressIndex
from podfence.engine.classes.classify import Classifier, Signature
from podfence.engine.classes.rules import class_rules
from podfence.engine.match import (
    AnyPod,
    NamespaceLabels,
    OwnNamespace,
    PodLabels,
    PodPeer,
    PortRangeMatcher,
)
from podfence.model import Endpoint, Labels, NetworkPolicy, Protocol

if TYPE_CHECKING:
    from podfence.engine.classes.engine import ClassEngine

__all__ = ["Change", "Members", "apply_update"]

_T = TypeVar("_T")
_Idx = npt.NDArray[np.intp]


@dataclass(frozen=True, slots=True)
class Change:
    """What an update did."""

    rebuilt: bool
    """True when everything was recomputed (`reason` says why)."""
    reason: str = ""
    classes: tuple[int, ...] = ()
    """Classes whose answers may have changed (incremental updates only)."""


class _Rebuild(Exception):
    pass


@dataclass(slots=True)
class Members:
    """Endpoints by slot (stable across updates; a removed endpoint leaves a dead slot)."""

    slot_of: dict[str, int]
    endpoints: list[Endpoint | None]
    classes: _Idx
    """The class of each slot (-1: dead)."""
    by_namespace: dict[str, dict[int, None]]
    addresses: AddressIndex | None = None
    _first: _Idx | None = None

    def first(self, count: int) -> _Idx:
        """A member slot of each class (-1 for an empty class)."""
        if self._first is None or len(self._first) != count:
            alive = np.flatnonzero(self.classes >= 0)
            first = np.full(count, -1, np.intp)
            present, index = np.unique(self.classes[alive], return_index=True)
            first[present] = alive[index]
            self._first = first
        return self._first

    def put(self, endpoint: Endpoint, cls: int) -> None:
        slot = self.slot_of.get(endpoint.id)
        if slot is None:
            slot = self.slot_of[endpoint.id] = len(self.endpoints)
            self.endpoints.append(endpoint)
            self.classes = np.append(self.classes, -1)  # one slot per endpoint, always
            self.addresses = None
        else:
            old = self.endpoints[slot]
            assert old is not None
            self.by_namespace[old.namespace].pop(slot, None)
            self.endpoints[slot] = endpoint
            if old.ips != endpoint.ips:
                self.addresses = None
        self.classes[slot] = cls
        self.by_namespace.setdefault(endpoint.namespace, {})[slot] = None
        self._first = None

    def drop(self, ident: str) -> None:
        slot = self.slot_of.pop(ident, None)
        if slot is None:
            return
        old = self.endpoints[slot]
        assert old is not None
        self.by_namespace[old.namespace].pop(slot, None)
        self.endpoints[slot] = None
        self.classes[slot] = -1
        self._first = None

    def address_index(self) -> AddressIndex:
        if self.addresses is None:
            none = Endpoint("", "")
            self.addresses = AddressIndex([ep or none for ep in self.endpoints])
        return self.addresses


def _uniform(m: Members, values: npt.NDArray[np.int64], count: int) -> npt.NDArray[np.int64]:
    """Each class's value, if all its members agree; else `_Rebuild`."""
    first = m.first(count)
    present = first >= 0
    per_class = np.full(count, -1, np.int64)
    per_class[present] = values[first[present]]
    alive = m.classes >= 0
    if not np.array_equal(per_class[m.classes[alive]], values[alive]):
        raise _Rebuild("a class would split")
    return per_class


def _matches(
    m: Members,
    namespaces: Sequence[str],
    test: Callable[[Labels], bool],
) -> npt.NDArray[np.int64]:
    out = np.zeros(len(m.classes), np.int64)
    seen: dict[Labels, bool] = {}
    for ns in namespaces:
        for i in m.by_namespace.get(ns, ()):
            ep = m.endpoints[i]
            if ep is None or ep.host_network:
                continue
            hit = seen.get(ep.labels)
            if hit is None:
                hit = seen[ep.labels] = test(ep.labels)
            out[i] = hit
    return out


def _peer_values(engine: ClassEngine, m: Members, peer: PodPeer) -> npt.NDArray[np.int64]:
    match peer.namespace:
        case OwnNamespace(name):
            scope: list[str] = [name]
        case NamespaceLabels(selector):
            labels = engine.classifier.namespace_labels
            scope = [ns for ns in m.by_namespace if selector.matches(dict(labels.get(ns, ())))]
    pod = peer.pod
    if isinstance(pod, AnyPod):
        return _matches(m, scope, lambda _: True)
    assert isinstance(pod, PodLabels)
    selector = pod.selector
    return _matches(m, scope, lambda labels: selector.matches(dict(labels)))


@dataclass(slots=True)
class _Seen:
    """What a new policy version looks at, per class (every class found uniform)."""

    selected: set[int]
    peers: dict[int, _Idx]
    blocks: dict[int, _Idx]
    named: list[npt.NDArray[np.int64]]
    """Per new named port, its number on each class (-1: undefined)."""


def _hits(values: npt.NDArray[np.int64]) -> _Idx:
    out: _Idx = np.flatnonzero(values > 0).astype(np.intp)
    return out


def _examine(engine: ClassEngine, new: NetworkPolicy | None, counts: tuple[int, int, int]) -> _Seen:
    """Evaluate what is new in the universe on the endpoints; `_Rebuild` if a class splits."""
    uni, m, size = engine.universe, engine.members, engine.reach.size
    seen = _Seen(set(), {}, {}, [])
    if new is not None:
        sel = new.pod_selector
        values = _matches(m, [new.namespace], lambda labels: sel.matches(dict(labels)))
        seen.selected = {int(c) for c in _hits(_uniform(m, values, size))}
    for mid in range(counts[0], len(uni.pod_peers)):
        values = _peer_values(engine, m, uni.pod_peers[mid])
        seen.peers[mid] = _hits(_uniform(m, values, size))
    if len(uni.blocks) > counts[1]:
        hits = m.address_index().members(uni.blocks[counts[1] :])
        for k in range(hits.shape[1]):
            column = hits[:, k].astype(np.int64)
            seen.blocks[counts[1] + k] = _hits(_uniform(m, column, size))
    keys = uni.named[counts[2] :]
    if keys:
        values = np.full((len(m.classes), len(keys)), -1, np.int64)
        for i, ep in enumerate(m.endpoints):
            if ep is None:
                continue
            found: dict[tuple[str | None, Protocol], int] = {}
            for cp in ep.ports:
                found.setdefault((cp.name, cp.protocol), cp.port)
            for k, key in enumerate(keys):
                values[i, k] = found.get(key, -1)
        seen.named = [_uniform(m, values[:, k], size) for k in range(len(keys))]
    return seen


def _resign(engine: ClassEngine, seen: _Seen, old: int | None, pid: int | None) -> None:
    """Record the change in the signatures of the classes it touches."""
    reach = engine.reach
    touched = set(seen.selected)
    if old is not None:
        touched.update(int(c) for c in reach.selected.get(old, ()))
    for hits in (*seen.peers.values(), *seen.blocks.values()):
        touched.update(int(c) for c in hits)
    targets = range(reach.size) if seen.named else sorted(touched)
    peer_sets = {mid: {int(c) for c in hits} for mid, hits in seen.peers.items()}
    block_sets = {bid: {int(c) for c in hits} for bid, hits in seen.blocks.items()}
    for c in targets:
        sig = reach.signatures[c]
        policies = set(sig.policies) - {old}
        if pid is not None and c in seen.selected:
            policies.add(pid)
        extra = tuple(None if int(v[c]) < 0 else int(v[c]) for v in seen.named)
        new_sig = Signature(
            sig.host_network,
            frozenset(p for p in policies if p is not None),
            sig.pod_peers | {mid for mid, cs in peer_sets.items() if c in cs},
            sig.blocks | {bid for bid, cs in block_sets.items() if c in cs},
            sig.named + extra,
        )
        if engine.index.get(sig) == c:
            del engine.index[sig]
        engine.index.setdefault(new_sig, c)
        reach.signatures[c] = new_sig


def _cut_ports(engine: ClassEngine, pid: int | None, seen: _Seen, first_named: int) -> None:
    """Split the atoms at the new policy's port boundaries and new named ports' numbers."""
    uni, reach = engine.universe, engine.reach
    cuts: set[tuple[Protocol, int]] = set()
    compiled = None if pid is None else uni.policies[pid]
    if compiled is not None:
        for rule in (*compiled.ingress, *compiled.egress):
            for port in rule.ports:
                if isinstance(port, PortRangeMatcher):
                    cuts.update(
                        ((port.protocol, port.ports.first), (port.protocol, port.ports.last + 1))
                    )
    for k, values in enumerate(seen.named):
        protocol = uni.named[first_named + k][1]
        for v in np.unique(values[values >= 0]).tolist():
            cuts.update(((protocol, v), (protocol, v + 1)))
    for protocol, cut in sorted(cuts, key=lambda x: (x[0].value, x[1])):
        split = reach.atoms.split(protocol, cut)
        if split is not None:
            reach.split_atom(*split)


def _policy(engine: ClassEngine, new: NetworkPolicy | None, old_key: str | None) -> list[int]:
    """Swap one policy in place; the classes whose answers may change."""
    uni, reach = engine.universe, engine.reach
    old = engine.policy_ids.get(old_key) if old_key else None
    if old_key and old is None:
        raise _Rebuild(f"no policy {old_key}")
    counts = (len(uni.pod_peers), len(uni.blocks), len(uni.named))
    pid = None if new is None else uni.add_policy(new)
    seen = _examine(engine, new, counts)
    # The classes stand: record the change, then swap rules, memberships and pairs.
    old_members = {int(c) for c in reach.selected.get(old, ())} if old is not None else set()
    _resign(engine, seen, old, pid)
    _cut_ports(engine, pid, seen, counts[2])
    if old is not None and old_key is not None:
        uni.policies[old] = None
        engine.rules.pop(old, None)
        reach.selected.pop(old, None)
        del engine.policy_ids[old_key]
    if pid is not None and new is not None:
        engine.rules[pid] = class_rules(uni, pid)
        reach.selected[pid] = np.asarray(sorted(seen.selected), dtype=np.intp)
        engine.policy_ids[new.key] = pid
    reach.peer_members.update(seen.peers)
    reach.block_members.update(seen.blocks)
    reach.forget(named=bool(seen.named))
    if old is not None:
        reach.retire(old)
        reach.remove_pairs(old)
    if pid is not None:
        reach.admit(pid)
        reach.add_pairs([pid])
    affected = sorted(old_members | seen.selected)
    reach.summarise(affected)
    return affected


def _replace_sorted(
    items: tuple[_T, ...], key: Callable[[_T], str], new: _T | None, old_key: str | None
) -> tuple[_T, ...]:
    """`items` (sorted by `key`) without the one keyed `old_key`, with `new` in its place."""
    out = list(items)
    if old_key is not None:
        i = bisect.bisect_left(out, old_key, key=key)
        if i < len(out) and key(out[i]) == old_key:
            del out[i]
    if new is not None:
        k = key(new)
        i = bisect.bisect_left(out, k, key=key)
        if i < len(out) and key(out[i]) == k:
            out[i] = new
        else:
            out.insert(i, new)
    return tuple(out)


def _endpoint(engine: ClassEngine, new: Endpoint | None, old_id: str | None) -> list[int]:
    """Move one endpoint between existing classes; the classes touched."""
    affected = []
    m = engine.members
    if old_id is not None:
        c = engine.class_by_id.pop(old_id, None)
        engine.endpoints.pop(old_id, None)
        m.drop(old_id)
        if c is not None:
            affected.append(c)
    if new is not None:
        if engine.classifier_stale:
            labels = {ns.name: ns.labels for ns in engine.cluster.namespaces}
            engine.classifier = Classifier(engine.universe, labels)
            engine.classifier_stale = False
        sig = engine.classifier.signatures([new])[0]
        c = engine.index.get(sig)
        if c is None:
            raise _Rebuild("the endpoint needs a new class")
        engine.class_by_id[new.id] = c
        engine.endpoints[new.id] = new
        m.put(new, c)
        affected.append(c)
    return affected


def apply_update(
    engine: ClassEngine,
    *,
    changed_policy: NetworkPolicy | None = None,
    removed_policy: str | None = None,
    changed_endpoint: Endpoint | None = None,
    removed_endpoint: str | None = None,
) -> Change:
    """Apply changes to `engine` in place (removals first); see the module docstring."""
    cluster = engine.cluster
    policies, endpoints = cluster.policies, cluster.endpoints
    pol_key: Callable[[NetworkPolicy], str] = lambda p: f"{p.namespace}\0{p.name}"  # noqa: E731
    ep_key: Callable[[Endpoint], str] = lambda e: e.id  # noqa: E731

    def _sort_key(key: str | None) -> str | None:
        return None if key is None else key.replace("/", "\0", 1)

    if removed_policy is not None:
        policies = _replace_sorted(policies, pol_key, None, _sort_key(removed_policy))
    if changed_policy is not None:
        policies = _replace_sorted(policies, pol_key, changed_policy, _sort_key(changed_policy.key))
    if removed_endpoint is not None:
        endpoints = _replace_sorted(endpoints, ep_key, None, removed_endpoint)
    if changed_endpoint is not None:
        endpoints = _replace_sorted(endpoints, ep_key, changed_endpoint, changed_endpoint.id)
    new_cluster = dataclasses.replace(cluster, policies=policies, endpoints=endpoints)
    affected: list[int] = []
    try:
        if removed_policy is not None:
            affected += _policy(engine, None, removed_policy)
        if changed_policy is not None:
            old = changed_policy.key if changed_policy.key in engine.policy_ids else None
            affected += _policy(engine, changed_policy, old)
        if removed_policy is not None or changed_policy is not None:
            engine.classifier_stale = True
        engine.cluster = new_cluster
        if removed_endpoint is not None or changed_endpoint is not None:
            old_id = removed_endpoint
            if changed_endpoint is not None and changed_endpoint.id in engine.endpoints:
                affected += _endpoint(engine, None, changed_endpoint.id)
            affected += _endpoint(engine, changed_endpoint, old_id)
    except _Rebuild as exc:
        engine.rebuild(new_cluster)
        return Change(True, str(exc))
    engine.invalidate()
    return Change(False, "", tuple(sorted(set(affected))))

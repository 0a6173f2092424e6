"""The class engine's state, in one object that also applies changes to itself.

`ClassState.build(cluster)` resolves every endpoint through the `Resolver` into a signature,
numbers the distinct signatures as classes, and computes reach over them (per IP-family view,
see `views`). `apply(change)` applies one `Change` in place, reusing what it does not touch:

- a changed or removed policy: the universe takes the new version and retires the old, the
  resolver catches up (`Resolver.refresh`), and the classes are asked again about what is
  new (`update.resigned`). If every class stays uniform, the classes stay: their signatures
  change, new port boundaries split their atom, the policy's rules and pairs are swapped, and
  only the classes it selects (before or after) are summarised again;
- a changed endpoint that lands in an existing class just moves (its signature says which
  ClusterNetworkPolicies select it and which of their peers match it, so the tiers stay).

Anything else (a class would split, a new class is needed, a ClusterNetworkPolicy changed:
the tiers are computed again with everything else) raises `Rebuild`; the engine then builds a
new state, which is always correct.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import assert_never

import numpy as np

from podfence.engine.address_index import AddressIndex
from podfence.engine.classes.changes import (
    Change,
    ClusterPolicyChanged,
    ClusterPolicyRemoved,
    EndpointChanged,
    EndpointRemoved,
    PolicyChanged,
    PolicyRemoved,
)
from podfence.engine.classes.classify import Signature, signatures
from podfence.engine.classes.members import Members
from podfence.engine.classes.ports import PortAtoms, atoms_of, named_set
from podfence.engine.classes.reach import Reach
from podfence.engine.classes.rules import ClassRule, class_rules, range_sets
from podfence.engine.classes.tiered import tier_port_ranges
from podfence.engine.classes.update import Counts, Rebuild, resigned
from podfence.engine.classes.views import Views, needed_views
from podfence.engine.resolve import Resolver
from podfence.engine.universe import Universe
from podfence.model import Cluster, Direction, Endpoint, NetworkPolicy, PortSet
from podfence.model.intervals import port_boundaries

__all__ = ["ClassState"]

Rules = dict[int, dict[Direction, tuple[ClassRule, ...]]]


@dataclass(slots=True)
class ClassState:
    """Everything the class engine knows of one cluster; changed only by `apply`."""

    cluster: Cluster
    universe: Universe
    resolver: Resolver
    policy_ids: dict[str, int]
    """Universe id of each live policy, by key."""
    rules: Rules
    """The rules of each live policy, by direction, in class terms."""
    signatures: list[Signature]
    """The signature of each class (a class may have no member left)."""
    index: dict[Signature, int]
    """The class of each signature."""
    class_by_id: dict[str, int]
    endpoints: dict[str, Endpoint]
    members: Members
    views: Views
    big_peer_set: int

    @classmethod
    def build(cls, cluster: Cluster, *, big_peer_set: int = 256) -> ClassState:
        universe = Universe.of(cluster.policies, cluster.cluster_policies)
        resolver = Resolver(
            universe, {ns.name: ns.labels for ns in cluster.namespaces}, cluster.nodes
        )
        rules = {pid: class_rules(universe, pid) for pid, _ in universe.live()}
        endpoints = list(cluster.endpoints)
        addresses = AddressIndex(endpoints)
        index: dict[Signature, int] = {}
        of_slot = [
            index.setdefault(sig, len(index)) for sig in signatures(resolver, endpoints, addresses)
        ]
        classes = np.asarray(of_slot, dtype=np.intp)
        members = Members.of(endpoints, classes, addresses)
        sigs = list(index)
        atoms = _atoms(universe, sigs)

        def reach(view: int | None, atoms: PortAtoms) -> Reach:
            return Reach(sigs, universe, atoms, rules, view=view, big_peer_set=big_peer_set)

        return cls(
            cluster=cluster,
            universe=universe,
            resolver=resolver,
            policy_ids={p.key: i for i, p in universe.live()},
            rules=rules,
            signatures=sigs,
            index=index,
            class_by_id={ep.id: int(c) for ep, c in zip(endpoints, of_slot, strict=True)},
            endpoints={ep.id: ep for ep in endpoints},
            members=members,
            views=Views(sigs, atoms, reach, needed_views(sigs)),
            big_peer_set=big_peer_set,
        )

    @property
    def atoms(self) -> PortAtoms:
        return self.views.atoms

    # -- changes -----------------------------------------------------------------------

    def apply(self, change: Change, cluster: Cluster) -> tuple[int, ...]:
        """Apply `change` (`cluster`: the cluster with it applied) in place; the classes
        whose answers may have changed. `Rebuild` when it cannot be done in place (the state
        is then unusable: build a new one)."""
        match change:
            case PolicyChanged(policy):
                old = policy.key if policy.key in self.policy_ids else None
                affected = self._swap_policy(policy, old)
            case PolicyRemoved(key):
                affected = self._swap_policy(None, key)
            case EndpointChanged(endpoint):
                affected = self._remove_endpoint(endpoint.id) + self._place(endpoint)
            case EndpointRemoved(ident):
                affected = self._remove_endpoint(ident)
            case ClusterPolicyChanged(policy):
                raise Rebuild(f"cnp/{policy.name} changed: the tiers are computed again")
            case ClusterPolicyRemoved(name):
                raise Rebuild(f"cnp/{name} was removed: the tiers are computed again")
            case _:
                assert_never(change)
        self.cluster = cluster
        return tuple(sorted(set(affected)))

    def _swap_policy(self, new: NetworkPolicy | None, old_key: str | None) -> list[int]:
        """Replace, add or remove one policy in place; the classes it selects(ed)."""
        uni = self.universe
        old = self.policy_ids.get(old_key) if old_key else None
        if old_key and old is None:
            raise Rebuild(f"no policy {old_key}")
        counts = Counts(len(uni.pod_peers), len(uni.blocks), len(uni.named))
        pid = None if new is None else uni.add_policy(new)
        if old is not None:
            uni.policies[old] = None
        namespaces = self.resolver.refresh(() if old is None else (old,))
        was = self.views.main.selected.get(old) if old is not None else None
        changed = resigned(
            self.resolver,
            self.members,
            self.signatures,
            namespaces,
            old,
            [] if was is None else was.tolist(),
            counts,
        )
        # The classes stand: record the change, then swap rules, memberships and pairs.
        before = {c: self.signatures[c] for c in changed}
        for c, sig in changed.items():
            if self.index.get(before[c]) == c:
                del self.index[before[c]]
            self.index.setdefault(sig, c)
            self.signatures[c] = sig
        self._cut_ports(pid, counts.named)
        if old is not None:
            assert old_key is not None
            self.rules.pop(old, None)
            del self.policy_ids[old_key]
        if pid is not None:
            assert new is not None
            self.rules[pid] = class_rules(uni, pid)
            self.policy_ids[new.key] = pid
        affected: set[int] = set()
        for reach in self.views.reaches.values():
            affected |= reach.swap(old, pid, before, named=counts.named < len(uni.named))
        self.views.ensure(needed_views(changed.values()))  # the others' views are built
        return sorted(affected)

    def _cut_ports(self, pid: int | None, first_named: int) -> None:
        """Split the atoms at the new policy's port boundaries and the new named ports'."""
        sets = range_sets(self.universe, () if pid is None else (pid,))
        for nid in range(first_named, len(self.universe.named)):
            protocol = self.universe.named[nid][1]
            sets += {named_set(protocol, sig.named[nid]) for sig in self.signatures}
        for protocol, cuts in port_boundaries(set(sets)).items():
            for cut in cuts:
                self.views.split(protocol, cut)

    def _remove_endpoint(self, ident: str) -> list[int]:
        c = self.class_by_id.pop(ident, None)
        self.endpoints.pop(ident, None)
        self.members.drop(ident)
        return [] if c is None else [c]

    def _place(self, endpoint: Endpoint) -> list[int]:
        """Put a new endpoint in the class of its signature (`Rebuild` if there is none)."""
        sig = signatures(self.resolver, [endpoint])[0]
        c = self.index.get(sig)
        if c is None:
            raise Rebuild("the endpoint needs a new class")
        self.class_by_id[endpoint.id] = c
        self.endpoints[endpoint.id] = endpoint
        self.members.put(endpoint, c)
        return [c]


def _atoms(universe: Universe, sigs: Iterable[Signature]) -> PortAtoms:
    """Atoms cut by every rule's port range (ClusterNetworkPolicies' too) and every class's
    set of each named port."""
    sets: list[PortSet] = range_sets(universe)
    sets += [PortSet.span(p, first, last) for p, first, last in tier_port_ranges(universe)]
    named: set[tuple[int, frozenset[int]]] = set()
    for sig in sigs:
        named.update((nid, numbers) for nid, numbers in enumerate(sig.named) if numbers)
    sets += [named_set(universe.named[nid][1], numbers) for nid, numbers in named]
    return atoms_of(sets)

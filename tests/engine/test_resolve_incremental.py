"""The resolver's bulk and incremental answers equal its one-at-a-time answers.

- `Resolver.refresh` (after policies were appended or removed) gives every endpoint the same
  group as a resolver indexed from scratch over the same universe, and names every namespace
  whose groups changed;
- `Resolver.block_members` is `Resolver.in_block` for every endpoint, block and family;
- `Resolver.named_ports` is `named_numbers` for every named port of the universe.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from classes.strategies import clusters, policies
from podfence.engine.address_index import AddressIndex
from podfence.engine.resolve import Resolver, named_numbers
from podfence.engine.universe import Universe
from podfence.model import Cluster


def _resolver(cluster: Cluster, universe: Universe) -> Resolver:
    return Resolver(universe, {ns.name: ns.labels for ns in cluster.namespaces})


@settings(max_examples=150, deadline=None)
@given(clusters(), st.data())
def test_refresh_equals_a_fresh_index(cluster: Cluster, data: st.DataObject) -> None:
    universe = Universe.of(cluster.policies)
    resolver = _resolver(cluster, universe)
    before = {ep.id: resolver.group_of(ep) for ep in cluster.endpoints}  # fills the cache
    names = [ns.name for ns in cluster.namespaces]
    removed = []
    for pid, _ in list(universe.live()):
        if data.draw(st.booleans()):
            universe.policies[pid] = None
            removed.append(pid)
    for i in range(data.draw(st.integers(0, 2))):
        universe.add_policy(data.draw(policies(data.draw(st.sampled_from(names)), f"new{i}")))
    changed = resolver.refresh(removed)
    fresh = _resolver(cluster, universe)
    for ep in cluster.endpoints:
        assert resolver.group_of(ep) == fresh.group_of(ep), ep.id
        if resolver.group_of(ep) != before[ep.id]:
            assert ep.namespace in changed


@settings(max_examples=100, deadline=None)
@given(clusters(focus="blocks"))
def test_block_members_is_in_block_for_everyone(cluster: Cluster) -> None:
    universe = Universe.of(cluster.policies)
    resolver = _resolver(cluster, universe)
    index = AddressIndex(cluster.endpoints)
    ids = range(len(universe.blocks))
    for family in (None, 4, 6):
        members = resolver.block_members(index, ids, family)
        for i, ep in enumerate(cluster.endpoints):
            for b in ids:
                want = resolver.in_block(universe.blocks[b], ep, family)
                assert bool(members[i, b]) == want, (ep.id, universe.blocks[b], family)


@settings(max_examples=100, deadline=None)
@given(clusters(focus="named"))
def test_named_ports_are_named_numbers(cluster: Cluster) -> None:
    universe = Universe.of(cluster.policies)
    resolver = _resolver(cluster, universe)
    for ep in cluster.endpoints:
        want = tuple(named_numbers(ep, name, proto) for name, proto in universe.named)
        assert resolver.named_ports(ep) == want

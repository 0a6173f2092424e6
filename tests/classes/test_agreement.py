"""ClassEngine answers exactly what Engine answers: every pair, every port near a boundary,
over each IP family and asked by name (every family the two can use).

Engine.allowed is the reference (it is itself checked against a brute-force reference in
tests/property); a class engine that disagrees on one cell is wrong.
"""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from classes.strategies import clusters, probe_ports
from podfence.analysis.matrix import class_matrix, compute_matrix
from podfence.engine import Engine
from podfence.engine.classes import ClassEngine
from podfence.model import Cluster, Connection, ProtocolPort

FAMILIES = (None, 4, 6)


def assert_agree(cluster: Cluster, engine: ClassEngine | None = None) -> None:
    """Asked by name first: a query of one family may build that family's view."""
    exact = Engine(cluster)
    fast = engine or ClassEngine(cluster)
    for family in FAMILIES:
        for port, proto in probe_ports(cluster):
            for src in cluster.endpoints:
                for dst in cluster.endpoints:
                    want = exact.allowed(Connection(src, dst, port, proto, family))
                    got = fast.allowed(src, dst, port, proto, family)
                    assert got == want, (
                        f"{src} -> {dst} {port}/{proto} over {family}: {got}, engine says {want}"
                    )


@settings(max_examples=200, deadline=None)
@given(clusters())
def test_every_pair_and_boundary_port(cluster: Cluster) -> None:
    assert_agree(cluster)


@settings(max_examples=150, deadline=None)
@given(clusters(focus="named"))
def test_named_ports_every_pair_and_boundary_port(cluster: Cluster) -> None:
    """Rules of named ports only, on pods declaring a name twice (two containers), on two
    protocols, or with other numbers on other pods."""
    assert_agree(cluster)
    assert_agree(cluster, ClassEngine(cluster, big_peer_set=0))


@settings(max_examples=150, deadline=None)
@given(clusters(focus="blocks"))
def test_ip_blocks_every_pair_family_and_boundary_port(cluster: Cluster) -> None:
    """Rules of ipBlock peers only, between pods with no address, one family, or both."""
    assert_agree(cluster)
    assert_agree(cluster, ClassEngine(cluster, big_peer_set=0))


@settings(max_examples=100, deadline=None)
@given(clusters())
def test_big_peer_sets_agree_too(cluster: Cluster) -> None:
    """Every peer set kept as a shared vector instead of explicit pairs: same answers."""
    assert_agree(cluster, ClassEngine(cluster, big_peer_set=0))


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(("any", "named", "blocks")).flatmap(lambda f: clusters(focus=f)))
def test_dense_matrix_equals_compute_matrix(cluster: Cluster) -> None:
    ports = [ProtocolPort(p, proto) for p, proto in probe_ports(cluster)[::7]]
    assert class_matrix(ClassEngine(cluster), ports) == compute_matrix(cluster, ports)


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(("any", "named", "blocks")).flatmap(lambda f: clusters(focus=f)))
def test_class_bits_per_family_are_the_members_cells(cluster: Cluster) -> None:
    """The class table over one family (or by name) holds every member pair's answer."""
    exact = Engine(cluster)
    fast = ClassEngine(cluster)
    every = np.arange(fast.class_count, dtype=np.intp)
    eps = cluster.endpoints
    for port, proto in probe_ports(cluster)[::5]:
        for family in FAMILIES:
            bits = fast.class_bits(ProtocolPort(port, proto), every, every, family)
            for src in eps:
                for dst in eps:
                    if src == dst:
                        continue
                    want = exact.allowed(Connection(src, dst, port, proto, family))
                    s, d = fast.class_by_id[src.id], fast.class_by_id[dst.id]
                    assert bool(bits[s, d]) == want, f"{src} -> {dst} {port}/{proto} {family}"


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(("any", "named", "blocks")).flatmap(lambda f: clusters(focus=f)))
def test_grouped_cells_are_the_members_cells(cluster: Cluster) -> None:
    """Every member pair (i != j) of two groups has the group cell's answer."""
    exact = Engine(cluster)
    fast = ClassEngine(cluster)
    ports = [ProtocolPort(p, proto) for p, proto in probe_ports(cluster)[::5]]
    grouped = fast.grouped(ports)
    eps = {ep.id: ep for ep in cluster.endpoints}
    assert sorted(m for g in grouped.groups for m in g.members) == sorted(eps)
    for pm in grouped.matrices:
        for gi in grouped.groups:
            for gj in grouped.groups:
                for a in gi.members:
                    for b in gj.members:
                        if a == b:
                            continue
                        want = exact.allowed(Connection(eps[a], eps[b], pm.port, pm.protocol))
                        assert bool(pm.allowed[gi.id, gj.id]) == want


@settings(max_examples=40, deadline=None)
@given(st.sampled_from(("any", "named", "blocks")).flatmap(lambda f: clusters(focus=f)))
def test_all_ports_pairs_are_the_members_answers(cluster: Cluster) -> None:
    """Every port of every probe protocol in a pair's mask is allowed for its members."""
    exact = Engine(cluster)
    fast = ClassEngine(cluster)
    result = fast.grouped(all_ports=True)
    masks = {(p.source, p.destination): p.mask for p in result.pairs()}
    eps = {ep.id: ep for ep in cluster.endpoints}
    for port, proto in probe_ports(cluster)[::3]:
        bit = result.atoms.atom(port, proto)
        for gi in result.groups:
            for gj in result.groups:
                for a in gi.members:
                    for b in gj.members:
                        if a == b and len(gi.members) > 1:
                            continue
                        want = exact.allowed(Connection(eps[a], eps[b], port, proto))
                        assert bool(masks.get((gi.id, gj.id), 0) >> bit & 1) == want

"""ClassEngine answers exactly what Engine answers: every pair, every port near a boundary.

Engine.allowed is the reference (it is itself checked against a brute-force reference in
tests/property); a class engine that disagrees on one cell is wrong.
"""

from __future__ import annotations

from hypothesis import given, settings

from classes.strategies import clusters, probe_ports
from podfence.analysis.matrix import compute_matrix
from podfence.engine import Engine
from podfence.engine.classes import ClassEngine
from podfence.model import Cluster, Connection, ProtocolPort


def assert_agree(cluster: Cluster, engine: ClassEngine | None = None) -> None:
    exact = Engine(cluster)
    fast = engine or ClassEngine(cluster)
    for port, proto in probe_ports(cluster):
        for src in cluster.endpoints:
            for dst in cluster.endpoints:
                want = exact.allowed(Connection(src, dst, port, proto))
                got = fast.allowed(src, dst, port, proto)
                assert got == want, f"{src} -> {dst} {port}/{proto}: {got}, engine says {want}"


@settings(max_examples=200, deadline=None)
@given(clusters())
def test_every_pair_and_boundary_port(cluster: Cluster) -> None:
    assert_agree(cluster)


@settings(max_examples=100, deadline=None)
@given(clusters())
def test_big_peer_sets_agree_too(cluster: Cluster) -> None:
    """Every peer set kept as a shared vector instead of explicit pairs: same answers."""
    assert_agree(cluster, ClassEngine(cluster, big_peer_set=0))


@settings(max_examples=60, deadline=None)
@given(clusters())
def test_dense_matrix_equals_compute_matrix(cluster: Cluster) -> None:
    ports = [ProtocolPort(p, proto) for p, proto in probe_ports(cluster)[::7]]
    assert ClassEngine(cluster).matrix(ports) == compute_matrix(cluster, ports)


@settings(max_examples=60, deadline=None)
@given(clusters())
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
@given(clusters())
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
                a, b = gi.members[0], gj.members[-1]
                if a == b and len(gi.members) > 1:
                    b = next(m for m in gi.members if m != a)
                want = exact.allowed(Connection(eps[a], eps[b], port, proto))
                assert bool(masks.get((gi.id, gj.id), 0) >> bit & 1) == want

"""The collapsed graph (classes, above a size): every pair of endpoints is allowed exactly
on the ports of the edge between their classes, as the per-pair engine says (with
ClusterNetworkPolicies too)."""

from __future__ import annotations

from hypothesis import given, settings

from podfence.analysis.graph import EdgeKind, GraphOptions, NodeKind, build_graph
from podfence.engine import Engine
from podfence.model import Cluster, Connection
from podfence.render.mermaid import render_mermaid
from support import clusters


@settings(deadline=None, max_examples=150)
@given(clusters(templated=True, max_cluster_policies=3))
def test_edges_between_classes_are_the_engines_answers(cluster: Cluster) -> None:
    graph = build_graph(cluster, GraphOptions(collapse_above=1))
    assert graph.collapsed
    engine = Engine(cluster)
    node_of = {m: n.key for n in graph.nodes if n.kind is NodeKind.CLASS for m in n.members}
    assert sorted(node_of) == sorted(ep.id for ep in cluster.endpoints)
    ports = {(e.source, e.target): set(e.ports) for e in graph.edges if e.kind is EdgeKind.ALLOWED}
    for a in cluster.endpoints:
        for b in cluster.endpoints:
            if a == b:
                continue
            allowed = {
                p for p in graph.probes if engine.allowed(Connection(a, b, p.port, p.protocol))
            }
            assert allowed == ports.get((node_of[a.id], node_of[b.id]), set()), (a.id, b.id)
    assert "legend" in render_mermaid(graph)


def test_small_graphs_are_drawn_pod_by_pod() -> None:
    graph = build_graph(Cluster())
    assert not graph.collapsed

"""`graph --show-policies` draws ClusterNetworkPolicies as NetworkPolicies are drawn: a
hexagon (with its tier and priority, in a cluster-scoped box of its own) dotted to the pods
its subject selects (examples/cnp/admin-guardrail: namespaces labelled sensitivity=high, so
payments/ledger only)."""

from __future__ import annotations

from pathlib import Path

from podfence.analysis.graph import EdgeKind, GraphOptions, NodeKind, build_graph
from podfence.load import load_paths
from podfence.render.dot import render_dot
from podfence.render.mermaid import render_mermaid
from podfence.render.svg import render_svg

GUARD = Path(__file__).resolve().parents[2] / "examples" / "cnp" / "admin-guardrail"


def test_a_cnp_is_a_policy_node_dotted_to_its_subjects() -> None:
    cluster = load_paths([str(GUARD)]).cluster
    assert cluster is not None
    graph = build_graph(cluster, GraphOptions(show_policies=True))
    node = graph.node("policy:cnp/protect-payments")
    assert (node.kind, node.namespace) == (NodeKind.POLICY, None)
    assert node.label == "Admin ClusterNetworkPolicy protect-payments (priority 10)"
    selects = {e.target for e in graph.edges if e.kind is EdgeKind.SELECTS and e.source == node.key}
    assert {graph.node(t).members for t in selects} == {("payments/ledger",)}
    for text in (render_mermaid(graph), render_dot(graph), render_svg(graph)):
        assert "cluster-scoped: ClusterNetworkPolicies" in text
        assert "outside the cluster" not in text  # a CNP is not an address outside


def test_without_show_policies_no_policy_node() -> None:
    cluster = load_paths([str(GUARD)]).cluster
    assert cluster is not None
    graph = build_graph(cluster, GraphOptions())
    assert not [n for n in graph.nodes if n.kind is NodeKind.POLICY]

"""The public names of the review modules, pinned; and the kubectl plugin entry point."""

from __future__ import annotations

import importlib
import shutil
from importlib.metadata import entry_points

import pytest

PUBLIC = {
    "podfence.analysis.samples": [
        "PortSpan",
        "AddressAtom",
        "rule_port_sets",
        "cluster_rule_port_sets",
        "policy_port_sets",
        "rules_port_sets",
        "port_spans",
        "port_samples",
        "mentioned_protocols",
        "address_atoms",
        "address_blocks",
        "outside_samples",
        "NOT_PUBLIC",
        "public_atoms",
    ],
    "podfence.analysis.classes": ["Conn", "Classes", "merge_classes"],
    "podfence.analysis.graph": [
        "NodeKind",
        "EdgeKind",
        "Node",
        "Edge",
        "Graph",
        "GraphOptions",
        "build_graph",
        "is_hacker_like",
    ],
    "podfence.analysis.diff": ["Change", "ChangedCell", "ChangeGroup", "Diff", "diff_clusters"],
    "podfence.analysis.summary": [
        "Openness",
        "NamespaceSummary",
        "LintSummary",
        "summarize",
        "lint_summary",
        "reachable_from_outside",
    ],
    "podfence.analysis.review": [
        "MAX_ACCOUNTS",
        "OVERVIEW_ABOVE",
        "PortClass",
        "Review",
        "build_review",
    ],
    "podfence.analysis.heatmap": ["Heatmap", "HeatPorts", "heatmap"],
    "podfence.analysis.graph_classes": ["COLLAPSE_ABOVE", "ClassView", "class_view"],
    "podfence.analysis.scale": ["NOTE_ABOVE", "class_engine_of"],
    "podfence.render.mermaid": ["render_mermaid", "mermaid_ids", "mermaid_label"],
    "podfence.render.dot": ["render_dot", "dot_quote"],
    "podfence.render.svg": ["render_svg"],
    "podfence.render.html": ["render_html", "port_label", "matrix_json", "heatmap_json"],
    "podfence.render.markdown": ["render_diff_markdown", "md_cell"],
    "podfence.render.changes": [
        "render_diff_text",
        "diff_data",
        "group_head",
        "group_why",
        "summary_line",
        "rule_text",
    ],
    "podfence.render.graphviz": ["GraphvizMissing", "have_dot", "run_dot"],
    "podfence.kube": [
        "RESOURCES",
        "ClusterError",
        "ClusterRead",
        "NotServed",
        "cluster_read",
        "Lister",
        "Resource",
        "cluster_texts",
        "context_namespace",
        "list_document",
        "read_cluster",
    ],
    "podfence.cli.review_cmds": ["graph", "report", "diff"],
    "podfence.cli.cluster_source": [
        "Live",
        "cluster_options",
        "live_namespace",
        "load_input",
        "read_live",
        "wants_live",
    ],
}


@pytest.mark.parametrize("module", sorted(PUBLIC))
def test_all_is_pinned(module: str) -> None:
    mod = importlib.import_module(module)
    assert sorted(mod.__all__) == sorted(PUBLIC[module])
    for name in mod.__all__:
        assert hasattr(mod, name), name


def test_only_kube_imports_kubernetes() -> None:
    from pathlib import Path

    import podfence

    root = Path(podfence.__file__).parent
    offenders = [
        str(p.relative_to(root))
        for p in root.rglob("*.py")
        if "import kubernetes" in p.read_text() and p.parent.name != "kube"
    ]
    assert offenders == []


def test_kubectl_plugin_entry_point() -> None:
    scripts = {e.name: e.value for e in entry_points(group="console_scripts")}
    if "kubectl-podfence" not in scripts:
        pytest.skip("kubectl-podfence is not in [project.scripts] yet (or not reinstalled)")
    assert scripts["kubectl-podfence"] == "podfence.cli.main:main"
    assert shutil.which("kubectl-podfence") is not None

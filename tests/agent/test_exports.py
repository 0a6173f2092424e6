"""The agent's public API, pinned; only podfence.kube imports the kubernetes client."""

from __future__ import annotations

import ast
from pathlib import Path

import podfence
import podfence.agent
import podfence.kube.events
import podfence.kube.watch


def test_agent_exports() -> None:
    assert sorted(podfence.agent.__all__) == [
        "Agent",
        "AgentConfig",
        "EventSink",
        "JsonLog",
        "Metrics",
        "NftTarget",
        "Plan",
        "Quarantine",
        "Snapshot",
        "Store",
        "bootstrap",
        "build_snapshot",
        "node_view",
        "plan_change",
        "with_quarantine",
    ]
    for module in (podfence.agent, podfence.kube.watch, podfence.kube.events):
        for name in module.__all__:
            assert getattr(module, name) is not None


def test_only_the_kube_package_imports_kubernetes() -> None:
    root = Path(podfence.__file__).parent
    importers = set()
    for path in root.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            if any(n == "kubernetes" or n.startswith("kubernetes.") for n in names):
                importers.add(path.relative_to(root).parts[0])
    assert importers == {"kube"}

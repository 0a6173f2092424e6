"""A graph as Mermaid flowchart text that GitHub renders as is (`graph TD`).

Ids are made of letters, digits and underscores with a prefix per kind of node, so no id is a
Mermaid keyword; every label is quoted and its special characters written as entity codes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from podfence.analysis.graph import EdgeKind, Graph, Node, NodeKind
from podfence.model import Direction
from podfence.render.graph_text import (
    LEGEND_TITLE,
    edge_lines,
    legend_lines,
    namespace_title,
    node_lines,
    paired_edges,
    unnamespaced_groups,
)

__all__ = ["render_mermaid", "mermaid_ids", "mermaid_label"]

_PREFIX = {
    NodeKind.ENDPOINT: "n_",
    NodeKind.CLASS: "c_",
    NodeKind.EXTERNAL: "x_",
    NodeKind.POLICY: "p_",
}
_ENTITIES = {"#": "#35;", '"': "#quot;", "<": "#lt;", ">": "#gt;", "&": "#amp;", "`": "#96;"}
_ISOLATED = "stroke:#ff0000,stroke-width:2px"
_EGRESS_ONLY = "stroke:#ff0000,stroke-width:2px,stroke-dasharray:5 3"
_POLICY = "fill:#fff8dc,stroke:#b8860b"
_DENIED_LINK = "stroke:#d00000,color:#d00000"
_SELECTS_LINK = "stroke:#888888"
_LEGEND = "fill:#ffffff,stroke:#cccccc,text-align:left"


def _safe(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "_", text).strip("_") or "x"


def mermaid_label(lines: Iterable[str]) -> str:
    """Quoted label text: entity codes for special characters, `<br>` between lines."""
    escaped = ("".join(_ENTITIES.get(ch, ch) for ch in line) for line in lines)
    return '"' + "<br>".join(escaped) + '"'


def mermaid_ids(graph: Graph) -> dict[str, str]:
    """A unique, valid Mermaid id for every node key (stable for a given graph)."""
    ids: dict[str, str] = {}
    used: set[str] = set()
    for node in graph.nodes:
        base = _PREFIX[node.kind] + _safe(node.key.partition(":")[2] or node.key)
        ident, n = base, 2
        while ident in used:
            ident, n = f"{base}_{n}", n + 1
        used.add(ident)
        ids[node.key] = ident
    return ids


def _shape(node: Node) -> str:
    label = mermaid_label(node_lines(node))
    match node.kind:
        case NodeKind.ENDPOINT:
            return f"[{label}]"
        case NodeKind.CLASS:
            return f"[[{label}]]"
        case NodeKind.EXTERNAL:
            return f"([{label}])"
        case NodeKind.POLICY:
            return f"{{{{{label}}}}}"
    raise AssertionError(node.kind)  # pragma: no cover


def render_mermaid(graph: Graph) -> str:
    ids = mermaid_ids(graph)
    out = ["graph TD"]
    groups: list[tuple[str, str, list[Node]]] = [
        (f"ns_{_safe(ns)}", namespace_title(ns), [n for n in graph.nodes if n.namespace == ns])
        for ns in graph.namespaces
    ]
    groups += unnamespaced_groups(graph)
    for ident, title, nodes in groups:
        out.append(f"  subgraph {ident}[{mermaid_label([title])}]")
        out += [f"    {ids[n.key]}{_shape(n)}" for n in nodes]
        out.append("  end")
    out.append(f"  subgraph legend[{mermaid_label([LEGEND_TITLE])}]")
    out.append(f"    legend_text[{mermaid_label(legend_lines(graph))}]")
    out.append("  end")
    out.append(f"  style legend_text {_LEGEND}")
    denied: list[str] = []
    selects: list[str] = []
    for i, (edge, both) in enumerate(paired_edges(graph)):
        arrow = ("<-->" if both else "-->") if edge.kind is EdgeKind.ALLOWED else "-.->"
        label = mermaid_label(edge_lines(edge, graph))
        out.append(f"  {ids[edge.source]} {arrow}|{label}| {ids[edge.target]}")
        if edge.kind is EdgeKind.DENIED:
            denied.append(str(i))
        elif edge.kind is EdgeKind.SELECTS:
            selects.append(str(i))
    for node in graph.nodes:
        if Direction.INGRESS in node.isolated:
            out.append(f"  style {ids[node.key]} {_ISOLATED}")
        elif Direction.EGRESS in node.isolated:
            out.append(f"  style {ids[node.key]} {_EGRESS_ONLY}")
        elif node.kind is NodeKind.POLICY:
            out.append(f"  style {ids[node.key]} {_POLICY}")
    if denied:
        out.append(f"  linkStyle {','.join(denied)} {_DENIED_LINK}")
    if selects:
        out.append(f"  linkStyle {','.join(selects)} {_SELECTS_LINK}")
    return "\n".join(out) + "\n"

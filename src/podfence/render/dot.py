"""A graph as Graphviz DOT text: namespaces as clusters, denied edges dashed red."""

from __future__ import annotations

from collections.abc import Iterable

from podfence.analysis.graph import Edge, EdgeKind, Graph, Node, NodeKind
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

__all__ = ["render_dot", "dot_quote"]

_SHAPE = {
    NodeKind.ENDPOINT: 'shape=box, style="rounded"',
    NodeKind.CLASS: 'shape=box3d, style="rounded"',
    NodeKind.EXTERNAL: 'shape=ellipse, style="filled", fillcolor="#eef3ff"',
    NodeKind.POLICY: 'shape=hexagon, style="filled,dashed", fillcolor="#fff8dc", color="#b8860b"',
}


def dot_quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _lines(lines: Iterable[str]) -> str:
    return dot_quote("\n".join(lines))


def _node(node: Node) -> str:
    attrs = [f"label={_lines(node_lines(node))}", _SHAPE[node.kind]]
    if Direction.INGRESS in node.isolated:
        attrs.append('color="#ff0000", penwidth=2')
    elif Direction.EGRESS in node.isolated:
        attrs.append('color="#ff0000", penwidth=2, style="rounded,dashed"')
    return f"{dot_quote(node.key)} [{', '.join(attrs)}];"


def _edge(edge: Edge, graph: Graph, both: bool) -> str:
    attrs = [f"label={_lines(edge_lines(edge, graph))}"]
    if both:
        attrs.append("dir=both")
    if edge.kind is EdgeKind.DENIED:
        attrs.append('style=dashed, color="#d00000", fontcolor="#d00000"')
    elif edge.kind is EdgeKind.SELECTS:
        attrs.append('style=dotted, color="#888888", fontcolor="#666666", arrowhead=open')
    return f"  {dot_quote(edge.source)} -> {dot_quote(edge.target)} [{', '.join(attrs)}];"


def render_dot(graph: Graph) -> str:
    out = [
        "digraph podfence {",
        '  graph [rankdir=TB, newrank=true, fontname="Helvetica", fontsize=11];',
        '  node [fontname="Helvetica", fontsize=11];',
        '  edge [fontname="Helvetica", fontsize=9];',
    ]
    groups = [
        (ns, namespace_title(ns), [n for n in graph.nodes if n.namespace == ns])
        for ns in graph.namespaces
    ]
    groups += unnamespaced_groups(graph)
    for i, (_, title, nodes) in enumerate(groups):
        out.append(f"  subgraph cluster_{i} {{")
        out.append(f'    label={dot_quote(title)}; style="rounded"; color="#999999";')
        out += [f"    {_node(n)}" for n in nodes]
        out.append("  }")
    out.append(f"  subgraph cluster_{len(groups)} {{")
    out.append(f'    label={dot_quote(LEGEND_TITLE)}; style="rounded"; color="#cccccc";')
    legend = "\\l".join(
        line.replace("\\", "\\\\").replace('"', '\\"') for line in legend_lines(graph)
    )
    out.append(f'    "~legend" [shape=plaintext, label="{legend}\\l"];')
    out.append("  }")
    out += [_edge(e, graph, both) for e, both in paired_edges(graph)]
    out.append("}")
    return "\n".join(out) + "\n"

"""The words on a graph's nodes and edges, shared by the Mermaid, DOT and SVG renderers."""

from __future__ import annotations

from podfence.analysis.graph import Edge, EdgeKind, Graph, Node, NodeKind
from podfence.model import Direction
from podfence.render.portset import probes_phrase

__all__ = ["edge_lines", "node_lines", "namespace_title", "paired_edges", "OUTSIDE_TITLE"]

OUTSIDE_TITLE = "outside the cluster"


def namespace_title(namespace: str) -> str:
    return f"namespace {namespace}"


def node_lines(node: Node) -> list[str]:
    if node.kind is NodeKind.CLASS and len(node.members) <= 4:
        names = ", ".join(m.partition("/")[2] for m in node.members)
        return [node.label, names]
    return [node.label]


def edge_lines(edge: Edge, graph: Graph) -> list[str]:
    match edge.kind:
        case EdgeKind.ALLOWED:
            lines = [probes_phrase(edge.ports, graph.probes)]
            if edge.via:
                word = "rule" if len(edge.via) == 1 else "rules"
                lines.append(f"by {word} {', '.join(edge.via)}")
            return lines
        case EdgeKind.DENIED:
            if edge.denied_via:
                return [f"Blocked by {', '.join(edge.denied_via)}"]
            if edge.denied_by == {Direction.EGRESS}:
                return ["Blocked (egress default deny)"]
            return ["Blocked (default deny)"]
        case EdgeKind.SELECTS:
            return ["Selects"]
    raise AssertionError(edge.kind)  # pragma: no cover


def paired_edges(graph: Graph) -> list[tuple[Edge, bool]]:
    """The edges to draw: an allowed edge whose reverse says the same is drawn once, with
    arrows at both ends (`True`)."""
    words = {
        (e.source, e.target): edge_lines(e, graph)
        for e in graph.edges
        if e.kind is EdgeKind.ALLOWED
    }
    out: list[tuple[Edge, bool]] = []
    done: set[tuple[str, str]] = set()
    for e in graph.edges:
        key = (e.source, e.target)
        if e.kind is not EdgeKind.ALLOWED or e.source == e.target:
            out.append((e, False))
            continue
        if key in done:
            continue
        both = words.get((e.target, e.source)) == words[key]
        if both:
            done.add((e.target, e.source))
        out.append((e, both))
    return out

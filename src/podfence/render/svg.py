"""A graph as a small self-made SVG (for the report when Graphviz is not installed).

Layout: one column per namespace (and one for addresses outside the cluster), nodes stacked
in each; edges are curves bending to the side so that A->B and B->A do not overlap.
"""

from __future__ import annotations

import math
from html import escape

from podfence.analysis.graph import EdgeKind, Graph, Node, NodeKind
from podfence.model import Direction
from podfence.render.graph_text import (
    edge_lines,
    namespace_title,
    node_lines,
    paired_edges,
    unnamespaced_groups,
)

__all__ = ["render_svg"]

_W, _H = 190, 46
_COL, _ROW = 300, 110
_TOP, _LEFT = 60, 40
_BEND = 36

_EDGE_STYLE = {
    EdgeKind.ALLOWED: 'stroke="#2e7d32" stroke-width="1.4"',
    EdgeKind.DENIED: 'stroke="#d00000" stroke-width="1.4" stroke-dasharray="6 4"',
    EdgeKind.SELECTS: 'stroke="#888888" stroke-width="1.2" stroke-dasharray="2 3"',
}
_MARKER = {EdgeKind.ALLOWED: "ok", EdgeKind.DENIED: "no", EdgeKind.SELECTS: "sel"}
_LABEL_COLOR = {EdgeKind.ALLOWED: "#1b5e20", EdgeKind.DENIED: "#b00000", EdgeKind.SELECTS: "#555"}


def _text(x: float, y: float, lines: list[str], size: int, color: str, weight: str = "") -> str:
    attrs = f'x="{x:.0f}" text-anchor="middle" font-size="{size}" fill="{color}"'
    if weight:
        attrs += f' font-weight="{weight}"'
    first = y - (len(lines) - 1) * (size + 2) / 2
    spans = "".join(
        f'<tspan x="{x:.0f}" y="{first + i * (size + 2):.0f}">{escape(t)}</tspan>'
        for i, t in enumerate(lines)
    )
    return f'<text {attrs} dominant-baseline="middle">{spans}</text>'


def _node(node: Node, x: float, y: float) -> str:
    fill, stroke, extra = "#ffffff", "#555555", ""
    if node.kind is NodeKind.POLICY:
        fill, stroke, extra = "#fff8dc", "#b8860b", ' stroke-dasharray="4 3"'
    elif node.kind is NodeKind.EXTERNAL:
        fill = "#eef3ff"
    if Direction.INGRESS in node.isolated:
        stroke, extra = "#ff0000", ' stroke-width="2.5"'
    elif Direction.EGRESS in node.isolated:
        stroke, extra = "#ff0000", ' stroke-width="2.5" stroke-dasharray="6 3"'
    rx = 22 if node.kind is NodeKind.EXTERNAL else 8
    rect = (
        f'<rect x="{x - _W / 2:.0f}" y="{y - _H / 2:.0f}" width="{_W}" height="{_H}" rx="{rx}" '
        f'fill="{fill}" stroke="{stroke}"{extra}/>'
    )
    label = _text(x, y, node_lines(node), 12, "#222")
    return f'<g class="node" data-key="{escape(node.key)}">{rect}{label}</g>'


def _clip(x1: float, y1: float, x2: float, y2: float) -> tuple[float, float]:
    """Where the segment from the box centred at (x1, y1) towards (x2, y2) leaves the box."""
    dx, dy = x2 - x1, y2 - y1
    if dx == 0 and dy == 0:
        return x1, y1
    scale = min(
        (_W / 2 + 4) / abs(dx) if dx else math.inf, (_H / 2 + 4) / abs(dy) if dy else math.inf
    )
    return x1 + dx * scale, y1 + dy * scale


def render_svg(graph: Graph) -> str:
    groups: list[tuple[str, list[Node]]] = [
        (namespace_title(ns), [n for n in graph.nodes if n.namespace == ns])
        for ns in graph.namespaces
    ]
    groups += [(title, nodes) for _, title, nodes in unnamespaced_groups(graph)]
    pos: dict[str, tuple[float, float]] = {}
    parts: list[str] = []
    rows = max((len(nodes) for _, nodes in groups), default=1)
    width = _LEFT * 2 + _COL * max(len(groups), 1)
    height = _TOP + rows * _ROW + 30
    for i, (title, nodes) in enumerate(groups):
        cx = _LEFT + _COL * i + _COL / 2
        parts.append(
            f'<rect x="{cx - _COL / 2 + 12:.0f}" y="18" width="{_COL - 24}" '
            f'height="{height - 30}" rx="12" fill="#f7f7f9" stroke="#c8c8d0"/>'
        )
        parts.append(_text(cx, 36, [title], 13, "#333", "bold"))
        for j, node in enumerate(nodes):
            pos[node.key] = (cx, _TOP + _ROW * j + _ROW / 2)
    for edge, both in paired_edges(graph):
        (x1, y1), (x2, y2) = pos[edge.source], pos[edge.target]
        if edge.source == edge.target:
            path = f"M{x1 + _W / 2:.0f},{y1 - 8:.0f} c50,-40 50,56 0,16"
            lx, ly = x1 + _W / 2 + 48, y1
        else:
            dx, dy = x2 - x1, y2 - y1
            length = math.hypot(dx, dy)
            bend = 0 if both else _BEND
            mx, my = (x1 + x2) / 2 - dy / length * bend, (y1 + y2) / 2 + dx / length * bend
            sx, sy = _clip(x1, y1, mx, my)
            ex, ey = _clip(x2, y2, mx, my)
            path = f"M{sx:.0f},{sy:.0f} Q{mx:.0f},{my:.0f} {ex:.0f},{ey:.0f}"
            lx, ly = (sx + 2 * mx + ex) / 4, (sy + 2 * my + ey) / 4
        style = _EDGE_STYLE[edge.kind]
        marker = _MARKER[edge.kind]
        start = f' marker-start="url(#{marker})"' if both else ""
        parts.append(f'<path d="{path}" fill="none" {style} marker-end="url(#{marker})"{start}/>')
        lines = edge_lines(edge, graph)
        parts.append(_text(lx, ly, lines, 10, _LABEL_COLOR[edge.kind]))
    defs = "".join(
        f'<marker id="{m}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" '
        f'markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" '
        f'fill="{c}"/></marker>'
        for m, c in (("ok", "#2e7d32"), ("no", "#d00000"), ("sel", "#888888"))
    )
    body = "".join(parts)
    # draw nodes last so they sit on top of the edges
    body += "".join(_node(n, *pos[n.key]) for _, nodes in groups for n in nodes)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" font-family="Helvetica, Arial, sans-serif" '
        f'role="img"><defs>{defs}</defs>{body}</svg>'
    )

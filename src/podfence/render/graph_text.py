"""The words on a graph's nodes and edges, shared by the Mermaid, DOT and SVG renderers."""

from __future__ import annotations

import functools

from podfence.analysis.graph import Edge, EdgeKind, Graph, Node, NodeKind
from podfence.analysis.samples import PortSpan
from podfence.model import Direction
from podfence.render.portset import probes_phrase

__all__ = [
    "edge_lines",
    "legend_lines",
    "node_lines",
    "namespace_title",
    "paired_edges",
    "LEGEND_TITLE",
    "OUTSIDE_TITLE",
    "CLUSTER_SCOPED_TITLE",
    "unnamespaced_groups",
]

OUTSIDE_TITLE = "outside the cluster"
CLUSTER_SCOPED_TITLE = "cluster-scoped: ClusterNetworkPolicies"
LEGEND_TITLE = "legend"
_MAX_NAMED = 2
"""Policies named on a denied edge before `+N more`."""


def legend_lines(graph: Graph) -> list[str]:
    """What the shapes, colours and labels mean (and how the graph was drawn)."""
    lines = []
    if graph.collapsed:
        lines += [
            f"{graph.pods} pods, drawn as classes: a double box is a class of pods no policy",
            "tells apart (podfence graph --collapse 0 draws every pod)",
        ]
    else:
        lines += ["box: a pod or workload; double box: look-alike pods merged"]
    lines += [
        "arrow: allowed, labelled with every allowed port (both ends: both ways alike)",
        "red border: isolated for ingress (dashed: for egress only)",
    ]
    if any(n.kind is NodeKind.EXTERNAL for n in graph.nodes):
        lines.append("oval: addresses outside the cluster (an ipBlock)")
    if any(e.kind is EdgeKind.DENIED for e in graph.edges):
        lines.append("dashed red arrow: denied, and by which policies")
    if any(e.kind is EdgeKind.SELECTS for e in graph.edges):
        lines.append("hexagon: a NetworkPolicy, dotted to the pods it selects")
        if any(n.kind is NodeKind.POLICY and n.namespace is None for n in graph.nodes):
            lines.append("a ClusterNetworkPolicy hexagon names its tier and priority")
    return lines


def unnamespaced_groups(graph: Graph) -> list[tuple[str, str, list[Node]]]:
    """(tag, title, nodes) of the nodes in no namespace: addresses outside the cluster, and
    the ClusterNetworkPolicies (cluster-scoped), each group when it has any."""
    outside = [n for n in graph.nodes if n.namespace is None and n.kind is not NodeKind.POLICY]
    scoped = [n for n in graph.nodes if n.namespace is None and n.kind is NodeKind.POLICY]
    groups = []
    if outside:
        groups.append(("outside", OUTSIDE_TITLE, outside))
    if scoped:
        groups.append(("cluster_scoped", CLUSTER_SCOPED_TITLE, scoped))
    return groups


@functools.lru_cache(maxsize=4096)
def _phrase(ports: tuple[PortSpan, ...], probes: tuple[PortSpan, ...]) -> str:
    """`probes_phrase`, once per set of ports (a large graph repeats a few of them)."""
    return probes_phrase(ports, probes)


def _denied(edge: Edge) -> str:
    sides = " and ".join(d.value.lower() for d in Direction if d in edge.denied_by)
    named = list(edge.isolated_by[:_MAX_NAMED])
    if len(edge.isolated_by) > _MAX_NAMED:
        named.append(f"+{len(edge.isolated_by) - _MAX_NAMED} more")
    who = ", ".join(named)
    if not who:
        return f"Blocked ({sides})"
    if edge.deny_only:
        return f"Blocked ({sides}): {who} denies all"
    return f"Blocked ({sides}): isolated by {who}, no rule allows it"


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
            lines = [_phrase(edge.ports, graph.probes)]
            if edge.via:
                word = "rule" if len(edge.via) == 1 else "rules"
                lines.append(f"by {word} {', '.join(edge.via)}")
            return lines
        case EdgeKind.DENIED:
            if edge.denied_via:
                return [f"Blocked by {', '.join(edge.denied_via)}"]
            return [_denied(edge)]
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

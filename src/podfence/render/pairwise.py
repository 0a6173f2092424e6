"""The matrix with tiers (per-pair engine, one group per endpoint), in the same shapes as the
grouped views: text for people, data for `-o json|yaml` (see render.grouped's contracts)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from podfence.analysis.grouped import ports_text
from podfence.analysis.tier_matrix import PairGroup, PairwiseMatrix, PairwisePorts
from podfence.model import Protocol
from podfence.render.portset import probes_phrase, span_ranges

__all__ = [
    "pairwise_data",
    "pairwise_entries",
    "pairwise_items",
    "pairwise_ports_data",
    "render_pairwise",
    "render_pairwise_ports",
]


def _group_data(group: PairGroup) -> dict[str, Any]:
    ep = group.endpoint
    return {
        "id": group.id,
        "namespace": ep.namespace,
        "namespaces": [ep.namespace],
        "selector": ep.id,
        "size": 1,
        "members": [ep.id],
    }


def pairwise_data(result: PairwiseMatrix) -> dict[str, Any]:
    return {
        "groups": [_group_data(g) for g in result.groups],
        "matrices": [
            {"port": p.port, "protocol": p.protocol.value, "allowed": [list(r) for r in grid]}
            for p, grid in zip(result.ports, result.allowed, strict=True)
        ],
    }


def pairwise_items(result: PairwiseMatrix) -> list[dict[str, Any]]:
    """The GROUP items of the grouped document (render.grouped_stream): one per endpoint."""
    return [_group_data(g) for g in result.groups]


def pairwise_entries(result: PairwiseMatrix) -> Iterator[tuple[int, int, str, list[Any]]]:
    """The `allowed` entries of the grouped document: each pair with an asked port allowed."""
    n = len(result.groups)
    for i in range(n):
        for j in range(n):
            chosen = [p for p, grid in zip(result.ports, result.allowed, strict=True) if grid[i][j]]
            if chosen:
                text, ranges = ports_text(chosen)
                yield i, j, text, ranges


def pairwise_ports_data(result: PairwisePorts) -> dict[str, Any]:
    allowed = []
    for source, destination, spans in result.allowed:
        ranges = [
            {"protocol": protocol.value, "first": r.first, "last": r.last}
            for protocol in Protocol
            for r in span_ranges(s for s in spans if s.protocol is protocol)
        ]
        allowed.append(
            {
                "from": source,
                "to": destination,
                "ports": probes_phrase(spans, result.probes),
                "ranges": ranges,
            }
        )
    return {
        "format": "grouped-all-ports",
        "groups": [_group_data(g) for g in result.groups],
        "allowed": allowed,
    }


def _legend(groups: tuple[PairGroup, ...]) -> list[str]:
    lines = ["groups (one per endpoint: the per-pair engine does not group):"]
    lines += [f"  [{g.id}] {g.label}" for g in groups]
    return lines


def render_pairwise(result: PairwiseMatrix) -> str:
    out = _legend(result.groups)
    ids = [str(g.id) for g in result.groups]
    width = max((len(i) for i in ids), default=1) + 3
    for port, grid in zip(result.ports, result.allowed, strict=True):
        out.append("")
        out.append(f"{port.port}/{port.protocol}  (row: source group, column: destination group)")
        out.append(" " * (width + 2) + " ".join(ids))
        for i, row in enumerate(grid):
            cells = " ".join(("." if ok else "X").rjust(len(ids[j])) for j, ok in enumerate(row))
            out.append(f"  {('[' + ids[i] + ']').ljust(width)}{cells}")
        out.append("  . allowed   X denied")
    return "\n".join(out) + "\n"


def render_pairwise_ports(result: PairwisePorts) -> str:
    out = _legend(result.groups)
    out.append("")
    out.append("allowed (source group -> destination group: ports):")
    for source, destination, spans in result.allowed:
        out.append(f"  [{source}] -> [{destination}]: {probes_phrase(spans, result.probes)}")
    if not result.allowed:
        out.append("  nothing")
    return "\n".join(out) + "\n"

"""Grouped results (endpoint classes) as text for people and as data for `-o json|yaml`.

Data contracts:
- per port: `{"groups": [GROUP...], "matrices": [{"port", "protocol", "allowed": [[bool]]}]}`
  where `allowed[i][j]` says whether a member of groups[i] may reach a member of groups[j]
  (two different pods; a pod may always reach itself);
- all ports: `{"groups": [GROUP...], "allowed": [{"from", "to", "ports", "ranges"}]}` with
  one entry per pair of groups with anything allowed: `ports` as text (`TCP 80,8080-8090;
  UDP 53`, `TCP all`, `all`) and `ranges` as `[{"protocol", "first", "last"}]`;
- GROUP: `{"id", "namespace" (null when several), "namespaces", "selector", "size",
  "members"}`; ids are the positions in `groups`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from podfence.engine.classes.groups import EndpointClass, GroupedMatrix, GroupedPorts
from podfence.model import ProtocolPort

__all__ = [
    "group_label",
    "render_grouped_pairs",
    "grouped_data",
    "grouped_ports_data",
    "render_grouped",
    "render_grouped_ports",
    "MAX_GRID",
]

MAX_GRID = 60
"""Above this many groups, per-port text lists allowed pairs instead of drawing a grid."""


def group_label(group: EndpointClass) -> str:
    """`ns shop, app=web (12 pods)`."""
    n = len(group.members)
    return f"{group.selector} ({n} pod{'s' if n != 1 else ''})"


def _group_data(group: EndpointClass) -> dict[str, Any]:
    return {
        "id": group.id,
        "namespace": group.namespace,
        "namespaces": list(group.namespaces),
        "selector": group.selector,
        "size": len(group.members),
        "members": list(group.members),
    }


def grouped_data(result: GroupedMatrix) -> dict[str, Any]:
    return {
        "groups": [_group_data(g) for g in result.groups],
        "matrices": [
            {
                "port": pm.port,
                "protocol": pm.protocol.value,
                "allowed": pm.allowed.tolist(),
            }
            for pm in result.matrices
        ],
    }


def grouped_ports_data(result: GroupedPorts) -> dict[str, Any]:
    allowed = []
    texts: dict[int, tuple[str, list[dict[str, Any]]]] = {}
    for pair in result.pairs():
        found = texts.get(pair.mask)
        if found is None:
            spans = [
                {"protocol": p.value, "first": lo, "last": hi}
                for p, lo, hi in result.atoms.spans(pair.mask)
            ]
            found = texts[pair.mask] = (result.describe(pair.mask), spans)
        allowed.append(
            {"from": pair.source, "to": pair.destination, "ports": found[0], "ranges": found[1]}
        )
    return {"groups": [_group_data(g) for g in result.groups], "allowed": allowed}


def _legend(groups: tuple[EndpointClass, ...]) -> list[str]:
    lines = ["groups (endpoints that no policy tells apart; a pod may always reach itself):"]
    lines += [f"  [{g.id}] {group_label(g)}" for g in groups]
    return lines


def render_grouped(result: GroupedMatrix) -> str:
    out = _legend(result.groups)
    ids = [str(g.id) for g in result.groups]
    width = max((len(i) for i in ids), default=1) + 3
    for pm in result.matrices:
        out.append("")
        out.append(f"{pm.port}/{pm.protocol}  (row: source group, column: destination group)")
        if len(result.groups) > MAX_GRID:
            for i, row in enumerate(pm.allowed.tolist()):
                targets = [ids[j] for j, ok in enumerate(row) if ok]
                if targets:
                    out.append(f"  [{ids[i]}] -> " + ", ".join(f"[{t}]" for t in targets))
            continue
        out.append(" " * (width + 2) + " ".join(ids))
        for i, row in enumerate(pm.allowed.tolist()):
            cells = " ".join(("." if ok else "X").rjust(len(ids[j])) for j, ok in enumerate(row))
            out.append(f"  {('[' + ids[i] + ']').ljust(width)}{cells}")
        out.append("  . allowed   X denied")
    return "\n".join(out) + "\n"


def render_grouped_ports(result: GroupedPorts) -> str:
    out = _legend(result.groups)
    out.append("")
    out.append("allowed (source group -> destination group: ports):")
    count = 0
    for pair in result.pairs():
        count += 1
        out.append(f"  [{pair.source}] -> [{pair.destination}]: {result.describe(pair.mask)}")
    if not count:
        out.append("  nothing")
    return "\n".join(out) + "\n"


def render_grouped_pairs(
    groups: tuple[EndpointClass, ...],
    ports: Sequence[ProtocolPort],
    entries: Iterable[tuple[int, int, str, object]],
) -> Iterator[str]:
    """The grouped view of many groups, chunk by chunk: the legend, then per source group
    the groups it reaches and on which of the asked ports (sparse: what is allowed only)."""
    yield "\n".join(_legend(groups)) + "\n\n"
    asked = ", ".join(str(p) for p in ports)
    yield f"allowed on {asked} (source group -> destination group: ports):\n"
    count = 0
    for source, destination, text, _ in entries:
        count += 1
        yield f"  [{source}] -> [{destination}]: {text}\n"
    if not count:
        yield "  nothing\n"

"""Allowed pairs of groups (classes of endpoints), sparse: what grouped output is made of.

Read block by block from the class engine (`GroupedPorts.pairs`), never as a groups x groups
table: an entry per pair of groups with something allowed, on the ports asked (or on every
port), with those ports as text and as ranges.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from podfence.engine.classes import ClassEngine
from podfence.model import Protocol, ProtocolPort

__all__ = ["allowed_entries", "ports_text"]

Entry = tuple[int, int, str, list[dict[str, Any]]]


def ports_text(ports: Sequence[ProtocolPort]) -> tuple[str, list[dict[str, Any]]]:
    """(`TCP 80,8080-8081; UDP 53`, ranges) of single ports, merged into ranges."""
    parts: list[str] = []
    ranges: list[dict[str, Any]] = []
    for protocol in Protocol:
        numbers = sorted({p.port for p in ports if p.protocol is protocol})
        spans: list[list[int]] = []
        for n in numbers:
            if spans and spans[-1][1] == n - 1:
                spans[-1][1] = n
            else:
                spans.append([n, n])
        if spans:
            text = ",".join(f"{a}" if a == b else f"{a}-{b}" for a, b in spans)
            parts.append(f"{protocol.value} {text}")
            ranges += [{"protocol": protocol.value, "first": a, "last": b} for a, b in spans]
    return "; ".join(parts), ranges


def allowed_entries(
    engine: ClassEngine, ports: Sequence[ProtocolPort] | None = None
) -> Iterator[Entry]:
    """(from, to, ports as text, ranges) for each pair of groups with something allowed on
    `ports` (None: on any port), by source group then destination group."""
    result = engine.grouped_ports()
    atoms = result.atoms
    if ports is None:
        by_mask: dict[int, tuple[str, list[dict[str, Any]]]] = {}
        for pair in result.pairs():
            found = by_mask.get(pair.mask)
            if found is None:
                spans = [
                    {"protocol": p.value, "first": lo, "last": hi}
                    for p, lo, hi in atoms.spans(pair.mask)
                ]
                found = by_mask[pair.mask] = (atoms.describe(pair.mask), spans)
            yield pair.source, pair.destination, found[0], found[1]
        return
    bits = [atoms.atom(p.port, p.protocol) for p in ports]
    wanted = sum(1 << b for b in set(bits))
    by_chosen: dict[int, tuple[str, list[dict[str, Any]]]] = {}
    for pair in result.pairs():
        hit = pair.mask & wanted
        if not hit:
            continue
        found = by_chosen.get(hit)
        if found is None:
            chosen = [p for p, b in zip(ports, bits, strict=True) if hit >> b & 1]
            found = by_chosen[hit] = ports_text(chosen)
        yield pair.source, pair.destination, found[0], found[1]

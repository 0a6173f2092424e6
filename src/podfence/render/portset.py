"""A set of port probes said shortly: `TCP 53; UDP 53`, `all ports`, `TCP all but 5432`."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from podfence.analysis.probes import PortProbe
from podfence.model import PortRange, Protocol

__all__ = ["probes_phrase", "merge_ranges"]

_EVERY = PortRange(1, 65535)


def _ranges_text(ranges: Sequence[PortRange]) -> str:
    return ", ".join(str(r) for r in ranges)


def merge_ranges(probes: Iterable[PortProbe]) -> list[PortRange]:
    merged: list[PortRange] = []
    for p in sorted(probes, key=lambda q: q.sort_key):
        if merged and merged[-1].last + 1 == p.ports.first:
            merged[-1] = PortRange(merged[-1].first, p.ports.last)
        else:
            merged.append(p.ports)
    return merged


def probes_phrase(allowed: Iterable[PortProbe], universe: Sequence[PortProbe]) -> str:
    """`TCP 53; UDP 53`, `all ports`, `TCP all but 5432`: a set of probes said shortly."""
    chosen = set(allowed)
    protocols = sorted({p.protocol for p in universe}, key=list(Protocol).index)
    whole = {
        protocol: merge_ranges(p for p in universe if p.protocol is protocol) == [_EVERY]
        for protocol in protocols
    }
    if chosen >= set(universe) and len(protocols) == len(Protocol) and all(whole.values()):
        return "all ports"
    parts: list[str] = []
    for protocol in protocols:
        mine = [p for p in chosen if p.protocol is protocol]
        if not mine:
            continue
        every = [p for p in universe if p.protocol is protocol]
        if len(mine) == len(every) and whole[protocol]:
            parts.append(f"{protocol} all")
            continue
        if not whole[protocol]:
            parts.append(f"{protocol} {_ranges_text(merge_ranges(mine))}")
            continue
        yes = merge_ranges(mine)
        no = merge_ranges(p for p in every if p not in chosen)
        if len(no) < len(yes) or (
            len(no) == len(yes) and len(_ranges_text(no)) < len(_ranges_text(yes))
        ):
            parts.append(f"{protocol} all but {_ranges_text(no)}")
        else:
            parts.append(f"{protocol} {_ranges_text(yes)}")
    return "; ".join(parts)

"""A set of port spans said shortly: `TCP 53; UDP 53`, `all ports`, `TCP all but 5432`."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from podfence.analysis.samples import PortSpan
from podfence.model import IntervalSet, PortRange, Protocol

__all__ = ["probes_phrase", "span_ranges"]

_EVERY = PortRange(1, 65535)


def _ranges_text(ranges: Sequence[PortRange]) -> str:
    return ", ".join(str(r) for r in ranges)


def span_ranges(spans: Iterable[PortSpan]) -> list[PortRange]:
    """The ports of `spans` (of one protocol) as the fewest ranges."""
    merged = IntervalSet.of((s.ports.first, s.ports.last) for s in spans)
    return [PortRange(first, last) for first, last in merged]


def probes_phrase(allowed: Iterable[PortSpan], universe: Sequence[PortSpan]) -> str:
    """`TCP 53; UDP 53`, `all ports`, `TCP all but 5432`: a set of probes said shortly."""
    chosen = set(allowed)
    protocols = sorted({p.protocol for p in universe}, key=list(Protocol).index)
    whole = {
        protocol: span_ranges(p for p in universe if p.protocol is protocol) == [_EVERY]
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
            parts.append(f"{protocol} {_ranges_text(span_ranges(mine))}")
            continue
        yes = span_ranges(mine)
        no = span_ranges(p for p in every if p not in chosen)
        if len(no) < len(yes) or (
            len(no) == len(yes) and len(_ranges_text(no)) < len(_ranges_text(yes))
        ):
            parts.append(f"{protocol} all but {_ranges_text(no)}")
        else:
            parts.append(f"{protocol} {_ranges_text(yes)}")
    return "; ".join(parts)

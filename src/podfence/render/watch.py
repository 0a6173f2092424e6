"""A watch round as text: the round's summary line and one line per changed pair."""

from __future__ import annotations

from collections.abc import Sequence

from podfence.analysis.snapshots import PairChange
from podfence.analysis.watch import WatchRound
from podfence.render.words import count

__all__ = ["MAX_LINES", "render_round"]

MAX_LINES = 50
"""Changed pairs printed per round (then a count of the rest)."""


def _who(ids: Sequence[str], label: str) -> str:
    if len(ids) <= 3:
        return ", ".join(ids)
    return f"{label} ({len(ids)} pods)"


def _line(change: PairChange) -> str:
    sign = "+" if change.allowed else "-"
    src = _who(change.sources, change.source_label)
    dst = _who(change.destinations, change.destination_label)
    return f"  {sign} {change.port}  {src} -> {dst}"


def render_round(
    result: WatchRound, *, clock: str, took_ms: float, max_lines: int = MAX_LINES
) -> list[str]:
    """`clock`: the time of day to stamp the round with; `took_ms`: how long it took."""
    objects = "? objects" if result.objects is None else count(result.objects, "object")
    how = "incrementally" if result.incremental else "from scratch"
    lines = [
        f"{clock} {objects} changed, analysed {how} in {took_ms:.0f} ms: "
        f"{count(len(result.changes), 'change')} in allowed pairs"
    ]
    lines += [_line(c) for c in result.changes[:max_lines]]
    if len(result.changes) > max_lines:
        lines.append(f"  ... and {len(result.changes) - max_lines} more")
    return lines

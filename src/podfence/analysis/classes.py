"""Endpoints that look alike: identical rows and columns of the connectivity matrix.

Two endpoints a and b are alike when, for every other party x, a and b reach x on the same
ports and x reaches a and b on the same ports, and a reaches b exactly as b reaches a.
A class only takes an endpoint alike to all its members (and reaching them as they reach
each other), so any member stands for the class in every edge.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Hashable, Sequence

from podfence.analysis.samples import PortSpan

__all__ = ["Conn", "Classes", "merge_classes"]

Conn = dict[tuple[str, str], frozenset[PortSpan]]
"""(source, destination) -> the probes on which the connection is allowed."""

Classes = list[tuple[str, ...]]

_NONE: frozenset[PortSpan] = frozenset()


def _alike(a: str, b: str, conn: Conn, others: Sequence[str]) -> bool:
    if conn.get((a, b), _NONE) != conn.get((b, a), _NONE):
        return False
    for x in others:
        if x in (a, b):
            continue
        if conn.get((a, x), _NONE) != conn.get((b, x), _NONE):
            return False
        if conn.get((x, a), _NONE) != conn.get((x, b), _NONE):
            return False
    return True


def merge_classes(
    ids: Sequence[str],
    conn: Conn,
    *,
    group: Callable[[str], Hashable],
    others: Sequence[str],
) -> Classes:
    """Partition `ids` (in order) into classes of alike endpoints with equal `group(id)`.

    `others` are all the parties of the matrix (ids included).
    """

    def signature(i: str) -> Hashable:
        row = Counter(conn.get((i, x), _NONE) for x in others if x != i)
        col = Counter(conn.get((x, i), _NONE) for x in others if x != i)
        return (group(i), frozenset(row.items()), frozenset(col.items()))

    buckets: dict[Hashable, list[list[str]]] = {}
    order: list[list[str]] = []
    for i in ids:
        candidates = buckets.setdefault(signature(i), [])
        for members in candidates:
            inner = conn.get((members[0], members[1]), _NONE) if len(members) > 1 else None
            if all(
                _alike(m, i, conn, others) and (inner is None or conn.get((m, i), _NONE) == inner)
                for m in members
            ):
                members.append(i)
                break
        else:
            fresh = [i]
            candidates.append(fresh)
            order.append(fresh)
    return [tuple(members) for members in order]

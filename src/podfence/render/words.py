"""Counting words for people: `1 policy`, `2 policies`, `0 warnings`, never `1 policies`."""

from __future__ import annotations

__all__ = ["count", "plural"]

_UNCHANGED = frozenset({"info"})


def plural(n: int, singular: str, many: str | None = None) -> str:
    """`singular` for exactly one, else `many` (default: the regular English plural of the
    last word: `policy` -> `policies`, `class` -> `classes`, `pod` -> `pods`)."""
    if n == 1:
        return singular
    if many is not None:
        return many
    head, _, last = singular.rpartition(" ")
    prefix = f"{head} " if head else ""
    if last in _UNCHANGED:
        return singular
    if last.endswith("y") and last[-2:-1] not in ("a", "e", "i", "o", "u"):
        return f"{prefix}{last[:-1]}ies"
    if last.endswith(("s", "x", "z", "ch", "sh")):
        return f"{prefix}{last}es"
    return f"{prefix}{last}s"


def count(n: int, singular: str, many: str | None = None) -> str:
    """`1 policy`, `3 policies`, `0 errors`."""
    return f"{n} {plural(n, singular, many)}"

"""Evaluate many label selectors against one label set without trying each of them.

A selector with `matchLabels` can only match labels that contain its first pair, so it is
filed under that pair; the others are tried every time. Matching itself is always
`LabelSelector.matches`, the model's (and so the engine's) own semantics.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Generic, TypeVar

from podfence.model import Labels, LabelSelector

__all__ = ["SelectorIndex"]

P = TypeVar("P")


class SelectorIndex(Generic[P]):
    """Payloads with their selectors (None: matches everything)."""

    __slots__ = ("_always", "_check", "_by_pair")

    def __init__(self, entries: Iterable[tuple[P, LabelSelector | None]]) -> None:
        self._always: list[P] = []
        self._check: list[tuple[P, LabelSelector]] = []
        self._by_pair: dict[tuple[str, str], list[tuple[P, LabelSelector]]] = {}
        for payload, selector in entries:
            if selector is None or selector.is_empty:
                self._always.append(payload)
            elif selector.match_labels:
                self._by_pair.setdefault(selector.match_labels[0], []).append((payload, selector))
            else:
                self._check.append((payload, selector))

    def matching(self, labels: Labels) -> list[P]:
        """Every payload whose selector matches `labels`, in no particular order."""
        found = list(self._always)
        as_map = dict(labels)
        found += [p for p, sel in self._check if sel.matches(as_map)]
        for pair in labels:
            for p, sel in self._by_pair.get(pair, ()):
                if sel.matches(as_map):
                    found.append(p)
        return found

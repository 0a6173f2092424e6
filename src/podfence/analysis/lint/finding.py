"""Findings as frozen data: which rule, how severe, where, what, so what, and how to fix."""

from __future__ import annotations

import enum
from dataclasses import dataclass

__all__ = ["Level", "Finding"]


class Level(enum.Enum):
    """How bad a finding is. Ordered: INFO < WARNING < ERROR."""

    INFO = "info"
    WARNING = "warning"
    ERROR = "error"

    @property
    def rank(self) -> int:
        return _RANK[self]

    def __str__(self) -> str:
        return self.value


_RANK = {Level.INFO: 0, Level.WARNING: 1, Level.ERROR: 2}


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem found in the cluster as given.

    `obj` is like `NetworkPolicy secure/allow-monitoring` or `Namespace shop`; `field` is a
    path inside that object (`spec.ingress[0].from[0].namespaceSelector`), None when the
    finding is about the object as a whole. `namespace` is the namespace the finding is about
    (its Namespace's `podfence.io/ignore` annotation covers it).
    """

    rule: str
    slug: str
    level: Level
    file: str
    line: int
    obj: str
    field: str | None
    message: str
    consequence: str
    fix: str
    namespace: str | None = None

    @property
    def sort_key(self) -> tuple[str, int, str, str, str, str]:
        return (self.file, self.line, self.rule, self.obj, self.field or "", self.message)

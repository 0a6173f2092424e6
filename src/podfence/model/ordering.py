"""Enums that sort by declaration order, so frozen dataclasses holding them can be sorted."""

from __future__ import annotations

import enum
from typing import Any

__all__ = ["OrderedEnum"]


class OrderedEnum(enum.Enum):
    def _rank(self) -> int:
        return list(type(self)).index(self)

    def __lt__(self, other: Any) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return self._rank() < other._rank()

    def __le__(self, other: Any) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return self._rank() <= other._rank()

    def __gt__(self, other: Any) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return self._rank() > other._rank()

    def __ge__(self, other: Any) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return self._rank() >= other._rank()

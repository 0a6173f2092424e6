"""Where a thing came from: file, line and object, so every message can point back."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Location", "ObjectRef"]


@dataclass(frozen=True, slots=True)
class Location:
    """A position in an input file (1-based line; 0 when unknown)."""

    file: str
    line: int = 0

    def __str__(self) -> str:
        return f"{self.file}:{self.line}" if self.line else self.file


@dataclass(frozen=True, slots=True, order=True)
class ObjectRef:
    """A Kubernetes object by kind, namespace and name (`NetworkPolicy shop/web`)."""

    kind: str
    namespace: str | None
    name: str

    def __str__(self) -> str:
        if self.namespace is None:
            return f"{self.kind} {self.name}"
        return f"{self.kind} {self.namespace}/{self.name}"

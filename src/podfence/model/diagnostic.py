"""Problems found in the input, as data: severity, file, line, object, field, message."""

from __future__ import annotations

from dataclasses import dataclass

from podfence.model.ordering import OrderedEnum

__all__ = ["Severity", "Diagnostic"]


class Severity(OrderedEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"
    """A note that needs no action (e.g. an optional API the live cluster does not serve)."""

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True, slots=True, order=True)
class Diagnostic:
    """One problem. `obj` is like `NetworkPolicy shop/web` (None for file-level problems);
    `field` is a path like `spec.ingress[0].from[1].podSelector` (None when not about a field).
    """

    file: str
    line: int
    severity: Severity
    message: str
    obj: str | None = None
    field: str | None = None

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        parts = [where, f"{self.severity}:"]
        if self.obj:
            parts.append(self.obj)
        if self.field:
            parts.append(f"{self.field}:")
        elif self.obj:
            parts[-1] += ":"
        parts.append(self.message)
        return " ".join(parts)

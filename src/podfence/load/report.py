"""Collecting diagnostics: a reporter bound to one object knows its file, lines and name."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from podfence.load.tree import line_of
from podfence.model import Diagnostic, Severity

__all__ = ["Reporter", "sort_diagnostics", "has_errors"]


@dataclass(slots=True)
class Reporter:
    """Appends diagnostics about one object (or one file when `obj` is None) to `out`.

    `lines` maps field paths inside the object to lines; a path without a line of its own is
    reported at its nearest enclosing field, the object itself being the path ``""``.
    """

    file: str
    lines: Mapping[str, int]
    obj: str | None
    out: list[Diagnostic]

    def error(self, path: str, message: str, *, at: str | None = None) -> None:
        """An error about `path`, on the line of `at` when given (a map entry reported at the
        map's path, as the API server does, still points at the entry's own line)."""
        self._add(Severity.ERROR, path, message, at)

    def warning(self, path: str, message: str, *, at: str | None = None) -> None:
        self._add(Severity.WARNING, path, message, at)

    def _add(self, severity: Severity, path: str, message: str, at: str | None) -> None:
        line = line_of(self.lines, path if at is None else at)
        self.out.append(Diagnostic(self.file, line, severity, message, self.obj, path or None))


def sort_diagnostics(diagnostics: Iterable[Diagnostic]) -> tuple[Diagnostic, ...]:
    """Stable sort by (file, line): problems of one line keep the order they were found in."""
    return tuple(sorted(diagnostics, key=lambda d: (d.file, d.line)))


def has_errors(diagnostics: Iterable[Diagnostic]) -> bool:
    return any(d.severity is Severity.ERROR for d in diagnostics)

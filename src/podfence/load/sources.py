"""Finding and reading input: files, directories (recursive) and `-` for standard input.

Problems (a missing path, an unreadable file, bytes that are not UTF-8) become diagnostics.
`load_texts` is the in-memory twin of this module: it starts from (name, text) pairs.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from podfence.model import Diagnostic, Severity

__all__ = ["Source", "STDIN_NAME", "SUFFIXES", "read_sources", "discover"]

STDIN_NAME = "<stdin>"
SUFFIXES = (".yaml", ".yml", ".json")
"""The files taken from a directory (a file named explicitly is read whatever its name)."""


@dataclass(frozen=True, slots=True)
class Source:
    name: str
    text: str


def discover(directory: Path) -> list[Path]:
    """Every `*.yaml`, `*.yml` and `*.json` file under `directory`, in sorted path order."""
    found: list[Path] = []
    for root, dirs, files in os.walk(directory):
        dirs.sort()
        found.extend(Path(root, f) for f in files if f.endswith(SUFFIXES))
    return sorted(found, key=lambda p: p.parts)


def _error(name: str, message: str) -> Diagnostic:
    return Diagnostic(name, 0, Severity.ERROR, message)


def _read_file(path: Path) -> Source | Diagnostic:
    try:
        data = path.read_bytes()
    except OSError as exc:
        return _error(str(path), f"cannot read file: {exc.strerror or exc}")
    try:
        return Source(str(path), data.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        return Diagnostic(str(path), line, Severity.ERROR, f"not valid UTF-8: {exc.reason}")


def _expand(arg: str) -> list[Path] | Diagnostic:
    path = Path(arg)
    if path.is_dir():
        files = discover(path)
        if not files:
            return Diagnostic(
                arg, 0, Severity.WARNING, "no *.yaml, *.yml or *.json files in this directory"
            )
        return files
    if path.exists():
        return [path]
    return _error(arg, "no such file or directory")


def read_sources(
    paths: Sequence[str], *, stdin: TextIO | None = None
) -> tuple[list[Source], list[Diagnostic]]:
    """Read every path in order; a file reached twice (e.g. by a directory too) is read once."""
    sources: list[Source] = []
    problems: list[Diagnostic] = []
    seen: set[Path] = set()
    for arg in paths:
        if arg == "-":
            got = _read_stdin(stdin)
            if isinstance(got, Diagnostic):
                problems.append(got)
            else:
                sources.append(got)
            continue
        expanded = _expand(arg)
        if isinstance(expanded, Diagnostic):
            problems.append(expanded)
            continue
        for path in expanded:
            key = path.resolve()
            if key in seen:
                continue
            seen.add(key)
            read = _read_file(path)
            if isinstance(read, Diagnostic):
                problems.append(read)
            else:
                sources.append(read)
    return sources, problems


def _read_stdin(stdin: TextIO | None) -> Source | Diagnostic:
    stream = stdin if stdin is not None else sys.stdin
    try:
        return Source(STDIN_NAME, stream.read())
    except (OSError, UnicodeDecodeError) as exc:
        return _error(STDIN_NAME, f"cannot read standard input: {exc}")

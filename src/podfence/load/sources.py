"""Finding and reading input: files, directories (recursive) and `-` for standard input.

Problems (a missing path, an unreadable file, bytes that are not UTF-8, a file too large)
become diagnostics, never exceptions. Only regular files are read from a directory (a FIFO
there would hang the run, a device never ends); a path named explicitly may also be a pipe,
as `<(helm template chart)` gives. Files that are not manifests (see `podfence.load.foreign`)
are skipped with a warning before they are read. `load_texts` is the in-memory twin of this
module: it starts from (name, text) pairs.
"""

from __future__ import annotations

import codecs
import fnmatch
import os
import stat
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import BinaryIO, TextIO

from podfence.load.foreign import (
    CHART_TEMPLATE,
    KUSTOMIZATIONS,
    KUSTOMIZE_PATCH,
    PRUNED_DIRECTORIES,
    chart_of,
    foreign_name,
    kustomize_patches,
)
from podfence.load.nodes import to_plain
from podfence.load.options import DEFAULT_MAX_FILE_SIZE, format_size
from podfence.load.parse import parse_text
from podfence.model import Diagnostic, Severity

__all__ = ["Source", "STDIN_NAME", "SUFFIXES", "read_sources", "discover"]

STDIN_NAME = "<stdin>"
EMPTY_NAME = '""'
SUFFIXES = (".yaml", ".yml", ".json")
"""The files taken from a directory (a file named explicitly is read whatever its name)."""


@dataclass(frozen=True, slots=True)
class Source:
    name: str
    text: str


@dataclass(frozen=True, slots=True)
class _Found:
    path: Path
    explicit: bool


def _error(name: str, message: str, line: int = 0) -> Diagnostic:
    return Diagnostic(name, line, Severity.ERROR, message)


def _warning(name: str, message: str) -> Diagnostic:
    return Diagnostic(name, 0, Severity.WARNING, message)


def _patterns(exclude: Iterable[str]) -> tuple[str, ...]:
    return tuple(p.rstrip("/").removeprefix("./") for p in exclude if p.rstrip("/"))


def _excluded(path: PurePath, relative: str, patterns: Sequence[str]) -> bool:
    """Whether a glob matches the name, the path under the directory argument, or the path."""
    names = (path.name, relative, path.as_posix())
    return any(fnmatch.fnmatchcase(name, p) for p in patterns for name in names)


def _walk(
    directory: Path, patterns: Sequence[str], out: list[Diagnostic]
) -> tuple[list[Path], int]:
    """The `*.yaml`, `*.yml`, `*.json` files under `directory` that are not excluded, in
    sorted path order, and how many matching files were excluded."""
    found: list[Path] = []
    excluded = 0
    for root, dirs, files in os.walk(directory):
        keep = []
        for name in sorted(dirs):
            path = Path(root, name)
            if _excluded(path, path.relative_to(directory).as_posix(), patterns):
                continue
            if name in PRUNED_DIRECTORIES:
                out.append(_warning(str(path), PRUNED_DIRECTORIES[name]))
                continue
            keep.append(name)
        dirs[:] = keep
        for name in files:
            if not name.endswith(SUFFIXES):
                continue
            path = Path(root, name)
            if _excluded(path, path.relative_to(directory).as_posix(), patterns):
                excluded += 1
            else:
                found.append(path)
    return sorted(found, key=lambda p: p.parts), excluded


def discover(directory: Path, exclude: Sequence[str] = ()) -> list[Path]:
    """Every `*.yaml`, `*.yml` and `*.json` file under `directory`, in sorted path order,
    without those `exclude` leaves out and those in directories never searched."""
    return _walk(directory, _patterns(exclude), [])[0]


def _expand(arg: str, patterns: Sequence[str], out: list[Diagnostic]) -> list[_Found]:
    if arg == "":
        out.append(_error(EMPTY_NAME, "an empty path names no file or directory"))
        return []
    path = Path(arg)
    if _excluded(path, arg, patterns):
        return []
    try:
        is_dir = stat.S_ISDIR(os.stat(path).st_mode)
    except FileNotFoundError:
        out.append(_error(arg, "no such file or directory"))
        return []
    except OSError as exc:
        out.append(_error(arg, f"cannot read: {exc.strerror or exc}"))
        return []
    if not is_dir:
        return [_Found(path, explicit=True)]
    files, excluded = _walk(path, patterns, out)
    if not files:
        note = f" ({excluded} excluded by --exclude)" if excluded else ""
        message = f"no *.yaml, *.yml or *.json files in this directory{note}"
        out.append(Diagnostic(arg, 0, Severity.WARNING, message))
    return [_Found(f, explicit=False) for f in files]


_KINDS = (
    (stat.S_ISFIFO, "a named pipe"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISDIR, "a directory"),
)


def _file_type(mode: int) -> str:
    return next((what for test, what in _KINDS if test(mode)), "not a regular file")


def _too_large(name: str, size: str, limit: int) -> Diagnostic:
    return _error(
        name,
        f"file too large: {size}, more than the limit of {format_size(limit)} "
        "(raise it with --max-file-size)",
    )


def decode_bytes(name: str, data: bytes) -> Source | Diagnostic:
    """UTF-8 text (a UTF-8 byte order mark is dropped), or a located error."""
    for bom, encoding in (
        (codecs.BOM_UTF32_LE, "UTF-32"),
        (codecs.BOM_UTF32_BE, "UTF-32"),
        (codecs.BOM_UTF16_LE, "UTF-16"),
        (codecs.BOM_UTF16_BE, "UTF-16"),
    ):
        if data.startswith(bom):
            return _error(
                name,
                f"not valid UTF-8: the text is {encoding} (it starts with a {encoding} byte "
                f"order mark); convert it, e.g. iconv -f {encoding} -t UTF-8",
                line=1,
            )
    try:
        return Source(name, data.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        return _error(name, f"not valid UTF-8: {exc.reason}", line=line)


def _read_limited(stream: BinaryIO, name: str, limit: int) -> Source | Diagnostic:
    data = stream.read(limit + 1)
    if len(data) > limit:
        return _too_large(name, "more than that", limit)
    return decode_bytes(name, data)


def _read_file(found: _Found, limit: int) -> Source | Diagnostic:
    name = str(found.path)
    try:
        info = os.stat(found.path)
    except OSError as exc:
        return _error(name, f"cannot read file: {exc.strerror or exc}")
    mode = info.st_mode
    if stat.S_ISREG(mode):
        if info.st_size > limit:
            return _too_large(name, format_size(info.st_size), limit)
    elif not (found.explicit and stat.S_ISFIFO(mode)):
        what = _file_type(mode)
        if found.explicit:
            return _error(
                name,
                f"not a regular file ({what}): podfence reads files, directories, pipes and "
                "- for standard input",
            )
        return _warning(name, f"not a regular file ({what}); skipped")
    try:
        with open(found.path, "rb") as stream:
            return _read_limited(stream, name, limit)
    except OSError as exc:
        return _error(name, f"cannot read file: {exc.strerror or exc}")


def _patches(found: Sequence[_Found], limit: int) -> dict[str, Path]:
    """The files that the kustomizations among `found` list as patches (by real path), each
    with its kustomization. A kustomization that cannot be read lists nothing: it is
    skipped with its own warning anyway."""
    patches: dict[str, Path] = {}
    for item in found:
        if item.path.name not in KUSTOMIZATIONS:
            continue
        read = _read_file(item, limit)
        if isinstance(read, Diagnostic):
            continue
        docs, _ = parse_text(read.name, read.text)
        for doc in docs[:1]:
            for patch in kustomize_patches(to_plain(doc)[0]):
                patches.setdefault(os.path.realpath(item.path.parent / patch), item.path)
    return patches


def _not_a_manifest(
    path: Path, is_chart: Callable[[PurePath], bool], patches: dict[str, Path]
) -> Diagnostic | None:
    message = foreign_name(path.name)
    if message is None:
        chart = chart_of(path, is_chart)
        if chart is not None:
            message = CHART_TEMPLATE.format(chart=chart)
    if message is None:
        kustomization = patches.get(os.path.realpath(path))
        if kustomization is not None:
            message = KUSTOMIZE_PATCH.format(kustomization=kustomization)
    return _warning(str(path), message) if message is not None else None


def _chart_test() -> Callable[[PurePath], bool]:
    known: dict[PurePath, bool] = {}

    def is_chart(directory: PurePath) -> bool:
        if directory not in known:
            known[directory] = Path(directory, "Chart.yaml").is_file()
        return known[directory]

    return is_chart


def read_sources(
    paths: Sequence[str],
    *,
    stdin: TextIO | None = None,
    exclude: Sequence[str] = (),
    max_file_size: int = DEFAULT_MAX_FILE_SIZE,
) -> tuple[list[Source], list[Diagnostic]]:
    """Read every path in order; a file reached twice (e.g. by a directory too) is read once."""
    sources: list[Source] = []
    problems: list[Diagnostic] = []
    patterns = _patterns(exclude)
    expanded = [None if arg == "-" else _expand(arg, patterns, problems) for arg in paths]
    patches = _patches([f for files in expanded for f in files or ()], max_file_size)
    is_chart = _chart_test()
    seen: set[str] = set()
    for files in expanded:
        reads: list[Source | Diagnostic] = []
        if files is None:  # `-`
            reads.append(_read_stdin(stdin, max_file_size))
        for found in files or ():
            key = os.path.realpath(found.path)  # never raises, unlike Path.resolve on a loop
            if key not in seen:
                seen.add(key)
                skipped = _not_a_manifest(found.path, is_chart, patches)
                reads.append(skipped or _read_file(found, max_file_size))
        for read in reads:
            if isinstance(read, Diagnostic):
                problems.append(read)
            else:
                sources.append(read)
    return sources, problems


def _read_stdin(stdin: TextIO | None, limit: int) -> Source | Diagnostic:
    """Standard input, decoded exactly like a file (its bytes, when the stream has them)."""
    stream = stdin if stdin is not None else sys.stdin
    buffer: BinaryIO | None = getattr(stream, "buffer", None)
    try:
        if buffer is not None:
            return _read_limited(buffer, STDIN_NAME, limit)
        text = stream.read(limit + 1)
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        return _error(STDIN_NAME, f"cannot read standard input: {exc}")
    if len(text) > limit:
        return _too_large(STDIN_NAME, "more than that", limit)
    return Source(STDIN_NAME, text)

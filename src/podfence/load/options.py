"""How input is read: which files to leave out, how large a file may be, how strict to be.

`LoadOptions` travels from the command line to the sources and link stages; the default
value is what every command does without options.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["DEFAULT_MAX_FILE_SIZE", "DEFAULT_OPTIONS", "LoadOptions", "format_size", "parse_size"]

DEFAULT_MAX_FILE_SIZE = 1 << 30
"""1 GiB: above the largest dump the benchmarks load (a 390 MB policy list), far below what
would exhaust memory; a device or a runaway file stops here with a clear message."""

_UNITS = {
    "": 1,
    "B": 1,
    "K": 1000,
    "KB": 1000,
    "KIB": 1 << 10,
    "M": 1000**2,
    "MB": 1000**2,
    "MIB": 1 << 20,
    "G": 1000**3,
    "GB": 1000**3,
    "GIB": 1 << 30,
    "T": 1000**4,
    "TB": 1000**4,
    "TIB": 1 << 40,
}
_SIZE = re.compile(r"(?P<number>[0-9]+)\s*(?P<unit>[A-Za-z]*)", re.ASCII)


@dataclass(frozen=True, slots=True)
class LoadOptions:
    """`exclude`: glob patterns of files and directories to leave out (matched against a
    file's name, its path under the directory argument, and its path as given);
    `max_file_size`: bytes one file (or standard input) may have; `strict`: an object
    defined twice is an error instead of a warning."""

    exclude: tuple[str, ...] = ()
    max_file_size: int = DEFAULT_MAX_FILE_SIZE
    strict: bool = False


DEFAULT_OPTIONS = LoadOptions()
"""What every command does without options."""


def parse_size(text: str) -> int:
    """`1048576`, `512M`, `512MiB`, `2G`, `2GB`, `1GiB` -> bytes (K/M/G/T are powers of 1000,
    KiB/MiB/GiB/TiB powers of 1024). Raises ValueError with the reason."""
    match = _SIZE.fullmatch(text.strip())
    unit = match["unit"].upper() if match else ""
    if match is None or unit not in _UNITS:
        raise ValueError(
            f"invalid size {text!r}: expected a number of bytes, optionally with a unit "
            "(K, M, G, T, or KiB, MiB, GiB, TiB)"
        )
    size = int(match["number"]) * _UNITS[unit]
    if size <= 0:
        raise ValueError(f"invalid size {text!r}: must be more than 0 bytes")
    return size


def format_size(size: int) -> str:
    """Bytes for a message: `1 GiB`, `256 MiB`, `1500 bytes`."""
    for unit, factor in (("TiB", 1 << 40), ("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if size >= factor and size % factor == 0:
            return f"{size // factor} {unit}"
    return f"{size} byte" + ("" if size == 1 else "s")

"""Port atoms: the ranges of port numbers, per protocol, that no rule can split.

Every rule's port range, and every set of numbers a named port resolves to on an endpoint,
cuts the port space of its protocol (`port_boundaries`); the pieces in between are the
atoms, so each of those sets is a union of atoms. A set of ports and protocols is then a
bit mask over atoms (a Python int while building, `words` uint64 words in arrays).

Atoms are kept in port order per protocol, but each has its own bit: splitting an atom later
(an incremental change that uses a new port number) gives the new piece a fresh bit and
leaves every other bit where it was.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from podfence.model import IntervalSet, PortSet, Protocol
from podfence.model.intervals import MAX_PORT, port_boundaries

__all__ = [
    "MAX_PORT",
    "PortAtoms",
    "atoms_of",
    "build_atoms",
    "mask_to_words",
    "named_set",
    "words_to_mask",
    "Words",
]

Words = npt.NDArray[np.uint64]


@dataclass(frozen=True, slots=True)
class PortAtoms:
    """`starts[protocol]`: first port of each atom in order; `bits[protocol]`: its bit."""

    starts: Mapping[Protocol, tuple[int, ...]]
    bits: Mapping[Protocol, tuple[int, ...]]
    count: int
    """Bits in use (the number of atoms)."""

    @property
    def words(self) -> int:
        return max(1, (self.count + 63) // 64)

    def atom(self, port: int, protocol: Protocol) -> int:
        """The bit of the atom holding `port`."""
        if not 1 <= port <= MAX_PORT:
            raise ValueError(f"port {port} is outside 1-{MAX_PORT}")
        i = bisect.bisect_right(self.starts[protocol], port) - 1
        return self.bits[protocol][i]

    def ranges(self, protocol: Protocol) -> list[tuple[int, int, int]]:
        """(first, last, bit) of every atom of `protocol`, in port order."""
        starts = self.starts[protocol]
        ends = [*starts[1:], MAX_PORT + 1]
        return [(s, e - 1, b) for s, e, b in zip(starts, ends, self.bits[protocol], strict=True)]

    def span(self, protocol: Protocol, first: int, last: int) -> int:
        """The mask of the atoms inside `first`-`last` of `protocol`."""
        starts, bits = self.starts[protocol], self.bits[protocol]
        lo = bisect.bisect_left(starts, first)
        hi = bisect.bisect_right(starts, last + 1) - 1  # the first atom not inside
        if last >= MAX_PORT:
            hi = len(starts)
        mask = 0
        for i in range(lo, hi):
            mask |= 1 << bits[i]
        return mask

    def ranges_mask(self, any_port: bool, ranges: Iterable[tuple[Protocol, int, int]]) -> int:
        """The atoms of a rule's port numbers and ranges (every atom for any port)."""
        if any_port:
            return self.all_mask
        mask = 0
        for protocol, first, last in ranges:
            mask |= self.span(protocol, first, last)
        return mask

    def protocol_mask(self, protocol: Protocol) -> int:
        return sum(1 << b for b in self.bits[protocol])

    @property
    def all_mask(self) -> int:
        return (1 << self.count) - 1

    def spans(self, mask: int) -> list[tuple[Protocol, int, int]]:
        """The mask as (protocol, first, last) ranges, adjacent atoms merged, in port order."""
        out: list[tuple[Protocol, int, int]] = []
        for protocol in Protocol:
            for lo, hi, bit in self.ranges(protocol):
                if not mask >> bit & 1:
                    continue
                if out and out[-1][0] is protocol and out[-1][2] == lo - 1:
                    out[-1] = (protocol, out[-1][1], hi)
                else:
                    out.append((protocol, lo, hi))
        return out

    def describe(self, mask: int) -> str:
        """`TCP 80,8080-8090; UDP 53`; `-` for nothing, `all` for every port of every protocol.

        A protocol whose every port is allowed reads `TCP all`.
        """
        if mask == 0:
            return "-"
        if mask == self.all_mask:
            return "all"
        parts: dict[Protocol, list[str]] = {}
        for protocol, lo, hi in self.spans(mask):
            if (lo, hi) == (1, MAX_PORT):
                parts[protocol] = ["all"]
            else:
                parts.setdefault(protocol, []).append(str(lo) if lo == hi else f"{lo}-{hi}")
        return "; ".join(f"{p} {','.join(texts)}" for p, texts in parts.items())

    def split(self, protocol: Protocol, cut: int) -> tuple[PortAtoms, int, int] | None:
        """Atoms with a new boundary at `cut`: (atoms, old bit, new bit), None if already one.

        The piece from `cut` on takes a new bit; the piece before it keeps the old bit.
        """
        starts = self.starts[protocol]
        if not 1 < cut <= MAX_PORT or cut in starts:
            return None
        i = bisect.bisect_right(starts, cut)
        old_bit = self.bits[protocol][i - 1]
        new_bit = self.count
        new_starts = {**self.starts, protocol: (*starts[:i], cut, *starts[i:])}
        bits = self.bits[protocol]
        new_bits = {**self.bits, protocol: (*bits[:i], new_bit, *bits[i:])}
        return PortAtoms(new_starts, new_bits, self.count + 1), old_bit, new_bit


def build_atoms(cuts: Mapping[Protocol, Iterable[int]]) -> PortAtoms:
    """Atoms from the ports where a new atom begins (values outside 2-65535 are ignored)."""
    starts: dict[Protocol, tuple[int, ...]] = {}
    bits: dict[Protocol, tuple[int, ...]] = {}
    count = 0
    for protocol in Protocol:
        points = sorted({1, *(c for c in cuts.get(protocol, ()) if 1 < c <= MAX_PORT)})
        starts[protocol] = tuple(points)
        bits[protocol] = tuple(range(count, count + len(points)))
        count += len(points)
    return PortAtoms(starts, bits, count)


def atoms_of(sets: Iterable[PortSet]) -> PortAtoms:
    """The atoms that make every one of `sets` a union of atoms."""
    return build_atoms(port_boundaries(set(sets)))


def named_set(protocol: Protocol, numbers: Iterable[int]) -> PortSet:
    """The numbers of a named port on one endpoint, as a port set."""
    return PortSet.of(((protocol, IntervalSet.of((n, n) for n in numbers)),))


def mask_to_words(mask: int, words: int) -> Words:
    out = np.zeros(words, dtype=np.uint64)
    for w in range(words):
        out[w] = (mask >> (64 * w)) & 0xFFFF_FFFF_FFFF_FFFF
    return out


def words_to_mask(words: Iterable[int | np.uint64]) -> int:
    mask = 0
    for w, value in enumerate(words):
        mask |= int(value) << (64 * w)
    return mask

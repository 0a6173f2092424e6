"""Reach per IP-family view, and how a pair of classes combines the views.

An ipBlock (and a ClusterNetworkPolicy `networks` or `nodes` peer) matches the packet's
address (`engine.resolve`): over IPv4 a party is in a block when one of its IPv4 addresses
is. Reach is computed per view, the view deciding which of a peer's addresses count: 4, 6,
or None (any address). A connection of a given family reads
that family's view. A connection asked by name (family None) is allowed when it is allowed
over every family in `connection_families` of the two parties (None when they share no
family or have no address), as `Engine.allowed` decides it.

Only views that can differ from view None are built. View f can differ for a pair using f
only through a class that may use f (it has an address of f, or none) and whose blocks (or
CNP address peers) over f differ from those over any address; single-stack classes never
do, so without a dual-stack endpoint in a block the one view None is exact. A view that is
not built is read as view None; a connection of an explicit family whose classes need the
view builds it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

import numpy as np
import numpy.typing as npt

from podfence.engine.classes.classify import Signature
from podfence.engine.classes.ports import PortAtoms, Words
from podfence.engine.classes.reach import Reach
from podfence.model import Protocol

__all__ = ["Build", "Views", "FAMILY_BITS", "family_code", "needed_views"]

FAMILY_BITS = {4: 1, 6: 2}
"""A class's families as bits (0: no address)."""
_Idx = npt.NDArray[np.intp]
_Table = npt.NDArray[np.uint64]
_Codes = npt.NDArray[np.int8]


def family_code(families: frozenset[int] | None) -> int:
    return 0 if families is None else sum(FAMILY_BITS[f] for f in families)


def _may_use(sig: Signature, family: int) -> bool:
    return sig.families is None or family in sig.families


def _differs(sig: Signature, family: int) -> bool:
    """Do the class's blocks (or CNP `networks`/`nodes` peers) over `family` differ from
    those over any address?"""
    return sig.blocks(family) != sig.blocks(None) or sig.addresses(family) != sig.addresses(None)


def needed_views(signatures: Iterable[Signature]) -> set[int | None]:
    """The views that make every pair's answer exact (None always)."""
    out: set[int | None] = {None}
    for sig in signatures:
        for family in FAMILY_BITS:
            if family not in out and _may_use(sig, family) and _differs(sig, family):
                out.add(family)
    return out


Build = Callable[[int | None, PortAtoms], Reach]
"""Makes the Reach of a view over the current classes and the given atoms."""


class Views:
    """The reach of each built view over the same classes and port atoms, combined per pair.

    `build` makes the Reach of a view that is missing (from the current state).
    """

    def __init__(
        self,
        signatures: Sequence[Signature],
        atoms: PortAtoms,
        build: Build,
        views: Iterable[int | None],
    ) -> None:
        self.signatures = signatures
        self.atoms = atoms
        self._build = build
        self.reaches: dict[int | None, Reach] = {}
        self.ensure(sorted(views, key=_order))
        codes = [family_code(sig.families) for sig in signatures]
        self.codes: _Codes = np.asarray(codes, dtype=np.int8)
        """Each class's families as bits (an update never changes them: a class with other
        families is a new class, which rebuilds)."""

    @property
    def main(self) -> Reach:
        """View None (any address), always built."""
        return self.reaches[None]

    @property
    def size(self) -> int:
        return self.main.size

    @property
    def all_words(self) -> Words:
        return self.main.all_words

    def ensure(self, views: Iterable[int | None]) -> None:
        """Build the views among `views` that are missing."""
        for view in views:
            if view not in self.reaches:
                self.reaches[view] = self._build(view, self.atoms)

    def split(self, protocol: Protocol, cut: int) -> None:
        """Make `cut` an atom boundary (if it is not one) in every view."""
        found = self.atoms.split(protocol, cut)
        if found is not None:
            self.atoms = found[0]
            for reach in self.reaches.values():
                reach.split_atom(*found)

    def _explicit(self, family: int, classes: Iterable[int]) -> Reach:
        """The view for connections of `family` among `classes` (built if they need it)."""
        found = self.reaches.get(family)
        if found is not None:
            return found
        sigs = self.signatures
        if any(_differs(sigs[c], family) for c in classes):
            self.ensure((family,))
            return self.reaches[family]
        return self.main

    # -- answers -----------------------------------------------------------------------

    def pair(self, src: int, dst: int, family: int | None = None) -> Words:
        """allowed(src, dst) as words (for two distinct members) over `family`."""
        if family is not None:
            return self._explicit(family, (src, dst)).pair(src, dst)
        if len(self.reaches) == 1:
            return self.main.pair(src, dst)
        out = self.all_words.copy()
        for view in self._uses(self.codes[[src]][:, None], self.codes[[dst]][None, :]):
            out &= self.reaches[view].pair(src, dst)
        return out

    def _uses(self, a: _Codes, b: _Codes) -> dict[int | None, npt.NDArray[np.bool_]]:
        """Per built view, for which pairs (codes a of sources x b of destinations) it is
        read: the families both can use, a family whose view is missing reading None."""
        both = np.where(a == 0, b, np.where(b == 0, a, a & b))
        missing = sum(bit for f, bit in FAMILY_BITS.items() if f not in self.reaches)
        out: dict[int | None, npt.NDArray[np.bool_]] = {}
        for view in self.reaches:
            if view is None:
                use = (both == 0) | ((both & missing) != 0)
            else:
                use = (both & FAMILY_BITS[view]) != 0
            if use.any():
                out[view] = use
        return out

    def rows(self, sources: _Idx, family: int | None = None) -> _Table:
        """allowed[s, d] for the (sorted) `sources` and every class d: (s, d, words)."""
        if family is not None:
            return self._explicit(family, range(self.size)).rows(sources)
        if len(self.reaches) == 1:
            return self.main.rows(sources)
        uses = self._uses(self.codes[sources][:, None], self.codes[None, :])
        out = np.empty((len(sources), self.size, self.atoms.words), np.uint64)
        out[:] = self.all_words
        for view, use in uses.items():
            rows = self.reaches[view].rows(sources)
            out[use] &= rows[use]
        return out

    def rows_of(self, sources: _Idx, destinations: _Idx, family: int | None = None) -> _Table:
        block = self.rows(sources, family)
        if len(destinations) == self.size and bool((destinations[1:] > destinations[:-1]).all()):
            return block  # every class, in order (after updates, groups may be in another)
        out: _Table = block[:, destinations]
        return out

    def chunk_rows(self) -> int:
        return max(1, self.main.chunk_rows() // len(self.reaches))


def _order(view: int | None) -> int:
    return 0 if view is None else view

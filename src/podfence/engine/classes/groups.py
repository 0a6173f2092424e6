"""Results over classes as data: the classes themselves, per-port matrices, all-port pairs."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from podfence.engine.classes.ports import PortAtoms, words_to_mask
from podfence.model import Protocol

if TYPE_CHECKING:
    from podfence.engine.classes.views import Views

__all__ = ["EndpointClass", "GroupedMatrix", "GroupPortMatrix", "GroupedPorts", "PairPorts"]


@dataclass(frozen=True, slots=True)
class EndpointClass:
    """Endpoints no policy can tell apart. `namespace` is None when they span several."""

    id: int
    namespaces: tuple[str, ...]
    selector: str
    """A readable summary: `ns shop, app=web`."""
    members: tuple[str, ...]
    host_network: bool = False

    @property
    def namespace(self) -> str | None:
        return self.namespaces[0] if len(self.namespaces) == 1 else None


@dataclass(frozen=True, slots=True)
class GroupPortMatrix:
    port: int
    protocol: Protocol
    allowed: npt.NDArray[np.bool_]
    """allowed[i, j]: a member of groups[i] may reach a (different) member of groups[j]."""


@dataclass(frozen=True, slots=True)
class GroupedMatrix:
    groups: tuple[EndpointClass, ...]
    matrices: tuple[GroupPortMatrix, ...]


@dataclass(frozen=True, slots=True)
class PairPorts:
    source: int
    destination: int
    mask: int
    """Allowed port atoms (see `GroupedPorts.describe`)."""


@dataclass(frozen=True, slots=True)
class GroupedPorts:
    """Per pair of groups, every port and protocol allowed, read from the class tables.

    Pairs are produced lazily, a block of source groups at a time, so that a large result
    is never held whole.
    """

    groups: tuple[EndpointClass, ...]
    atoms: PortAtoms
    views: Views
    positions: npt.NDArray[np.intp]
    """The class of each group (groups are the non-empty classes, renumbered)."""

    def describe(self, mask: int) -> str:
        return self.atoms.describe(mask)

    def pairs(self) -> Iterator[PairPorts]:
        """Pairs with at least one allowed port, by source then destination.

        A group of one pod reaches itself on every port (a pod may always reach itself).
        """
        for masks, first in self.blocks():
            if masks.shape[-1] == 1:
                flat = masks[..., 0]
                rows, cols = np.nonzero(flat)
                values: list[int] = flat[rows, cols].tolist()
                for r, c, v in zip(rows.tolist(), cols.tolist(), values, strict=True):
                    yield PairPorts(first + r, c, v)
            else:
                for r, c in zip(*np.nonzero(masks.any(axis=-1)), strict=True):
                    yield PairPorts(first + int(r), int(c), words_to_mask(masks[r, c]))

    def blocks(self) -> Iterator[tuple[npt.NDArray[np.uint64], int]]:
        """(masks[source, destination, word], first source group) for blocks of sources."""
        pos = self.positions
        step = self.views.chunk_rows()
        single = np.asarray([len(g.members) == 1 for g in self.groups], dtype=np.bool_)
        every = self.views.all_words
        for first in range(0, len(pos), step):
            src = pos[first : first + step]
            block = self.views.rows_of(src, pos)
            rows = np.flatnonzero(single[first : first + step])
            block[rows, rows + first] = every
            yield block, first

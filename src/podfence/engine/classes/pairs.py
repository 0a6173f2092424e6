"""Sparse (source class, destination class) -> port mask entries, each with a tag.

Entries with different tags (contributions) for one pair are kept apart, so that a tag's
entries can be removed, and OR-ed together on demand. Keys are `source << 32 | destination`.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

__all__ = ["PairTable", "pair_keys"]

_Keys = npt.NDArray[np.int64]
_Masks = npt.NDArray[np.uint64]
_Idx = npt.NDArray[np.intp]


def pair_keys(sources: _Idx, destinations: _Idx) -> _Keys:
    out: _Keys = (sources.astype(np.int64) << 32) | destinations.astype(np.int64)
    return out


class PairTable:
    def __init__(self, words: int) -> None:
        self.words = words
        self.keys: _Keys = np.zeros(0, np.int64)
        self.masks: _Masks = np.zeros((0, words), np.uint64)
        self.tags = np.zeros(0, np.int64)
        self._pending: list[tuple[_Keys, _Masks, _Keys]] = []
        self._combined: tuple[_Keys, _Masks] | None = None

    def __len__(self) -> int:
        self._flush()
        return len(self.keys)

    def add(self, keys: _Keys, masks: _Masks, tag: int) -> None:
        self.add_tagged(keys, masks, np.full(len(keys), tag, np.int64))

    def add_tagged(self, keys: _Keys, masks: _Masks, tags: _Keys) -> None:
        """Entries with a tag each."""
        if len(keys):
            self._pending.append((keys, masks, tags))
            self._combined = None

    def remove(self, tags: set[int]) -> None:
        self._flush()
        if not tags or not len(self.tags):
            return
        keep = ~np.isin(self.tags, np.fromiter(tags, np.int64))
        self.keys, self.masks, self.tags = self.keys[keep], self.masks[keep], self.tags[keep]
        self._combined = None

    def widen(self, words: int) -> None:
        """More words per mask (port atoms were added past a word boundary)."""
        self._flush()
        pad = words - self.words
        self.masks = np.pad(self.masks, ((0, 0), (0, pad)))
        self.words = words
        self._combined = None

    def copy_bit(self, old: int, new: int) -> None:
        """Every mask holding bit `old` holds bit `new` too (an atom was split)."""
        self._flush()
        for masks in (self.masks,):
            src = masks[:, old // 64] >> np.uint64(old % 64) & np.uint64(1)
            masks[:, new // 64] |= src << np.uint64(new % 64)
        self._combined = None

    def _flush(self) -> None:
        if not self._pending:
            return
        keys = np.concatenate([k for k, _, _ in self._pending])
        masks = np.concatenate([m for _, m, _ in self._pending])
        tags = np.concatenate([t for _, _, t in self._pending])
        self._pending = []
        order = np.argsort(keys, kind="stable")
        keys, masks, tags = keys[order], masks[order], tags[order]
        if not len(self.keys):
            self.keys, self.masks, self.tags = keys, masks, tags
            return
        at = np.searchsorted(self.keys, keys, side="right")
        self.keys = np.insert(self.keys, at, keys)
        self.masks = np.insert(self.masks, at, masks, axis=0)
        self.tags = np.insert(self.tags, at, tags)

    def combined(self) -> tuple[_Keys, _Masks]:
        """Unique keys in order, each with the OR of its masks."""
        self._flush()
        if self._combined is None:
            if not len(self.keys):
                self._combined = (self.keys, self.masks)
            else:
                starts = np.flatnonzero(np.r_[True, self.keys[1:] != self.keys[:-1]])
                masks = np.bitwise_or.reduceat(self.masks, starts, axis=0)
                self._combined = (self.keys[starts], masks)
        return self._combined

    def get(self, source: int, destination: int) -> _Masks | None:
        keys, masks = self.combined()
        key = (source << 32) | destination
        i = int(np.searchsorted(keys, key))
        if i < len(keys) and int(keys[i]) == key:
            found: _Masks = masks[i]
            return found
        return None

    def rows(self, sources: _Idx) -> tuple[_Idx, _Idx, _Masks]:
        """Entries whose source is in `sources` (sorted): (position in sources, dest, mask)."""
        keys, masks = self.combined()
        srcs = keys >> 32
        lo = np.searchsorted(srcs, sources, side="left")
        hi = np.searchsorted(srcs, sources, side="right")
        counts = hi - lo
        total = int(counts.sum())
        if not total:
            empty = np.zeros(0, np.intp)
            return empty, empty, masks[:0]
        starts = np.cumsum(counts) - counts
        idx = np.arange(total) - np.repeat(starts, counts) + np.repeat(lo, counts)
        rows = np.repeat(np.arange(len(sources)), counts)
        dest = (keys[idx] & 0xFFFF_FFFF).astype(np.intp)
        return rows, dest, masks[idx]

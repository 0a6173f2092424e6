"""Which endpoints each ipBlock matches, for all endpoints at once (vectorised).

Same rule as `IPBlock.contains` and the engine's `IPPeer`: an endpoint matches when any of its
addresses is in the CIDR, of the CIDR's family, and in none of the `except` CIDRs.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from podfence.model import Endpoint, IPBlock, IPNetwork

__all__ = ["block_membership", "AddressIndex"]

_U64 = (1 << 64) - 1
_Bool = npt.NDArray[np.bool_]
_U = npt.NDArray[np.uint64]


class _Family:
    """Every address of one family: its owner endpoint and its value as (high, low) words."""

    def __init__(self, bits: int) -> None:
        self.bits = bits
        self.owners: list[int] = []
        self.values: list[int] = []

    def arrays(self) -> tuple[npt.NDArray[np.int64], _U, _U]:
        owners = np.asarray(self.owners, dtype=np.int64)
        hi = np.asarray([v >> 64 for v in self.values], dtype=np.uint64)
        lo = np.asarray([v & _U64 for v in self.values], dtype=np.uint64)
        return owners, hi, lo


def _inside(net: IPNetwork, hi: _U, lo: _U, bits: int) -> _Bool:
    full = (1 << bits) - 1
    mask = full ^ ((1 << (bits - net.prefixlen)) - 1)
    base = int(net.network_address)
    out: _Bool = ((hi & np.uint64(mask >> 64)) == np.uint64(base >> 64)) & (
        (lo & np.uint64(mask & _U64)) == np.uint64(base & _U64)
    )
    return out


class AddressIndex:
    """Every address of some endpoints, by family, ready for vectorised block tests."""

    def __init__(self, endpoints: Sequence[Endpoint]) -> None:
        self.count = len(endpoints)
        families = {4: _Family(32), 6: _Family(128)}
        for i, ep in enumerate(endpoints):
            for ip in ep.ips:
                fam = families[ip.version]
                fam.owners.append(i)
                fam.values.append(int(ip))
        self._arrays = {v: (f.bits, *f.arrays()) for v, f in families.items() if f.owners}

    def members(self, blocks: Sequence[IPBlock]) -> _Bool:
        """`out[i, b]`: endpoint i has an address in block b."""
        out = np.zeros((self.count, len(blocks)), dtype=np.bool_)
        for version, (bits, owners, hi, lo) in self._arrays.items():
            for b, block in enumerate(blocks):
                if block.cidr.version != version:
                    continue
                hit = _inside(block.cidr, hi, lo, bits)
                for ex in block.excepts:
                    if ex.version == version:
                        hit &= ~_inside(ex, hi, lo, bits)
                out[owners[hit], b] = True
        return out


def block_membership(endpoints: Sequence[Endpoint], blocks: Sequence[IPBlock]) -> _Bool:
    """`out[i, b]`: endpoint i has an address in block b."""
    if not blocks:
        return np.zeros((len(endpoints), 0), dtype=np.bool_)
    return AddressIndex(endpoints).members(blocks)

"""Which endpoints have an address in each of some address sets, for all endpoints at once.

The sets are the resolver's (`Resolver.block`: an ipBlock's cidr minus its excepts, as an
`AddressSet`), so this module only vectorises membership: an endpoint is in a set for a
family when one of its addresses of that family is (any of its addresses, family None). It
is the bulk form of `Resolver.in_block`; use it through `Resolver.block_members`.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from podfence.model import AddressSet, Endpoint

__all__ = ["AddressIndex"]

_U64 = (1 << 64) - 1
_Bool = npt.NDArray[np.bool_]
_U = npt.NDArray[np.uint64]


class _Family:
    """Every address of one family: its owner endpoint and its value as (high, low) words."""

    def __init__(self) -> None:
        self.owners: list[int] = []
        self.values: list[int] = []

    def arrays(self) -> tuple[npt.NDArray[np.int64], _U, _U]:
        owners = np.asarray(self.owners, dtype=np.int64)
        hi = np.asarray([v >> 64 for v in self.values], dtype=np.uint64)
        lo = np.asarray([v & _U64 for v in self.values], dtype=np.uint64)
        return owners, hi, lo


def _at_least(value: int, hi: _U, lo: _U) -> _Bool:
    vh, vl = np.uint64(value >> 64), np.uint64(value & _U64)
    out: _Bool = (hi > vh) | ((hi == vh) & (lo >= vl))
    return out


def _at_most(value: int, hi: _U, lo: _U) -> _Bool:
    vh, vl = np.uint64(value >> 64), np.uint64(value & _U64)
    out: _Bool = (hi < vh) | ((hi == vh) & (lo <= vl))
    return out


class AddressIndex:
    """Every address of some endpoints, by family, ready for vectorised membership tests."""

    def __init__(self, endpoints: Sequence[Endpoint]) -> None:
        self.count = len(endpoints)
        families = {4: _Family(), 6: _Family()}
        for i, ep in enumerate(endpoints):
            for ip in ep.ips:
                fam = families[ip.version]
                fam.owners.append(i)
                fam.values.append(int(ip))
        self._arrays = {v: f.arrays() for v, f in families.items() if f.owners}

    def members(self, sets: Sequence[AddressSet], family: int | None = None) -> _Bool:
        """`out[i, k]`: endpoint i has an address of `family` (None: of any) in `sets[k]`."""
        out = np.zeros((self.count, len(sets)), dtype=np.bool_)
        for version, (owners, hi, lo) in self._arrays.items():
            if family is not None and version != family:
                continue
            for k, addresses in enumerate(sets):
                hit = np.zeros(len(owners), dtype=np.bool_)
                for first, last in addresses.family(version):
                    hit |= _at_least(first, hi, lo) & _at_most(last, hi, lo)
                out[owners[hit], k] = True
        return out

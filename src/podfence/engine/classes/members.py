"""The endpoints of a class engine by slot, with the class of each (kept across updates)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from podfence.engine.address_index import AddressIndex
from podfence.model import Endpoint

__all__ = ["Members"]

_Idx = npt.NDArray[np.intp]
_NOBODY = Endpoint("", "")


@dataclass(slots=True)
class Members:
    """Endpoints by slot (stable across updates; a removed endpoint leaves a dead slot)."""

    slot_of: dict[str, int]
    endpoints: list[Endpoint | None]
    classes: _Idx
    """The class of each slot (-1: dead)."""
    by_namespace: dict[str, dict[int, None]]
    _addresses: AddressIndex | None = None
    _first: _Idx | None = None
    _sizes: _Idx | None = None

    @classmethod
    def of(
        cls, endpoints: list[Endpoint], classes: _Idx, addresses: AddressIndex | None = None
    ) -> Members:
        """`addresses`: the `AddressIndex` of `endpoints`, if already built."""
        by_namespace: dict[str, dict[int, None]] = {}
        for i, ep in enumerate(endpoints):
            by_namespace.setdefault(ep.namespace, {})[i] = None
        slots = {ep.id: i for i, ep in enumerate(endpoints)}
        return cls(slots, list[Endpoint | None](endpoints), classes, by_namespace, addresses)

    def first(self, count: int) -> _Idx:
        """A member slot of each of `count` classes (-1 for an empty class)."""
        if self._first is None or len(self._first) != count:
            alive = np.flatnonzero(self.classes >= 0)
            first = np.full(count, -1, np.intp)
            present, index = np.unique(self.classes[alive], return_index=True)
            first[present] = alive[index]
            self._first = first
        return self._first

    def sizes(self, count: int) -> _Idx:
        """The number of members of each of `count` classes."""
        if self._sizes is None or len(self._sizes) != count:
            alive = self.classes[self.classes >= 0]
            self._sizes = np.bincount(alive, minlength=count).astype(np.intp)
        return self._sizes

    def put(self, endpoint: Endpoint, cls: int) -> None:
        slot = self.slot_of.get(endpoint.id)
        if slot is None:
            slot = self.slot_of[endpoint.id] = len(self.endpoints)
            self.endpoints.append(endpoint)
            self.classes = np.append(self.classes, -1)  # one slot per endpoint, always
            self._addresses = None
        else:
            old = self.endpoints[slot]
            assert old is not None
            self.by_namespace[old.namespace].pop(slot, None)
            self.endpoints[slot] = endpoint
            if old.ips != endpoint.ips:
                self._addresses = None
        self.classes[slot] = cls
        self.by_namespace.setdefault(endpoint.namespace, {})[slot] = None
        self._first = self._sizes = None

    def drop(self, ident: str) -> None:
        slot = self.slot_of.pop(ident, None)
        if slot is None:
            return
        old = self.endpoints[slot]
        assert old is not None
        self.by_namespace[old.namespace].pop(slot, None)
        self.endpoints[slot] = None
        self.classes[slot] = -1
        self._first = self._sizes = None

    def addresses(self) -> AddressIndex:
        """The addresses of every slot (a dead slot has none), for bulk block membership."""
        if self._addresses is None:
            self._addresses = AddressIndex([ep or _NOBODY for ep in self.endpoints])
        return self._addresses

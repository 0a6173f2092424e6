"""Canonical interval sets: integers, ports per protocol, addresses per IP family.

Every consumer that cuts ports or addresses into ranges (the engines, the nft compiler, lint,
the probes, diff, graph) uses these types and `boundaries`, so a range is computed one way.
All three are immutable values in canonical form (sorted, disjoint, non-adjacent inclusive
spans), so equal sets compare and hash equal, and support `|`, `&`, `-`, `<=` and `in`.
"""

from __future__ import annotations

import bisect
import ipaddress
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass

from podfence.model.addresses import IPAddress, IPBlock, IPNetwork
from podfence.model.ports import Protocol

__all__ = [
    "MAX_PORT",
    "IntervalSet",
    "PortSet",
    "AddressSet",
    "boundaries",
    "port_boundaries",
    "address_boundaries",
    "FAMILIES",
    "address_of",
]

MAX_PORT = 65535
FAMILIES = (4, 6)
_TOP = {4: 2**32 - 1, 6: 2**128 - 1}


@dataclass(frozen=True, slots=True)
class IntervalSet:
    """A set of integers as sorted, disjoint, non-adjacent inclusive spans."""

    spans: tuple[tuple[int, int], ...] = ()

    @classmethod
    def of(cls, spans: Iterable[tuple[int, int]]) -> IntervalSet:
        merged: list[tuple[int, int]] = []
        for first, last in sorted(s for s in spans if s[0] <= s[1]):
            if merged and first <= merged[-1][1] + 1:
                if last > merged[-1][1]:
                    merged[-1] = (merged[-1][0], last)
            else:
                merged.append((first, last))
        return cls(tuple(merged))

    @classmethod
    def single(cls, first: int, last: int) -> IntervalSet:
        """[first, last] (empty when last < first)."""
        return cls(((first, last),)) if first <= last else cls()

    def __bool__(self) -> bool:
        return bool(self.spans)

    def __contains__(self, value: object) -> bool:
        if not isinstance(value, int) or not self.spans:
            return False
        i = bisect.bisect_right(self.spans, (value, float("inf"))) - 1
        return i >= 0 and self.spans[i][0] <= value <= self.spans[i][1]

    def __iter__(self) -> Iterator[tuple[int, int]]:
        return iter(self.spans)

    def __len__(self) -> int:
        return len(self.spans)

    def __or__(self, other: IntervalSet) -> IntervalSet:
        return IntervalSet.of((*self.spans, *other.spans))

    def __sub__(self, other: IntervalSet) -> IntervalSet:
        out: list[tuple[int, int]] = []
        cuts = other.spans
        j = 0
        for first, last in self.spans:
            lo = first
            while j < len(cuts) and cuts[j][1] < lo:
                j += 1
            k = j
            while k < len(cuts) and cuts[k][0] <= last:
                c_first, c_last = cuts[k]
                if c_first > lo:
                    out.append((lo, c_first - 1))
                lo = max(lo, c_last + 1)
                if lo > last:
                    break
                k += 1
            if lo <= last:
                out.append((lo, last))
        return IntervalSet(tuple(out))

    def __and__(self, other: IntervalSet) -> IntervalSet:
        out: list[tuple[int, int]] = []
        i = j = 0
        a, b = self.spans, other.spans
        while i < len(a) and j < len(b):
            lo, hi = max(a[i][0], b[j][0]), min(a[i][1], b[j][1])
            if lo <= hi:
                out.append((lo, hi))
            if a[i][1] < b[j][1]:
                i += 1
            else:
                j += 1
        return IntervalSet(tuple(out))

    def __le__(self, other: IntervalSet) -> bool:
        return not (self - other)

    def cuts(self) -> Iterator[int]:
        """Where membership changes: each span's first value and the one after its last."""
        for first, last in self.spans:
            yield first
            yield last + 1

    def count(self) -> int:
        return sum(last - first + 1 for first, last in self.spans)


def boundaries(sets: Iterable[IntervalSet], *, low: int, high: int) -> tuple[int, ...]:
    """The points in [low, high + 1] where any of `sets` begins or ends, `low` included.

    Consecutive points p < q delimit the span [p, q - 1] inside which every one of the sets
    is either wholly in or wholly out: one value per span stands for all of it.
    """
    points = {low, high + 1}
    for s in sets:
        points.update(c for c in s.cuts() if low <= c <= high + 1)
    return tuple(sorted(points))


_ALL_PORTS = IntervalSet(((1, MAX_PORT),))


@dataclass(frozen=True, slots=True)
class PortSet:
    """Ports per protocol (port 0 excluded): `{TCP: 80, 8080-8090; UDP: 53}`."""

    by_protocol: tuple[tuple[Protocol, IntervalSet], ...] = ()
    """Non-empty sets only, in protocol order."""

    @classmethod
    def of(
        cls, parts: Mapping[Protocol, IntervalSet] | Iterable[tuple[Protocol, IntervalSet]]
    ) -> PortSet:
        items = parts.items() if isinstance(parts, Mapping) else parts
        merged: dict[Protocol, IntervalSet] = {}
        for protocol, spans in items:
            clipped = spans & _ALL_PORTS
            merged[protocol] = merged[protocol] | clipped if protocol in merged else clipped
        return cls(tuple((p, merged[p]) for p in Protocol if p in merged and merged[p]))

    @classmethod
    def every(cls, protocols: Iterable[Protocol] = tuple(Protocol)) -> PortSet:
        return cls.of((p, _ALL_PORTS) for p in protocols)

    @classmethod
    def span(cls, protocol: Protocol, first: int, last: int | None = None) -> PortSet:
        return cls.of(((protocol, IntervalSet.single(first, first if last is None else last)),))

    def get(self, protocol: Protocol) -> IntervalSet:
        for p, spans in self.by_protocol:
            if p is protocol:
                return spans
        return IntervalSet()

    def contains(self, port: int, protocol: Protocol) -> bool:
        return port in self.get(protocol)

    def __bool__(self) -> bool:
        return bool(self.by_protocol)

    def _zip(self, other: PortSet) -> Iterator[tuple[Protocol, IntervalSet, IntervalSet]]:
        for p in Protocol:
            yield p, self.get(p), other.get(p)

    def __or__(self, other: PortSet) -> PortSet:
        return PortSet.of((p, a | b) for p, a, b in self._zip(other))

    def __and__(self, other: PortSet) -> PortSet:
        return PortSet.of((p, a & b) for p, a, b in self._zip(other))

    def __sub__(self, other: PortSet) -> PortSet:
        return PortSet.of((p, a - b) for p, a, b in self._zip(other))

    def __le__(self, other: PortSet) -> bool:
        return all(a <= b for _, a, b in self._zip(other))

    @property
    def protocols(self) -> tuple[Protocol, ...]:
        return tuple(p for p, _ in self.by_protocol)

    def is_every(self, protocol: Protocol) -> bool:
        return self.get(protocol) == _ALL_PORTS


def port_boundaries(sets: Iterable[PortSet]) -> dict[Protocol, tuple[int, ...]]:
    """Per protocol, the `boundaries` of the sets' ports in 1-65535."""
    by_protocol: dict[Protocol, list[IntervalSet]] = {p: [] for p in Protocol}
    for s in sets:
        for p, spans in s.by_protocol:
            by_protocol[p].append(spans)
    return {p: boundaries(v, low=1, high=MAX_PORT) for p, v in by_protocol.items()}


@dataclass(frozen=True, slots=True)
class AddressSet:
    """Addresses per IP family, as integer spans: `10.0.0.0/8 minus 10.1.0.0/16`."""

    v4: IntervalSet = IntervalSet()
    v6: IntervalSet = IntervalSet()

    @classmethod
    def of_network(cls, net: IPNetwork) -> AddressSet:
        span = IntervalSet(((int(net.network_address), int(net.broadcast_address)),))
        return cls(v4=span) if net.version == 4 else cls(v6=span)

    @classmethod
    def of_block(cls, block: IPBlock) -> AddressSet:
        """An ipBlock: its CIDR minus each `except` (an except of the other family, or outside
        the CIDR, removes nothing). Upstream: networking/v1 IPBlock."""
        out = cls.of_network(block.cidr)
        for ex in block.excepts:
            out = out - cls.of_network(ex)
        return out

    @classmethod
    def of_addresses(cls, ips: Iterable[IPAddress]) -> AddressSet:
        v4: list[tuple[int, int]] = []
        v6: list[tuple[int, int]] = []
        for ip in ips:
            (v4 if ip.version == 4 else v6).append((int(ip), int(ip)))
        return cls(IntervalSet.of(v4), IntervalSet.of(v6))

    @classmethod
    def everything(cls) -> AddressSet:
        return cls(IntervalSet(((0, _TOP[4]),)), IntervalSet(((0, _TOP[6]),)))

    def family(self, version: int) -> IntervalSet:
        return self.v4 if version == 4 else self.v6

    def contains(self, ip: IPAddress) -> bool:
        return int(ip) in self.family(ip.version)

    def __contains__(self, ip: object) -> bool:
        return isinstance(ip, ipaddress.IPv4Address | ipaddress.IPv6Address) and self.contains(ip)

    def __bool__(self) -> bool:
        return bool(self.v4) or bool(self.v6)

    def __or__(self, other: AddressSet) -> AddressSet:
        return AddressSet(self.v4 | other.v4, self.v6 | other.v6)

    def __and__(self, other: AddressSet) -> AddressSet:
        return AddressSet(self.v4 & other.v4, self.v6 & other.v6)

    def __sub__(self, other: AddressSet) -> AddressSet:
        return AddressSet(self.v4 - other.v4, self.v6 - other.v6)

    def __le__(self, other: AddressSet) -> bool:
        return self.v4 <= other.v4 and self.v6 <= other.v6

    def ranges(self, version: int) -> Iterator[tuple[IPAddress, IPAddress]]:
        """The spans of one family as (first, last) addresses."""
        for first, last in self.family(version):
            yield address_of(first, version), address_of(last, version)


def address_boundaries(sets: Iterable[AddressSet], version: int) -> tuple[int, ...]:
    """The `boundaries` of the sets' addresses of one family (whole family as the range)."""
    return boundaries((s.family(version) for s in sets), low=0, high=_TOP[version])


def address_of(value: int, version: int) -> IPAddress:
    return ipaddress.IPv4Address(value) if version == 4 else ipaddress.IPv6Address(value)

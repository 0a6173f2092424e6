"""The ports and addresses that matter: exact equivalence classes to probe a cluster with.

Ports: every number where some rule's range starts or ends, or where a container declares a
port (named ports resolve to those), cuts 1-65535 into intervals per protocol. Inside one
interval every port gets the same verdict for every pair of parties, so one representative
per interval (its first port) answers for the whole interval, "every other port" included.

Addresses: the CIDRs and `except`s of every ipBlock cut each IP family into atoms; all the
addresses of one atom are inside exactly the same blocks, so one representative per atom
answers for all of them (the atom inside no block is "every other address").
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from podfence.model import Cluster, External, IPAddress, IPBlock, PortRange, Protocol

__all__ = [
    "PortProbe",
    "AddressProbe",
    "port_probes",
    "address_probes",
    "ip_blocks",
]

_MAX_PORT = 65535


@dataclass(frozen=True, slots=True)
class PortProbe:
    """One interval of one protocol; `port` (the first of the interval) stands for it."""

    protocol: Protocol
    ports: PortRange

    @property
    def port(self) -> int:
        return self.ports.first

    @property
    def sort_key(self) -> tuple[int, int]:
        return (_protocol_order(self.protocol), self.ports.first)

    @property
    def is_single(self) -> bool:
        return self.ports.first == self.ports.last

    def __str__(self) -> str:
        if self.ports == PortRange(1, _MAX_PORT):
            return f"{self.protocol} (every port)"
        return f"{self.protocol} {self.ports}"


@dataclass(frozen=True, slots=True)
class AddressProbe:
    """An atom of the address space: the blocks it is in, and one address standing for it."""

    inside: tuple[IPBlock, ...]
    address: IPAddress
    version: int

    @property
    def party(self) -> External:
        return External(self.address)

    @property
    def label(self) -> str:
        if not self.inside:
            return "every other address" if self.version == 4 else "every other IPv6 address"
        return " and ".join(str(b) for b in self.inside)


def _protocol_order(protocol: Protocol) -> int:
    return list(Protocol).index(protocol)


def port_probes(
    clusters: Iterable[Cluster], protocols: Sequence[Protocol] = tuple(Protocol)
) -> tuple[PortProbe, ...]:
    """The intervals of every protocol in `protocols`, cut by all the given clusters."""
    cuts: dict[Protocol, set[int]] = {p: {1, _MAX_PORT + 1} for p in protocols}
    for cluster in clusters:
        for ep in cluster.endpoints:
            for cp in ep.ports:
                if cp.protocol in cuts:
                    cuts[cp.protocol].update((cp.port, cp.port + 1))
        for pol in cluster.policies:
            for rule in pol.ingress + pol.egress:
                for pp in rule.ports:
                    rng = pp.numeric_range()
                    if rng is not None and pp.protocol in cuts:
                        cuts[pp.protocol].update((rng.first, rng.last + 1))
    probes: list[PortProbe] = []
    for protocol in sorted(cuts, key=_protocol_order):
        points = sorted(c for c in cuts[protocol] if 1 <= c <= _MAX_PORT + 1)
        probes += [
            PortProbe(protocol, PortRange(a, b - 1))
            for a, b in zip(points, points[1:], strict=False)
        ]
    return tuple(probes)


def ip_blocks(clusters: Iterable[Cluster]) -> tuple[IPBlock, ...]:
    """Every distinct ipBlock of the clusters' rules, in order of first appearance."""
    found: dict[IPBlock, None] = {}
    for cluster in clusters:
        for pol in cluster.policies:
            for rule in pol.ingress + pol.egress:
                for peer in rule.peers:
                    if peer.ip_block is not None:
                        found.setdefault(peer.ip_block, None)
    return tuple(found)


def _bounds(net: ipaddress.IPv4Network | ipaddress.IPv6Network) -> tuple[int, int]:
    return int(net.network_address), int(net.broadcast_address) + 1


def address_probes(
    clusters: Sequence[Cluster], *, every_other: bool = True
) -> tuple[AddressProbe, ...]:
    """One representative address per atom of each IP family that some block uses.

    With `every_other`, IPv4's atom outside every block is included even when no block is
    IPv4 (it stands for "the internet"). Pod IPs of the clusters are avoided when the atom
    has another address.
    """
    blocks = ip_blocks(clusters)
    pod_ips = {ip for c in clusters for ep in c.endpoints for ip in ep.ips}
    probes: list[AddressProbe] = []
    for version, top in ((4, 2**32), (6, 2**128)):
        family = [b for b in blocks if b.cidr.version == version]
        if not family and not (every_other and version == 4):
            continue
        cuts = {0, top}
        for block in family:
            for net in (block.cidr, *block.excepts):
                cuts.update(_bounds(net))
        points = sorted(cuts)
        seen: dict[tuple[IPBlock, ...], None] = {}
        for start, end in zip(points, points[1:], strict=False):
            addr = _pick(version, start, end, pod_ips)
            inside = tuple(b for b in family if b.contains(addr))
            if inside in seen:
                continue
            seen[inside] = None
            probes.append(AddressProbe(inside, addr, version))
    return tuple(sorted(probes, key=lambda p: (p.version, len(p.inside) == 0, p.label)))


def _pick(version: int, start: int, end: int, avoid: set[IPAddress]) -> IPAddress:
    """An address of [start, end): a documentation address for the whole space, else the
    first one not used by a pod (within a few tries)."""
    if version == 4 and start == 0 and end == 2**32:
        return ipaddress.IPv4Address("203.0.113.10")
    make = ipaddress.IPv4Address if version == 4 else ipaddress.IPv6Address
    for value in range(start, min(end, start + 8)):
        addr: IPAddress = make(value)
        if addr not in avoid:
            return addr
    return make(start)

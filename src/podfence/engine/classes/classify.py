"""An endpoint's signature: everything any policy can see of it, as the resolver decides it.

Two endpoints with the same signature get the same answer from the engine for every
connection, except a pod to itself. The signature holds, each read from the `Resolver` (the
class engine evaluates no selector, ipBlock or named port itself):
- the policies that select it and the pod peers that match it (`Resolver.group_of`;
  hostNetwork: none);
- its IP families (`party_families`: which families a connection with it can use);
- per family, the ipBlocks that hold one of its addresses of that family
  (`Resolver.block_members`): an ipBlock matches the packet's address;
- per named port a rule uses, the set of numbers it has on the endpoint
  (`Resolver.named_ports`): every container port with that name and protocol (a CNP's
  `destinationNamedPort` is a named port of each protocol);
- per family (4, 6, any), the ClusterNetworkPolicy `networks` and `nodes` peers that match it
  (`Resolver.address_peer_members`): its addresses, or a hostNetwork pod's node.

A ClusterNetworkPolicy's subject and its `namespaces`/`pods` peers are pod peers: they are in
`pod_peers` (never for a hostNetwork endpoint).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from podfence.engine.address_index import AddressIndex
from podfence.engine.resolve import Resolver, party_families
from podfence.model import Endpoint

__all__ = ["Signature", "signature_addresses", "signature_blocks", "signatures"]

_EMPTY: frozenset[int] = frozenset()


@dataclass(frozen=True, slots=True)
class Signature:
    host_network: bool
    families: frozenset[int] | None
    """The IP families of its addresses; None when it has none."""
    policies: frozenset[int]
    pod_peers: frozenset[int]
    v4_blocks: frozenset[int]
    """The ipBlocks holding one of its IPv4 addresses."""
    v6_blocks: frozenset[int]
    """The ipBlocks holding one of its IPv6 addresses."""
    named: tuple[frozenset[int], ...]
    """Per named port of the universe, its numbers on the endpoint (empty: undefined)."""
    v4_addresses: frozenset[int] = _EMPTY
    """The CNP `networks`/`nodes` peers (`universe.cluster_addresses`) matching it over IPv4."""
    v6_addresses: frozenset[int] = _EMPTY
    """... over IPv6."""
    any_addresses: frozenset[int] = _EMPTY
    """... over any family (a connection whose family is not known)."""

    def blocks(self, family: int | None) -> frozenset[int]:
        """The ipBlocks that hold it for a connection of `family` (None: any address)."""
        if family == 4:
            return self.v4_blocks
        if family == 6:
            return self.v6_blocks
        return self.v4_blocks | self.v6_blocks

    def addresses(self, family: int | None) -> frozenset[int]:
        """The CNP `networks`/`nodes` peers that match it over `family` (None: any)."""
        if family == 4:
            return self.v4_addresses
        if family == 6:
            return self.v6_addresses
        return self.any_addresses


def signature_blocks(
    resolver: Resolver, addresses: AddressIndex, block_ids: Sequence[int]
) -> tuple[list[frozenset[int]], list[frozenset[int]]]:
    """Per endpoint of `addresses`, the blocks among `block_ids` that hold it over IPv4 and
    over IPv6 (rows shared between endpoints with the same membership)."""
    if not block_ids:
        return [_EMPTY] * addresses.count, [_EMPTY] * addresses.count
    ids = np.asarray(block_ids, dtype=np.intp)
    v4 = _sets(resolver.block_members(addresses, block_ids, 4), ids)
    v6 = _sets(resolver.block_members(addresses, block_ids, 6), ids)
    return v4, v6


def _sets(members: npt.NDArray[np.bool_], ids: npt.NDArray[np.intp]) -> list[frozenset[int]]:
    found: dict[bytes, frozenset[int]] = {}
    out = []
    for row in members:
        key = row.tobytes()
        blocks = found.get(key)
        if blocks is None:
            blocks = found[key] = frozenset(ids[row].tolist())
        out.append(blocks)
    return out


def signature_addresses(
    resolver: Resolver, addresses: AddressIndex, endpoints: Sequence[Endpoint | None]
) -> tuple[list[frozenset[int]], list[frozenset[int]], list[frozenset[int]]]:
    """Per endpoint, the CNP `networks`/`nodes` peers that match it over IPv4, over IPv6 and
    over any family."""
    ids = range(len(resolver.universe.cluster_addresses))
    if not ids:
        return [_EMPTY] * addresses.count, [_EMPTY] * addresses.count, [_EMPTY] * addresses.count
    index = np.asarray(ids, dtype=np.intp)
    out = tuple(
        _sets(resolver.address_peer_members(addresses, endpoints, ids, family), index)
        for family in (4, 6, None)
    )
    return out[0], out[1], out[2]


def signatures(
    resolver: Resolver, endpoints: Sequence[Endpoint], addresses: AddressIndex | None = None
) -> list[Signature]:
    """The signature of each endpoint (`addresses`: their `AddressIndex`, if already built)."""
    index = AddressIndex(endpoints) if addresses is None else addresses
    v4, v6 = signature_blocks(resolver, index, range(len(resolver.universe.blocks)))
    a4, a6, a_any = signature_addresses(resolver, index, endpoints)
    families: dict[tuple[int, ...], frozenset[int] | None] = {}
    out = []
    for i, ep in enumerate(endpoints):
        group = resolver.group_of(ep)
        key = tuple(ip.version for ip in ep.ips)
        fams = families.get(key)
        if fams is None and key not in families:
            fams = families[key] = party_families(ep)
        sig = Signature(
            ep.host_network,
            fams,
            group.policies,
            group.pod_peers,
            v4[i],
            v6[i],
            resolver.named_ports(ep),
            a4[i],
            a6[i],
            a_any[i],
        )
        out.append(sig)
    return out

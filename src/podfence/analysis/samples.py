"""The ports and addresses that matter: one sample per region that no rule tells apart.

Every analysis that asks the engine "on which ports, from which addresses" (lint, graph, diff,
the report) takes its samples from here, and the regions come from the resolved core only:

- ports: the `PortSet` each `ports` item of a live policy, and each `protocols` entry of a
  ClusterNetworkPolicy, allows towards each endpoint (a named port is the set of every
  number its containers give that name, so each of them cuts), and the ports the endpoints
  declare. `model.port_boundaries` cuts each protocol's
  line 1-65535 at every boundary; inside one `PortSpan` every port gets the same verdict for
  every pair of parties, so its first port stands for all of it;
- addresses: the `AddressSet` of every ipBlock (cidr minus except, per IP family, from the
  resolver), of every ClusterNetworkPolicy `networks` CIDR and of every address of a node a
  `nodes` peer selects (`address_blocks`). `model.address_boundaries` cuts each family into
  atoms; every address of an atom
  is inside exactly the same blocks, so one address per distinct set of blocks stands for
  all of them ("every other address" is the atom inside none). A pod's address is that pod,
  not the outside: an atom made only of pod addresses has no outside sample.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from podfence.engine import Engine
from podfence.engine.compiled import CompiledRule
from podfence.engine.match import NamedPortMatcher
from podfence.engine.resolve import declared_ports
from podfence.engine.tiers import CompiledClusterRule, NetworksMatcher, NodesMatcher
from podfence.model import (
    AddressSet,
    Direction,
    External,
    IPAddress,
    IPBlock,
    Party,
    PortRange,
    PortSet,
    Protocol,
    ProtocolPort,
)
from podfence.model.internet import NOT_PUBLIC
from podfence.model.intervals import MAX_PORT, address_boundaries, address_of, port_boundaries

__all__ = [
    "PortSpan",
    "AddressAtom",
    "rule_port_sets",
    "cluster_rule_port_sets",
    "policy_port_sets",
    "rules_port_sets",
    "port_spans",
    "port_samples",
    "mentioned_protocols",
    "address_atoms",
    "address_blocks",
    "outside_samples",
    "NOT_PUBLIC",
    "public_atoms",
]

_EVERY_PORT = PortRange(1, MAX_PORT)
_EVERYTHING = PortSet.every()


@dataclass(frozen=True, slots=True)
class PortSpan:
    """A span of one protocol's ports inside which every verdict is the same; its first port
    (`sample`) stands for all of it."""

    protocol: Protocol
    ports: PortRange

    @classmethod
    def single(cls, port: ProtocolPort) -> PortSpan:
        return cls(port.protocol, PortRange(port.port, port.port))

    @property
    def port(self) -> int:
        return self.ports.first

    @property
    def sample(self) -> ProtocolPort:
        return ProtocolPort(self.ports.first, self.protocol)

    @property
    def sort_key(self) -> tuple[int, int]:
        return (list(Protocol).index(self.protocol), self.ports.first)

    @property
    def is_single(self) -> bool:
        return self.ports.first == self.ports.last

    def __contains__(self, port: object) -> bool:
        return (
            isinstance(port, ProtocolPort)
            and port.protocol is self.protocol
            and port.port in self.ports
        )

    def __str__(self) -> str:
        if self.ports == _EVERY_PORT:
            return f"{self.protocol} (every port)"
        return f"{self.protocol} {self.ports}"


@dataclass(frozen=True, slots=True)
class AddressAtom:
    """A region of one IP family inside exactly the blocks `inside`; `address` stands for it."""

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


# -- ports ---------------------------------------------------------------------------------


def rule_port_sets(
    engine: Engine, rules: Iterable[CompiledRule], destination: Party
) -> frozenset[PortSet]:
    """The distinct sets of ports the `ports` items of `rules` allow towards `destination`
    (named ports resolved on it by the resolver)."""
    matchers = {matcher for rule in rules for matcher in rule.ports}
    return frozenset(engine.resolver.ports(matcher, destination) for matcher in matchers)


def cluster_rule_port_sets(
    engine: Engine, keys: Iterable[str], direction: Direction, destination: Party
) -> frozenset[PortSet]:
    """The distinct sets of ports the `protocols` entries of the `direction` rules of the
    ClusterNetworkPolicies `keys` match towards `destination` (named ports resolved on it)."""
    matchers = {
        m for key in keys for r in engine.cluster_compiled(key).rules(direction) for m in r.ports
    }
    return frozenset(engine.resolver.cluster_ports(m, destination) for m in matchers)


def _live_rules(engine: Engine) -> Iterator[CompiledRule]:
    for policy in engine.policies:
        for direction in Direction:
            yield from policy.rules(direction)


def _cluster_rules(engine: Engine) -> Iterator[CompiledClusterRule]:
    for policy in engine.resolver.universe.cluster_policies:
        for direction in Direction:
            yield from policy.rules(direction)


def _cluster_port_sets(engine: Engine, destination: Party) -> set[PortSet]:
    matchers = {m for rule in _cluster_rules(engine) for m in rule.ports}
    return {engine.resolver.cluster_ports(m, destination) for m in matchers}


_OUTSIDE = External(ipaddress.IPv4Address(0))
"""A destination outside the cluster (named ports resolve to nothing there)."""


def rules_port_sets(engine: Engine) -> frozenset[PortSet]:
    """Every set of ports some rule of a live policy allows towards some endpoint of the
    engine's cluster or the outside: the only sets that can tell ports apart in a verdict.
    Only a named port resolves on its destination, by the ports the destination declares: the
    others are resolved once, and named ones once per distinct set of declared ports."""
    matchers = {matcher for rule in _live_rules(engine) for matcher in rule.ports}
    found: set[PortSet] = {engine.resolver.ports(m, _OUTSIDE) for m in matchers}
    found |= _cluster_port_sets(engine, _OUTSIDE)
    named = [m for m in matchers if isinstance(m, NamedPortMatcher)]
    seen: set[object] = set()
    for ep in engine.cluster.endpoints:
        if ep.ports in seen:
            continue
        seen.add(ep.ports)
        found |= {engine.resolver.ports(m, ep) for m in named}
        found |= _cluster_port_sets(engine, ep)
    return frozenset(found)


def policy_port_sets(engine: Engine) -> frozenset[PortSet]:
    """`rules_port_sets`, and every endpoint's declared ports."""
    return rules_port_sets(engine) | {declared_ports(ep) for ep in engine.cluster.endpoints}


def port_spans(
    sets: Iterable[PortSet], protocols: Sequence[Protocol] = tuple(Protocol)
) -> tuple[PortSpan, ...]:
    """The spans of each protocol in `protocols` (in protocol order) that `sets` cut."""
    cuts = port_boundaries(sets)
    return tuple(
        PortSpan(protocol, PortRange(a, b - 1))
        for protocol in Protocol
        if protocol in protocols
        for a, b in zip(cuts[protocol], cuts[protocol][1:], strict=False)
    )


def mentioned_protocols(sets: Iterable[PortSet]) -> tuple[Protocol, ...]:
    """The protocols some set names (a set of every port of every protocol names none), in
    protocol order."""
    named = {p for s in sets if s != _EVERYTHING for p in s.protocols}
    return tuple(p for p in Protocol if p in named)


def port_samples(sets: Iterable[PortSet]) -> tuple[ProtocolPort, ...]:
    """One port per span of every protocol that `sets` name, and of one protocol they do not
    name (every unnamed protocol behaves like the others)."""
    sets = tuple(sets)
    protocols = list(mentioned_protocols(sets))
    unnamed = next((p for p in Protocol if p not in protocols), None)
    if unnamed is not None:
        protocols.append(unnamed)
    return tuple(span.sample for span in port_spans(sets, protocols))


# -- addresses -----------------------------------------------------------------------------

_DOCUMENTATION = ipaddress.IPv4Address("203.0.113.10")
"""Stands for the whole IPv4 space when no block cuts it (TEST-NET-3)."""
_TOP = {4: 2**32, 6: 2**128}


def address_blocks(engine: Engine) -> tuple[IPBlock, ...]:
    """Every ipBlock of the live policies, then, as blocks without except, every
    ClusterNetworkPolicy `networks` CIDR and every address of a node a `nodes` peer selects
    (a single-address block): the address regions some policy tells apart, in order."""
    found: dict[IPBlock, None] = dict.fromkeys(engine.resolver.universe.blocks)
    for rule in _cluster_rules(engine):
        for matcher in rule.peers:
            match matcher:
                case NetworksMatcher(networks):
                    found.update((IPBlock(net), None) for net in networks)
                case NodesMatcher(selector):
                    found.update(
                        (IPBlock(ipaddress.ip_network(ip)), None)
                        for node in engine.resolver.selected_nodes(selector)
                        for ip in node.ips
                    )
                case _:
                    pass
    return tuple(found)


def _blocks(engines: Sequence[Engine]) -> tuple[tuple[IPBlock, AddressSet], ...]:
    """Every distinct block of the engines (`address_blocks`), in order, with its addresses."""
    found: dict[IPBlock, AddressSet] = {}
    for engine in engines:
        for block in address_blocks(engine):
            if block not in found:
                found[block] = engine.resolver.block(block)
    return tuple(found.items())


def _pick(version: int, start: int, end: int, avoid: frozenset[int]) -> IPAddress | None:
    """An address of [start, end) that no pod has (None: all of them are pods'), the
    documentation address for the whole IPv4 space."""
    if version == 4 and start == 0 and end == _TOP[4] and int(_DOCUMENTATION) not in avoid:
        return _DOCUMENTATION
    value = start
    while value < end and value in avoid:
        value += 1
    return address_of(value, version) if value < end else None


def address_atoms(
    engines: Sequence[Engine], *, every_other: bool = True
) -> tuple[AddressAtom, ...]:
    """One outside address per distinct set of blocks, for each IP family some block has
    addresses of (and IPv4 with `every_other`, where "every other address" stands for the
    internet). Ordered by family, inside blocks first, then by label."""
    blocks = _blocks(engines)
    pods = {ip for e in engines for ep in e.cluster.endpoints for ip in ep.ips}
    atoms: list[AddressAtom] = []
    for version in (4, 6):
        family = [(b, s) for b, s in blocks if s.family(version)]
        if not family and not (every_other and version == 4):
            continue
        avoid = frozenset(int(ip) for ip in pods if ip.version == version)
        points = address_boundaries((s for _, s in family), version)
        seen: set[tuple[IPBlock, ...]] = set()
        for start, end in zip(points, points[1:], strict=False):
            inside = tuple(b for b, s in family if start in s.family(version))
            if inside in seen:
                continue
            addr = _pick(version, start, end, avoid)
            if addr is None:
                continue
            seen.add(inside)
            atoms.append(AddressAtom(inside, addr, version))
    return tuple(sorted(atoms, key=lambda a: (a.version, not a.inside, a.label)))


def public_atoms(engines: Sequence[Engine]) -> tuple[AddressAtom, ...]:
    """Like `address_atoms`, restricted to public addresses (outside `NOT_PUBLIC`): one
    internet address per distinct set of blocks, for IPv4, and for IPv6 when some block has
    IPv6 addresses."""
    blocks = _blocks(engines)
    pods = {ip for e in engines for ep in e.cluster.endpoints for ip in ep.ips}
    atoms: list[AddressAtom] = []
    for version in (4, 6):
        family = [(b, s) for b, s in blocks if s.family(version)]
        if not family and version == 6:
            continue
        avoid = frozenset(int(ip) for ip in pods if ip.version == version)
        private = NOT_PUBLIC.family(version)
        points = address_boundaries([*(s for _, s in family), NOT_PUBLIC], version)
        seen: set[tuple[IPBlock, ...]] = set()
        for start, end in zip(points, points[1:], strict=False):
            if start in private:
                continue
            inside = tuple(b for b, s in family if start in s.family(version))
            if inside in seen:
                continue
            # not a network's first address, when the region is larger than one
            addr = _pick(version, start + 1 if end - start > 2 else start, end, avoid)
            if addr is None:
                continue
            seen.add(inside)
            atoms.append(AddressAtom(inside, addr, version))
    return tuple(sorted(atoms, key=lambda a: (a.version, not a.inside, a.label)))


def outside_samples(engine: Engine) -> tuple[External, ...]:
    """One outside address per region the ipBlocks of the live policies tell apart."""
    return tuple(a.party for a in address_atoms([engine]))

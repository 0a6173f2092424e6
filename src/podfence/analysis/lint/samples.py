"""Representative ports and outside addresses: one sample per region that rules tell apart.

The port line of each protocol is cut at every boundary a rule or a container port mentions
(a range's first port and the one after its last; a container port and the one after it).
Every cut starts a region in which no rule can change its answer, so one port per region
(its first) stands for the whole region. Likewise for addresses: the boundaries of every
ipBlock CIDR and `except`, plus the start of each address family. A protocol that nothing
mentions behaves like every other unmentioned one, so one of them is sampled.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Iterator

from podfence.model import (
    Cluster,
    ContainerPort,
    Direction,
    External,
    IPAddress,
    NetworkPolicy,
    Protocol,
    Rule,
)

__all__ = ["effective_rules", "outside_samples", "port_samples"]

_MAX_PORT = 65535


def port_samples(
    rules: Iterable[Rule], container_ports: Iterable[ContainerPort]
) -> tuple[tuple[int, Protocol], ...]:
    """One (port, protocol) per region that `rules` and the destination's `container_ports`
    (which named ports resolve to) tell apart."""
    points: dict[Protocol, set[int]] = {}
    for rule in rules:
        for port in rule.ports:
            cuts = points.setdefault(port.protocol, {1})
            rng = port.numeric_range()
            if rng is not None:
                cuts.update((rng.first, rng.last + 1))
    for cp in container_ports:
        points.setdefault(cp.protocol, {1}).update((cp.port, cp.port + 1))
    unmentioned = next((p for p in Protocol if p not in points), None)
    if unmentioned is not None:
        points[unmentioned] = {1}
    return tuple(
        (port, proto)
        for proto in Protocol
        if proto in points
        for port in sorted(points[proto])
        if 1 <= port <= _MAX_PORT
    )


def effective_rules(policy: NetworkPolicy) -> Iterator[Rule]:
    """The rules of the directions its policyTypes lists."""
    for direction in Direction:
        if policy.affects(direction):
            yield from policy.rules(direction)


def outside_samples(cluster: Cluster) -> tuple[External, ...]:
    """Addresses outside the cluster, one per region the ipBlocks of the policies tell apart.

    Addresses that are a pod's IP are left out (they are that pod, not the outside).
    """
    found: set[IPAddress] = {ipaddress.IPv4Address("0.0.0.0")}
    for policy in cluster.policies:
        for rule in effective_rules(policy):
            for peer in rule.peers:
                if peer.ip_block is None:
                    continue
                block = peer.ip_block
                for net in (block.cidr, *block.excepts):
                    found.add(net.network_address)
                    after = int(net.broadcast_address) + 1
                    if after < 2**net.max_prefixlen:
                        found.add(type(net.network_address)(after))
                    if net.version == 6:
                        found.add(ipaddress.IPv6Address("::"))
    pod_ips = {ip for ep in cluster.endpoints for ip in ep.ips}
    ordered = sorted(found - pod_ips, key=lambda ip: (ip.version, int(ip)))
    return tuple(External(ip) for ip in ordered)

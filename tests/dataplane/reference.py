"""A brute-force reference for NetworkPolicy, written straight from the semantics, sharing no
code with the compiler, the lab or the engine (no `podfence.engine` import: only the model's
value semantics, selectors and CIDRs). Used to judge the kernel, the compiler and the engine.

Upstream: https://kubernetes.io/docs/concepts/services-networking/network-policies/ and
k8s.io/api/networking/v1 types.go (isolation, peers, ipBlock, named ports, endPort).

- A connection is made over one IP family; its packets carry each party's address of that
  family, and an ipBlock is matched against that address (the kernel, every CNI).
- A named port is every container port of the destination with that name and protocol
  (names are unique per container only; enforcers match each of them).
- A pair asked without a family is allowed when every family both have allows it (a client
  may use either); a pair sharing no family cannot connect.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from podfence.model import (
    NAME_LABEL,
    Cluster,
    Direction,
    Endpoint,
    IPAddress,
    NetworkPolicy,
    Peer,
    PolicyPort,
    Protocol,
    Rule,
)

__all__ = ["allowed", "reference_matrix", "addresses", "families"]


def _selects(policy: NetworkPolicy, ep: Endpoint) -> bool:
    # hostNetwork pods are never selected by a policy
    return (
        not ep.host_network
        and ep.namespace == policy.namespace
        and policy.pod_selector.matches(dict(ep.labels))
    )


def _policies(cluster: Cluster, ep: Endpoint, direction: Direction) -> list[NetworkPolicy]:
    return [p for p in cluster.policies if direction in p.policy_types and _selects(p, ep)]


def _ns_labels(cluster: Cluster, name: str) -> dict[str, str]:
    ns = cluster.namespace(name)
    return dict(ns.labels) if ns is not None else {NAME_LABEL: name}


def _peer(cluster: Cluster, policy: NetworkPolicy, peer: Peer, ep: Endpoint, ip: IPAddress) -> bool:
    if peer.ip_block is not None:
        return peer.ip_block.contains(ip)
    if ep.host_network:
        return False
    if peer.namespace_selector is None:
        ns_ok = ep.namespace == policy.namespace
    else:
        ns_ok = peer.namespace_selector.matches(_ns_labels(cluster, ep.namespace))
    pod_ok = peer.pod_selector is None or peer.pod_selector.matches(dict(ep.labels))
    return ns_ok and pod_ok


def _port(entry: PolicyPort, dest: Endpoint, port: int, protocol: Protocol) -> bool:
    if entry.protocol is not protocol:
        return False
    if entry.port is None:
        return True
    if isinstance(entry.port, str):
        return any(
            cp.name == entry.port and cp.protocol is protocol and cp.port == port
            for cp in dest.ports
        )
    if entry.end_port is not None:
        return entry.port <= port <= entry.end_port
    return port == entry.port


def _rule(
    cluster: Cluster,
    policy: NetworkPolicy,
    rule: Rule,
    peer: tuple[Endpoint, IPAddress],
    dest: Endpoint,
    port: int,
    protocol: Protocol,
) -> bool:
    peers_ok = not rule.peers or any(_peer(cluster, policy, p, *peer) for p in rule.peers)
    ports_ok = not rule.ports or any(_port(e, dest, port, protocol) for e in rule.ports)
    return peers_ok and ports_ok


def families(src: Endpoint, dst: Endpoint) -> tuple[int, ...]:
    """The IP families both endpoints have an address of (4, then 6)."""
    mine, theirs = {ip.version for ip in src.ips}, {ip.version for ip in dst.ips}
    return tuple(v for v in (4, 6) if v in mine and v in theirs)


def addresses(src: Endpoint, dst: Endpoint, family: int) -> tuple[IPAddress, IPAddress] | None:
    """The addresses a connection of `family` uses: each one's first of that family."""
    mine = [ip for ip in src.ips if ip.version == family]
    theirs = [ip for ip in dst.ips if ip.version == family]
    return (mine[0], theirs[0]) if mine and theirs else None


def allowed(
    cluster: Cluster,
    src: Endpoint,
    dst: Endpoint,
    port: int,
    protocol: Protocol,
    family: int | None = None,
) -> bool:
    if src.id == dst.id:
        return True
    if family is None:
        shared = families(src, dst)
        return bool(shared) and all(allowed(cluster, src, dst, port, protocol, f) for f in shared)
    pair = addresses(src, dst, family)
    if pair is None:
        return False
    src_ip, dst_ip = pair
    egress = _policies(cluster, src, Direction.EGRESS)
    if egress and not any(
        _rule(cluster, p, r, (dst, dst_ip), dst, port, protocol) for p in egress for r in p.egress
    ):
        return False
    ingress = _policies(cluster, dst, Direction.INGRESS)
    return not ingress or any(
        _rule(cluster, p, r, (src, src_ip), dst, port, protocol) for p in ingress for r in p.ingress
    )


def reference_matrix(
    cluster: Cluster,
    ports: Sequence[tuple[int, Protocol]],
    endpoints: Sequence[str] | None = None,
    family: int | None = None,
) -> dict[str, Any]:
    """The matrix contract: endpoints sorted, allowed[i][j] per port (over `family`, or
    over every family a pair shares)."""
    eps = sorted(
        (ep for ep in cluster.endpoints if endpoints is None or ep.id in endpoints),
        key=lambda ep: ep.id,
    )
    return {
        "endpoints": [ep.id for ep in eps],
        "matrices": [
            {
                "port": port,
                "protocol": protocol.value,
                "allowed": [
                    [allowed(cluster, s, d, port, protocol, family) for d in eps] for s in eps
                ],
            }
            for port, protocol in ports
        ],
    }

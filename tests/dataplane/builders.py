"""Short constructors for model objects in tests."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping

from podfence.model import (
    NAME_LABEL,
    Cluster,
    ContainerPort,
    Direction,
    Endpoint,
    IPBlock,
    LabelSelector,
    Namespace,
    NetworkPolicy,
    Operator,
    Peer,
    PolicyPort,
    Protocol,
    Requirement,
    Rule,
    frozen_labels,
)

__all__ = [
    "TCP",
    "UDP",
    "SCTP",
    "INGRESS",
    "EGRESS",
    "BOTH",
    "sel",
    "expr",
    "ns",
    "pod",
    "policy",
    "rule",
    "peer",
    "block",
    "port",
    "cluster",
]

TCP, UDP, SCTP = Protocol.TCP, Protocol.UDP, Protocol.SCTP
INGRESS = frozenset({Direction.INGRESS})
EGRESS = frozenset({Direction.EGRESS})
BOTH = frozenset({Direction.INGRESS, Direction.EGRESS})


def sel(*exprs: Requirement, **labels: str) -> LabelSelector:
    return LabelSelector(frozen_labels(labels), tuple(exprs))


def expr(key: str, op: str, *values: str) -> Requirement:
    return Requirement(key, Operator(op), tuple(values))


def ns(name: str, **labels: str) -> Namespace:
    return Namespace(name, frozen_labels({NAME_LABEL: name, **labels}))


def pod(
    ident: str,
    labels: Mapping[str, str] | None = None,
    *,
    ips: Iterable[str] = (),
    ports: Iterable[tuple[int, Protocol, str | None]] = (),
    host_network: bool = False,
) -> Endpoint:
    namespace, name = ident.split("/")
    return Endpoint(
        namespace,
        name,
        labels=frozen_labels(labels or {}),
        ports=tuple(ContainerPort(p, proto, n) for p, proto, n in ports),
        ips=tuple(ipaddress.ip_address(ip) for ip in ips),
        host_network=host_network,
    )


def port(
    protocol: Protocol = TCP, number: int | str | None = None, end: int | None = None
) -> PolicyPort:
    return PolicyPort(protocol, number, end)


def block(cidr: str, *excepts: str) -> IPBlock:
    return IPBlock(ipaddress.ip_network(cidr), tuple(ipaddress.ip_network(e) for e in excepts))


def peer(
    pods: LabelSelector | None = None,
    namespaces: LabelSelector | None = None,
    ip_block: IPBlock | None = None,
) -> Peer:
    return Peer(pods, namespaces, ip_block)


def rule(peers: Iterable[Peer] = (), ports: Iterable[PolicyPort] = ()) -> Rule:
    return Rule(tuple(peers), tuple(ports))


def policy(
    ident: str,
    selector: LabelSelector,
    types: frozenset[Direction],
    *,
    ingress: Iterable[Rule] = (),
    egress: Iterable[Rule] = (),
) -> NetworkPolicy:
    namespace, name = ident.split("/")
    return NetworkPolicy(namespace, name, selector, types, tuple(ingress), tuple(egress))


def cluster(
    namespaces: Iterable[Namespace], pods: Iterable[Endpoint], policies: Iterable[NetworkPolicy]
) -> Cluster:
    return Cluster(tuple(namespaces), tuple(sorted(pods, key=lambda e: e.id)), tuple(policies))

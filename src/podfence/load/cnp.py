"""Valid ClusterNetworkPolicy and Node trees -> the frozen model.

Only called on objects that passed validation (the build stage runs when there is no error),
so every value has its schema type. The one-ofs become the model's closed unions; a peer or
protocol entry with no field of the bundled CRD becomes `UnknownPeer` / `UnknownProtocol`
(validation warned about it).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping

from podfence.load.convert import ConversionError, to_labels, to_selector
from podfence.load.objects import Obj
from podfence.load.tree import get_list, get_map, get_str
from podfence.model import (
    Action,
    ClusterNetworkPolicy,
    ClusterPeer,
    ClusterProtocol,
    ClusterRule,
    Direction,
    DomainNamesPeer,
    EveryPort,
    IPNetwork,
    LabelSelector,
    NamedPort,
    NamespacesPeer,
    NamespacesSubject,
    NetworksPeer,
    Node,
    NodeAddress,
    NodesPeer,
    PodsPeer,
    PodsSubject,
    PortNumber,
    PortRangeMatch,
    Protocol,
    Protocols,
    Subject,
    Tier,
    UnknownPeer,
    UnknownProtocol,
)

__all__ = [
    "build_cluster_policy",
    "build_node",
    "to_cluster_peer",
    "to_cluster_protocol",
    "to_cluster_rule",
    "to_network",
    "to_subject",
]

_PROTOCOLS = {"tcp": Protocol.TCP, "udp": Protocol.UDP, "sctp": Protocol.SCTP}


def _selector(tree: Mapping[str, object], key: str) -> LabelSelector:
    """A selector field; absent means the empty selector (a Go struct's zero value)."""
    return to_selector(get_map(tree, key) or {})


def to_subject(tree: Mapping[str, object]) -> Subject:
    namespaces = get_map(tree, "namespaces")
    if namespaces is not None:
        return NamespacesSubject(to_selector(namespaces))
    pods = get_map(tree, "pods")
    if pods is None:
        raise ConversionError(f"bad subject {tree!r}")
    return PodsSubject(_selector(pods, "namespaceSelector"), _selector(pods, "podSelector"))


def to_network(text: str) -> IPNetwork:
    """A `networks` CIDR (validated by isCIDR): host bits set denote the network."""
    try:
        return ipaddress.ip_network(text, strict=False)
    except ValueError:
        raise ConversionError(f"bad CIDR {text!r}") from None


def to_cluster_peer(tree: Mapping[str, object]) -> ClusterPeer:
    """One peer: exactly one known field (validated), or none (`UnknownPeer`)."""
    namespaces = get_map(tree, "namespaces")
    if namespaces is not None:
        return NamespacesPeer(to_selector(namespaces))
    pods = get_map(tree, "pods")
    if pods is not None:
        return PodsPeer(_selector(pods, "namespaceSelector"), _selector(pods, "podSelector"))
    nodes = get_map(tree, "nodes")
    if nodes is not None:
        return NodesPeer(to_selector(nodes))
    networks = get_list(tree, "networks")
    if networks is not None:
        return NetworksPeer(tuple(to_network(n) for n in networks if isinstance(n, str)))
    names = get_list(tree, "domainNames")
    if names is not None:
        return DomainNamesPeer(tuple(n for n in names if isinstance(n, str)))
    return UnknownPeer(_unknown_fields(tree))


def _unknown_fields(tree: Mapping[str, object]) -> tuple[str, ...]:
    return tuple(sorted(k for k, v in tree.items() if v is not None))


def to_cluster_protocol(tree: Mapping[str, object]) -> ClusterProtocol:
    """One protocol entry: a port number or range of one protocol, a named port, or
    `UnknownProtocol` (no known field, or `destinationNamedPort: ""`)."""
    for key, protocol in _PROTOCOLS.items():
        match = get_map(tree, key)
        if match is None:
            continue
        port = get_map(match, "destinationPort")
        if port is None:
            return UnknownProtocol((key, *_unknown_fields(match)))
        number = _int_or_none(port, "number")
        if number is not None:
            return PortNumber(protocol, number)
        span = get_map(port, "range")
        start, end = _int_or_none(span, "start"), _int_or_none(span, "end")
        if start is not None and end is not None:
            return PortRangeMatch(protocol, start, end)
        return UnknownProtocol((key, "destinationPort", *_unknown_fields(port)))
    name = get_str(tree, "destinationNamedPort")
    if name:
        return NamedPort(name)
    if name == "":
        return UnknownProtocol(("destinationNamedPort",))
    return UnknownProtocol(_unknown_fields(tree))


def _protocols(rule: Mapping[str, object]) -> Protocols:
    items = get_list(rule, "protocols")
    if items is None:
        return EveryPort()
    return tuple(to_cluster_protocol(p) for p in items if isinstance(p, dict))


def to_cluster_rule(tree: Mapping[str, object], direction: Direction) -> ClusterRule:
    peers = get_list(tree, direction.peers_field) or []
    return ClusterRule(
        action=Action(get_str(tree, "action")),
        peers=tuple(to_cluster_peer(p) for p in peers if isinstance(p, dict)),
        protocols=_protocols(tree),
        name=get_str(tree, "name") or "",
    )


def _integer(value: object) -> int:
    """An integer field; a float with an integral value is one (JSON has only numbers)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ConversionError(f"bad integer {value!r}")
    if isinstance(value, float) and not value.is_integer():
        raise ConversionError(f"bad integer {value!r}")
    return int(value)


def _int_or_none(tree: Mapping[str, object] | None, key: str) -> int | None:
    value = tree.get(key) if tree is not None else None
    return None if value is None else _integer(value)


def build_cluster_policy(obj: Obj) -> ClusterNetworkPolicy:
    spec = get_map(obj.body, "spec") or {}
    subject = get_map(spec, "subject")
    if subject is None or not obj.name:
        raise ConversionError(f"bad ClusterNetworkPolicy {obj.label}")
    rules = {
        d: tuple(
            to_cluster_rule(r, d)
            for r in get_list(spec, d.rules_field) or []
            if isinstance(r, dict)
        )
        for d in Direction
    }
    return ClusterNetworkPolicy(
        name=obj.name,
        tier=Tier(get_str(spec, "tier")),
        priority=_integer(spec.get("priority")),
        subject=to_subject(subject),
        ingress=rules[Direction.INGRESS],
        egress=rules[Direction.EGRESS],
        annotations=to_labels(get_map(obj.meta, "annotations")),
        location=obj.location,
    )


def build_node(obj: Obj) -> Node:
    if not obj.name:
        raise ConversionError(f"bad Node {obj.label}")
    addresses = []
    for item in get_list(get_map(obj.body, "status"), "addresses") or []:
        if isinstance(item, dict):
            kind, address = get_str(item, "type") or "", get_str(item, "address") or ""
            addresses.append(NodeAddress(kind, address))
    return Node(
        name=obj.name,
        labels=to_labels(get_map(obj.meta, "labels")),
        addresses=tuple(addresses),
        location=obj.location,
    )

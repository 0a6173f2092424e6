"""Builders for ClusterNetworkPolicy tests: CNPs, rules, peers and protocols from model objects,
and one small cluster with nodes, a hostNetwork pod and named ports to ask them about."""

from __future__ import annotations

import dataclasses
import ipaddress
from collections.abc import Iterable, Mapping

from engine.builders import cport, ns, pod, sel
from podfence.model import (
    Action,
    Cluster,
    ClusterNetworkPolicy,
    ClusterPeer,
    ClusterProtocol,
    ClusterRule,
    DomainNamesPeer,
    Endpoint,
    EveryPort,
    LabelSelector,
    NamedPort,
    NamespacesPeer,
    NamespacesSubject,
    NetworkPolicy,
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
    frozen_labels,
)

__all__ = [
    "ACCEPT",
    "ADMIN",
    "BASELINE",
    "DENY",
    "PASS",
    "ALL_NS",
    "cnp",
    "crule",
    "domains",
    "named_port",
    "namespaces",
    "networks",
    "nodes",
    "pods",
    "pods_subject",
    "port",
    "port_range",
    "tier_cluster",
    "unknown_peer",
    "unknown_protocol",
]

ADMIN, BASELINE = Tier.ADMIN, Tier.BASELINE
ACCEPT, DENY, PASS = Action.ACCEPT, Action.DENY, Action.PASS
ALL_NS = NamespacesSubject(LabelSelector())
"""`subject: {namespaces: {}}`: every pod (hostNetwork pods never)."""


def namespaces(labels: Mapping[str, str] | None = None) -> NamespacesPeer:
    return NamespacesPeer(sel(labels))


def pods(ns_labels: Mapping[str, str] | None, pod_labels: Mapping[str, str]) -> PodsPeer:
    return PodsPeer(sel(ns_labels), sel(pod_labels))


def pods_subject(ns_labels: Mapping[str, str] | None, pod_labels: Mapping[str, str]) -> PodsSubject:
    return PodsSubject(sel(ns_labels), sel(pod_labels))


def networks(*cidrs: str) -> NetworksPeer:
    return NetworksPeer(tuple(ipaddress.ip_network(c, strict=False) for c in cidrs))


def nodes(labels: Mapping[str, str] | None = None) -> NodesPeer:
    return NodesPeer(sel(labels))


def domains(*names: str) -> DomainNamesPeer:
    return DomainNamesPeer(names)


def unknown_peer(*fields: str) -> UnknownPeer:
    return UnknownPeer(fields or ("serviceAccounts",))


def port(number: int, protocol: Protocol = Protocol.TCP) -> PortNumber:
    return PortNumber(protocol, number)


def port_range(start: int, end: int, protocol: Protocol = Protocol.TCP) -> PortRangeMatch:
    return PortRangeMatch(protocol, start, end)


def named_port(name: str) -> NamedPort:
    return NamedPort(name)


def unknown_protocol(*fields: str) -> UnknownProtocol:
    return UnknownProtocol(fields or ("icmp",))


def crule(
    action: Action,
    *peers: ClusterPeer,
    protocols: Iterable[ClusterProtocol] | None = None,
    name: str = "",
) -> ClusterRule:
    """A rule; `protocols=None` is the field absent (every port)."""
    listed: Protocols = EveryPort() if protocols is None else tuple(protocols)
    return ClusterRule(action, tuple(peers), listed, name)


def cnp(
    name: str,
    tier: Tier,
    priority: int,
    subject: Subject = ALL_NS,
    *,
    ingress: Iterable[ClusterRule] = (),
    egress: Iterable[ClusterRule] = (),
) -> ClusterNetworkPolicy:
    return ClusterNetworkPolicy(name, tier, priority, subject, tuple(ingress), tuple(egress))


def _node(name: str, zone: str, *ips: str) -> Node:
    return Node(
        name,
        frozen_labels({"zone": zone}),
        tuple(NodeAddress("InternalIP", ip) for ip in ips) + (NodeAddress("Hostname", name),),
    )


NODES = (_node("node-a", "a", "10.0.0.11", "fd00:ff::11"), _node("node-b", "b", "10.0.0.12"))


def tier_cluster(
    cnps: Iterable[ClusterNetworkPolicy] = (), policies: Iterable[NetworkPolicy] = ()
) -> Cluster:
    """shop (env=prod): web (http 8080/TCP, metrics 9090/TCP), db (5432); blog (env=dev): wp
    (80, and `http` on 8081/TCP); kube-system: dns (k8s-app=kube-dns, `dns` 53/UDP and 53/TCP)
    and agent (hostNetwork on node-a, at its address). Nodes node-a (zone=a, 10.0.0.11 and
    fd00:ff::11) and node-b (zone=b, 10.0.0.12)."""
    endpoints = (
        pod("shop/web", {"app": "web"}, ips=["10.244.1.10"],
            ports=[cport(8080, "http"), cport(9090, "metrics")]),
        pod("shop/db", {"app": "db"}, ips=["10.244.1.11"], ports=[cport(5432, "pg")]),
        pod("blog/wp", {"app": "wp"}, ips=["10.244.2.10"], ports=[cport(80), cport(8081, "http")]),
        pod("kube-system/dns", {"k8s-app": "kube-dns"}, ips=["10.244.0.2"],
            ports=[cport(53, "dns", Protocol.UDP), cport(53, "dns", Protocol.TCP)]),
        pod("kube-system/agent", {"app": "agent"}, ips=["10.0.0.11"], host_network=True),
    )  # fmt: skip
    endpoints = tuple(
        _placed(e, "node-a" if e.name in ("web", "agent", "dns") else "node-b") for e in endpoints
    )
    names = (
        ns("shop", env="prod"),
        ns("blog", env="dev"),
        ns("kube-system"),
    )
    return Cluster(
        tuple(sorted(names, key=lambda n: n.name)),
        tuple(sorted(endpoints, key=lambda e: e.id)),
        tuple(policies),
        NODES,
        tuple(sorted(cnps, key=lambda p: p.name)),
    )


def _placed(endpoint: Endpoint, node: str) -> Endpoint:
    return dataclasses.replace(endpoint, node_name=node)

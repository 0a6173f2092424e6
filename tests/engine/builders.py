"""Small builders for engine tests: clusters made directly from model objects.

The builders mirror the API server's defaults where a test would otherwise repeat them
(a namespace carries `kubernetes.io/metadata.name`; `policyTypes` defaults to Ingress, plus
Egress when egress rules are given), and nothing else: every other field is explicit.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import pytest

from podfence.engine import DirectionVerdict, Engine, Reason, Verdict
from podfence.model import (
    NAME_LABEL,
    Cluster,
    Connection,
    ContainerPort,
    Direction,
    Endpoint,
    External,
    IPBlock,
    LabelSelector,
    Namespace,
    NetworkPolicy,
    Operator,
    Party,
    Peer,
    PolicyPort,
    Protocol,
    Requirement,
    Rule,
    frozen_labels,
    parse_ip,
)

__all__ = [
    "EVERYTHING",
    "INGRESS",
    "EGRESS",
    "BOTH",
    "ns",
    "pod",
    "sel",
    "req",
    "peer",
    "ip_peer",
    "rule",
    "tcp",
    "udp",
    "sctp",
    "named",
    "cport",
    "policy",
    "cluster",
    "party",
    "evaluate",
    "describe",
    "standard_cluster",
    "Row",
    "case",
    "check_case",
]

EVERYTHING = LabelSelector()
"""`{}`: the empty selector, which selects everything."""

INGRESS = frozenset({Direction.INGRESS})
EGRESS = frozenset({Direction.EGRESS})
BOTH = frozenset({Direction.INGRESS, Direction.EGRESS})


def ns(name: str, **labels: str) -> Namespace:
    """A namespace with the label the API server always sets (`kubernetes.io/metadata.name`)."""
    return Namespace(name, frozen_labels({NAME_LABEL: name, **labels}))


def pod(
    ident: str,
    labels: Mapping[str, str] | None = None,
    *,
    ips: Iterable[str] = (),
    ports: Iterable[ContainerPort] = (),
    host_network: bool = False,
) -> Endpoint:
    namespace, _, name = ident.partition("/")
    return Endpoint(
        namespace,
        name,
        labels=frozen_labels(labels or {}),
        ports=tuple(ports),
        ips=tuple(parse_ip(ip) for ip in ips),
        host_network=host_network,
    )


def req(key: str, operator: str, *values: str) -> Requirement:
    """`req("tier", "In", "a", "b")`: one matchExpressions entry."""
    return Requirement(key, Operator(operator), tuple(values))


def sel(match_labels: Mapping[str, str] | None = None, *expressions: Requirement) -> LabelSelector:
    return LabelSelector(frozen_labels(match_labels or {}), tuple(expressions))


def peer(pods: LabelSelector | None = None, namespaces: LabelSelector | None = None) -> Peer:
    """A `from`/`to` item with podSelector and/or namespaceSelector (None = field missing)."""
    return Peer(pod_selector=pods, namespace_selector=namespaces)


def ip_peer(cidr: str, *excepts: str) -> Peer:
    return Peer(
        ip_block=IPBlock(
            ipaddress.ip_network(cidr), tuple(ipaddress.ip_network(e) for e in excepts)
        )
    )


def rule(*peers: Peer, ports: Iterable[PolicyPort] = ()) -> Rule:
    """A rule; no peers = `from`/`to` missing, no ports = `ports` missing."""
    return Rule(tuple(peers), tuple(ports))


def tcp(port: int | str | None = None, end: int | None = None) -> PolicyPort:
    return PolicyPort(Protocol.TCP, port, end)


def udp(port: int | str | None = None, end: int | None = None) -> PolicyPort:
    return PolicyPort(Protocol.UDP, port, end)


def sctp(port: int | str | None = None, end: int | None = None) -> PolicyPort:
    return PolicyPort(Protocol.SCTP, port, end)


def named(name: str, protocol: Protocol = Protocol.TCP) -> PolicyPort:
    return PolicyPort(protocol, name)


def cport(port: int, name: str | None = None, protocol: Protocol = Protocol.TCP) -> ContainerPort:
    return ContainerPort(port, protocol, name)


def policy(
    ident: str,
    selector: LabelSelector = EVERYTHING,
    *,
    ingress: Iterable[Rule] | None = None,
    egress: Iterable[Rule] | None = None,
    types: frozenset[Direction] | None = None,
) -> NetworkPolicy:
    """A policy as the loader hands it over, after defaulting.

    `ingress=None` and `ingress=[]` both give an empty tuple (as after decoding); they differ
    only through `policyTypes`, which defaults like the API server: always Ingress, and
    Egress when `egress` is given (even empty).
    """
    namespace, _, name = ident.partition("/")
    if types is None:
        types = INGRESS | (EGRESS if egress is not None else frozenset())
    return NetworkPolicy(
        namespace,
        name,
        selector,
        types,
        ingress=tuple(ingress or ()),
        egress=tuple(egress or ()),
    )


def cluster(
    endpoints: Iterable[Endpoint],
    policies: Iterable[NetworkPolicy] = (),
    namespaces: Iterable[Namespace] = (),
) -> Cluster:
    """A cluster; namespaces not given are made from the endpoints' and policies' names."""
    eps = tuple(sorted(endpoints, key=lambda e: e.id))
    pols = tuple(policies)
    given = {n.name: n for n in namespaces}
    for name in [e.namespace for e in eps] + [p.namespace for p in pols]:
        given.setdefault(name, ns(name))
    return Cluster(tuple(sorted(given.values(), key=lambda n: n.name)), eps, pols)


def party(c: Cluster, ident: str) -> Party:
    """`ns/name` is an endpoint of the cluster; anything else an outside IP address."""
    if "/" in ident:
        ep = c.endpoint(ident)
        assert ep is not None, f"no endpoint {ident} in the test cluster"
        return ep
    return External(parse_ip(ident))


_ALLOWING = {
    Reason.SELF,
    Reason.OUTSIDE,
    Reason.HOST_NETWORK,
    Reason.NOT_ISOLATED,
    Reason.ALLOWED_BY_RULE,
}


def _check_side(v: DirectionVerdict) -> None:
    """Invariants every DirectionVerdict must satisfy, whatever the case."""
    assert v.allowed == (v.reason in _ALLOWING)
    assert v.isolated == (v.reason in (Reason.ALLOWED_BY_RULE, Reason.DENIED))
    assert bool(v.selected_by) == v.isolated
    assert bool(v.allowed_by) == (v.reason is Reason.ALLOWED_BY_RULE)
    assert not (v.near_misses and v.allowed)
    assert all(r.direction is v.direction for r in v.allowed_by)
    assert all(m.ref.direction is v.direction for m in v.near_misses)


def evaluate(
    c: Cluster,
    src: str,
    dst: str,
    port: int,
    protocol: Protocol = Protocol.TCP,
    family: int | None = None,
) -> Verdict:
    """Evaluate with a fresh engine; check the invariants and the reasonless answer agree."""
    engine = Engine(c)
    connection = Connection(party(c, src), party(c, dst), port, protocol, family)
    verdict = engine.evaluate(connection)
    assert verdict.egress.direction is Direction.EGRESS
    assert verdict.ingress.direction is Direction.INGRESS
    _check_side(verdict.egress)
    _check_side(verdict.ingress)
    assert engine.allowed(connection) == verdict.allowed
    return verdict


def describe(v: DirectionVerdict) -> str:
    """One line for a side: `not-isolated`, `allowed by <refs>`, `denied: <ref> <miss>, ...`."""
    if v.reason is Reason.ALLOWED_BY_RULE:
        return "allowed by " + ", ".join(str(r) for r in v.allowed_by)
    if v.reason is Reason.DENIED:
        misses = ", ".join(f"{m.ref} {m.miss.value}" for m in v.near_misses)
        return f"denied: {misses}" if misses else "denied"
    return str(v.reason.value)


# -- a standard topology, after the upstream e2e tests (namespaces x, y, z; pods a, b, c) --

SERVE_PORTS = (
    cport(80, "serve-80-tcp"),
    cport(81, "serve-81-tcp"),
    cport(80, "serve-80-udp", Protocol.UDP),
    cport(81, "serve-81-udp", Protocol.UDP),
    cport(80, "serve-80-sctp", Protocol.SCTP),
)

_STANDARD_PODS = {
    "x/a": ("10.0.1.1", "fd00:1::1"),
    "x/b": ("10.0.1.2", "fd00:1::2"),
    "x/c": ("10.0.1.3", "fd00:1::3"),
    "y/a": ("10.0.2.1", "fd00:2::1"),
    "y/b": ("10.0.2.2", "fd00:2::2"),
    "z/a": ("10.0.3.1", "fd00:3::1"),
}

_OTHER_PODS = (
    # A hostNetwork pod with the same labels as x/a: selectors must still not match it.
    pod("x/hostnet", {"pod": "a"}, ips=["192.168.0.10"], ports=SERVE_PORTS, host_network=True),
    # The same port name with a different number on two pods.
    pod("x/web1", {"app": "web"}, ips=["10.0.1.11"], ports=[cport(8080, "http")]),
    pod("x/web2", {"app": "web"}, ips=["10.0.1.12"], ports=[cport(9090, "http")]),
    # A named port only the destination defines.
    pod("y/srv", {"app": "srv"}, ips=["10.0.2.10"], ports=[cport(8443, "https")]),
)


def standard_cluster(*policies: NetworkPolicy) -> Cluster:
    """The engine tests' topology, after upstream's e2e (test/e2e/network/netpol):

    - x/a x/b x/c y/a y/b z/a labelled `pod=<name>`, dual-stack (10.0.<ns>.<n>,
      fd00:<ns>::<n>), serving 80/81 TCP and UDP and 80 SCTP under upstream's port names
      (`serve-80-tcp`, ...);
    - x/hostnet: hostNetwork, labelled `pod=a`, node address 192.168.0.10;
    - x/web1 (http=8080), x/web2 (http=9090), y/srv (https=8443);
    - namespaces x (team=red), y (team=blue), z (no team), each with its name label.
    """
    endpoints = [
        pod(ident, {"pod": ident.partition("/")[2]}, ips=ips, ports=SERVE_PORTS)
        for ident, ips in _STANDARD_PODS.items()
    ]
    namespaces = [ns("x", team="red"), ns("y", team="blue"), ns("z")]
    return cluster([*endpoints, *_OTHER_PODS], policies, namespaces)


NOT_ISOLATED = "not-isolated"


@dataclass(frozen=True)
class Row:
    """One table row: policies on top of `standard_cluster`, a connection, and the expected
    verdict with each side as `describe` renders it."""

    policies: tuple[NetworkPolicy, ...]
    src: str
    dst: str
    port: int
    protocol: Protocol
    allowed: bool
    egress: str
    ingress: str
    family: int | None = None


def case(
    case_id: str,
    *policies: NetworkPolicy,
    src: str,
    dst: str,
    allowed: bool,
    egress: str = NOT_ISOLATED,
    ingress: str = NOT_ISOLATED,
    port: int = 80,
    protocol: Protocol = Protocol.TCP,
    family: int | None = None,
) -> Any:
    """A `pytest.param` holding one `Row`, with a readable id. `family`: the connection's IP
    family (None: every family the two parties can use, all of which must allow)."""
    row = Row(policies, src, dst, port, protocol, allowed, egress, ingress, family)
    return pytest.param(row, id=case_id)


def check_case(row: Row) -> None:
    verdict = evaluate(
        standard_cluster(*row.policies), row.src, row.dst, row.port, row.protocol, row.family
    )
    got = (verdict.allowed, describe(verdict.egress), describe(verdict.ingress))
    assert got == (row.allowed, row.egress, row.ingress)

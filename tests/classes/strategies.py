"""Random small clusters for the class engine, built as model objects.

Endpoints are drawn from a few label/port templates so that classes with several members are
common; everything else (selectors with every operator, ipBlocks with except, numeric, named,
range and protocol-only ports, hostNetwork) varies freely over tiny vocabularies.
"""

from __future__ import annotations

import ipaddress

from hypothesis import strategies as st

from podfence.model import (
    NAME_LABEL,
    Cluster,
    ContainerPort,
    Direction,
    Endpoint,
    IPBlock,
    IPNetwork,
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

__all__ = ["clusters", "policies", "endpoints", "probe_ports", "NAMESPACES"]

NAMESPACES = ("ns0", "ns1", "ns2")
POD_KEYS = ("app", "tier")
POD_VALUES = ("a", "b", "c")
NS_KEYS = ("team",)
NS_VALUES = ("x", "y")
PORT_NAMES = ("http", "dns")
PORT_NUMBERS = (53, 80, 81, 8080)
PROTOCOLS = tuple(Protocol)
IPS = tuple(ipaddress.ip_address(f"10.0.0.{i}") for i in range(1, 9)) + tuple(
    ipaddress.ip_address(f"fd00::{i}") for i in range(1, 4)
)
CIDRS: tuple[IPNetwork, ...] = tuple(
    ipaddress.ip_network(c)
    for c in ("10.0.0.0/24", "10.0.0.0/30", "10.0.0.4/30", "0.0.0.0/0", "fd00::/120")
)
EXCEPTS: tuple[IPNetwork, ...] = tuple(
    ipaddress.ip_network(c) for c in ("10.0.0.2/32", "10.0.0.4/31", "fd00::2/128")
)


def _labels(keys: tuple[str, ...], values: tuple[str, ...]) -> st.SearchStrategy[dict[str, str]]:
    return st.dictionaries(st.sampled_from(keys), st.sampled_from(values), max_size=len(keys))


@st.composite
def _requirement(draw: st.DrawFn, keys: tuple[str, ...], values: tuple[str, ...]) -> Requirement:
    op = draw(st.sampled_from(tuple(Operator)))
    key = draw(st.sampled_from(keys))
    if op in (Operator.IN, Operator.NOT_IN):
        vals = draw(st.lists(st.sampled_from(values), min_size=1, max_size=2, unique=True))
        return Requirement(key, op, tuple(sorted(vals)))
    return Requirement(key, op)


def _selectors(keys: tuple[str, ...], values: tuple[str, ...]) -> st.SearchStrategy[LabelSelector]:
    return st.builds(
        LabelSelector,
        match_labels=_labels(keys, values).map(frozen_labels),
        match_expressions=st.lists(_requirement(keys, values), max_size=2).map(tuple),
    )


_POD_SEL = _selectors(POD_KEYS, POD_VALUES)
_NS_SEL = _selectors((*NS_KEYS, NAME_LABEL), (*NS_VALUES, *NAMESPACES))


@st.composite
def _block(draw: st.DrawFn) -> IPBlock:
    cidr = draw(st.sampled_from(CIDRS))
    inside = [e for e in EXCEPTS if e.version == cidr.version and e.subnet_of(cidr)]  # type: ignore[arg-type]
    excepts = draw(st.lists(st.sampled_from(inside), max_size=2, unique=True)) if inside else []
    return IPBlock(cidr, tuple(excepts))


_PEERS = st.one_of(
    st.builds(Peer, pod_selector=_POD_SEL),
    st.builds(Peer, namespace_selector=_NS_SEL),
    st.builds(Peer, pod_selector=_POD_SEL, namespace_selector=_NS_SEL),
    st.builds(Peer, ip_block=_block()),
)


@st.composite
def _port(draw: st.DrawFn) -> PolicyPort:
    proto = draw(st.sampled_from(PROTOCOLS))
    kind = draw(st.sampled_from(("number", "range", "named", "protocol")))
    if kind == "number":
        return PolicyPort(proto, draw(st.sampled_from((53, 80, 81, 443, 1, 65535))))
    if kind == "range":
        first = draw(st.sampled_from((1, 50, 53, 79, 80, 81)))
        last = draw(st.sampled_from((53, 80, 81, 100, 65535)).filter(lambda n: n >= first))
        return PolicyPort(proto, first, last)
    if kind == "named":
        return PolicyPort(proto, draw(st.sampled_from((*PORT_NAMES, "nope"))))
    return PolicyPort(proto)


_RULES = st.builds(
    Rule,
    peers=st.lists(_PEERS, max_size=3).map(tuple),
    ports=st.lists(_port(), max_size=3).map(tuple),
)
_TYPES = st.sampled_from(
    (
        frozenset({Direction.INGRESS}),
        frozenset({Direction.EGRESS}),
        frozenset({Direction.INGRESS, Direction.EGRESS}),
    )
)


def policies(namespace: str, name: str) -> st.SearchStrategy[NetworkPolicy]:
    return st.builds(
        NetworkPolicy,
        namespace=st.just(namespace),
        name=st.just(name),
        pod_selector=_POD_SEL,
        policy_types=_TYPES,
        ingress=st.lists(_RULES, max_size=2).map(tuple),
        egress=st.lists(_RULES, max_size=2).map(tuple),
    )


@st.composite
def _ports(draw: st.DrawFn) -> tuple[ContainerPort, ...]:
    names = draw(st.lists(st.sampled_from(PORT_NAMES), max_size=2, unique=True))
    return tuple(
        ContainerPort(draw(st.sampled_from(PORT_NUMBERS)), draw(st.sampled_from(PROTOCOLS)), n)
        for n in names
    )


@st.composite
def endpoints(draw: st.DrawFn, name: str, templates: list[tuple[object, ...]]) -> Endpoint:
    labels, ports = draw(st.sampled_from(templates))
    ips = draw(st.lists(st.sampled_from(IPS), max_size=2, unique=True))
    return Endpoint(
        namespace=draw(st.sampled_from(NAMESPACES)),
        name=name,
        labels=labels,  # type: ignore[arg-type]
        ports=ports,  # type: ignore[arg-type]
        ips=tuple(ips),
        host_network=draw(st.integers(0, 9)) == 0,
    )


@st.composite
def clusters(draw: st.DrawFn, max_endpoints: int = 8, max_policies: int = 4) -> Cluster:
    namespaces = tuple(
        Namespace(n, frozen_labels({**draw(_labels(NS_KEYS, NS_VALUES)), NAME_LABEL: n}))
        for n in NAMESPACES[: draw(st.integers(2, 3))]
    )
    templates = draw(
        st.lists(
            st.tuples(_labels(POD_KEYS, POD_VALUES).map(frozen_labels), _ports()),
            min_size=1,
            max_size=3,
        )
    )
    count = draw(st.integers(2, max_endpoints))
    eps = [draw(endpoints(f"p{i}", templates)) for i in range(count)]
    names = [ns.name for ns in namespaces]
    eps = [
        e
        if e.namespace in names
        else Endpoint(names[0], e.name, e.kind, e.labels, e.ports, e.ips, e.host_network)
        for e in eps
    ]
    pols = tuple(
        draw(policies(draw(st.sampled_from(names)), f"pol{i}"))
        for i in range(draw(st.integers(0, max_policies)))
    )
    return Cluster(
        namespaces=namespaces,
        endpoints=tuple(sorted(eps, key=lambda e: e.id)),
        policies=tuple(sorted(pols, key=lambda p: (p.namespace, p.name))),
    )


def probe_ports(cluster: Cluster) -> list[tuple[int, Protocol]]:
    """Every port at and around every boundary a rule or a named port makes, per protocol."""
    points = {1, 2, 65534, 65535}
    for pol in cluster.policies:
        for rule in (*pol.ingress, *pol.egress):
            for p in rule.ports:
                if isinstance(p.port, int):
                    last = p.end_port if p.end_port is not None else p.port
                    points.update((p.port - 1, p.port, p.port + 1, last - 1, last, last + 1))
    for ep in cluster.endpoints:
        for cp in ep.ports:
            points.update((cp.port - 1, cp.port, cp.port + 1))
    ports = sorted(p for p in points if 1 <= p <= 65535)
    return [(p, proto) for p in ports for proto in PROTOCOLS]

"""Random small clusters with a focus (`any`, `named`: named ports only, `blocks`: ipBlock
peers only), built as model objects: the class engine's generator, part of the one
test-support package.

Endpoints are drawn from a few label templates and a few port templates (independently) so
that classes with several members are common; everything else (selectors with every operator,
ipBlocks with except, numeric, named, range and protocol-only ports, hostNetwork) varies
freely over tiny vocabularies. Named ports are drawn as upstream allows them: a name is
unique per container only, so one pod may declare the same name twice (two containers, other
numbers), the same name on two protocols, and one name may stand for different numbers on
different pods. Pods have no address, IPv4 or IPv6 only, or both (dual-stack).
"""

from __future__ import annotations

import ipaddress
from typing import Literal

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

__all__ = ["Focus", "clusters", "policies", "endpoints", "probe_ports", "NAMESPACES"]

NAMESPACES = ("ns0", "ns1", "ns2")
POD_KEYS = ("app", "tier")
POD_VALUES = ("a", "b", "c")
NS_KEYS = ("team",)
NS_VALUES = ("x", "y")
PORT_NAMES = ("http", "dns")
PORT_NUMBERS = (53, 80, 81, 8080, 9090)
PROTOCOLS = tuple(Protocol)
MOSTLY_TCP = (Protocol.TCP, Protocol.TCP, *PROTOCOLS)
"""Named ports meet more often when most of them are TCP."""
V4 = tuple(ipaddress.ip_address(f"10.0.0.{i}") for i in range(1, 9))
V6 = tuple(ipaddress.ip_address(f"fd00::{i}") for i in range(1, 5))
IPS = V4 + V6
CIDRS: tuple[IPNetwork, ...] = tuple(
    ipaddress.ip_network(c)
    for c in (
        "10.0.0.0/24",
        "10.0.0.0/30",
        "10.0.0.4/30",
        "0.0.0.0/0",
        "fd00::/120",
        "fd00::/126",
        "::/0",
    )
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
    kind = draw(st.sampled_from(("number", "range", "named", "named", "protocol")))
    if kind == "number":
        return PolicyPort(proto, draw(st.sampled_from((53, 80, 81, 443, 1, 65535))))
    if kind == "range":
        first = draw(st.sampled_from((1, 50, 53, 79, 80, 81)))
        last = draw(st.sampled_from((53, 80, 81, 100, 65535)).filter(lambda n: n >= first))
        return PolicyPort(proto, first, last)
    if kind == "named":
        proto = draw(st.sampled_from(MOSTLY_TCP))
        return PolicyPort(proto, draw(st.sampled_from((*PORT_NAMES, "nope"))))
    return PolicyPort(proto)


_NAMED_PORTS = st.builds(
    PolicyPort, st.sampled_from(MOSTLY_TCP), st.sampled_from(("http", *PORT_NAMES, "nope"))
)
_BLOCK_PEERS = st.builds(Peer, ip_block=_block())

Focus = Literal["any", "named", "blocks"]
"""What the rules of a cluster stress: anything; named ports only (on few peers); ipBlock
peers only (the answer then depends on the IP families of the parties)."""

_RULES: dict[Focus, st.SearchStrategy[Rule]] = {
    "any": st.builds(
        Rule,
        peers=st.lists(_PEERS, max_size=3).map(tuple),
        ports=st.lists(_port(), max_size=3).map(tuple),
    ),
    "named": st.builds(
        Rule,
        peers=st.lists(_PEERS, max_size=1).map(tuple),
        ports=st.lists(_NAMED_PORTS, min_size=1, max_size=2).map(tuple),
    ),
    "blocks": st.builds(
        Rule,
        peers=st.lists(_BLOCK_PEERS, min_size=1, max_size=2).map(tuple),
        ports=st.lists(_port(), max_size=1).map(tuple),
    ),
}
_TYPES = st.sampled_from(
    (
        frozenset({Direction.INGRESS}),
        frozenset({Direction.EGRESS}),
        frozenset({Direction.INGRESS, Direction.EGRESS}),
    )
)


def policies(namespace: str, name: str, focus: Focus = "any") -> st.SearchStrategy[NetworkPolicy]:
    rules = _RULES[focus]
    return st.builds(
        NetworkPolicy,
        namespace=st.just(namespace),
        name=st.just(name),
        pod_selector=st.one_of(st.just(LabelSelector()), _POD_SEL),
        policy_types=_TYPES,
        ingress=st.lists(rules, min_size=focus != "any", max_size=2).map(tuple),
        egress=st.lists(rules, min_size=focus != "any", max_size=2).map(tuple),
    )


_CONTAINER_PORTS = st.builds(
    ContainerPort,
    st.sampled_from(PORT_NUMBERS),
    st.sampled_from(MOSTLY_TCP),
    st.sampled_from(("http", *PORT_NAMES, None)),
)


@st.composite
def _ports(draw: st.DrawFn) -> tuple[ContainerPort, ...]:
    """Container ports of a pod: names may repeat (several containers), with any number and
    protocol; often a second container gives a named port's name and protocol another
    number. An exact duplicate (same number and protocol) is left out."""
    found = draw(st.lists(_CONTAINER_PORTS, max_size=3))
    named = [cp for cp in found if cp.name is not None]
    if named and draw(st.booleans()):
        first = named[0]
        found.append(ContainerPort(draw(st.sampled_from(PORT_NUMBERS)), first.protocol, first.name))
    seen: set[tuple[int, Protocol]] = set()
    out = []
    for cp in found:
        if (cp.port, cp.protocol) not in seen:
            seen.add((cp.port, cp.protocol))
            out.append(cp)
    return tuple(out)


_IPS = st.one_of(
    st.just(()),
    st.lists(st.sampled_from(V4), min_size=1, max_size=2, unique=True).map(tuple),
    st.lists(st.sampled_from(V6), min_size=1, max_size=1).map(tuple),
    st.tuples(st.sampled_from(V4), st.sampled_from(V6)),
)


@st.composite
def endpoints(draw: st.DrawFn, name: str, templates: list[tuple[object, ...]]) -> Endpoint:
    """An endpoint with the labels of one template and the ports of another (often the same)."""
    labels, ports = draw(st.sampled_from(templates))
    if draw(st.integers(0, 3)) == 0:
        _, ports = draw(st.sampled_from(templates))
    ips = draw(_IPS)
    return Endpoint(
        namespace=draw(st.sampled_from(NAMESPACES)),
        name=name,
        labels=labels,  # type: ignore[arg-type]
        ports=ports,  # type: ignore[arg-type]
        ips=tuple(ips),
        host_network=draw(st.integers(0, 9)) == 0,
    )


@st.composite
def clusters(
    draw: st.DrawFn, max_endpoints: int = 8, max_policies: int = 4, focus: Focus = "any"
) -> Cluster:
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
        draw(policies(draw(st.sampled_from(names)), f"pol{i}", focus))
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

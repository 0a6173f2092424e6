"""Hypothesis strategies for small random clusters, built directly as model objects.

Vocabularies are tiny on purpose, so that selectors, named ports and IP blocks hit often.
Generated objects are what the loader would produce from valid input: namespaces carry the
`kubernetes.io/metadata.name` label, endpoints are sorted by id, names of container ports are
unique per pod, `policyTypes` is never empty, `except` CIDRs lie inside their `cidr`.
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
    External,
    IPAddress,
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

__all__ = [
    "NAMESPACE_NAMES",
    "PROBE_PORTS",
    "clusters",
    "externals",
    "policies",
    "rules",
    "selectors",
]

NAMESPACE_NAMES = ("ns0", "ns1", "ns2")
POD_KEYS = ("app", "tier")
POD_VALUES = ("a", "b", "c")
NS_KEYS = ("team", "env")
NS_VALUES = ("a", "b")
PORT_NAMES = ("http", "dns", "metrics")
PORT_NUMBERS = (53, 80, 81, 8080)
PROTOCOLS = tuple(Protocol)
IPV4_POOL = tuple(ipaddress.ip_address(f"10.0.0.{i}") for i in range(1, 9))
IPV6_POOL = tuple(ipaddress.ip_address(f"fd00::{i}") for i in range(1, 5))
EXTERNAL_POOL = (
    ipaddress.ip_address("10.0.0.3"),
    ipaddress.ip_address("10.0.0.200"),
    ipaddress.ip_address("192.168.1.1"),
    ipaddress.ip_address("fd00::3"),
    ipaddress.ip_address("2001:db8::1"),
)
CIDRS: tuple[IPNetwork, ...] = tuple(
    ipaddress.ip_network(c)
    for c in (
        "10.0.0.0/24",
        "10.0.0.0/29",
        "10.0.0.4/30",
        "10.0.0.0/8",
        "0.0.0.0/0",
        "fd00::/64",
        "::/0",
    )
)
PROBE_PORTS: tuple[tuple[int, Protocol], ...] = tuple(
    (port, proto) for port in (80, 81, 53) for proto in PROTOCOLS
)


# Strategies are built once, at import: building them inside draws costs more than drawing.

# -- labels and selectors ----------------------------------------------------------------


def _labels(keys: tuple[str, ...], values: tuple[str, ...]) -> st.SearchStrategy[dict[str, str]]:
    return st.dictionaries(st.sampled_from(keys), st.sampled_from(values), max_size=len(keys))


def _requirements(keys: tuple[str, ...], values: tuple[str, ...]) -> st.SearchStrategy[Requirement]:
    with_values = st.builds(
        Requirement,
        key=st.sampled_from(keys),
        operator=st.sampled_from((Operator.IN, Operator.NOT_IN)),
        values=st.lists(st.sampled_from(values), min_size=1, max_size=2, unique=True).map(
            lambda vs: tuple(sorted(vs))
        ),
    )
    without_values = st.builds(
        Requirement,
        key=st.sampled_from(keys),
        operator=st.sampled_from((Operator.EXISTS, Operator.DOES_NOT_EXIST)),
    )
    return st.one_of(with_values, without_values)


def selectors(
    keys: tuple[str, ...] = POD_KEYS, values: tuple[str, ...] = POD_VALUES
) -> st.SearchStrategy[LabelSelector]:
    """Empty, one label, one expression, or matchLabels and matchExpressions together.

    Small selectors are favoured so that policies often select and peers often match.
    """
    label = st.tuples(st.sampled_from(keys), st.sampled_from(values))
    requirement = _requirements(keys, values)
    return st.one_of(
        st.just(LabelSelector()),
        st.builds(lambda kv: LabelSelector(match_labels=(kv,)), label),
        st.builds(lambda r: LabelSelector(match_expressions=(r,)), requirement),
        st.builds(
            LabelSelector,
            match_labels=_labels(keys, values).map(frozen_labels),
            match_expressions=st.lists(requirement, max_size=2).map(tuple),
        ),
    )


POD_SELECTORS = selectors()
NAMESPACE_SELECTORS = selectors((*NS_KEYS, NAME_LABEL), (*NS_VALUES, *NAMESPACE_NAMES))


# -- peers and ports ---------------------------------------------------------------------


def _excepts(cidr: IPNetwork) -> st.SearchStrategy[tuple[IPNetwork, ...]]:
    """0-2 small networks inside `cidr`, around the addresses pods may have."""
    pool = IPV4_POOL if cidr.version == 4 else IPV6_POOL
    top = cidr.max_prefixlen
    candidates = sorted(
        {
            ipaddress.ip_network(f"{ip}/{plen}", strict=False)
            for ip in pool
            if ip in cidr
            for plen in range(max(cidr.prefixlen + 1, top - 3), top + 1)
        },
        key=str,
    )
    if not candidates:
        return st.just(())
    return st.lists(st.sampled_from(candidates), max_size=2, unique=True).map(tuple)


IP_BLOCKS: st.SearchStrategy[IPBlock] = st.one_of(
    *(st.builds(IPBlock, st.just(cidr), _excepts(cidr)) for cidr in CIDRS)
)

PEERS: st.SearchStrategy[Peer] = st.one_of(
    st.builds(Peer, pod_selector=POD_SELECTORS),
    st.builds(Peer, namespace_selector=NAMESPACE_SELECTORS),
    st.builds(Peer, pod_selector=POD_SELECTORS, namespace_selector=NAMESPACE_SELECTORS),
    st.builds(Peer, ip_block=IP_BLOCKS),
)

_RANGES = tuple(
    (first, last) for first in (50, 53, 79, 80, 81) for last in (53, 80, 81, 100) if last >= first
)
_PROTOCOL = st.sampled_from(PROTOCOLS)

POLICY_PORTS: st.SearchStrategy[PolicyPort] = st.one_of(
    st.builds(PolicyPort, _PROTOCOL, st.sampled_from((53, 80, 81, 443))),
    st.builds(lambda proto, r: PolicyPort(proto, r[0], r[1]), _PROTOCOL, st.sampled_from(_RANGES)),
    st.builds(PolicyPort, _PROTOCOL, st.sampled_from((*PORT_NAMES, "nope"))),
    st.builds(PolicyPort, _PROTOCOL),
)

RULES: st.SearchStrategy[Rule] = st.builds(
    Rule,
    peers=st.lists(PEERS, max_size=3).map(tuple),
    ports=st.lists(POLICY_PORTS, max_size=3).map(tuple),
)


def rules() -> st.SearchStrategy[Rule]:
    """A rule: 0-3 peers (0 = every peer), 0-3 ports (0 = every port)."""
    return RULES


_POLICY_TYPES = st.sampled_from(
    (
        frozenset({Direction.INGRESS}),
        frozenset({Direction.EGRESS}),
        frozenset({Direction.INGRESS, Direction.EGRESS}),
    )
)

_POLICY_BODIES = st.tuples(
    POD_SELECTORS,
    _POLICY_TYPES,
    st.lists(RULES, max_size=2).map(tuple),
    st.lists(RULES, max_size=2).map(tuple),
)


def policies(namespace: str, name: str) -> st.SearchStrategy[NetworkPolicy]:
    """Rules are drawn for both directions whatever `policyTypes` says (some get ignored)."""
    return _POLICY_BODIES.map(
        lambda body: NetworkPolicy(namespace, name, body[0], body[1], body[2], body[3])
    )


# -- endpoints and clusters --------------------------------------------------------------

_NAMED_PORTS = st.lists(
    st.tuples(st.sampled_from(PORT_NAMES), st.sampled_from(PORT_NUMBERS), _PROTOCOL),
    max_size=3,
    unique_by=lambda t: t[0],
).map(lambda items: tuple(ContainerPort(port, proto, name) for name, port, proto in items))
_UNNAMED_PORTS = st.lists(
    st.builds(ContainerPort, st.sampled_from(PORT_NUMBERS), _PROTOCOL), max_size=1
).map(tuple)

_IPS: st.SearchStrategy[tuple[IPAddress, ...]] = st.one_of(
    st.just(()),
    st.tuples(st.sampled_from(IPV4_POOL)),
    st.tuples(st.sampled_from(IPV6_POOL)),
    st.tuples(st.sampled_from(IPV4_POOL), st.sampled_from(IPV6_POOL)),
)

_ENDPOINT_BODIES = st.tuples(
    _labels(POD_KEYS, POD_VALUES).map(frozen_labels),
    _NAMED_PORTS,
    _UNNAMED_PORTS,
    _IPS,
    st.integers(0, 11).map(lambda n: n == 0),  # hostNetwork, one time in twelve
)

_NAMESPACE_LABELS = _labels(NS_KEYS, NS_VALUES)
_INDEX = st.integers(0, len(NAMESPACE_NAMES) - 1)


@st.composite
def clusters(draw: st.DrawFn, max_policies: int = 4) -> Cluster:
    """2-3 namespaces, 2-5 endpoints, 0-`max_policies` policies."""
    count = draw(st.sampled_from((2, 3)))
    ns_names = NAMESPACE_NAMES[:count]
    namespaces = tuple(
        Namespace(n, frozen_labels({**draw(_NAMESPACE_LABELS), NAME_LABEL: n})) for n in ns_names
    )
    endpoints = []
    for i in range(draw(st.sampled_from((2, 3, 4, 5)))):
        labels, named, unnamed, ips, host = draw(_ENDPOINT_BODIES)
        namespace = ns_names[draw(_INDEX) % count]
        endpoints.append(Endpoint(namespace, f"p{i}", "Pod", labels, named + unnamed, ips, host))
    pols = []
    for i in range(draw(st.integers(0, max_policies))):
        selector, types, ingress, egress = draw(_POLICY_BODIES)
        namespace = ns_names[draw(_INDEX) % count]
        pols.append(NetworkPolicy(namespace, f"pol{i}", selector, types, ingress, egress))
    return Cluster(
        namespaces=namespaces,
        endpoints=tuple(sorted(endpoints, key=lambda ep: ep.id)),
        policies=tuple(pols),
    )


def externals() -> st.SearchStrategy[list[External]]:
    """A few addresses outside the cluster (one may equal a pod's IP: that is allowed)."""
    return st.lists(st.sampled_from(EXTERNAL_POOL).map(External), max_size=2, unique=True)

"""Random small clusters over a fixed universe of pods, for the property tests.

The universe (3 namespaces x 4 pods, addresses 10.244.0.1-12 in sorted-id order; pods p2
and p3 of each namespace are dual-stack, with fd00:244::<n> too) lets one lab serve every
example: an example picks 2-4 of its pods, labels them, makes some hostNetwork, declares
container ports, and adds 1-4 policies.

Container ports are a flat list over the pod's containers, so one pod may declare a name
twice (two containers: `web` on 80 and on 81), a name on two protocols, and a name means
different numbers on different pods; ipBlocks of both families are drawn around the chosen
pods' addresses, so a dual-stack pod is often inside a block of one family only.
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

__all__ = ["NAMESPACES", "UNIVERSE", "universe", "universe_ips", "clusters", "PORTS", "IPs"]

NAMESPACES = ("ns-a", "ns-b", "ns-c")
UNIVERSE = tuple(f"{ns}/p{i}" for ns in NAMESPACES for i in range(4))
PORTS = ((80, Protocol.TCP), (81, Protocol.TCP), (80, Protocol.UDP), (81, Protocol.UDP))


IPs = tuple[ipaddress.IPv4Address | ipaddress.IPv6Address, ...]


def universe_ips() -> dict[str, IPs]:
    """Each universe pod's addresses: IPv4 for all, IPv6 too for p2 and p3 (dual-stack)."""
    out: dict[str, IPs] = {}
    for i, ident in enumerate(UNIVERSE):
        v4 = ipaddress.IPv4Address(f"10.244.0.{i + 1}")
        dual = ident.endswith(("/p2", "/p3"))
        out[ident] = (v4, ipaddress.IPv6Address(f"fd00:244::{i + 1:x}")) if dual else (v4,)
    return out


def universe() -> Cluster:
    """Every pod of the universe, without labels or policies (what the lab is built from)."""
    ips = universe_ips()
    return Cluster(
        tuple(Namespace(ns, frozen_labels({NAME_LABEL: ns})) for ns in NAMESPACES),
        tuple(
            Endpoint(ident.split("/")[0], ident.split("/")[1], ips=ips[ident]) for ident in UNIVERSE
        ),
        (),
    )


_protocols = st.sampled_from([Protocol.TCP, Protocol.UDP])
_pod_labels = st.dictionaries(
    st.sampled_from(["app", "tier"]), st.sampled_from(["a", "b"]), max_size=2
)
_ns_labels = st.dictionaries(st.just("team"), st.sampled_from(["red", "blue"]), max_size=1)


@st.composite
def _requirement(draw: st.DrawFn) -> Requirement:
    op = draw(st.sampled_from(list(Operator)))
    key = draw(st.sampled_from(["app", "tier", "team", NAME_LABEL]))
    if op in (Operator.EXISTS, Operator.DOES_NOT_EXIST):
        return Requirement(key, op)
    values = draw(
        st.lists(
            st.sampled_from(["a", "b", "red", "ns-a", "ns-b"]), min_size=1, max_size=2, unique=True
        )
    )
    return Requirement(key, op, tuple(sorted(values)))


@st.composite
def _selector(draw: st.DrawFn) -> LabelSelector:
    labels = draw(
        st.dictionaries(
            st.sampled_from(["app", "tier", "team"]), st.sampled_from(["a", "b", "red"]), max_size=1
        )
    )
    exprs = draw(st.lists(_requirement(), max_size=1))
    return LabelSelector(frozen_labels(labels), tuple(exprs))


@st.composite
def _block(draw: st.DrawFn, chosen: list[ipaddress.IPv4Address | ipaddress.IPv6Address]) -> IPBlock:
    """CIDRs of either family around the chosen pods' addresses, with excepts that hit them."""
    net = ipaddress.ip_network
    cidr = draw(
        st.sampled_from(
            [net("10.244.0.0/16"), net("0.0.0.0/0"), net("10.244.0.0/29"), net("10.244.0.8/29")]
            + [net("fd00:244::/64"), net("::/0"), net("fd00:244::/125")]
            + [net(f"{ip}/{ip.max_prefixlen}") for ip in chosen]
        )
    )
    candidates = [
        net(f"{ip}/{ip.max_prefixlen}")
        for ip in chosen
        if ip.version == cidr.version and ip in cidr and cidr.prefixlen < ip.max_prefixlen
    ]
    if cidr.version == 4 and cidr.prefixlen < 29:
        candidates.append(net("10.244.0.4/30"))
    if cidr.version == 6 and cidr.prefixlen < 125:
        candidates.append(net("fd00:244::4/126"))
    if not candidates:
        return IPBlock(cidr)
    excepts = draw(st.lists(st.sampled_from(candidates), min_size=1, max_size=2, unique=True))
    return IPBlock(cidr, tuple(excepts))


def _peer(chosen: list[ipaddress.IPv4Address | ipaddress.IPv6Address]) -> st.SearchStrategy[Peer]:
    return st.one_of(
        st.builds(Peer, pod_selector=_selector()),
        st.builds(Peer, namespace_selector=_selector()),
        st.builds(Peer, pod_selector=_selector(), namespace_selector=_selector()),
        st.builds(Peer, ip_block=_block(chosen)),
        st.builds(Peer, ip_block=_block(chosen)),
    )


@st.composite
def _policy_port(draw: st.DrawFn) -> PolicyPort:
    protocol = draw(_protocols)
    port = draw(st.sampled_from([None, 80, 81, 80, "web", "alt", "nope"]))
    end = draw(st.sampled_from([None, 81])) if port == 80 else None
    return PolicyPort(protocol, port, end)


def _rule(chosen: list[ipaddress.IPv4Address | ipaddress.IPv6Address]) -> st.SearchStrategy[Rule]:
    return st.builds(
        Rule,
        peers=st.lists(_peer(chosen), max_size=2).map(tuple),
        ports=st.lists(_policy_port(), max_size=2).map(tuple),
    )


@st.composite
def _policy(
    draw: st.DrawFn,
    namespaces: tuple[str, ...],
    chosen: list[ipaddress.IPv4Address | ipaddress.IPv6Address],
    index: int,
) -> NetworkPolicy:
    types = draw(
        st.sampled_from(
            [
                frozenset({Direction.INGRESS}),
                frozenset({Direction.EGRESS}),
                frozenset({Direction.INGRESS, Direction.EGRESS}),
            ]
        )
    )
    return NetworkPolicy(
        namespace=draw(st.sampled_from(namespaces)),
        name=f"pol{index}",
        pod_selector=draw(st.one_of(st.just(LabelSelector()), _selector())),
        policy_types=types,
        ingress=tuple(draw(st.lists(_rule(chosen), max_size=2))),
        egress=tuple(draw(st.lists(_rule(chosen), max_size=2))),
    )


@st.composite
def _endpoint(draw: st.DrawFn, ident: str, with_ips: bool) -> Endpoint:
    namespace, name = ident.split("/")
    # names unique per container only: the same name twice (two containers), on two
    # protocols, and with other numbers on other pods are all valid
    declared = draw(
        st.lists(
            st.tuples(st.sampled_from(["web", "alt"]), st.sampled_from([80, 81]), _protocols),
            max_size=3,
            unique=True,
        )
    )
    return Endpoint(
        namespace,
        name,
        labels=frozen_labels(draw(_pod_labels)),
        ports=tuple(ContainerPort(port, proto, pname) for pname, port, proto in declared),
        ips=universe_ips()[ident] if with_ips else (),
        host_network=draw(st.integers(0, 5)) == 0,
    )


@st.composite
def clusters(draw: st.DrawFn, *, with_ips: bool = True) -> Cluster:
    """2-3 namespaces, 2-4 pods of the universe, 1-4 policies."""
    namespaces = NAMESPACES[: draw(st.integers(2, 3))]
    pool = [ident for ident in UNIVERSE if ident.split("/")[0] in namespaces]
    idents = sorted(draw(st.lists(st.sampled_from(pool), min_size=2, max_size=4, unique=True)))
    endpoints = tuple(draw(_endpoint(ident, with_ips)) for ident in idents)
    ns_objects = tuple(
        Namespace(ns, frozen_labels({NAME_LABEL: ns, **draw(_ns_labels)})) for ns in namespaces
    )
    count = draw(st.integers(1, 4))
    chosen = [ip for ident in idents for ip in universe_ips()[ident]]
    policies = tuple(draw(_policy(namespaces, chosen, i)) for i in range(count))
    return Cluster(ns_objects, endpoints, policies)

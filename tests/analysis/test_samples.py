"""Port spans and address atoms: the exact regions lint, graph, diff and the report sample.

The regions come from the resolved core (the resolver's port sets and block address sets)
and `model.port_boundaries` / `model.address_boundaries`: the properties below check that one
sample per region stands for every port and every outside address of it.
"""

from __future__ import annotations

import ipaddress

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.engine.builders import (
    cluster,
    cport,
    ip_peer,
    named,
    pod,
    policy,
    rule,
    tcp,
    udp,
)

from podfence.analysis.samples import (
    NOT_PUBLIC,
    PortSpan,
    address_atoms,
    mentioned_protocols,
    outside_samples,
    policy_port_sets,
    port_samples,
    port_spans,
    public_atoms,
)
from podfence.engine import Engine
from podfence.model import (
    Cluster,
    Connection,
    External,
    IntervalSet,
    PortRange,
    PortSet,
    Protocol,
    ProtocolPort,
)
from podfence.render.portset import probes_phrase
from support import clusters
from support.vocabulary import CIDRS


def _spans(c: Cluster, protocols: tuple[Protocol, ...] = tuple(Protocol)) -> tuple[PortSpan, ...]:
    return port_spans(policy_port_sets(Engine(c)), protocols)


def _ranges(spans: tuple[PortSpan, ...], protocol: Protocol) -> list[str]:
    return [str(s.ports) for s in spans if s.protocol is protocol]


def test_rule_ranges_and_container_ports_cut_the_port_space() -> None:
    c = cluster(
        [pod("a/x", ports=[cport(8080)])],
        [policy("a/p", ingress=[rule(ports=[tcp(80, end=90), udp(53)])])],
    )
    spans = _spans(c)
    assert _ranges(spans, Protocol.TCP) == ["1-79", "80-90", "91-8079", "8080", "8081-65535"]
    assert _ranges(spans, Protocol.UDP) == ["1-52", "53", "54-65535"]
    assert _ranges(spans, Protocol.SCTP) == ["1-65535"]


def test_the_edges_of_the_port_space_make_no_empty_span() -> None:
    c = cluster([], [policy("a/p", ingress=[rule(ports=[tcp(1), tcp(65535)])])])
    assert _ranges(_spans(c, (Protocol.TCP,)), Protocol.TCP) == ["1", "2-65534", "65535"]


def test_a_named_port_is_the_set_of_every_number_its_containers_give_it() -> None:
    """Issue 9: two containers of one pod both name a TCP port `http` (8080 and 9090); names
    are unique per container only, so `port: http` is both numbers (upstream enforcers
    resolve it on every container). The sets the samples are cut by say so."""
    web = pod("shop/web", ports=[cport(8080, "http"), cport(9090, "http")])
    c = cluster([web], [policy("shop/p", ingress=[rule(ports=[named("http")])])])
    both = PortSet.of([(Protocol.TCP, IntervalSet.of([(8080, 8080), (9090, 9090)]))])
    assert both in policy_port_sets(Engine(c))
    assert {"8080", "9090"} <= set(_ranges(_spans(c), Protocol.TCP))


def test_one_name_with_neighbouring_numbers_on_two_pods_cuts_at_each() -> None:
    """`http` is 8080 on one pod and 8081 on another: the rule allows 8080 only towards the
    first, so each number is a span of its own (a union of the two would merge them)."""
    c = cluster(
        [pod("a/one", ports=[cport(8080, "http")]), pod("a/two", ports=[cport(8081, "http")])],
        [policy("a/p", ingress=[rule(ports=[named("http")])])],
    )
    assert {"8080", "8081"} <= set(_ranges(_spans(c), Protocol.TCP))


def test_samples_name_the_mentioned_protocols_and_one_other() -> None:
    every = PortSet.every()
    udp53 = PortSet.span(Protocol.UDP, 53)
    assert mentioned_protocols([every]) == ()
    assert mentioned_protocols([every, udp53]) == (Protocol.UDP,)
    assert port_samples([every]) == (ProtocolPort(1, Protocol.TCP),)
    assert port_samples([udp53]) == (
        ProtocolPort(1, Protocol.TCP),
        ProtocolPort(1, Protocol.UDP),
        ProtocolPort(53, Protocol.UDP),
        ProtocolPort(54, Protocol.UDP),
    )


def test_address_atoms_separate_cidr_and_except() -> None:
    c = cluster([], [policy("a/p", egress=[rule(ip_peer("10.0.0.0/8", "10.1.0.0/16"))])])
    atoms = {a.label: a.address for a in address_atoms([Engine(c)])}
    assert set(atoms) == {"10.0.0.0/8 except 10.1.0.0/16", "every other address"}
    assert atoms["10.0.0.0/8 except 10.1.0.0/16"] in ipaddress.ip_network("10.0.0.0/8")
    assert atoms["10.0.0.0/8 except 10.1.0.0/16"] not in ipaddress.ip_network("10.1.0.0/16")
    assert atoms["every other address"] not in ipaddress.ip_network("10.0.0.0/8")


def test_address_atoms_are_per_family() -> None:
    c = cluster(
        [],
        [policy("a/p", egress=[rule(ip_peer("10.3.0.0/24")), rule(ip_peer("fd00:3::/64"))])],
    )
    atoms = {(a.version, a.label) for a in address_atoms([Engine(c)])}
    assert atoms == {
        (4, "10.3.0.0/24"),
        (4, "every other address"),
        (6, "fd00:3::/64"),
        (6, "every other IPv6 address"),
    }
    no_v6 = cluster([], [policy("a/p", egress=[rule(ip_peer("10.3.0.0/24"))])])
    assert {a.version for a in address_atoms([Engine(no_v6)])} == {4}


def test_a_pods_address_is_not_the_outside() -> None:
    """An atom sample avoids pod addresses; an atom made only of pod addresses has none."""
    c = cluster(
        [pod("a/x", ips=["10.0.0.0", "10.0.0.5"]), pod("a/y", ips=["10.0.0.8"])],
        [policy("a/p", egress=[rule(ip_peer("10.0.0.0/29")), rule(ip_peer("10.0.0.8/32"))])],
    )
    samples = {str(x.ip) for x in outside_samples(Engine(c))}
    assert "10.0.0.1" in samples  # 10.0.0.0 is a/x
    assert not {"10.0.0.0", "10.0.0.5", "10.0.0.8"} & samples
    labels = {a.label for a in address_atoms([Engine(c)])}
    assert "10.0.0.8/32" not in labels


def test_probes_phrase() -> None:
    universe = tuple(
        PortSpan(Protocol.TCP, PortRange(a, b)) for a, b in ((1, 52), (53, 53), (54, 65535))
    ) + (
        PortSpan(Protocol.UDP, PortRange(1, 65535)),
        PortSpan(Protocol.SCTP, PortRange(1, 65535)),
    )
    assert probes_phrase(universe, universe) == "all ports"
    assert probes_phrase(universe[1:2], universe) == "TCP 53"
    assert probes_phrase((universe[0], universe[2]), universe) == "TCP all but 53"
    assert probes_phrase(universe[:3], universe) == "TCP all"
    assert probes_phrase((universe[1], universe[3]), universe) == "TCP 53; UDP all"
    # a universe of chosen ports (`--port`) names them, never "all"
    chosen = (PortSpan(Protocol.TCP, PortRange(80, 80)),)
    assert probes_phrase(chosen, chosen) == "TCP 80"


# -- properties: one sample stands for its whole region ----------------------------------


@settings(max_examples=60, deadline=None)
@given(c=clusters(), data=st.data())
def test_every_port_of_a_span_gets_the_verdict_of_its_sample(
    c: Cluster, data: st.DataObject
) -> None:
    engine = Engine(c)
    spans = port_spans(policy_port_sets(engine))
    span = data.draw(st.sampled_from(spans))
    port = data.draw(st.integers(span.ports.first, span.ports.last))
    parties = [*c.endpoints, *outside_samples(engine)]
    for src in parties:
        for dst in parties:
            if isinstance(src, External) and isinstance(dst, External):
                continue
            here = engine.allowed(Connection(src, dst, port, span.protocol))
            sample = engine.allowed(Connection(src, dst, span.port, span.protocol))
            assert here == sample, (src.id, dst.id, port, span)


_ADDRESSES = st.one_of(
    *(
        st.integers(int(n.network_address), int(n.broadcast_address)).map(
            lambda v, version=n.version: (
                ipaddress.ip_address(v) if version == 4 else ipaddress.IPv6Address(v)
            )
        )
        for n in CIDRS
    )
)


@settings(max_examples=100, deadline=None)
@given(c=clusters(), address=_ADDRESSES)
def test_every_outside_address_is_inside_the_blocks_of_some_atom(
    c: Cluster, address: object
) -> None:
    engine = Engine(c)
    assert isinstance(address, ipaddress.IPv4Address | ipaddress.IPv6Address)
    blocks = engine.resolver.universe.blocks
    atoms = address_atoms([engine], every_other=True)

    def inside(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> tuple[object, ...]:
        return tuple(b for b in blocks if engine.resolver.block(b).contains(ip))

    for atom in atoms:
        assert atom.inside == inside(atom.address)
        assert not any(atom.address in ep.ips for ep in c.endpoints)
    pods = {ip for ep in c.endpoints for ip in ep.ips}
    has_family = address.version == 4 or any(engine.resolver.block(b).family(6) for b in blocks)
    if address not in pods and has_family:
        assert inside(address) in {a.inside for a in atoms if a.version == address.version}


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("8.8.8.8", True),
        ("1.0.0.1", True),
        ("10.1.2.3", False),  # RFC 1918
        ("172.16.0.1", False),
        ("192.168.1.1", False),
        ("100.64.0.1", False),  # shared address space (carrier-grade NAT)
        ("169.254.169.254", False),  # link-local: the metadata service
        ("127.0.0.1", False),
        ("203.0.113.10", False),  # documentation
        ("224.0.0.1", False),  # multicast
        ("255.255.255.255", False),
        ("2606:4700::1111", True),
        ("2001:db8::1", False),  # documentation
        ("fd00::1", False),  # unique local
        ("fe80::1", False),
        ("::1", False),
    ],
)
def test_what_is_the_internet(address: str, public: bool) -> None:
    assert (ipaddress.ip_address(address) not in NOT_PUBLIC) is public


def test_public_atoms_leave_private_blocks_out() -> None:
    private = cluster([], [policy("a/p", ingress=[rule(ip_peer("10.0.0.0/8"))])])
    atoms = public_atoms([Engine(private)])
    assert [(a.inside, a.version) for a in atoms] == [((), 4)]  # only "every other address"
    assert atoms[0].address not in NOT_PUBLIC
    internet = cluster([], [policy("a/p", ingress=[rule(ip_peer("0.0.0.0/0", "10.0.0.0/8"))])])
    labels = {a.label for a in public_atoms([Engine(internet)])}
    assert labels == {"0.0.0.0/0 except 10.0.0.0/8"}  # every public address is inside it
    v6 = cluster([], [policy("a/p", ingress=[rule(ip_peer("::/0"))])])
    assert {(a.version, a.label) for a in public_atoms([Engine(v6)])} == {
        (4, "every other address"),
        (6, "::/0"),
    }


@settings(max_examples=100, deadline=None)
@given(c=clusters(), address=st.one_of(_ADDRESSES, st.ip_addresses()))
def test_every_public_address_is_inside_the_blocks_of_some_public_atom(
    c: Cluster, address: object
) -> None:
    engine = Engine(c)
    assert isinstance(address, ipaddress.IPv4Address | ipaddress.IPv6Address)
    blocks = engine.resolver.universe.blocks
    atoms = public_atoms([engine])

    def inside(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> tuple[object, ...]:
        return tuple(b for b in blocks if engine.resolver.block(b).contains(ip))

    for atom in atoms:
        assert atom.address not in NOT_PUBLIC
        assert atom.inside == inside(atom.address)
    pods = {ip for ep in c.endpoints for ip in ep.ips}
    has_family = address.version == 4 or any(engine.resolver.block(b).family(6) for b in blocks)
    if address not in pods and address not in NOT_PUBLIC and has_family:
        assert inside(address) in {a.inside for a in atoms if a.version == address.version}

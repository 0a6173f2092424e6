"""Port intervals and address atoms: the exact classes the graph and diff probe with."""

from __future__ import annotations

import ipaddress

from tests.engine.builders import cluster, cport, ip_peer, pod, policy, rule, tcp, udp

from podfence.analysis.probes import PortProbe, address_probes, port_probes
from podfence.model import PortRange, Protocol
from podfence.render.portset import probes_phrase


def _ranges(probes: tuple[PortProbe, ...], protocol: Protocol) -> list[str]:
    return [str(p.ports) for p in probes if p.protocol is protocol]


def test_rule_ranges_and_container_ports_cut_the_port_space() -> None:
    c = cluster(
        [pod("a/x", ports=[cport(8080)])],
        [policy("a/p", ingress=[rule(ports=[tcp(80, end=90), udp(53)])])],
    )
    probes = port_probes([c])
    assert _ranges(probes, Protocol.TCP) == ["1-79", "80-90", "91-8079", "8080", "8081-65535"]
    assert _ranges(probes, Protocol.UDP) == ["1-52", "53", "54-65535"]
    assert _ranges(probes, Protocol.SCTP) == ["1-65535"]


def test_the_edges_of_the_port_space_make_no_empty_interval() -> None:
    c = cluster([], [policy("a/p", ingress=[rule(ports=[tcp(1), tcp(65535)])])])
    assert _ranges(port_probes([c], (Protocol.TCP,)), Protocol.TCP) == ["1", "2-65534", "65535"]


def test_address_atoms_separate_cidr_and_except() -> None:
    c = cluster([], [policy("a/p", egress=[rule(ip_peer("10.0.0.0/8", "10.1.0.0/16"))])])
    atoms = {a.label: a.address for a in address_probes([c])}
    assert set(atoms) == {"10.0.0.0/8 except 10.1.0.0/16", "every other address"}
    assert atoms["10.0.0.0/8 except 10.1.0.0/16"] in ipaddress.ip_network("10.0.0.0/8")
    assert atoms["every other address"] not in ipaddress.ip_network("10.0.0.0/8")


def test_probes_phrase() -> None:
    universe = tuple(
        PortProbe(Protocol.TCP, PortRange(a, b)) for a, b in ((1, 52), (53, 53), (54, 65535))
    ) + (
        PortProbe(Protocol.UDP, PortRange(1, 65535)),
        PortProbe(Protocol.SCTP, PortRange(1, 65535)),
    )
    assert probes_phrase(universe, universe) == "all ports"
    assert probes_phrase(universe[1:2], universe) == "TCP 53"
    assert probes_phrase((universe[0], universe[2]), universe) == "TCP all but 53"
    assert probes_phrase(universe[:3], universe) == "TCP all"
    assert probes_phrase((universe[1], universe[3]), universe) == "TCP 53; UDP all"
    # a universe of chosen ports (`--port`) names them, never "all"
    chosen = (PortProbe(Protocol.TCP, PortRange(80, 80)),)
    assert probes_phrase(chosen, chosen) == "TCP 80"

"""Compilation into matcher variants: the empty/missing cases become distinct types.

STYLE.md lesson 5 (after mattfenwick/cyclonus pkg/matcher): `from`/`to` missing -> AnyPeer,
podSelector alone -> OwnNamespace, empty podSelector -> AnyPod, ports missing -> AnyPort, a
protocol alone -> the full 1-65535 range of that protocol.
"""

from __future__ import annotations

import ipaddress

import pytest

from engine.builders import (
    EGRESS,
    EVERYTHING,
    INGRESS,
    ip_peer,
    named,
    peer,
    policy,
    rule,
    sel,
    tcp,
    udp,
)
from podfence.engine.compiled import compile_policy
from podfence.engine.match import (
    AnyPeer,
    AnyPod,
    AnyPort,
    IPPeer,
    NamedPortMatcher,
    NamespaceLabels,
    OwnNamespace,
    PeerMatcher,
    PodLabels,
    PodPeer,
    PortMatcher,
    PortRangeMatcher,
    compile_peer,
    compile_port,
)
from podfence.model import (
    Direction,
    IPBlock,
    Peer,
    PolicyPort,
    PortRange,
    Protocol,
    Rule,
)

POD_B = sel({"pod": "b"})
BLUE = sel({"team": "blue"})


@pytest.mark.parametrize(
    ("peer_", "expected"),
    [
        pytest.param(peer(POD_B), PodPeer(OwnNamespace("x"), PodLabels(POD_B)), id="pod-alone"),
        pytest.param(peer(EVERYTHING), PodPeer(OwnNamespace("x"), AnyPod()), id="empty-pod-alone"),
        pytest.param(
            peer(namespaces=BLUE), PodPeer(NamespaceLabels(BLUE), AnyPod()), id="namespace-alone"
        ),
        pytest.param(
            peer(namespaces=EVERYTHING),
            PodPeer(NamespaceLabels(EVERYTHING), AnyPod()),
            id="empty-namespace-alone",
        ),
        pytest.param(
            peer(EVERYTHING, BLUE),
            PodPeer(NamespaceLabels(BLUE), AnyPod()),
            id="empty-pod-and-namespace",
        ),
        pytest.param(
            peer(POD_B, BLUE),
            PodPeer(NamespaceLabels(BLUE), PodLabels(POD_B)),
            id="pod-and-namespace",
        ),
        pytest.param(
            ip_peer("10.0.0.0/8", "10.1.0.0/16"),
            IPPeer(
                IPBlock(ipaddress.ip_network("10.0.0.0/8"), (ipaddress.ip_network("10.1.0.0/16"),))
            ),
            id="ip-block",
        ),
    ],
)
def test_compile_peer(peer_: Peer, expected: PeerMatcher) -> None:
    assert compile_peer(peer_, policy_namespace="x") == expected


@pytest.mark.parametrize(
    ("port", "expected"),
    [
        pytest.param(tcp(80), PortRangeMatcher(Protocol.TCP, PortRange(80, 80)), id="number"),
        pytest.param(
            udp(), PortRangeMatcher(Protocol.UDP, PortRange(1, 65535)), id="protocol-only"
        ),
        pytest.param(
            tcp(8000, 8080), PortRangeMatcher(Protocol.TCP, PortRange(8000, 8080)), id="end-port"
        ),
        pytest.param(named("http"), NamedPortMatcher(Protocol.TCP, "http"), id="named"),
        pytest.param(
            named("dns", Protocol.UDP), NamedPortMatcher(Protocol.UDP, "dns"), id="named-udp"
        ),
    ],
)
def test_compile_port(port: PolicyPort, expected: PortMatcher) -> None:
    assert compile_port(port) == expected


def test_compile_policy_rules_and_listed_flags() -> None:
    compiled = compile_policy(
        policy(
            "x/p",
            ingress=[Rule(), rule(peer(POD_B), ports=[tcp(80)])],
            egress=[rule(ports=[udp(53)])],
        )
    )
    assert compiled.key == "x/p"
    assert compiled.directions == frozenset(Direction)
    first, second = compiled.ingress
    assert (first.index, first.peers, first.ports) == (0, (AnyPeer(),), (AnyPort(),))
    assert (first.peers_listed, first.ports_listed) == (False, False)
    assert (second.index, second.peers_listed, second.ports_listed) == (1, True, True)
    assert second.peers == (PodPeer(OwnNamespace("x"), PodLabels(POD_B)),)
    (out,) = compiled.rules(Direction.EGRESS)
    assert (out.direction, out.peers, out.peers_listed) == (Direction.EGRESS, (AnyPeer(),), False)


@pytest.mark.parametrize(
    ("types", "ingress_rules", "egress_rules"),
    [
        pytest.param(INGRESS, 2, 0, id="ingress-only-drops-egress-rules"),
        pytest.param(EGRESS, 0, 1, id="egress-only-drops-ingress-rules"),
        pytest.param(INGRESS | EGRESS, 2, 1, id="both-keeps-both"),
    ],
)
def test_compile_policy_ignores_directions_not_in_policy_types(
    types: frozenset[Direction], ingress_rules: int, egress_rules: int
) -> None:
    compiled = compile_policy(policy("x/p", ingress=[Rule(), Rule()], egress=[Rule()], types=types))
    assert (len(compiled.ingress), len(compiled.egress)) == (ingress_rules, egress_rules)

"""Ports: protocols, numbers, endPort ranges and named ports.

Sources (API reference networking.k8s.io/v1, NetworkPolicyPort field docs):
- protocol: "TCP, UDP, or SCTP [...] If not specified, this field defaults to TCP" (applied by
  the loader's defaulting: in the model a port always has its protocol);
- port: "a numerical or named port on a pod. If this field is not provided, this matches all
  port names and numbers. If present, only traffic on the specified protocol AND port will
  be matched";
- endPort: "the range of ports from port to endPort if set, inclusive".
Named ports resolve against the destination pod's container ports for that protocol
(upstream e2e: "should allow ingress access on one named port", "should allow egress access
on one named port"); an outside address has no container ports.
"""

from __future__ import annotations

from typing import Any

import pytest

from engine.builders import (
    EGRESS,
    Row,
    case,
    check_case,
    named,
    policy,
    rule,
    sctp,
    sel,
    tcp,
    udp,
)
from podfence.model import NetworkPolicy, PolicyPort, Protocol

TCP, UDP, SCTP = Protocol.TCP, Protocol.UDP, Protocol.SCTP


def _on(*ports: PolicyPort) -> NetworkPolicy:
    """A policy on x/a with one ingress rule from anywhere on `ports`."""
    return policy("x/p", sel({"pod": "a"}), ingress=[rule(ports=ports)])


def _port_case(
    case_id: str, pol: NetworkPolicy, port: int, protocol: Protocol, ingress: str
) -> Any:
    """y/a -> x/a on `port`/`protocol`; allowed when `ingress` says so."""
    return case(
        case_id,
        pol,
        src="y/a",
        dst="x/a",
        port=port,
        protocol=protocol,
        allowed=ingress.startswith("allowed"),
        ingress=ingress,
    )


OK0 = "allowed by x/p ingress[0] ports[0]"
OK1 = "allowed by x/p ingress[0] ports[1]"
MISS = "denied: x/p ingress[0] port"
NAMED_MISS = "denied: x/p ingress[0] named-port"

NUMERIC = [
    # A number (protocol TCP after defaulting) matches that port of that protocol only
    # (upstream: "should enforce policy based on Ports").
    _port_case("number-matches", _on(tcp(80)), 80, TCP, OK0),
    _port_case("number-other-port", _on(tcp(80)), 81, TCP, MISS),
    _port_case("number-tcp-not-udp", _on(tcp(80)), 80, UDP, MISS),
    _port_case("number-tcp-not-sctp", _on(tcp(80)), 80, SCTP, MISS),
    _port_case("defaulted-protocol-is-tcp", _on(PolicyPort(port=80)), 80, TCP, OK0),
    _port_case("defaulted-protocol-not-udp", _on(PolicyPort(port=80)), 80, UDP, MISS),
    # upstream: "should not allow access by TCP when a policy specifies only UDP",
    # "should not mistakenly treat 'protocol: SCTP' as 'protocol: TCP'".
    _port_case("udp-number-not-tcp", _on(udp(81)), 81, TCP, MISS),
    _port_case("udp-number-matches-udp", _on(udp(81)), 81, UDP, OK0),
    _port_case("sctp-number-not-tcp", _on(sctp(81)), 81, TCP, MISS),
    _port_case("sctp-number-matches-sctp", _on(sctp(81)), 81, SCTP, OK0),
    # Only a protocol: every port of that protocol, and only of it (upstream: "should enforce
    # ingress policy allowing any port traffic to a server on a specific protocol").
    _port_case("protocol-only-lowest-port", _on(udp()), 1, UDP, OK0),
    _port_case("protocol-only-some-port", _on(udp()), 5353, UDP, OK0),
    _port_case("protocol-only-highest-port", _on(udp()), 65535, UDP, OK0),
    _port_case("protocol-only-other-protocol", _on(udp()), 5353, TCP, MISS),
    _port_case("tcp-only-not-sctp", _on(tcp()), 80, SCTP, MISS),
    # endPort: inclusive at both edges, same protocol only.
    _port_case("endport-below-range", _on(tcp(8000, 8080)), 7999, TCP, MISS),
    _port_case("endport-first-port", _on(tcp(8000, 8080)), 8000, TCP, OK0),
    _port_case("endport-inside", _on(tcp(8000, 8080)), 8042, TCP, OK0),
    _port_case("endport-last-port", _on(tcp(8000, 8080)), 8080, TCP, OK0),
    _port_case("endport-above-range", _on(tcp(8000, 8080)), 8081, TCP, MISS),
    _port_case("endport-other-protocol", _on(tcp(8000, 8080)), 8042, UDP, MISS),
    _port_case("endport-equal-to-port", _on(tcp(8000, 8000)), 8000, TCP, OK0),
    _port_case("endport-equal-to-port-next", _on(tcp(8000, 8000)), 8001, TCP, MISS),
    # Several ports are ORed; the first matching one is reported.
    _port_case("ports-or-second", _on(tcp(80), udp(53)), 53, UDP, OK1),
    _port_case("ports-or-neither", _on(tcp(80), udp(53)), 53, TCP, MISS),
    _port_case("ports-first-matching-reported", _on(tcp(1, 100), tcp(80)), 80, TCP, OK0),
]


@pytest.mark.parametrize("row", NUMERIC)
def test_numeric_ports(row: Row) -> None:
    check_case(row)


NAMED = [
    # Resolved against the destination's container ports (x/a: serve-81-tcp = 81/TCP).
    _port_case("named-matches-its-number", _on(named("serve-81-tcp")), 81, TCP, OK0),
    _port_case("named-other-number", _on(named("serve-81-tcp")), 80, TCP, MISS),
    _port_case("named-udp", _on(named("serve-80-udp", UDP)), 80, UDP, OK0),
    _port_case("named-sctp", _on(named("serve-80-sctp", SCTP)), 80, SCTP, OK0),
    # Same name under another protocol does not match: x/a defines serve-80-udp for UDP only,
    # so the TCP port named serve-80-udp does not exist there.
    _port_case(
        "named-name-defined-for-other-protocol", _on(named("serve-80-udp")), 80, TCP, NAMED_MISS
    ),
    _port_case("named-tcp-rule-udp-traffic", _on(named("serve-80-udp")), 80, UDP, MISS),
    _port_case("named-undefined-on-destination", _on(named("metrics")), 9090, TCP, NAMED_MISS),
    _port_case("named-or-number", _on(named("metrics"), tcp(81)), 81, TCP, OK1),
]


@pytest.mark.parametrize("row", NAMED)
def test_named_ports(row: Row) -> None:
    check_case(row)


WEB_HTTP = policy("x/web", sel({"app": "web"}), ingress=[rule(ports=[named("http")])])
B_TO_HTTPS = policy(
    "x/b-out", sel({"pod": "b"}), egress=[rule(ports=[named("https")])], types=EGRESS
)
A_TO_SERVE_80 = policy(
    "x/a-out", sel({"pod": "a"}), egress=[rule(ports=[named("serve-80-tcp")])], types=EGRESS
)

NAMED_RESOLUTION = [
    # One name, a different number on each destination (x/web1 http=8080, x/web2 http=9090).
    case(
        "named-resolved-per-destination-web1",
        WEB_HTTP,
        src="y/a",
        dst="x/web1",
        port=8080,
        allowed=True,
        ingress="allowed by x/web ingress[0] ports[0]",
    ),
    case(
        "named-resolved-per-destination-web1-other-number",
        WEB_HTTP,
        src="y/a",
        dst="x/web1",
        port=9090,
        allowed=False,
        ingress="denied: x/web ingress[0] port",
    ),
    case(
        "named-resolved-per-destination-web2",
        WEB_HTTP,
        src="y/a",
        dst="x/web2",
        port=9090,
        allowed=True,
        ingress="allowed by x/web ingress[0] ports[0]",
    ),
    # Egress: the name is resolved on the peer (the destination), not on the selected pod;
    # x/b defines no `https`, y/srv does.
    case(
        "egress-named-resolved-on-peer",
        B_TO_HTTPS,
        src="x/b",
        dst="y/srv",
        port=8443,
        allowed=True,
        egress="allowed by x/b-out egress[0] ports[0]",
    ),
    case(
        "egress-named-undefined-on-peer",
        B_TO_HTTPS,
        src="x/b",
        dst="y/a",
        port=8443,
        allowed=False,
        egress="denied: x/b-out egress[0] named-port",
    ),
    case(
        "egress-named-port-to-pod",
        A_TO_SERVE_80,
        src="x/a",
        dst="y/a",
        port=80,
        allowed=True,
        egress="allowed by x/a-out egress[0] ports[0]",
    ),
    # An outside address defines no ports: a named port never matches it.
    case(
        "egress-named-port-never-matches-outside",
        A_TO_SERVE_80,
        src="x/a",
        dst="198.51.100.1",
        port=80,
        allowed=False,
        egress="denied: x/a-out egress[0] named-port",
        ingress="outside",
    ),
]


@pytest.mark.parametrize("row", NAMED_RESOLUTION)
def test_named_port_resolution(row: Row) -> None:
    check_case(row)

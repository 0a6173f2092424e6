"""The tiny vocabularies random clusters are drawn from.

They are tiny on purpose: with two port names, three label values and a handful of
addresses, selectors select, named ports resolve (and collide) and ipBlocks contain pods
often enough for every rule of the semantics to be exercised in a few hundred examples.
"""

from __future__ import annotations

import ipaddress

from podfence.model import IPAddress, IPNetwork, Protocol, ProtocolPort

__all__ = [
    "CIDRS",
    "DOMAIN_NAMES",
    "DOMAIN_PATTERNS",
    "EXTERNAL_POOL",
    "FAMILIES",
    "NAMESPACE_NAMES",
    "NODE_V4",
    "NODE_V6",
    "NS_KEYS",
    "NS_VALUES",
    "POD_KEYS",
    "POD_V4",
    "POD_V6",
    "POD_VALUES",
    "POLICY_PORT_NAMES",
    "PORT_NAMES",
    "PORT_NUMBERS",
    "PROBE_PORTS",
    "PROTOCOLS",
    "RANGES",
]


def _ips(*texts: str) -> tuple[IPAddress, ...]:
    return tuple(ipaddress.ip_address(t) for t in texts)


def _nets(*texts: str) -> tuple[IPNetwork, ...]:
    return tuple(ipaddress.ip_network(t) for t in texts)


NAMESPACE_NAMES = ("ns0", "ns1", "ns2")
POD_KEYS = ("app", "tier")
POD_VALUES = ("a", "b", "c")
NS_KEYS = ("team", "env")
NS_VALUES = ("a", "b")

PROTOCOLS = tuple(Protocol)
PORT_NAMES = ("http", "dns")
"""Container port names: two, so that two containers of a pod often both say `http`."""
POLICY_PORT_NAMES = (*PORT_NAMES, "nope")
"""Names a policy may use: those of the containers, and one no container declares."""
PORT_NUMBERS = (53, 80, 81, 8080, 9090)
RANGES = tuple(
    (first, last) for first in (50, 53, 79, 80, 81) for last in (53, 80, 81, 100) if last >= first
)
"""`port`-`endPort` ranges around the container port numbers."""

POD_V4 = _ips(*(f"10.0.0.{i}" for i in range(1, 9)))
POD_V6 = _ips(*(f"fd00::{i}" for i in range(1, 9)))
NODE_V4 = _ips("192.168.0.1", "192.168.0.2")
NODE_V6 = _ips("fd00:ff::1", "fd00:ff::2")
"""hostNetwork pods carry their node's addresses (two nodes, so they are often shared)."""
EXTERNAL_POOL = _ips("10.0.0.3", "10.0.0.200", "192.168.1.1", "fd00::3", "2001:db8::1")
"""Outside addresses; 10.0.0.3 and fd00::3 may also be a pod's (an address is just that)."""

CIDRS = _nets(
    "10.0.0.0/24",
    "10.0.0.0/29",
    "10.0.0.4/30",
    "10.0.0.0/8",
    "192.168.0.0/24",
    "0.0.0.0/0",
    "fd00::/64",
    "fd00::/125",
    "fd00::4/126",
    "::/0",
)
"""ipBlock CIDRs in both families, around the pod, node and outside addresses."""

FAMILIES: tuple[int | None, ...] = (None, 4, 6)
"""The families a connection is asked about: not given (every family the parties can use
must allow), IPv4, IPv6."""

PROBE_PORTS = tuple(ProtocolPort(n, p) for n in PORT_NUMBERS for p in PROTOCOLS)
"""Ports the property tests ask about: every container port number, every protocol."""

DOMAIN_NAMES = ("api.example.com", "a.b.example.com", "example.com", "other.org")
"""DNS names an outside address may be asked by (`can POD api.example.com`)."""
DOMAIN_PATTERNS = ("api.example.com", "*.example.com", "example.com")
"""`domainNames` entries: exact, a wildcard (one or more labels), the bare domain."""

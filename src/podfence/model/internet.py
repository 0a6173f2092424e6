"""The internet as addresses: what is not publicly routable, per the IANA special-purpose
registries (RFC 6890 and the RFCs it lists)."""

from __future__ import annotations

import ipaddress

from podfence.model.intervals import AddressSet

__all__ = ["NOT_PUBLIC"]


def _networks(*cidrs: str) -> AddressSet:
    found = AddressSet()
    for cidr in cidrs:
        found = found | AddressSet.of_network(ipaddress.ip_network(cidr))
    return found


NOT_PUBLIC = _networks(
    # IPv4: IANA special-purpose ranges that are not globally reachable (RFC 6890 and later)
    "0.0.0.0/8",
    "10.0.0.0/8",
    "100.64.0.0/10",
    "127.0.0.0/8",
    "169.254.0.0/16",
    "172.16.0.0/12",
    "192.0.0.0/24",
    "192.0.2.0/24",
    "192.168.0.0/16",
    "198.18.0.0/15",
    "198.51.100.0/24",
    "203.0.113.0/24",
    "224.0.0.0/4",
    "240.0.0.0/4",
) | (
    (AddressSet(v6=AddressSet.everything().v6) - _networks("2000::/3")) | _networks("2001:db8::/32")
)
"""Addresses that are not the internet's: private, shared, loopback, link-local, reserved,
documentation and multicast ranges; for IPv6, everything outside global unicast (2000::/3)
and the documentation range."""

"""IP blocks: a CIDR minus its `except` CIDRs, for IPv4 and IPv6."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

__all__ = ["IPAddress", "IPNetwork", "IPBlock", "parse_ip"]

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_ip(text: str) -> IPAddress:
    return ipaddress.ip_address(text)


@dataclass(frozen=True, slots=True)
class IPBlock:
    """`ipBlock`: addresses in `cidr` and in none of `excepts`.

    An address of the other IP family never matches (upstream: the CIDR's family decides).
    """

    cidr: IPNetwork
    excepts: tuple[IPNetwork, ...] = ()

    def contains(self, ip: IPAddress) -> bool:
        if ip.version != self.cidr.version or ip not in self.cidr:
            return False
        return not any(ip in ex for ex in self.excepts)

    def __str__(self) -> str:
        if not self.excepts:
            return str(self.cidr)
        return f"{self.cidr} except {', '.join(str(e) for e in self.excepts)}"

"""CIDR strings as the API server reads them for `ipBlock` (a "legacy" CIDR field).

Upstream: k8s.io/utils/net ParseCIDRSloppy and apimachinery's IsValidCIDRForLegacyField /
GetWarningsForCIDR (pkg/api/validation/ip.go). With the StrictIPCIDRValidation gate off (its
default) the API server accepts an address with bits set beyond the prefix ("10.0.0.1/24",
meaning 10.0.0.0/24) and IPv4 octets with leading zeros, and warns about both.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass

from podfence.model import IPAddress, IPNetwork

__all__ = ["CIDR", "parse_cidr", "cidr_warnings", "INVALID_CIDR"]

INVALID_CIDR = "must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)"
_DOTTED_QUAD = re.compile(r"\d{1,3}(\.\d{1,3}){3}")


@dataclass(frozen=True, slots=True)
class CIDR:
    """A parsed CIDR: the address as written and the network it denotes."""

    text: str
    address: IPAddress
    network: IPNetwork

    @property
    def prefix(self) -> int:
        return self.network.prefixlen


def _address(text: str) -> IPAddress | None:
    if _DOTTED_QUAD.fullmatch(text):  # Go's sloppy parser reads "010" as decimal 10
        octets = [int(o) for o in text.split(".")]
        if any(o > 255 for o in octets):
            return None
        return ipaddress.IPv4Address(".".join(map(str, octets)))
    if "%" in text or ":" not in text:  # no IPv6 zones; IPv4 must be a dotted quad
        return None
    try:
        return ipaddress.IPv6Address(text)
    except ValueError:
        return None


def parse_cidr(text: str) -> CIDR | None:
    """The CIDR `text` denotes, or None when the API server would reject it."""
    address_text, slash, prefix_text = text.partition("/")
    if not slash or not prefix_text.isascii() or not prefix_text.isdigit():
        return None
    address = _address(address_text)
    if address is None or int(prefix_text) > address.max_prefixlen:
        return None
    network = ipaddress.ip_network((address, int(prefix_text)), strict=False)
    return CIDR(text, address, network)


def cidr_warnings(cidr: CIDR) -> list[str]:
    """The API server's warnings for a CIDR it accepts in a non-standard form."""
    warnings = []
    if cidr.address != cidr.network.network_address:
        single = f"{cidr.address}/{cidr.address.max_prefixlen}"
        warnings.append(
            f'CIDR value "{cidr.text}" is ambiguous in this context '
            f'(should be "{cidr.network}" or "{single}"?)'
        )
    canonical = f"{cidr.address}/{cidr.prefix}"
    if isinstance(cidr.address, ipaddress.IPv6Address) and cidr.address.ipv4_mapped:
        warnings.append(
            f'non-standard CIDR value "{cidr.text}" will be considered invalid in a future '
            "Kubernetes release: use an IPv4 CIDR (podfence treats it as IPv6, which no IPv4 "
            "address matches)"
        )
    elif cidr.address.version == 4 and cidr.text != canonical:
        warnings.append(
            f'non-standard CIDR value "{cidr.text}" will be considered invalid in a future '
            f'Kubernetes release: use "{cidr.network}"'
        )
    elif not warnings and cidr.text != canonical:
        warnings.append(
            f'IPv6 CIDR value "{cidr.text}" should be in RFC 5952 canonical format ("{canonical}")'
        )
    return warnings

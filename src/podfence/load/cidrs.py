"""IP addresses and CIDRs as the API server reads them in "legacy" fields (`ipBlock`, pod IPs).

Upstream: k8s.io/utils/net ParseIPSloppy / ParseCIDRSloppy (Go's net.ParseIP / ParseCIDR, with a
second chance for IPv4 octets and a prefix length with leading zeros), and apimachinery
pkg/api/validation/ip.go: IsValidCIDRForLegacyField / IsValidIPForLegacyField, which under the
StrictIPCIDRValidation gate (on by default since Kubernetes 1.36, see `options`) also reject
leading zeros, IPv4-mapped IPv6 addresses and (for CIDRs) bits set beyond the prefix length,
and GetWarningsForCIDR / GetWarningsForIP for the forms they accept.

Only ASCII digits count as digits (`٣` is not 3), and an IPv6 zone (`fe80::1%eth0`) is never
part of an address.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from podfence.model import IPAddress, IPNetwork

__all__ = [
    "CIDR",
    "IP",
    "INVALID_CIDR",
    "INVALID_IP",
    "cidr_errors",
    "cidr_warnings",
    "go_contains",
    "go_network_text",
    "ip_errors",
    "ip_warnings",
    "parse_cidr",
    "parse_ip",
]

INVALID_CIDR = "must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)"
INVALID_IP = "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"
_DIGITS = frozenset("0123456789")


@dataclass(frozen=True, slots=True)
class IP:
    """A parsed address: as written, its value, and whether it needed leading zeros dropped."""

    text: str
    address: IPAddress
    leading_zeros: bool = False


@dataclass(frozen=True, slots=True)
class CIDR:
    """A parsed CIDR: the address as written, the network it denotes, and whether the address
    or the prefix length had leading zeros."""

    text: str
    address: IPAddress
    network: IPNetwork
    leading_zeros: bool = False

    @property
    def prefix(self) -> int:
        return self.network.prefixlen


def _is_number(text: str) -> bool:
    """One or more ASCII digits (Go's dtoi; Python's isdigit() also takes other scripts)."""
    return bool(text) and _DIGITS.issuperset(text)


def _go_address(text: str) -> IPAddress | None:
    """Go's net.ParseIP: a dotted quad without leading zeros, or IPv6 without a zone."""
    cut = min((i for i in (text.find("."), text.find(":")) if i >= 0), default=-1)
    if cut < 0 or "%" in text:
        return None
    try:
        if text[cut] == ".":
            return ipaddress.IPv4Address(text)
        return ipaddress.IPv6Address(text)
    except ValueError:
        return None


def _without_zeros(text: str) -> str:
    """ParseIPSloppy's second chance: the dotted quad that ends the address (at its start or
    after a ':') and the prefix length after it lose their leading zeros; else unchanged."""
    address, slash, prefix = text.partition("/")
    head, colon, quad = address.rpartition(":")
    octets = quad.split(".")
    if len(octets) != 4 or not all(map(_is_number, octets)):
        return text
    if slash and not _is_number(prefix):
        return text
    quad = ".".join(o.lstrip("0") or "0" for o in octets)
    tail = slash + (prefix.lstrip("0") or "0") if slash else ""
    return head + colon + quad + tail


def _go_cidr(text: str) -> tuple[IPAddress, int] | None:
    """Go's net.ParseCIDR: an address, '/', then decimal digits (leading zeros allowed)."""
    address_text, slash, prefix_text = text.partition("/")
    if not slash or not _is_number(prefix_text):
        return None
    address = _go_address(address_text)
    if address is None or int(prefix_text) > address.max_prefixlen:
        return None
    return address, int(prefix_text)


def parse_ip(text: str) -> IP | None:
    """The address `text` denotes, or None when the API server never accepts it."""
    address = _go_address(text)
    if address is not None:
        return IP(text, address)
    address = _go_address(_without_zeros(text))
    return None if address is None else IP(text, address, leading_zeros=True)


def parse_cidr(text: str) -> CIDR | None:
    """The CIDR `text` denotes, or None when the API server never accepts it."""
    parsed = _go_cidr(text)
    leading_zeros = False
    if parsed is None:
        parsed = _go_cidr(_without_zeros(text))
        leading_zeros = True
    if parsed is None:
        return None
    address, prefix = parsed
    prefix_text = text.rpartition("/")[2]
    leading_zeros = leading_zeros or (len(prefix_text) > 1 and prefix_text[0] == "0")
    network = ipaddress.ip_network((address, prefix), strict=False)
    return CIDR(text, address, network, leading_zeros)


def _mapped(address: IPAddress) -> ipaddress.IPv4Address | None:
    return address.ipv4_mapped if isinstance(address, ipaddress.IPv6Address) else None


def cidr_errors(cidr: CIDR) -> list[str]:
    """The strict rules (StrictIPCIDRValidation): the first that fails, as on the API server."""
    if cidr.leading_zeros:
        return ["must not have leading 0s in IP or prefix length"]
    if _mapped(cidr.address) is not None:
        return ["must not have an IPv4-mapped IPv6 address"]
    if cidr.address != cidr.network.network_address:
        return ["must not have bits set beyond the prefix length"]
    return []


def ip_errors(ip: IP) -> list[str]:
    """The strict rules for an IP address (StrictIPCIDRValidation)."""
    if ip.leading_zeros:
        return ["must not have leading 0s"]
    if _mapped(ip.address) is not None:
        return ["must not be an IPv4-mapped IPv6 address"]
    return []


def _go_ip_text(address: IPAddress) -> str:
    """Go's IP.String(): an IPv4-mapped address prints as IPv4."""
    return str(_mapped(address) or address)


def go_network_text(cidr: CIDR) -> str:
    """Go's IPNet.String(): an IPv4-mapped network prints as the IPv4 network it covers."""
    mapped = _mapped(cidr.network.network_address)
    if mapped is not None:
        return f"{mapped}/{max(cidr.prefix - 96, 0)}"
    return str(cidr.network)


def _go_view(network: IPNetwork) -> IPNetwork:
    mapped = _mapped(network.network_address)
    if mapped is None:
        return network
    return ipaddress.IPv4Network((mapped, max(network.prefixlen - 96, 0)))


def go_contains(outer: CIDR, inner: CIDR) -> bool:
    """Go's `outer.Contains(inner's network address)`: IPv4-mapped values count as IPv4."""
    net = _go_view(outer.network)
    address = _mapped(inner.network.network_address) or inner.network.network_address
    return address.version == net.version and address in net


def cidr_warnings(cidr: CIDR) -> list[str]:
    """GetWarningsForCIDR: the API server's warnings for a CIDR it accepts in an odd form."""
    warnings = []
    if cidr.address != cidr.network.network_address:
        single = f"{_go_ip_text(cidr.address)}/{cidr.address.max_prefixlen}"
        warnings.append(
            f'CIDR value "{cidr.text}" is ambiguous in this context '
            f'(should be "{go_network_text(cidr)}" or "{single}"?)'
        )
    if cidr.leading_zeros or _mapped(cidr.address) is not None:
        note = ""
        if _mapped(cidr.address) is not None:
            note = " (podfence treats it as IPv6, which no IPv4 address matches)"
        warnings.append(
            f'non-standard CIDR value "{cidr.text}" will be considered invalid in a future '
            f'Kubernetes release: use "{go_network_text(cidr)}"{note}'
        )
    canonical = f"{cidr.address}/{cidr.prefix}"
    if not warnings and cidr.address.version == 6 and cidr.text != canonical:
        warnings.append(
            f'IPv6 CIDR value "{cidr.text}" should be in RFC 5952 canonical format ("{canonical}")'
        )
    return warnings


def ip_warnings(ip: IP) -> list[str]:
    """GetWarningsForIP, for the forms only the lenient rules accept (leading zeros, mapped)."""
    if ip.leading_zeros or _mapped(ip.address) is not None:
        return [
            f'non-standard IP address "{ip.text}" will be considered invalid in a future '
            f'Kubernetes release: use "{_go_ip_text(ip.address)}"'
        ]
    return []

"""IP addresses and CIDRs of "legacy" fields, as the API server reads them (load/cidrs.py).

Upstream: k8s.io/utils/net ParseIPSloppy / ParseCIDRSloppy (Go's net.ParseIP / ParseCIDR with
a second chance for leading zeros), apimachinery pkg/api/validation/ip.go (parseCIDR and
parseIP under StrictIPCIDRValidation; GetWarningsForCIDR, GetWarningsForIP) and Go's
net.IPNet.Contains (IPv4-mapped IPv6 counts as IPv4). Each row was checked against
kube-apiserver v1.36.2 (tests/apiserver runs the same rules on generated policies).
"""

from __future__ import annotations

import pytest

from podfence.load.cidrs import (
    cidr_errors,
    cidr_warnings,
    go_contains,
    go_network_text,
    ip_errors,
    ip_warnings,
    parse_cidr,
    parse_ip,
)

LEADING = "must not have leading 0s in IP or prefix length"
MAPPED = "must not have an IPv4-mapped IPv6 address"
HOST_BITS = "must not have bits set beyond the prefix length"

# text -> (network, strict errors); None: never a CIDR (IsValidCIDRForLegacyField's "must be a
# valid CIDR value" whatever the gate)
CIDRS: dict[str, tuple[str, list[str]] | None] = {
    "10.0.0.0/8": ("10.0.0.0/8", []),
    "0.0.0.0/0": ("0.0.0.0/0", []),
    "::/0": ("::/0", []),
    "fd00::/8": ("fd00::/8", []),
    "FD00::/8": ("fd00::/8", []),  # accepted: only a warning (RFC 5952)
    "::10.0.0.0/104": ("::a00:0/104", []),  # IPv4-compatible, not mapped
    "10.0.0.1/8": ("10.0.0.0/8", [HOST_BITS]),
    "fd00::1/8": ("fd00::/8", [HOST_BITS]),
    "010.0.0.0/8": ("10.0.0.0/8", [LEADING]),
    "10.00.0.0/16": ("10.0.0.0/16", [LEADING]),
    "10.0.0.0/08": ("10.0.0.0/8", [LEADING]),
    "fd00::/08": ("fd00::/8", [LEADING]),
    "0010.0.0.0/0008": ("10.0.0.0/8", [LEADING]),  # any number of zeros
    "010.0.0.1/8": ("10.0.0.0/8", [LEADING]),  # the first rule that fails, only
    "::ffff:10.0.0.0/104": ("::ffff:a00:0/104", [MAPPED]),
    "::ffff:a00:0/104": ("::ffff:a00:0/104", [MAPPED]),
    "::ffff:010.0.0.0/104": ("::ffff:a00:0/104", [LEADING]),
    "::ffff:10.0.0.0/80": ("::/80", [MAPPED]),
    "10.0.0.0": None,
    "10.0.0.0/33": None,
    "fd00::/129": None,
    "10.0.0.0/": None,
    "10.0.0.0/8/8": None,
    "10.0.0.0/+8": None,
    " 10.0.0.0/8": None,
    "10.0.0.0/8\n": None,
    "10.0.0/8": None,
    "10.0.0.256/32": None,
    "0x0a.0.0.0/8": None,
    "\u0661\u0660.0.0.0/8": None,  # Arabic-Indic digits are not digits here
    "10.0.0.0/\u0668": None,
    "fe80::1%eth0/64": None,  # no zones
    "": None,
}


@pytest.mark.parametrize("text", CIDRS, ids=[repr(t) for t in CIDRS])
def test_cidrs(text: str) -> None:
    cidr = parse_cidr(text)
    expected = CIDRS[text]
    if expected is None:
        assert cidr is None
        return
    assert cidr is not None
    assert (str(cidr.network), cidr_errors(cidr)) == expected


IPS: dict[str, tuple[str, list[str]] | None] = {
    "10.0.0.1": ("10.0.0.1", []),
    "fd00::1": ("fd00::1", []),
    "FD00::1": ("fd00::1", []),
    "010.0.0.1": ("10.0.0.1", ["must not have leading 0s"]),
    "::ffff:10.0.0.1": ("::ffff:a00:1", ["must not be an IPv4-mapped IPv6 address"]),
    "fe80::1%eth0": None,
    "10.0.0.1/32": None,
    "\u0661.0.0.1": None,
    "10.0.0": None,
    "": None,
}


@pytest.mark.parametrize("text", IPS, ids=[repr(t) for t in IPS])
def test_ips(text: str) -> None:
    ip = parse_ip(text)
    expected = IPS[text]
    if expected is None:
        assert ip is None
        return
    assert ip is not None
    assert (str(ip.address), ip_errors(ip)) == expected


WARNINGS = {
    # GetWarningsForCIDR (shown by the API server for what it accepts)
    "10.0.0.0/8": [],
    "FD00::/8": ['IPv6 CIDR value "FD00::/8" should be in RFC 5952 canonical format ("fd00::/8")'],
    "fd00:0::/16": [
        'IPv6 CIDR value "fd00:0::/16" should be in RFC 5952 canonical format ("fd00::/16")'
    ],
    "10.0.0.1/24": [
        'CIDR value "10.0.0.1/24" is ambiguous in this context '
        '(should be "10.0.0.0/24" or "10.0.0.1/32"?)'
    ],
    "010.0.0.1/8": [
        'CIDR value "010.0.0.1/8" is ambiguous in this context '
        '(should be "10.0.0.0/8" or "10.0.0.1/32"?)',
        'non-standard CIDR value "010.0.0.1/8" will be considered invalid in a future '
        'Kubernetes release: use "10.0.0.0/8"',
    ],
    "fd00::/08": [
        'non-standard CIDR value "fd00::/08" will be considered invalid in a future Kubernetes '
        'release: use "fd00::/8"'
    ],
    # Go prints an IPv4-mapped network as the IPv4 network it covers
    "::ffff:10.2.0.0/112": [
        'non-standard CIDR value "::ffff:10.2.0.0/112" will be considered invalid in a future '
        'Kubernetes release: use "10.2.0.0/16" (podfence treats it as IPv6, which no IPv4 '
        "address matches)"
    ],
}


@pytest.mark.parametrize("text", WARNINGS, ids=list(WARNINGS))
def test_cidr_warnings(text: str) -> None:
    cidr = parse_cidr(text)
    assert cidr is not None
    assert cidr_warnings(cidr) == WARNINGS[text]


def test_ip_warnings_name_the_standard_form() -> None:
    ip = parse_ip("010.000.1.2")
    assert ip is not None
    assert ip_warnings(ip) == [
        'non-standard IP address "010.000.1.2" will be considered invalid in a future '
        'Kubernetes release: use "10.0.1.2"'
    ]
    plain = parse_ip("10.0.1.2")
    assert plain is not None and ip_warnings(plain) == []


# ValidateIPBlock's subset check is net.IPNet.Contains(except's network address) and
# cidrMaskLen < exceptMaskLen, where an IPv4-mapped value counts as IPv4 (its mask the low
# 32 bits of the IPv6 one) but the mask lengths compared are the written ones.
CONTAINS = [
    ("10.0.0.0/8", "10.1.0.0/16", True),
    ("10.0.0.0/8", "11.0.0.0/16", False),
    ("10.0.0.0/8", "fd00::/16", False),
    ("10.0.0.0/8", "::ffff:10.1.0.0/112", True),
    ("::ffff:10.0.0.0/104", "10.1.0.0/16", True),
    ("::ffff:10.0.0.0/80", "10.1.0.0/16", False),  # masked to ::/80: no longer mapped
    ("::/0", "10.0.0.0/8", False),
    ("2001:db8::/32", "2001:db8:1::/48", True),
]


@pytest.mark.parametrize(("outer", "inner", "inside"), CONTAINS)
def test_go_containment(outer: str, inner: str, inside: bool) -> None:
    a, b = parse_cidr(outer), parse_cidr(inner)
    assert a is not None and b is not None
    assert go_contains(a, b) is inside


def test_mapped_networks_print_as_ipv4_like_go() -> None:
    cidr = parse_cidr("::ffff:10.0.0.0/104")
    assert cidr is not None and go_network_text(cidr) == "10.0.0.0/8"

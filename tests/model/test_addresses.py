"""IPBlock: a CIDR minus its `except` CIDRs, IPv4 and IPv6.

Source: API reference networking.k8s.io/v1 IPBlock -- `cidr` ("192.168.1.0/24" or
"2001:db8::/64") and `except`, "CIDRs that should not be included within an IPBlock".
Upstream e2e: "should enforce except clause while egress access to server in CIDR block".
"""

from __future__ import annotations

import ipaddress

import pytest

from podfence.model import IPBlock, parse_ip


def block(cidr: str, *excepts: str) -> IPBlock:
    return IPBlock(ipaddress.ip_network(cidr), tuple(ipaddress.ip_network(e) for e in excepts))


@pytest.mark.parametrize(
    ("ip_block", "address", "expected"),
    [
        pytest.param(block("10.0.0.0/24"), "10.0.0.7", True, id="v4-inside"),
        pytest.param(block("10.0.0.0/24"), "10.0.0.0", True, id="v4-first-address"),
        pytest.param(block("10.0.0.0/24"), "10.0.0.255", True, id="v4-last-address"),
        pytest.param(block("10.0.0.0/24"), "10.0.1.0", False, id="v4-just-after"),
        pytest.param(block("10.0.0.0/24"), "9.255.255.255", False, id="v4-just-before"),
        pytest.param(block("10.0.0.5/32"), "10.0.0.5", True, id="v4-host"),
        pytest.param(block("10.0.0.5/32"), "10.0.0.6", False, id="v4-host-neighbour"),
        pytest.param(block("0.0.0.0/0"), "203.0.113.1", True, id="v4-everything"),
        pytest.param(block("10.0.0.0/16", "10.0.1.0/24"), "10.0.1.9", False, id="v4-excepted"),
        pytest.param(block("10.0.0.0/16", "10.0.1.0/24"), "10.0.2.9", True, id="v4-not-excepted"),
        pytest.param(
            block("10.0.0.0/16", "10.0.1.0/24", "10.0.3.0/24"),
            "10.0.3.1",
            False,
            id="v4-second-except",
        ),
        pytest.param(block("10.0.0.0/16", "10.0.1.5/32"), "10.0.1.5", False, id="v4-excepted-host"),
        pytest.param(
            block("10.0.0.0/16", "10.0.1.5/32"), "10.0.1.4", True, id="v4-excepted-host-neighbour"
        ),
        pytest.param(block("2001:db8::/32"), "2001:db8:ffff::1", True, id="v6-inside"),
        pytest.param(block("2001:db8::/32"), "2001:db9::1", False, id="v6-outside"),
        pytest.param(
            block("2001:db8::/32", "2001:db8::/64"), "2001:db8::1", False, id="v6-excepted"
        ),
        pytest.param(
            block("2001:db8::/32", "2001:db8::/64"), "2001:db8:0:1::1", True, id="v6-not-excepted"
        ),
        # The CIDR's family decides: an address of the other family never matches.
        pytest.param(block("0.0.0.0/0"), "2001:db8::1", False, id="v4-block-v6-address"),
        pytest.param(block("::/0"), "10.0.0.1", False, id="v6-block-v4-address"),
    ],
)
def test_ip_block_contains(ip_block: IPBlock, address: str, expected: bool) -> None:
    assert ip_block.contains(parse_ip(address)) is expected


@pytest.mark.parametrize(
    ("ip_block", "text"),
    [
        pytest.param(block("10.0.0.0/8"), "10.0.0.0/8", id="plain"),
        pytest.param(
            block("10.0.0.0/8", "10.1.0.0/16", "10.2.0.0/16"),
            "10.0.0.0/8 except 10.1.0.0/16, 10.2.0.0/16",
            id="with-excepts",
        ),
        pytest.param(
            block("2001:db8::/32", "2001:db8::/64"), "2001:db8::/32 except 2001:db8::/64", id="v6"
        ),
    ],
)
def test_ip_block_str(ip_block: IPBlock, text: str) -> None:
    assert str(ip_block) == text


@pytest.mark.parametrize(
    ("text", "version"),
    [pytest.param("10.0.0.1", 4, id="v4"), pytest.param("2001:db8::1", 6, id="v6")],
)
def test_parse_ip(text: str, version: int) -> None:
    assert parse_ip(text).version == version
    assert str(parse_ip(text)) == text


@pytest.mark.parametrize("text", ["10.0.0.256", "10.0.0.0/8", "", "host"])
def test_parse_ip_rejects(text: str) -> None:
    with pytest.raises(ValueError):
        parse_ip(text)

"""The CEL rules of the ClusterNetworkPolicy CRD, implemented in Python, rule by rule.

Upstream: the bundled CRD (v0.2.0) holds exactly three rules; `isCIDR` is
k8s.io/apiserver/pkg/cel/library/cidr.go (netip.ParsePrefix, IPv4-mapped IPv6 rejected). The
isCIDR table was checked against kube-apiserver v1.36.2 with the CRD installed.
"""

from __future__ import annotations

import ipaddress

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from podfence.load.cnp_crd import Channel, cnp_schema
from podfence.load.cnp_rules import RULES, is_cidr, rule_message


def _rules(node: object, found: set[str]) -> set[str]:
    if isinstance(node, dict):
        for rule in node.get("x-kubernetes-validations", []):
            found.add(rule["rule"])
        for value in node.values():
            _rules(value, found)
    elif isinstance(node, list):
        for value in node:
            _rules(value, found)
    return found


@pytest.mark.parametrize("channel", list(Channel), ids=str)
def test_every_rule_of_the_crd_is_implemented(channel: Channel) -> None:
    found = _rules(cnp_schema(channel), set())
    assert found <= set(RULES)
    assert len(found) == (3 if channel is Channel.EXPERIMENTAL else 2)


IS_CIDR = [
    # accepted by the API server
    ("10.0.0.0/8", True),
    ("10.0.0.1/24", True),  # host bits are allowed
    ("0.0.0.0/0", True),
    ("1.2.3.4/32", True),
    ("::/0", True),
    ("2001:DB8::/32", True),  # upper case
    ("2001:db8:0:0::/64", True),  # not canonical
    ("::1.2.3.4/128", True),  # an embedded IPv4 that is not IPv4-mapped
    ("64:ff9b::1.2.3.4/96", True),
    ("fe80::/10", True),
    ("1:2:3:4:5:6:7:8/128", True),
    ("::1:2:3:4:5:6:7/128", True),
    # rejected by the API server
    ("10.0.0.0/33", False),
    ("2001:db8::/129", False),
    ("010.0.0.0/8", False),  # leading zero in an octet
    ("1.2.3.04/8", False),
    ("1.2.3.4/032", False),  # leading zero in the prefix length
    ("::/00", False),
    ("1.2.3.4/-1", False),
    ("1.2.3.4/\u0663", False),  # a non-ASCII digit
    ("10.0.0.0", False),  # no prefix length
    ("10.0.0/8", False),
    ("1.2.3.4/32/1", False),
    ("10.0.0.0/8 ", False),
    ("1.2.3.4 /8", False),
    ("[::1]/128", False),
    ("fe80::1%eth0/64", False),  # a zone
    ("::ffff:1.2.3.4/120", False),  # IPv4-mapped
    ("::FFFF:1.2.3.4/128", False),
    ("::ffff:0:0/96", False),
    ("::ffff:102:304/128", False),
    ("0:0:0:0:0:ffff:102:304/128", False),
    ("1:2:3:4:5:6:7:8:9/128", False),
    ("1::2::3/64", False),
    ("", False),
    ("x", False),
]


@pytest.mark.parametrize(("text", "valid"), IS_CIDR, ids=[t for t, _ in IS_CIDR])
def test_is_cidr(text: str, valid: bool) -> None:
    assert is_cidr(text) is valid
    assert RULES["isCIDR(self)"](text) is valid


@settings(deadline=None)
@given(st.ip_addresses(), st.integers(min_value=0, max_value=128))
def test_is_cidr_accepts_every_canonical_prefix(address: object, bits: int) -> None:
    assert isinstance(address, ipaddress.IPv4Address | ipaddress.IPv6Address)
    bits = min(bits, address.max_prefixlen)
    text = f"{address}/{bits}"
    mapped = isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None
    assert is_cidr(text) is not mapped


START_END = RULES["self.start < self.end"]
NAMED = next(rule for text, rule in RULES.items() if text.startswith("!(self.to"))


@pytest.mark.parametrize(
    ("value", "result"),
    [
        ({"start": 1, "end": 2}, True),
        ({"start": 2, "end": 2}, False),
        ({"start": 3, "end": 2}, False),
        ({"start": "1", "end": 2}, None),  # not evaluated on a wrong type
        ({"start": 1}, None),
        ([], None),
    ],
)
def test_start_before_end(value: object, result: bool | None) -> None:
    assert START_END(value) is result


@pytest.mark.parametrize(
    ("rule", "result"),
    [
        ({"to": [{"pods": {}}], "protocols": [{"destinationNamedPort": "x"}]}, True),
        ({"to": [{"networks": ["1.0.0.0/8"]}]}, True),  # no protocols
        ({"to": [{"networks": []}], "protocols": [{"tcp": {}}]}, True),
        ({"to": [{"pods": {}}, {"nodes": {}}], "protocols": [{"destinationNamedPort": ""}]}, False),
        ({"to": [{"domainNames": ["a.b"]}], "protocols": [{"destinationNamedPort": "x"}]}, False),
        (
            {"to": [{"networks": None}], "protocols": [{"destinationNamedPort": "x"}]},
            True,
        ),  # pruned
        ({"protocols": []}, None),
        ({"to": [1], "protocols": []}, None),
        ({"to": [], "protocols": "x"}, None),
    ],
)
def test_named_ports_only_with_pods(rule: object, result: bool | None) -> None:
    assert NAMED(rule) is result


def test_rule_messages_show_scalars_only() -> None:
    assert rule_message("x", "bad") == 'Invalid value: "x": bad'
    assert rule_message({"a": 1}, "bad") == "Invalid value: bad"
    assert rule_message([1], "bad") == "Invalid value: bad"

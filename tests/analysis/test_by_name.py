"""Questions about a destination given by DNS name, and the --dns map (analysis.by_name)."""

from __future__ import annotations

import ipaddress

import pytest

from engine.tier_builders import ACCEPT, ADMIN, DENY, cnp, crule, domains, networks, tier_cluster
from podfence.analysis.by_name import ask_by_name, is_dns_name, parse_dns
from podfence.analysis.query import QueryError, resolve_party
from podfence.engine import Engine
from podfence.model import External, LabelSelector, NamespacesSubject, ProtocolPort

SHOP = NamespacesSubject(LabelSelector((("kubernetes.io/metadata.name", "shop"),)))
HTTPS = ProtocolPort(443)
ALLOWLIST = cnp("a", ADMIN, 1, SHOP, egress=[
    crule(ACCEPT, domains("api.example.com")), crule(DENY, networks("0.0.0.0/0")),
])  # fmt: skip
PARTNER = cnp("p", ADMIN, 1, SHOP, egress=[
    crule(ACCEPT, networks("192.0.2.0/24")), crule(DENY, networks("0.0.0.0/0")),
])  # fmt: skip


@pytest.mark.parametrize(
    ("text", "ok"),
    [("api.example.com", True), ("api.example.com.", True), ("localhost", False),
     ("10.0.0.1", True), ("a_b.example.com", True), ("-a.example.com", False)],
)  # fmt: skip
def test_dns_names_as_the_crd_pattern_has_them(text: str, ok: bool) -> None:
    """The CRD's DomainName pattern (without the wildcard); an address is told apart by the
    CLI before (it is tried as an address first)."""
    assert is_dns_name(text) is ok


def test_parse_dns_collects_addresses_per_name() -> None:
    found = parse_dns(["API.example.com=192.0.2.10", "api.example.com.=2001:db8::1"])
    assert found == {
        "api.example.com": (ipaddress.ip_address("192.0.2.10"), ipaddress.ip_address("2001:db8::1"))
    }


@pytest.mark.parametrize(
    ("item", "message"),
    [("api.example.com", "expected NAME=IP"), ("api.example.com=nope", "not an IP address"),
     ("no_dots=192.0.2.1", "expected NAME=IP")],
)  # fmt: skip
def test_parse_dns_refuses_what_it_cannot_read(item: str, message: str) -> None:
    with pytest.raises(QueryError, match=message):
        parse_dns([item])


def test_an_address_is_known_by_the_names_the_map_gives_it() -> None:
    c = tier_cluster()
    dns = parse_dns(["b.example.com=192.0.2.10", "a.example.com=192.0.2.10"])
    asked = resolve_party(c, "192.0.2.10", dns)
    assert asked.party == External(
        ipaddress.ip_address("192.0.2.10"), ("a.example.com", "b.example.com")
    )


def test_a_name_the_map_resolves_is_asked_for_each_address() -> None:
    c = tier_cluster([ALLOWLIST])
    web = c.endpoint("shop/web")
    assert web is not None
    q = ask_by_name(
        Engine(c), web, "api.example.com", HTTPS, parse_dns(["api.example.com=192.0.2.10"])
    )
    assert q.resolved and q.allowed and not q.depends_on_dns
    assert [case.label for case in q.cases] == ["192.0.2.10"]


def test_an_unresolved_name_is_answered_whatever_it_resolves_to_when_all_agree() -> None:
    c = tier_cluster([ALLOWLIST])
    web = c.endpoint("shop/web")
    assert web is not None
    q = ask_by_name(Engine(c), web, "api.example.com", HTTPS, {})
    assert not q.resolved and q.allowed and not q.depends_on_dns


def test_an_unresolved_name_depends_on_dns_when_regions_disagree() -> None:
    c = tier_cluster([PARTNER])
    web = c.endpoint("shop/web")
    assert web is not None
    q = ask_by_name(Engine(c), web, "api.partner.example", HTTPS, {})
    assert q.depends_on_dns and not q.allowed
    answers = {case.label: case.query.allowed for case in q.cases}
    assert answers == {"addresses in 192.0.2.0/24": True, "other addresses in 0.0.0.0/0": False}

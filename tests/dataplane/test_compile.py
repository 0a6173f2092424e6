"""The compiler: semantics through the intermediate form, shape, determinism and scale."""

from __future__ import annotations

import dataclasses
import ipaddress
import re

import pytest

from podfence.dataplane.nft import compile_ruleset, emit
from podfence.dataplane.nft.ir import (
    AddrInSet,
    AddrProtoPort,
    AddrRange,
    CtState,
    ProtoPorts,
    Ruleset,
    Verdict,
    VerdictKind,
    VmapDispatch,
)
from podfence.engine import Engine
from podfence.model import Cluster, Connection, PortRange, Protocol

from .builders import (
    BOTH,
    EGRESS,
    INGRESS,
    TCP,
    UDP,
    block,
    cluster,
    ns,
    peer,
    pod,
    policy,
    port,
    rule,
    sel,
)
from .cases import CASES, shop
from .irsim import forward_accepts
from .reference import addresses, allowed, families

PROBES = [
    (80, TCP),
    (8080, TCP),
    (5432, TCP),
    (5353, UDP),
    (53, UDP),
    (8050, TCP),
    (3868, Protocol.SCTP),
]


def kernel_like(
    rs: Ruleset, c: Cluster, src: str, dst: str, number: int, proto: Protocol, family: int
) -> bool:
    s, d = c.endpoint(src), c.endpoint(dst)
    assert s is not None and d is not None
    if s.id == d.id:
        return True  # a pod talking to itself never crosses the node
    pair = addresses(s, d, family)
    assert pair is not None
    return forward_accepts(rs, pair[0], pair[1], proto, number)


@pytest.mark.parametrize("case", sorted(CASES))
def test_cases_agree_with_reference_and_engine(case: str) -> None:
    """Per IP family the pair shares: the interpreted ruleset, the reference and the engine
    asked about that family give one answer."""
    c = CASES[case]()
    rs = compile_ruleset(c)
    engine = Engine(c)
    for s in c.endpoints:
        for d in c.endpoints:
            for family in families(s, d):
                for number, proto in PROBES:
                    want = allowed(c, s, d, number, proto, family)
                    got = kernel_like(rs, c, s.id, d.id, number, proto, family)
                    where = f"{case}: {s.id} -> {d.id} {number}/{proto} over IPv{family}"
                    assert got == want, where
                    assert engine.allowed(Connection(s, d, number, proto, family)) == want, where


def test_forward_starts_with_conntrack() -> None:
    rs = compile_ruleset(CASES["default_deny"]())
    forward = rs.chain("forward")
    assert forward is not None and forward.hook is not None
    first, second = forward.rules[:2]
    assert first.matches == (CtState(("established", "related")),)
    assert first.verdict == Verdict(VerdictKind.ACCEPT)
    assert second.matches == (CtState(("invalid",)),)
    assert second.verdict == Verdict(VerdictKind.DROP)
    assert all(isinstance(r.verdict, VmapDispatch) for r in forward.rules[2:])


def test_script_replaces_the_table_in_one_transaction() -> None:
    lines = emit(compile_ruleset(shop())).splitlines()
    body = [line for line in lines if not line.startswith("#")]
    assert body[:3] == [
        "table inet podfence",
        "delete table inet podfence",
        "table inet podfence {",
    ]


COMMENT = re.compile(r"^\S+/\S+ (ingress|egress)\[\d+\](\.(from|to)\[\d+\])?$")


@pytest.mark.parametrize("case", sorted(CASES))
def test_every_policy_rule_points_back(case: str) -> None:
    rs = compile_ruleset(CASES[case]())
    for chain in rs.chains:
        if chain.name == "forward":
            continue
        *rules, last = chain.rules
        assert last.verdict == Verdict(VerdictKind.DROP) and "no rule allows" in last.comment
        for r in rules:
            assert COMMENT.match(r.comment), r.comment


def test_non_isolated_pods_are_untouched() -> None:
    rs = compile_ruleset(CASES["named_ports"]())
    keys = {str(ip) for m in rs.maps for ip, _ in m.elements}
    # backend is isolated for ingress only, frontend for egress only; db and client never
    assert keys == {"10.244.1.1", "10.244.1.2"}
    ingress = {str(ip) for m in rs.maps if m.name.startswith("ingress") for ip, _ in m.elements}
    assert ingress == {"10.244.1.2"}


def test_without_policies_only_conntrack_rules() -> None:
    rs = compile_ruleset(shop())
    assert [c.name for c in rs.chains] == ["forward"]
    assert rs.rule_count == 2 and not rs.sets and not rs.maps


def test_pods_without_ip_are_reported_not_enforced() -> None:
    c = cluster(
        [ns("a")],
        [pod("a/ip", {"x": "1"}, ips=["10.0.0.1"]), pod("a/noip", {"x": "1"})],
        [policy("a/deny", sel(), BOTH)],
    )
    rs = compile_ruleset(c)
    assert "a/noip has no IP: not enforced" in rs.notes
    assert "# a/noip has no IP: not enforced" in emit(rs)


def test_policy_selecting_nothing_is_noted() -> None:
    c = cluster([ns("a")], [pod("a/x", ips=["10.0.0.1"])], [policy("a/p", sel(app="none"), BOTH)])
    rs = compile_ruleset(c)
    assert rs.notes == ("a/p selects no pod with an IP",)
    assert [ch.name for ch in rs.chains] == ["forward"]


def test_host_network_pods_only_match_ip_blocks() -> None:
    """Upstream: policies apply to pod-network pods; a hostNetwork pod's traffic is the
    node's, which selectors cannot match but an ipBlock can."""
    c = cluster(
        [ns("a")],
        [
            pod("a/web", {"app": "web"}, ips=["10.0.0.1"]),
            pod("a/agent", {"app": "web"}, ips=["192.168.0.5"], host_network=True),
        ],
        [
            policy(
                "a/p",
                sel(app="web"),
                INGRESS,
                ingress=[
                    rule([peer(sel())]),
                    rule([peer(ip_block=block("192.168.0.0/24"))], [port(TCP, 22)]),
                ],
            )
        ],
    )
    rs = compile_ruleset(c)
    in_sets = {str(e.first) for s in rs.sets for e in s.elements if isinstance(e, AddrRange)}
    assert "192.168.0.5" not in {str(ip) for m in rs.maps for ip, _ in m.elements}
    assert rs.set("peer0-v4") is not None
    assert [str(e.first) for e in rs.set("peer0-v4").elements] == ["10.0.0.1"]  # type: ignore[union-attr]
    assert "192.168.0.0" in in_sets  # the ipBlock's interval
    web, agent = ipaddress.ip_address("10.0.0.1"), ipaddress.ip_address("192.168.0.5")
    assert forward_accepts(rs, agent, web, TCP, 22)
    assert not forward_accepts(rs, agent, web, TCP, 80)
    assert forward_accepts(rs, web, agent, TCP, 80)  # web is not egress-isolated


def test_named_port_without_a_resolving_pod_emits_no_rule() -> None:
    c = cluster(
        [ns("a")],
        [pod("a/x", {"app": "x"}, ips=["10.0.0.1"]), pod("a/y", ips=["10.0.0.2"])],
        [policy("a/p", sel(app="x"), INGRESS, ingress=[rule(ports=[port(TCP, "missing")])])],
    )
    rs = compile_ruleset(c)
    chain = rs.chain("ingress-a")
    assert chain is not None and len(chain.rules) == 1  # only the final drop


def test_ipv4_peer_sets_never_hold_ipv6() -> None:
    rs = compile_ruleset(CASES["ipblock_v6"]())
    for named in rs.sets:
        versions = {e.first.version for e in named.elements if isinstance(e, AddrRange)}
        assert len(versions) <= 1
        if named.name.endswith("-v4"):
            assert versions <= {4}
        if named.name.endswith("-v6"):
            assert versions <= {6}


def test_ipblock_set_is_cidr_minus_excepts() -> None:
    rs = compile_ruleset(CASES["ipblock_v4"]())
    cidr = rs.set("cidr0-v4")
    assert cidr is not None and cidr.interval
    got = [(str(e.first), str(e.last)) for e in cidr.elements if isinstance(e, AddrRange)]
    assert got == [
        ("10.244.0.0", "10.244.1.2"),
        ("10.244.1.4", "10.244.1.255"),
        ("10.244.3.0", "10.244.255.255"),
    ]


def test_output_is_deterministic_and_order_independent() -> None:
    c = CASES["and_or_peers"]()
    shuffled = dataclasses.replace(
        c,
        endpoints=tuple(reversed(c.endpoints)),
        policies=tuple(reversed(c.policies)),
        namespaces=tuple(reversed(c.namespaces)),
    )
    assert emit(compile_ruleset(c)) == emit(compile_ruleset(shuffled))


def _scaled(pods_per_namespace: int) -> Cluster:
    namespaces = [ns(f"n{i}", team="red" if i % 2 else "blue") for i in range(4)]
    pods = [
        pod(
            f"n{i}/p{j}",
            {"app": f"a{j % 5}", "tier": f"t{j % 3}"},
            ips=[f"10.{i}.{j // 250}.{j % 250 + 1}"],
        )
        for i in range(4)
        for j in range(pods_per_namespace)
    ]
    policies = [
        policy(
            f"n{i}/p{k}",
            sel(app=f"a{k % 5}"),
            BOTH,
            ingress=[
                rule(
                    [peer(sel(tier=f"t{k % 3}")), peer(namespaces=sel(team="red"))], [port(TCP, 80)]
                )
            ],
            egress=[rule([peer(sel(), sel())], [port(TCP, "http"), port(UDP, 53)])],
        )
        for i in range(4)
        for k in range(5)
    ]
    return cluster(namespaces, pods, policies)


def test_rule_count_does_not_grow_with_pods() -> None:
    small, large = compile_ruleset(_scaled(20)), compile_ruleset(_scaled(400))
    assert small.rule_count == large.rule_count
    assert len(small.chains) == len(large.chains)
    assert large.element_count > 10 * small.element_count


def test_rules_only_reference_declared_sets() -> None:
    for case in CASES:
        rs = compile_ruleset(CASES[case]())
        names = {s.name for s in rs.sets}
        used = {
            m.set_name
            for ch in rs.chains
            for r in ch.rules
            for m in r.matches
            if hasattr(m, "set_name")
        }
        assert used == names, case
        for ch in rs.chains:
            for r in ch.rules:
                for m in r.matches:
                    if isinstance(m, AddrInSet):
                        assert m.set_name.endswith(m.family.suffix)


def test_egress_and_ingress_chains_per_namespace() -> None:
    rs = compile_ruleset(CASES["namespace_selector"]())
    assert [c.name for c in rs.chains] == ["forward", "egress-shop", "ingress-shop"]
    egress = rs.chain("egress-shop")
    assert egress is not None
    assert all(r.verdict == Verdict(VerdictKind.RETURN) for r in egress.rules[:-1])


def test_pod_selector_only_egress_means_no_named_port_to_outside() -> None:
    """Named ports never match a destination that is not a pod (upstream: resolved against
    the destination pod's container ports)."""
    c = cluster(
        [ns("a")],
        [pod("a/x", {"app": "x"}, ips=["10.0.0.1"], ports=[(8080, TCP, "http")])],
        [policy("a/p", sel(app="x"), EGRESS, egress=[rule(ports=[port(TCP, "http")])])],
    )
    rs = compile_ruleset(c)
    outside = ipaddress.ip_address("203.0.113.9")
    assert not forward_accepts(rs, ipaddress.ip_address("10.0.0.1"), outside, TCP, 8080)


@pytest.mark.parametrize(
    ("number", "proto", "expected"),
    [(8080, TCP, True), (9090, TCP, True), (7070, UDP, False), (7070, TCP, False)],
)
def test_duplicate_port_name_across_containers_allows_every_number(
    number: int, proto: Protocol, expected: bool
) -> None:
    c = CASES["duplicate_port_names"]()
    rs = compile_ruleset(c)
    client, web = c.endpoint("a/client"), c.endpoint("a/web")
    assert client is not None and web is not None
    got = forward_accepts(rs, client.ips[0], web.ips[0], proto, number)
    assert got is expected
    assert Engine(c).allowed(Connection(client, web, number, proto)) is expected
    assert allowed(c, client, web, number, proto) is expected
    both = {AddrProtoPort(web.ips[0], TCP, 8080), AddrProtoPort(web.ips[0], TCP, 9090)}
    named = [s for s in rs.sets if s.name.startswith("named")]
    assert len(named) == 2 and all(set(s.elements) == both for s in named)  # in and out


def test_dual_stack_pod_and_ipv4_block_is_decided_per_family() -> None:
    c = CASES["dual_stack_ipblock"]()
    rs = compile_ruleset(c)
    client, server = c.endpoint("net/client"), c.endpoint("net/server")
    assert client is not None and server is not None
    v4 = forward_accepts(rs, client.ips[0], server.ips[0], TCP, 80)
    v6 = forward_accepts(rs, client.ips[1], server.ips[1], TCP, 80)
    assert (v4, v6) == (True, False)
    engine = Engine(c)
    assert engine.allowed(Connection(client, server, 80, TCP, 4))
    assert not engine.allowed(Connection(client, server, 80, TCP, 6))
    verdict = engine.evaluate(Connection(client, server, 80, TCP))
    assert not verdict.allowed  # by name: every family must allow
    assert [(v.connection.family, v.allowed) for v in verdict.by_family] == [(4, True), (6, False)]


def test_port_ranges_merge_per_protocol() -> None:
    """Numeric ports of one rule become one interval set: overlapping and adjacent ranges
    merge per protocol, a protocol without port is every port (upstream NetworkPolicyPort)."""
    c = cluster(
        [ns("a")],
        [pod("a/x", {"app": "x"}, ips=["10.0.0.1"])],
        [
            policy(
                "a/p",
                sel(app="x"),
                INGRESS,
                ingress=[
                    rule(
                        ports=[
                            port(TCP, 80, 90),
                            port(TCP, 85, 100),
                            port(TCP, 101),
                            port(UDP),
                            port(Protocol.SCTP, 5),
                        ]
                    )
                ],
            )
        ],
    )
    rs = compile_ruleset(c)
    ports = rs.set("ports0")
    assert ports is not None and ports.interval
    assert ports.elements == (
        ProtoPorts(Protocol.SCTP, PortRange(5, 5)),
        ProtoPorts(TCP, PortRange(80, 101)),
        ProtoPorts(UDP, PortRange(0, 65535)),
    )


def test_ipblock_except_of_the_other_family_removes_nothing() -> None:
    c = cluster(
        [ns("a")],
        [pod("a/x", {"app": "x"}, ips=["10.0.0.1", "fd00::1"])],
        [
            policy(
                "a/p",
                sel(app="x"),
                INGRESS,
                ingress=[rule([peer(ip_block=block("10.0.0.0/30", "10.0.0.1/32", "::/0"))])],
            )
        ],
    )
    rs = compile_ruleset(c)
    v4 = rs.set("cidr0-v4")
    assert v4 is not None
    assert [(str(e.first), str(e.last)) for e in v4.elements if isinstance(e, AddrRange)] == [
        ("10.0.0.0", "10.0.0.0"),
        ("10.0.0.2", "10.0.0.3"),
    ]
    assert rs.set("cidr0-v6") is None  # an IPv4 block holds no IPv6 address

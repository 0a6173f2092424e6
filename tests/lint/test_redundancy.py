"""PF011 redundant and PF015 check-skipped: decided with the engine over every endpoint pair,
the ports that matter and representative outside addresses, then checked by brute force."""

from __future__ import annotations

import dataclasses
import ipaddress

from podfence.analysis.lint import Level
from podfence.engine import Engine
from podfence.model import Cluster, Connection, Direction, External, Protocol

from .helpers import Obj, findings, load, namespaces_of, ns, pod, pods_of, policy, port


def _db(*policies: Obj) -> list[Obj]:
    return [
        ns("shop"),
        pod("shop", "api"),
        pod("shop", "web"),
        pod("shop", "db", ports=[(5432, "TCP", "postgres"), (9187, "TCP", "metrics")]),
        *policies,
    ]


def _ingress(name: str, *rules: Obj) -> Obj:
    return policy("shop", name, {"app": "db"}, ["Ingress"], ingress=list(rules))


def _from(peer: Obj, *ports: Obj) -> Obj:
    rule: Obj = {"from": [peer]}
    if ports:
        rule["ports"] = list(ports)
    return rule


def test_duplicate_rule_reports_the_second_only() -> None:
    rule = _from(pods_of(app="api"), port(5432))
    (f,) = findings(load(*_db(_ingress("db", rule, rule))), "PF011")
    assert f.field == "spec.ingress[1]"
    assert f.level is Level.INFO
    assert "also allowed by shop/db ingress[0]" in f.message


def test_narrow_rule_covered_by_a_broader_rule_of_another_policy() -> None:
    narrow = _ingress("narrow", _from(pods_of(app="api"), port(5432)))
    broad = _ingress("broad", _from(pods_of(app="api")))
    (f,) = findings(load(*_db(narrow, broad)), "PF011")
    assert (f.obj, f.field) == ("NetworkPolicy shop/narrow", None)  # the whole policy
    assert "also allowed by shop/broad" in f.consequence


def test_narrow_rule_in_a_policy_that_is_still_needed() -> None:
    mixed = _ingress(
        "mixed",
        _from(pods_of(app="api"), port(5432)),
        _from(pods_of(app="web"), port(9187)),
    )
    broad = _ingress("broad", _from(pods_of(app="api")))
    (f,) = findings(load(*_db(mixed, broad)), "PF011")
    assert (f.obj, f.field) == ("NetworkPolicy shop/mixed", "spec.ingress[0]")
    assert "shop/broad ingress[0]" in f.message


def test_port_inside_a_range_is_covered() -> None:
    rng = {"port": 5000, "endPort": 6000, "protocol": "TCP"}
    (f,) = findings(
        load(
            *_db(
                _ingress(
                    "db", _from(pods_of(app="api"), rng), _from(pods_of(app="api"), port(5432))
                )
            )
        ),
        "PF011",
    )
    assert f.field == "spec.ingress[1]"


def test_named_and_numeric_port_are_the_same_rule() -> None:
    named = _from(pods_of(app="api"), port("postgres"))
    numeric = _from(pods_of(app="api"), port(5432))
    (f,) = findings(load(*_db(_ingress("db", named, numeric))), "PF011")
    assert f.field == "spec.ingress[1]"


def test_rule_covered_by_two_rules_together() -> None:
    both_ports = _from(pods_of(app="api"), port(5432), port(9187))
    (f,) = findings(
        load(
            *_db(
                _ingress(
                    "db",
                    _from(pods_of(app="api"), port(5432)),
                    _from(pods_of(app="api"), port(9187)),
                    both_ports,
                )
            )
        ),
        "PF011",
    )
    assert f.field == "spec.ingress[2]"
    assert "shop/db ingress[0] and shop/db ingress[1] together" in f.message


def test_ip_blocks_are_compared_by_address() -> None:
    def block(cidr: str, *excepts: str) -> Obj:
        ip: Obj = {"cidr": cidr}
        if excepts:
            ip["except"] = list(excepts)
        return _from({"ipBlock": ip}, port(5432))

    (f,) = findings(
        load(*_db(_ingress("db", block("10.0.0.0/8"), block("10.0.0.0/8", "10.1.0.0/16")))),
        "PF011",
    )
    assert f.field == "spec.ingress[1]"
    wider_second = _ingress("db", block("10.0.0.0/8", "10.1.0.0/16"), block("10.0.0.0/8"))
    (g,) = findings(load(*_db(wider_second)), "PF011")
    assert g.field == "spec.ingress[0]"


def test_near_miss_rules_that_each_allow_something_else() -> None:
    cluster = load(
        *_db(
            _ingress(
                "db",
                _from(pods_of(app="api"), port(5432)),
                _from(pods_of(app="web"), port(5432)),
                _from(pods_of(app="api"), port(5432, "UDP")),
            )
        )
    )
    assert not findings(cluster, "PF011")


def test_duplicate_default_denies_are_never_reported() -> None:
    cluster = load(*_db(policy("shop", "deny"), policy("shop", "deny-again")))
    assert not findings(cluster, "PF011")


def test_policy_whose_isolation_is_needed_is_not_redundant() -> None:
    # `wide` isolates api, web and db; its rule allows only api -> db on the db's `postgres`
    # port (web and api define none), which `db` allows too. The rule goes, the policy stays:
    # without it api and web would not be isolated.
    every = policy(
        "shop", "wide", types=["Ingress"], ingress=[_from(pods_of(app="api"), port("postgres"))]
    )
    db = _ingress("db", _from(pods_of(app="api"), port(5432)))
    found = findings(load(*_db(db, every)), "PF011")
    assert [(f.obj, f.field) for f in found] == [("NetworkPolicy shop/wide", "spec.ingress[0]")]
    assert "also allowed by shop/db ingress[0]" in found[0].message


def test_mutually_covering_rules_keep_the_first() -> None:
    a = _ingress("a", _from(pods_of(app="api"), port(5432)))
    b = _ingress("b", _from(pods_of(app="api"), port(5432)))
    (f,) = findings(load(*_db(a, b)), "PF011")
    assert (f.obj, f.field) == ("NetworkPolicy shop/b", None)
    assert "also allowed by shop/a" in f.consequence


def test_skipped_above_the_work_limit() -> None:
    cluster = load(*_db(_ingress("db", _from(pods_of(app="api")), _from(pods_of(app="api")))))
    found = findings(cluster, max_work=0)
    assert not [f for f in found if f.rule == "PF011"]
    (skip,) = [f for f in found if f.rule == "PF015"]
    assert skip.level is Level.INFO
    assert "exceed the limit 0" in skip.message


# -- brute force: removing a reported rule changes no verdict ---------------------------


def _without(cluster: Cluster, key: str, direction: Direction, index: int) -> Cluster:
    policies = []
    for p in cluster.policies:
        if p.key == key:
            rules = p.rules(direction)
            kept = rules[:index] + rules[index + 1 :]
            field = "ingress" if direction is Direction.INGRESS else "egress"
            p = dataclasses.replace(p, **{field: kept})
        policies.append(p)
    return dataclasses.replace(cluster, policies=tuple(policies))


def _all_verdicts(cluster: Cluster) -> list[bool]:
    engine = Engine(cluster)
    parties = [*cluster.endpoints]
    parties += [External(ipaddress.ip_address(a)) for a in ("10.0.0.1", "10.1.2.3", "8.8.8.8")]
    out = []
    for src in parties:
        for dst in parties:
            if isinstance(src, External) and isinstance(dst, External):
                continue
            for proto in Protocol:
                for number in (*range(1, 120), 5431, 5432, 5433, 8080, 9187, 65535):
                    out.append(engine.allowed(Connection(src, dst, number, proto)))
    return out


def test_every_reported_rule_is_removable_by_brute_force() -> None:
    cluster = load(
        ns("shop"),
        pod("shop", "api", ports=[(80, "TCP", "http")], ip="10.0.0.1"),
        pod("shop", "web", ports=[(80, "TCP", "http"), (81, "UDP", "q")]),
        pod("shop", "db", ports=[(80, "TCP", "http")]),
        policy(
            "shop",
            "a",
            {"app": "api"},
            ingress=[
                _from(pods_of(app="web"), port(80)),
                _from(pods_of(app="web"), port("http")),
                _from({"ipBlock": {"cidr": "10.0.0.0/8"}}, port(80)),
                _from({"ipBlock": {"cidr": "10.0.0.0/16"}}, {"port": 60, "endPort": 90}),
            ],
            egress=[{"to": [pods_of(app="db")]}, {"to": [pods_of(app="db")], "ports": [port(80)]}],
        ),
        policy(
            "shop",
            "b",
            {"app": "db"},
            ["Ingress"],
            ingress=[_from(namespaces_of(), port(80)), _from(pods_of(app="api"), port("http"))],
        ),
    )
    base = _all_verdicts(cluster)
    reported = [f for f in findings(cluster, "PF011") if f.field]
    assert len(reported) >= 3
    for f in reported:
        key = f.obj.split(" ", 1)[1]
        field = f.field
        assert field is not None
        direction = Direction.INGRESS if field.startswith("spec.ingress") else Direction.EGRESS
        index = int(field.split("[")[1].rstrip("]"))
        assert _all_verdicts(_without(cluster, key, direction, index)) == base, f


def test_not_skipped_under_the_default_limit() -> None:
    cluster = load(*_db(_ingress("db", _from(pods_of(app="api")), _from(pods_of(app="api")))))
    found = findings(cluster)
    assert not [f for f in found if f.rule == "PF015"]
    assert [f.field for f in found if f.rule == "PF011"] == ["spec.ingress[1]"]


def _dual_stack(p: Obj, *ips: str) -> Obj:
    return {**p, "status": {"podIPs": [{"ip": ip} for ip in ips]}}


def test_a_rule_needed_for_one_ip_family_is_not_redundant() -> None:
    """Issue 9, dual-stack: an ipBlock matches the address the packet carries. Towards the
    server, egress[0] (an IPv4 block) allows IPv4 only, egress[1] (its pod selector) both
    families: over IPv6 egress[1] is the only rule, so it is not redundant. (Judged on the
    IPv4 verdict alone, egress[0] would seem to cover it.)"""
    cluster = load(
        ns("net"),
        _dual_stack(pod("net", "client"), "10.3.0.20", "fd00:3::20"),
        _dual_stack(pod("net", "server", ports=[(80, "TCP")]), "10.3.0.10", "fd00:3::10"),
        policy(
            "net",
            "client",
            {"app": "client"},
            ["Egress"],
            egress=[
                {"to": [{"ipBlock": {"cidr": "10.3.0.0/24"}}]},
                {"to": [pods_of(app="server")]},
            ],
        ),
    )
    assert findings(cluster, "PF011") == []
    server = cluster.endpoint("net/server")
    client = cluster.endpoint("net/client")
    assert server is not None and client is not None
    without = Engine(_without(cluster, "net/client", Direction.EGRESS, 1))
    assert not without.allowed(Connection(client, server, 80, Protocol.TCP, 6))

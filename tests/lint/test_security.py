"""Security findings, asked of the engine: PF016 (egress to the cloud metadata service) and
PF017 (sensitive ports open to the internet). Each has true positives and near misses."""

from __future__ import annotations

from pathlib import Path

import pytest

from podfence.analysis.lint import Level

from .helpers import (
    Obj,
    allow_dns,
    coredns,
    findings,
    load,
    load_dirs,
    ns,
    pod,
    pods_of,
    policy,
    port,
)

INPUTS = Path(__file__).parent / "inputs"


def _ip(cidr: str, *excepts: str) -> Obj:
    block: Obj = {"cidr": cidr}
    if excepts:
        block["except"] = list(excepts)
    return {"ipBlock": block}


# -- PF016 cloud-metadata ----------------------------------------------------------------


def _egress(*rules: Obj, ip: str | None = "10.0.1.5") -> list[Obj]:
    """The recipe "allow egress to the internet, except the cluster's own networks", with
    DNS and CoreDNS, for a web pod."""
    return [
        *coredns(),
        ns("shop"),
        pod("shop", "web", ip=ip),
        allow_dns("shop"),
        policy("shop", "web-egress", {"app": "web"}, ["Egress"], egress=list(rules)),
    ]


INTERNET = {"to": [_ip("0.0.0.0/0", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16")]}


def test_internet_egress_without_an_except_for_the_metadata_address() -> None:
    (f,) = findings(load(*_egress(INTERNET)), "PF016")
    assert f.level is Level.WARNING
    assert (f.obj, f.field) == ("NetworkPolicy shop/web-egress", "spec.egress[0].to[0]")
    assert f.message == (
        "egress[0] lets pods reach the cloud metadata service (169.254.169.254) on TCP 80"
    )
    assert f.consequence.startswith("shop/web can reach 169.254.169.254 on TCP 80: ")
    assert f.fix == (
        "except the metadata address from the block:\n"
        "- ipBlock:\n"
        "    cidr: 0.0.0.0/0\n"
        "    except: [10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16, 169.254.169.254/32]"
    )


def test_a_rule_without_to_reaches_it_over_both_families() -> None:
    # a pod whose addresses are not known may use IPv6 too: fd00:ec2::254 counts
    (f,) = findings(load(*_egress({}, ip=None)), "PF016")
    assert f.field == "spec.egress[0]"
    assert "(169.254.169.254 and fd00:ec2::254)" in f.message
    assert "ipBlock: {cidr: 0.0.0.0/0, except: [169.254.169.254/32]}" in f.fix
    assert "ipBlock: {cidr: ::/0, except: [fd00:ec2::254/128]}" in f.fix


@pytest.mark.parametrize(
    "rule",
    [
        # the except covers it
        {"to": [_ip("0.0.0.0/0", "10.0.0.0/8", "169.254.0.0/16")]},
        {"to": [_ip("0.0.0.0/0", "169.254.169.254/32")]},
        # only 443: the metadata service listens on 80
        {**INTERNET, "ports": [port(443)]},
        # a block that does not contain it
        {"to": [_ip("203.0.113.0/24")]},
        # pods only
        {"to": [{"namespaceSelector": {}}]},
    ],
    ids=["except-link-local", "except-exact", "port-443", "other-block", "pods-only"],
)
def test_near_misses_do_not_fire(rule: Obj) -> None:
    assert not findings(load(*_egress(rule)), "PF016")


def test_pods_not_isolated_for_egress_are_left_to_pf001() -> None:
    cluster = load(ns("shop"), pod("shop", "web"))
    assert not findings(cluster, "PF016")
    (egress,) = [f for f in findings(cluster, "PF001") if "egress" in f.message]
    assert "the cloud metadata service 169.254.169.254 included" in egress.consequence


def test_one_finding_per_rule_with_every_pod_it_lets_through() -> None:
    objs = [
        *_egress(INTERNET),
        pod("shop", "api", {"app": "api"}, ip="10.0.1.6"),
        policy("shop", "api-egress", {"app": "api"}, ["Egress"], egress=[INTERNET]),
        policy("shop", "both", {}, ["Egress"], egress=[INTERNET]),
    ]
    found = findings(load(*objs), "PF016")
    assert sorted((f.obj, f.consequence.split(" can reach")[0]) for f in found) == [
        ("NetworkPolicy shop/api-egress", "shop/api"),
        ("NetworkPolicy shop/both", "shop/api and shop/web"),
        ("NetworkPolicy shop/web-egress", "shop/web"),
    ]


def test_an_ipv4_only_pod_is_not_asked_about_the_ipv6_address() -> None:
    (f,) = findings(load(*_egress({"to": [_ip("0.0.0.0/0"), _ip("::/0")]})), "PF016")
    assert "fd00:ec2::254" not in f.message


# -- PF017 sensitive-port-exposed -------------------------------------------------------


def _db(*rules: Obj, ports: list[tuple[int, str]] | None = None) -> list[Obj]:
    return [
        ns("shop"),
        pod("shop", "db", {"app": "db"}, ports if ports is not None else [(5432, "TCP")]),
        policy("shop", "db", {"app": "db"}, ["Ingress"], ingress=list(rules)),
    ]


def test_a_database_open_to_every_address() -> None:
    (f,) = findings(load(*_db({"from": [_ip("0.0.0.0/0")], "ports": [port(5432)]})), "PF017")
    assert f.level is Level.WARNING
    assert (f.obj, f.field) == ("NetworkPolicy shop/db", "spec.ingress[0].from[0]")
    assert f.message == (
        "ingress[0] admits the internet (addresses in 0.0.0.0/0) to TCP 5432 (PostgreSQL)"
    )
    assert f.consequence.startswith(
        "TCP 5432 (PostgreSQL) on shop/db can be reached from public addresses, e.g. "
    )


@pytest.mark.parametrize(
    ("rule", "declared"),
    [
        # a private network: not the internet
        ({"from": [_ip("10.0.0.0/8")], "ports": [port(5432)]}, [(5432, "TCP")]),
        # every address, but another port
        ({"from": [_ip("0.0.0.0/0")], "ports": [port(8080)]}, [(5432, "TCP"), (8080, "TCP")]),
        # pods only
        ({"from": [pods_of(app="api")]}, [(5432, "TCP")]),
        # every address on every port, but the pod declares no sensitive port
        ({}, [(8080, "TCP")]),
        # the internet except the whole IPv4 space that is public: nothing public is left
        ({"from": [_ip("0.0.0.0/0", "0.0.0.0/1", "128.0.0.0/1")]}, [(5432, "TCP")]),
    ],
    ids=["private-network", "other-port", "pods-only", "not-declared", "all-excepted"],
)
def test_near_misses(rule: Obj, declared: list[tuple[int, str]]) -> None:
    assert not findings(load(*_db(rule, ports=declared)), "PF017")


def test_a_port_the_policy_names_counts_even_undeclared() -> None:
    rule = {"from": [_ip("0.0.0.0/0")], "ports": [port(22), port(8080)]}
    (f,) = findings(load(*_db(rule, ports=[(8080, "TCP")])), "PF017")
    assert "TCP 22 (SSH)" in f.message


def test_a_range_that_names_the_port_counts() -> None:
    rule = {"from": [_ip("0.0.0.0/0")], "ports": [{"port": 2000, "endPort": 3000}]}
    (f,) = findings(load(*_db(rule, ports=[])), "PF017")
    assert "TCP 2379 (etcd), TCP 2380 (etcd peers)" in f.message


def test_pods_not_isolated_are_grouped_by_namespace() -> None:
    cluster = load(
        ns("shop"),
        pod("shop", "db", {"app": "db"}, [(5432, "TCP")]),
        pod("shop", "cache", {"app": "cache"}, [(6379, "TCP")]),
        pod("shop", "web", {"app": "web"}, [(8080, "TCP")]),
        ns("kube-system"),
        pod("kube-system", "etcd", {"app": "etcd"}, [(2379, "TCP")]),
    )
    (f,) = findings(cluster, "PF017")
    assert f.obj == "Namespace shop"
    assert f.message == (
        "shop/cache and shop/db accept connections from the internet on TCP 5432 (PostgreSQL), "
        "TCP 6379 (Redis): no policy isolates them for ingress"
    )
    assert f.consequence.startswith(
        "TCP 5432 (PostgreSQL) on shop/db; TCP 6379 (Redis) on shop/cache can be reached "
    )


def test_host_network_pods_are_not_asked() -> None:
    cluster = load(ns("shop"), pod("shop", "node", {"app": "n"}, [(22, "TCP")], host_network=True))
    assert not findings(cluster, "PF017")


def test_ipv6_internet() -> None:
    objs = _db({"from": [_ip("::/0")], "ports": [port(5432)]})
    (f,) = findings(load(*objs), "PF017")
    assert "(addresses in ::/0)" in f.message
    assert not findings(load(*_db({"from": [_ip("fd00::/8")], "ports": [port(5432)]})), "PF017")


def test_sock_shop_folder() -> None:
    """sock-shop's manifests as shipped (trimmed) with its policy folder: the databases
    without a policy are open to every address; carts-db is fenced (to a typo, PF007);
    a debugging policy opens user-db to 0.0.0.0/0."""
    got = sorted(
        (f.rule, f.obj, f.field or "")
        for f in findings(load_dirs(INPUTS / "sock-shop"))
        if f.rule in {"PF007", "PF016", "PF017"}
    )
    assert got == [
        ("PF007", "NetworkPolicy sock-shop/carts-db-access", "spec.ingress[0].from[0].podSelector"),
        ("PF017", "Namespace sock-shop", ""),
        ("PF017", "NetworkPolicy sock-shop/user-db-access", "spec.ingress[0].from[1]"),
    ]
    (namespace,) = [f for f in findings(load_dirs(INPUTS / "sock-shop"), "PF017") if not f.field]
    assert "TCP 6379 (Redis)" in namespace.message
    assert "MongoDB" not in namespace.message  # user-db and carts-db are isolated

"""PF002 dns-trap: the client's egress, CoreDNS's ingress, CoreDNS's upstream, each checked
with the engine (upstream: egress isolation also blocks DNS; DNS uses UDP and TCP 53)."""

from __future__ import annotations

from .helpers import (
    Obj,
    allow_dns,
    coredns,
    findings,
    load,
    namespaces_of,
    ns,
    pod,
    policy,
    port,
)


def _shop(*extra: Obj, dns: list[Obj] | None = None) -> list[Obj]:
    return [
        *(coredns() if dns is None else dns),
        ns("shop"),
        pod("shop", "web"),
        pod("shop", "api"),
        policy("shop", "deny"),
        *extra,
    ]


def test_udp_and_tcp_both_missing() -> None:
    (f,) = findings(load(*_shop()), "PF002")
    assert f.obj == "NetworkPolicy shop/deny"
    assert f.field == "spec.policyTypes"
    assert "UDP 53 and TCP 53" in f.message
    assert "shop/api and shop/web cannot resolve any name" in f.consequence


def test_only_tcp_missing() -> None:
    (f,) = findings(load(*_shop(allow_dns("shop", ["UDP"]))), "PF002")
    assert "egress to TCP 53 is denied" in f.message
    assert "UDP 53" not in f.message
    assert f.obj == "NetworkPolicy shop/allow-dns"  # the policy that already handles 53
    assert f.field == "spec.egress"
    assert "{protocol: TCP, port: 53}" in f.fix and "UDP, port: 53" not in f.fix


def test_only_udp_missing() -> None:
    (f,) = findings(load(*_shop(allow_dns("shop", ["TCP"]))), "PF002")
    assert "egress to UDP 53 is denied" in f.message
    assert "only TCP is allowed" in f.consequence


def test_near_miss_both_allowed() -> None:
    assert not findings(load(*_shop(allow_dns("shop"))), "PF002")


def test_near_miss_pods_not_isolated_for_egress() -> None:
    cluster = load(
        *coredns(), ns("shop"), pod("shop", "web"), policy("shop", "d", types=["Ingress"])
    )
    assert not findings(cluster, "PF002")


def test_named_dns_ports_resolve_on_coredns() -> None:
    named = policy(
        "shop",
        "allow-dns",
        types=["Egress"],
        egress=[{"ports": [port("dns", "UDP"), port("dns-tcp", "TCP")]}],
    )
    assert not findings(load(*_shop(named)), "PF002")


def test_a_policy_allowing_dns_by_name_is_the_one_pointed_at() -> None:
    """The finding points at the policy whose egress already allows port 53, whether it says
    53 or a name CoreDNS gives to 53 (resolved by the engine's resolver)."""
    named = policy("shop", "z-dns", types=["Egress"], egress=[{"ports": [port("dns", "UDP")]}])
    (f,) = findings(load(*_shop(named)), "PF002")
    assert "egress to TCP 53 is denied" in f.message
    assert f.obj == "NetworkPolicy shop/z-dns"  # not shop/deny, which sorts first


def test_coredns_on_another_port_needs_that_port() -> None:
    dns = [
        ns("kube-system"),
        pod(
            "kube-system",
            "coredns",
            {"k8s-app": "kube-dns"},
            [(5353, "UDP", "dns"), (5353, "TCP", "dns-tcp")],
        ),
    ]
    (f,) = findings(load(*_shop(allow_dns("shop"), dns=dns)), "PF002")
    assert "UDP 5353 and TCP 5353" in f.message
    fixed = policy(
        "shop",
        "allow-dns",
        types=["Egress"],
        egress=[{"ports": [port(5353, "UDP"), port(5353, "TCP")]}],
    )
    assert not findings(load(*_shop(fixed, dns=dns)), "PF002")


def test_coredns_ingress_must_admit_the_clients() -> None:
    isolated = policy("kube-system", "coredns", {"k8s-app": "kube-dns"}, ["Ingress"])
    found = findings(load(*_shop(allow_dns("shop"), isolated)), "PF002")
    assert [(f.obj, f.field) for f in found] == [
        ("NetworkPolicy kube-system/coredns", "spec.policyTypes")
    ]
    assert "CoreDNS does not admit DNS queries on UDP 53 and TCP 53 from 2 pods" in found[0].message
    assert "ingress of kube-system/coredns" in found[0].consequence


def test_coredns_ingress_near_miss_admits_every_namespace() -> None:
    admits = policy(
        "kube-system",
        "coredns",
        {"k8s-app": "kube-dns"},
        ["Ingress"],
        ingress=[{"from": [namespaces_of()], "ports": [port(53, "UDP"), port(53, "TCP")]}],
    )
    assert not findings(load(*_shop(allow_dns("shop"), admits)), "PF002")


def test_coredns_ingress_checked_for_clients_that_are_not_egress_isolated() -> None:
    only_udp = policy(
        "kube-system",
        "coredns",
        {"k8s-app": "kube-dns"},
        ["Ingress"],
        ingress=[{"from": [namespaces_of()], "ports": [port(53, "UDP")]}],
    )
    cluster = load(*coredns(), ns("shop"), pod("shop", "web"), only_udp)
    (f,) = findings(cluster, "PF002")
    assert "on TCP 53 from 1 pod" in f.message and "1 pods" not in f.message


def _upstream(egress: list[Obj]) -> Obj:
    return policy(
        "kube-system",
        "coredns",
        {"k8s-app": "kube-dns"},
        ["Ingress", "Egress"],
        ingress=[{"from": [namespaces_of()], "ports": [port(53, "UDP"), port(53, "TCP")]}],
        egress=egress,
    )


def test_coredns_must_reach_an_upstream_resolver() -> None:
    cluster = load(*_shop(allow_dns("shop"), _upstream([])))
    (f,) = findings(cluster, "PF002")
    assert f.message == "CoreDNS cannot reach an upstream resolver on UDP 53 and TCP 53"
    assert f.field == "spec.policyTypes"


def test_coredns_upstream_near_miss_ip_block() -> None:
    upstream = [
        {
            "to": [{"ipBlock": {"cidr": "10.0.0.2/32"}}],
            "ports": [port(53, "UDP"), port(53, "TCP")],
        }
    ]
    assert not findings(load(*_shop(allow_dns("shop"), _upstream(upstream))), "PF002")


def test_without_coredns_in_the_input_a_kube_system_rule_counts() -> None:
    to_kube_system = policy(
        "shop",
        "allow-dns",
        types=["Egress"],
        egress=[
            {
                "to": [namespaces_of(**{"kubernetes.io/metadata.name": "kube-system"})],
                "ports": [port(53, "UDP"), port(53, "TCP")],
            }
        ],
    )
    assert not findings(load(*_shop(to_kube_system, dns=[])), "PF002")


def test_without_coredns_in_the_input_port_53_anywhere_counts() -> None:
    anywhere = policy(
        "shop",
        "allow-dns",
        types=["Egress"],
        egress=[
            {
                "to": [{"ipBlock": {"cidr": "10.0.0.0/8"}}],
                "ports": [port(53, "UDP"), port(53, "TCP")],
            }
        ],
    )
    assert not findings(load(*_shop(anywhere, dns=[])), "PF002")


def test_without_coredns_in_the_input_deny_all_is_a_trap() -> None:
    (f,) = findings(load(*_shop(dns=[])), "PF002")
    assert "not in the input: assumed in kube-system" in f.consequence


def test_host_network_pods_are_not_clients() -> None:
    cluster = load(
        *coredns(), ns("shop"), pod("shop", "agent", host_network=True), policy("shop", "deny")
    )
    assert not findings(cluster, "PF002")


def test_each_ip_family_is_checked_on_both_sides() -> None:
    """Dual-stack (issue 9): over IPv4 the client's egress denies UDP 53 (it allows only
    CoreDNS's IPv6 block), over IPv6 CoreDNS's ingress denies it (it admits only IPv4
    clients). Both sides are reported, not only those of the first family that denies."""

    def dual(obj: Obj, *ips: str) -> Obj:
        return {**obj, "status": {"podIPs": [{"ip": ip} for ip in ips]}}

    dns = [
        ns("kube-system"),
        dual(
            pod("kube-system", "coredns", {"k8s-app": "kube-dns"}, [(53, "UDP", "dns")]),
            "10.96.0.10",
            "fd00:96::10",
        ),
    ]
    to_v6 = {"to": [{"ipBlock": {"cidr": "fd00:96::/64"}}], "ports": [port(53, "UDP")]}
    from_v4 = {"from": [{"ipBlock": {"cidr": "10.0.0.0/8"}}], "ports": [port(53, "UDP")]}
    cluster = load(
        *dns,
        ns("shop"),
        dual(pod("shop", "web"), "10.1.0.5", "fd00:1::5"),
        policy("shop", "dns", types=["Egress"], egress=[to_v6]),
        policy("kube-system", "coredns", {"k8s-app": "kube-dns"}, ["Ingress"], ingress=[from_v4]),
    )
    found = {f.obj: f for f in findings(cluster, "PF002")}
    assert sorted(found) == ["NetworkPolicy kube-system/coredns", "NetworkPolicy shop/dns"]
    assert "egress to UDP 53 and TCP 53 is denied" in found["NetworkPolicy shop/dns"].message
    assert "queries on UDP 53 and TCP 53" in found["NetworkPolicy kube-system/coredns"].message

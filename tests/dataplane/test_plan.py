"""Lab planning (pure) and the topology commands it turns into."""

from __future__ import annotations

import ipaddress

import pytest

from podfence.dataplane.lab.netns import lab_netns_pattern, node_steps, pod_steps, routing_steps
from podfence.dataplane.lab.plan import check_lab_name, plan_lab
from podfence.dataplane.run import check_netns_name
from podfence.model import Cluster, Protocol, ProtocolPort

from .builders import SCTP, TCP, UDP, cluster, ns, pod
from .cases import CASES, shop


def _mixed() -> Cluster:
    return cluster(
        [ns("b"), ns("a"), ns("kube-system")],
        [
            pod("b/two"),
            pod("a/one", ips=["10.244.0.1"]),  # keeps its status IP
            pod("a/zero"),
            pod("a/clash", ips=["10.244.0.1"]),  # same IP as a/one, sorted first: keeps it
            pod("kube-system/coredns", {"k8s-app": "kube-dns"}, ports=[(53, UDP, "dns")]),
            pod("a/sctp", ports=[(3868, SCTP, None), (80, TCP, "web")]),
        ],
        [],
    )


def test_addresses_are_deterministic_by_sorted_id() -> None:
    plan = plan_lab(_mixed(), "x")
    ips = {p.endpoint: [str(ip) for ip in p.ips] for p in plan.pods}
    assert ips == {
        "a/clash": ["10.244.0.1"],
        "a/one": ["10.244.0.2"],
        "a/sctp": ["10.244.0.3"],
        "a/zero": ["10.244.0.4"],
        "b/two": ["10.244.0.5"],
        "kube-system/coredns": ["10.244.0.6"],
    }
    assert plan.notes[0] == "a/one: address 10.244.0.1 already taken; the lab assigns another"
    assert plan_lab(_mixed(), "x") == plan
    assert [ep.ips for ep in plan.cluster.endpoints] == [p.ips for p in plan.pods]


def test_names_listeners_and_dns() -> None:
    plan = plan_lab(_mixed(), "x", serve=[ProtocolPort(8080)])
    assert plan.node_netns == "podfence-x-node"
    assert [p.netns for p in plan.pods] == [f"podfence-x-p{i}" for i in range(6)]
    assert [p.veth for p in plan.pods] == [f"pfv{i}" for i in range(6)]
    by_id = {p.endpoint: p for p in plan.pods}
    assert by_id["a/sctp"].listeners == (ProtocolPort(80), ProtocolPort(8080))
    assert "a/sctp: no listener on 3868/SCTP (no SCTP sockets)" in plan.notes
    dns = by_id["kube-system/coredns"]
    assert dns.dns and set(dns.listeners) == {
        ProtocolPort(53, Protocol.UDP),
        ProtocolPort(53, Protocol.TCP),
        ProtocolPort(8080),
    }


@pytest.mark.parametrize("name", ["", "UPPER", "-x", "x-", "a" * 33, "a_b", "a/b"])
def test_bad_lab_names(name: str) -> None:
    with pytest.raises(ValueError, match="invalid lab name"):
        check_lab_name(name)


def test_a_full_pod_cidr_is_an_error() -> None:
    c = cluster([ns("a")], [pod("a/x"), pod("a/y"), pod("a/z")], [])
    with pytest.raises(ValueError, match="has no free address for a/z"):
        plan_lab(c, "x", pod_cidr=ipaddress.ip_network("10.0.0.0/30"))


def _scoped(argv: tuple[str, ...]) -> bool:
    """Commands that touch networking name a podfence namespace explicitly."""
    if argv[:3] == ("ip", "netns", "add") or argv[:3] == ("ip", "netns", "exec"):
        return argv[3].startswith("podfence-")
    return argv[:2] == ("ip", "-n") and argv[2].startswith("podfence-")


@pytest.mark.parametrize("case", ["named_ports", "ipblock_v6"])
def test_every_command_is_scoped_to_a_podfence_namespace(case: str) -> None:
    plan = plan_lab(CASES[case](), "x")
    steps = node_steps(plan)
    for p in plan.pods:
        steps += pod_steps(plan, p)
    steps += routing_steps(plan, plan.pods)
    assert steps and all(_scoped(argv) for argv, _ in steps)
    assert ("ip", "netns", "exec", "podfence-x-node", "sysctl", "-qw", "net.ipv4.ip_forward=1") in [
        argv[:7] for argv, _ in steps
    ]
    veths = [argv for argv, _ in steps if "veth" in argv]
    assert all(argv[:3] == ("ip", "-n", "podfence-x-node") for argv in veths)


def test_pod_and_routing_scripts() -> None:
    plan = plan_lab(CASES["ipblock_v6"](), "x")
    c_pod = next(p for p in plan.pods if p.endpoint == "v6/c")
    _, _, (argv, script) = pod_steps(plan, c_pod)
    assert argv == ("ip", "-n", c_pod.netns, "-batch", "-")
    assert script is not None
    assert "addr add fd00:10::3/128 dev eth0 nodad" in script
    assert "addr add 10.244.3.3/32 dev eth0" in script
    assert "route add default via fe80::1 dev eth0" in script
    [(argv, script)] = routing_steps(plan, [c_pod])
    assert script == (
        f"addr add 169.254.1.1/32 dev {c_pod.veth}\n"
        f"addr add fe80::1/64 dev {c_pod.veth} nodad\n"
        f"link set {c_pod.veth} up\n"
        f"route add fd00:10::3/128 dev {c_pod.veth}\n"
        f"route add 10.244.3.3/32 dev {c_pod.veth}\n"
    )


def test_ipv4_only_lab_needs_no_ipv6_forwarding() -> None:
    plan = plan_lab(shop(), "x")
    assert not plan.ipv6
    sysctl = node_steps(plan)[1][0]
    assert "net.ipv6.conf.all.forwarding=1" not in sysctl


@pytest.mark.parametrize("name", ["default", "host", "x", "/run/netns/podfence-x", "podfence-../x"])
def test_foreign_namespaces_are_refused(name: str) -> None:
    with pytest.raises(ValueError, match="not a podfence namespace"):
        check_netns_name(name)


def test_lab_namespace_pattern_is_exact() -> None:
    pattern = lab_netns_pattern("a")
    assert pattern.match("podfence-a-node") and pattern.match("podfence-a-p12")
    assert not pattern.match("podfence-a-b-node") and not pattern.match("podfence-ab-p1")

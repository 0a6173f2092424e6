"""Small clusters with known answers: the golden files and the lab scenarios use them.

Each case cites the upstream rule it exercises.
"""

from __future__ import annotations

from collections.abc import Callable

from podfence.model import Cluster

from .builders import (
    BOTH,
    EGRESS,
    INGRESS,
    SCTP,
    TCP,
    UDP,
    block,
    cluster,
    expr,
    ns,
    peer,
    pod,
    policy,
    port,
    rule,
    sel,
)

__all__ = ["CASES", "shop"]


def shop() -> Cluster:
    """Two namespaces, no policy yet: frontend, backend, db in `shop`; a client in `ext`."""
    return cluster(
        [ns("shop", team="shop"), ns("ext")],
        [
            pod("shop/frontend", {"app": "frontend"}, ips=["10.244.1.1"]),
            pod(
                "shop/backend",
                {"app": "backend"},
                ips=["10.244.1.2"],
                ports=[(8080, TCP, "http"), (5353, UDP, "metrics")],
            ),
            pod("shop/db", {"app": "db"}, ips=["10.244.1.3"], ports=[(5432, TCP, "pg")]),
            pod("ext/client", {"app": "client"}, ips=["10.244.2.1"]),
        ],
        [],
    )


def _with(*policies: object) -> Cluster:
    base = shop()
    return cluster(base.namespaces, base.endpoints, policies)  # type: ignore[arg-type]


def default_deny() -> Cluster:
    """Empty podSelector, both types, no rules: every shop pod isolated, nothing allowed
    (upstream 'Default deny all ingress and all egress traffic')."""
    return _with(policy("shop/default-deny", sel(), BOTH))


def ipblock_v4() -> Cluster:
    """ipBlock with except: allowed from 10.244.0.0/16 but not 10.244.2.0/24 nor one pod
    (upstream IPBlock: 'except is a slice of CIDRs that should not be included')."""
    return _with(
        policy(
            "shop/cidr",
            sel(app="backend"),
            INGRESS,
            ingress=[
                rule([peer(ip_block=block("10.244.0.0/16", "10.244.2.0/24", "10.244.1.3/32"))])
            ],
        )
    )


def ipblock_v6() -> Cluster:
    """IPv6 ipBlock with except; an IPv4 peer never matches it (the CIDR's family decides)."""
    base = cluster(
        [ns("v6")],
        [
            pod("v6/a", {"app": "a"}, ips=["fd00:10::1"]),
            pod("v6/b", {"app": "b"}, ips=["fd00:10::2"]),
            pod("v6/c", {"app": "c"}, ips=["fd00:10::3", "10.244.3.3"]),
        ],
        [],
    )
    return cluster(
        base.namespaces,
        base.endpoints,
        [
            policy(
                "v6/only-a",
                sel(app="b"),
                BOTH,
                ingress=[rule([peer(ip_block=block("fd00:10::/64", "fd00:10::3/128"))])],
                egress=[
                    rule([peer(ip_block=block("fd00:10::/120", "fd00:10::1/128"))], [port(TCP, 80)])
                ],
            )
        ],
    )


def named_ports() -> Cluster:
    """Named ports resolve per destination pod and protocol: `http` is 8080/TCP on backend;
    `metrics` is UDP only (upstream NetworkPolicyPort.port: 'a named port on a pod')."""
    return _with(
        policy(
            "shop/backend",
            sel(app="backend"),
            INGRESS,
            ingress=[rule([peer(sel(app="frontend"))], [port(TCP, "http"), port(UDP, "metrics")])],
        ),
        policy(
            "shop/frontend",
            sel(app="frontend"),
            EGRESS,
            egress=[rule(ports=[port(TCP, "http"), port(TCP, "pg")])],
        ),
    )


def end_port() -> Cluster:
    """endPort: 8000-8100 TCP plus 53/UDP in one rule (upstream NetworkPolicyPort.endPort)."""
    return _with(
        policy(
            "shop/range",
            sel(app="backend"),
            INGRESS,
            ingress=[rule([peer(sel())], [port(TCP, 8000, 8100), port(UDP, 53), port(TCP, 9000)])],
        )
    )


def sctp() -> Cluster:
    """SCTP ports (upstream Protocol: TCP, UDP or SCTP); a protocol without port."""
    return _with(
        policy(
            "shop/sctp",
            sel(app="db"),
            INGRESS,
            ingress=[rule([peer(sel())], [port(SCTP, 3868), port(SCTP, 9000, 9010)])],
        ),
        policy("shop/sctp-any", sel(app="backend"), INGRESS, ingress=[rule(ports=[port(SCTP)])]),
    )


def and_or_peers() -> Cluster:
    """Peers in one item are ANDed (namespaceSelector and podSelector), separate items are
    ORed (upstream 'Behavior of to and from selectors')."""
    return _with(
        policy(
            "shop/db",
            sel(app="db"),
            INGRESS,
            ingress=[
                rule(
                    [
                        peer(sel(app="client"), sel(team="shop")),
                        peer(sel(app="backend")),
                        peer(namespaces=sel(expr("kubernetes.io/metadata.name", "In", "ext"))),
                    ],
                    [port(TCP, 5432)],
                )
            ],
        )
    )


def namespace_selector() -> Cluster:
    """namespaceSelector {} matches every pod of every namespace but no outside address;
    matchExpressions with NotIn (upstream labels: NotIn matches a missing key)."""
    return _with(
        policy(
            "shop/from-pods",
            sel(expr("app", "NotIn", "db")),
            BOTH,
            ingress=[rule([peer(namespaces=sel())])],
            egress=[
                rule([peer(namespaces=sel(expr("team", "DoesNotExist")))]),
                rule(
                    [peer(namespaces=sel(team="shop"), pods=sel(expr("app", "Exists")))],
                    [port(TCP, 5432)],
                ),
            ],
        )
    )


def duplicate_port_names() -> Cluster:
    """One pod, two containers both declaring TCP `http` (8080 and 9090), and `http` on UDP
    7070: names are unique per container only (core/v1 validation checks names within one
    container), and upstream enforcers match every container port of that name and
    protocol, so `port: http` allows 8080 and 9090 over TCP, never 7070."""
    return cluster(
        [ns("a")],
        [
            pod(
                "a/web",
                {"app": "web"},
                ips=["10.0.0.1"],
                ports=[(8080, TCP, "http"), (9090, TCP, "http"), (7070, UDP, "http")],
            ),
            pod("a/client", {"app": "client"}, ips=["10.0.0.2"]),
        ],
        [
            policy("a/in", sel(app="web"), INGRESS, ingress=[rule(ports=[port(TCP, "http")])]),
            policy("a/out", sel(app="client"), EGRESS, egress=[rule(ports=[port(TCP, "http")])]),
        ],
    )


def dual_stack_ipblock() -> Cluster:
    """Issue 9: a dual-stack client with an egress rule to an IPv4 block holding the
    dual-stack server's IPv4 address. The kernel matches the packet's own address (upstream
    IPBlock; every CNI): allowed over IPv4, dropped over IPv6."""
    return cluster(
        [ns("net")],
        [
            pod("net/client", {"app": "client"}, ips=["10.3.1.5", "fd00:3:1::5"]),
            pod("net/server", {"app": "server"}, ips=["10.3.0.10", "fd00:3::10"]),
        ],
        [
            policy(
                "net/client-out",
                sel(app="client"),
                EGRESS,
                egress=[rule([peer(ip_block=block("10.3.0.0/24"))], [port(TCP, 80)])],
            )
        ],
    )


def no_policies() -> Cluster:
    """No policy: nothing is isolated, the table only accepts."""
    return shop()


CASES: dict[str, Callable[[], Cluster]] = {
    "default_deny": default_deny,
    "ipblock_v4": ipblock_v4,
    "ipblock_v6": ipblock_v6,
    "named_ports": named_ports,
    "end_port": end_port,
    "sctp": sctp,
    "and_or_peers": and_or_peers,
    "namespace_selector": namespace_selector,
    "no_policies": no_policies,
    "duplicate_port_names": duplicate_port_names,
    "dual_stack_ipblock": dual_stack_ipblock,
}

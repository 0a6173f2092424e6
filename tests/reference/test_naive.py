"""The reference evaluator checked on its own, by small hand-made cases (no engine involved).

Each case names the rule it pins and where the rule comes from.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

import pytest

from podfence.model import (
    NAME_LABEL,
    Cluster,
    ContainerPort,
    Direction,
    Endpoint,
    External,
    IPBlock,
    LabelSelector,
    Namespace,
    NetworkPolicy,
    Operator,
    Peer,
    PolicyPort,
    Protocol,
    Requirement,
    Rule,
    frozen_labels,
)
from reference.naive import reference_allowed, reference_matrix, reference_selecting

TCP, UDP, SCTP = Protocol.TCP, Protocol.UDP, Protocol.SCTP
INGRESS = frozenset({Direction.INGRESS})
EGRESS = frozenset({Direction.EGRESS})


def sel(**labels: str) -> LabelSelector:
    return LabelSelector(frozen_labels(labels))


def expr(key: str, op: Operator, *values: str) -> LabelSelector:
    return LabelSelector(match_expressions=(Requirement(key, op, values),))


def ns(name: str, **labels: str) -> Namespace:
    return Namespace(name, frozen_labels({**labels, NAME_LABEL: name}))


WEB = Endpoint(
    "shop",
    "web",
    labels=frozen_labels({"app": "web"}),
    ports=(ContainerPort(8080, TCP, "http"), ContainerPort(53, UDP, "dns")),
    ips=(ipaddress.ip_address("10.0.0.1"), ipaddress.ip_address("fd00::1")),
)
DB = Endpoint("shop", "db", labels=frozen_labels({"app": "db", "tier": "data"}))
MON = Endpoint(
    "ops", "mon", labels=frozen_labels({"app": "mon"}), ips=(ipaddress.ip_address("10.0.1.5"),)
)
NODE = Endpoint(
    "ops",
    "node-agent",
    labels=frozen_labels({"app": "mon"}),
    ips=(ipaddress.ip_address("192.168.0.10"),),
    host_network=True,
)
NAMESPACES = (ns("shop", team="a"), ns("ops"))
OUTSIDE = External(ipaddress.ip_address("203.0.113.9"))


def cluster(*policies: NetworkPolicy) -> Cluster:
    eps = tuple(sorted((WEB, DB, MON, NODE), key=lambda e: e.id))
    return Cluster(NAMESPACES, eps, policies)


def ingress_to_web(*rules: Rule) -> NetworkPolicy:
    return NetworkPolicy("shop", "in", sel(app="web"), INGRESS, ingress=rules)


def egress_from_web(*rules: Rule) -> NetworkPolicy:
    return NetworkPolicy("shop", "out", sel(app="web"), EGRESS, egress=rules)


@dataclass(frozen=True)
class Case:
    why: str
    policies: tuple[NetworkPolicy, ...]
    src: Endpoint | External
    dst: Endpoint | External
    port: int
    protocol: Protocol
    allowed: bool


CASES = [
    Case("no policy: open", (), DB, WEB, 80, TCP, True),
    Case("isolated, no rules", (ingress_to_web(),), DB, WEB, 80, TCP, False),
    Case("a pod reaches itself", (ingress_to_web(),), WEB, WEB, 80, TCP, True),
    Case("empty rule: any peer, any port", (ingress_to_web(Rule()),), MON, WEB, 9, SCTP, True),
    Case(
        "podSelector alone: policy's namespace only",
        (ingress_to_web(Rule((Peer(pod_selector=sel(app="mon")),))),),
        MON,
        WEB,
        80,
        TCP,
        False,
    ),
    Case(
        "namespaceSelector {}: every pod",
        (ingress_to_web(Rule((Peer(namespace_selector=LabelSelector()),))),),
        MON,
        WEB,
        80,
        TCP,
        True,
    ),
    Case(
        "namespaceSelector {}: no outside address",
        (ingress_to_web(Rule((Peer(namespace_selector=LabelSelector()),))),),
        OUTSIDE,
        WEB,
        80,
        TCP,
        False,
    ),
    Case(
        "namespace by its automatic name label",
        (ingress_to_web(Rule((Peer(namespace_selector=sel(**{NAME_LABEL: "ops"})),))),),
        MON,
        WEB,
        80,
        TCP,
        True,
    ),
    Case(
        "pod AND namespace",
        (
            ingress_to_web(
                Rule((Peer(pod_selector=sel(app="web"), namespace_selector=sel(team="a")),))
            ),
        ),
        MON,
        WEB,
        80,
        TCP,
        False,
    ),
    Case(
        "NotIn matches a missing key (apimachinery labels)",
        (ingress_to_web(Rule((Peer(pod_selector=expr("tier", Operator.NOT_IN, "web")),))),),
        DB,
        WEB,
        80,
        TCP,
        True,
    ),
    Case(
        "In needs the key",
        (ingress_to_web(Rule((Peer(pod_selector=expr("zone", Operator.IN, "a")),))),),
        DB,
        WEB,
        80,
        TCP,
        False,
    ),
    Case(
        "DoesNotExist",
        (ingress_to_web(Rule((Peer(pod_selector=expr("tier", Operator.DOES_NOT_EXIST)),))),),
        DB,
        WEB,
        80,
        TCP,
        False,
    ),
    Case(
        "ipBlock matches an outside address",
        (ingress_to_web(Rule((Peer(ip_block=IPBlock(ipaddress.ip_network("203.0.113.0/24"))),))),),
        OUTSIDE,
        WEB,
        80,
        TCP,
        True,
    ),
    Case(
        "ipBlock except",
        (
            ingress_to_web(
                Rule(
                    (
                        Peer(
                            ip_block=IPBlock(
                                ipaddress.ip_network("10.0.0.0/16"),
                                (ipaddress.ip_network("10.0.1.0/24"),),
                            )
                        ),
                    )
                )
            ),
        ),
        MON,
        WEB,
        80,
        TCP,
        False,
    ),
    Case(
        "ipBlock matches any of a pod's IPs (its IPv6 one here)",
        (
            NetworkPolicy(
                "shop",
                "db-in",
                sel(app="db"),
                INGRESS,
                ingress=(Rule((Peer(ip_block=IPBlock(ipaddress.ip_network("fd00::/64"))),)),),
            ),
        ),
        WEB,
        DB,
        80,
        TCP,
        True,
    ),
    Case(
        "an address of the other family never matches",
        (ingress_to_web(Rule((Peer(ip_block=IPBlock(ipaddress.ip_network("::/0"))),))),),
        MON,
        WEB,
        80,
        TCP,
        False,
    ),
    Case(
        "hostNetwork pods are never isolated",
        (NetworkPolicy("ops", "deny", LabelSelector(), INGRESS),),
        WEB,
        NODE,
        80,
        TCP,
        True,
    ),
    Case(
        "hostNetwork pods are not matched by selectors",
        (ingress_to_web(Rule((Peer(namespace_selector=LabelSelector()),))),),
        NODE,
        WEB,
        80,
        TCP,
        False,
    ),
    Case(
        "hostNetwork pods are matched by ipBlock",
        (ingress_to_web(Rule((Peer(ip_block=IPBlock(ipaddress.ip_network("192.168.0.0/24"))),))),),
        NODE,
        WEB,
        80,
        TCP,
        True,
    ),
    Case(
        "named port resolves on the destination",
        (ingress_to_web(Rule(ports=(PolicyPort(TCP, "http"),))),),
        DB,
        WEB,
        8080,
        TCP,
        True,
    ),
    Case(
        "named port needs the same protocol",
        (ingress_to_web(Rule(ports=(PolicyPort(TCP, "dns"),))),),
        DB,
        WEB,
        53,
        TCP,
        False,
    ),
    Case(
        "named port never matches an outside destination",
        (egress_from_web(Rule(ports=(PolicyPort(TCP, "http"),))),),
        WEB,
        OUTSIDE,
        8080,
        TCP,
        False,
    ),
    Case(
        "endPort is inclusive",
        (ingress_to_web(Rule(ports=(PolicyPort(TCP, 8000, 8080),))),),
        DB,
        WEB,
        8080,
        TCP,
        True,
    ),
    Case(
        "protocol-only port",
        (ingress_to_web(Rule(ports=(PolicyPort(UDP),))),),
        DB,
        WEB,
        8080,
        TCP,
        False,
    ),
    Case(
        "rules of a direction not in policyTypes are ignored",
        (NetworkPolicy("shop", "eg", sel(app="web"), EGRESS, ingress=(Rule(),), egress=()),),
        WEB,
        DB,
        80,
        TCP,
        False,
    ),
    Case(
        "both sides must allow: egress denies",
        (egress_from_web(), ingress_to_web(Rule())),
        WEB,
        DB,
        80,
        TCP,
        False,
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[c.why for c in CASES])
def test_reference(case: Case) -> None:
    c = cluster(*case.policies)
    assert reference_allowed(c, case.src, case.dst, case.port, case.protocol) is case.allowed


def test_selecting_ignores_other_namespaces_and_types() -> None:
    pol = NetworkPolicy("ops", "all", LabelSelector(), INGRESS)
    c = cluster(pol)
    assert reference_selecting(c, MON, Direction.INGRESS) == [pol]
    assert reference_selecting(c, MON, Direction.EGRESS) == []
    assert reference_selecting(c, WEB, Direction.INGRESS) == []
    assert reference_selecting(c, NODE, Direction.INGRESS) == []


def test_matrix_shape() -> None:
    m = reference_matrix(cluster(ingress_to_web()), [(80, TCP), (53, UDP)])
    assert m["endpoints"] == ["ops/mon", "ops/node-agent", "shop/db", "shop/web"]
    assert [(x["port"], x["protocol"]) for x in m["matrices"]] == [(80, "TCP"), (53, "UDP")]
    web = m["endpoints"].index("shop/web")
    for x in m["matrices"]:
        grid = x["allowed"]
        assert [row[web] for row in grid] == [False, False, False, True]
        assert all(grid[i][i] for i in range(4))

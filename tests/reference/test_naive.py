"""The reference evaluator checked on its own, by small hand-made cases (no engine involved).

Each case names the rule it pins and where the rule comes from.
"""

from __future__ import annotations

import ast
import ipaddress
from dataclasses import dataclass
from pathlib import Path

import pytest

from podfence.model import (
    NAME_LABEL,
    Cluster,
    ContainerPort,
    Direction,
    Endpoint,
    External,
    IPAddress,
    IPBlock,
    LabelSelector,
    Namespace,
    NetworkPolicy,
    Operator,
    Party,
    Peer,
    PolicyPort,
    Protocol,
    Requirement,
    Rule,
    frozen_labels,
)
from reference import naive
from reference.naive import (
    reference_allowed,
    reference_families,
    reference_matrix,
    reference_selecting,
)

TCP, UDP, SCTP = Protocol.TCP, Protocol.UDP, Protocol.SCTP
INGRESS = frozenset({Direction.INGRESS})
EGRESS = frozenset({Direction.EGRESS})


def sel(**labels: str) -> LabelSelector:
    return LabelSelector(frozen_labels(labels))


def expr(key: str, op: Operator, *values: str) -> LabelSelector:
    return LabelSelector(match_expressions=(Requirement(key, op, values),))


def ns(name: str, **labels: str) -> Namespace:
    return Namespace(name, frozen_labels({**labels, NAME_LABEL: name}))


def ips(*texts: str) -> tuple[IPAddress, ...]:
    return tuple(ipaddress.ip_address(t) for t in texts)


def block(cidr: str, *excepts: str) -> Peer:
    return Peer(
        ip_block=IPBlock(
            ipaddress.ip_network(cidr), tuple(ipaddress.ip_network(e) for e in excepts)
        )
    )


WEB = Endpoint(
    "shop",
    "web",
    labels=frozen_labels({"app": "web"}),
    # two containers: `http` is 8080 in one and 9090 in the other; `dns` is UDP 53 in one
    # and TCP 5353 in the other (names are unique per container only)
    ports=(
        ContainerPort(8080, TCP, "http"),
        ContainerPort(53, UDP, "dns"),
        ContainerPort(9090, TCP, "http"),
        ContainerPort(5353, TCP, "dns"),
    ),
    ips=ips("10.0.0.1", "fd00::1"),
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
DUAL = Endpoint(  # the dual-stack pod, its IPv6 address listed first
    "ops", "dual", labels=frozen_labels({"app": "dual"}), ips=ips("fd00:1::10", "10.0.1.10")
)
V6 = Endpoint("ops", "v6", labels=frozen_labels({"app": "v6"}), ips=ips("fd00:1::6"))
NAMESPACES = (ns("shop", team="a"), ns("ops"))
OUTSIDE = External(ipaddress.ip_address("203.0.113.9"))
OUTSIDE6 = External(ipaddress.ip_address("2001:db8::9"))


def cluster(*policies: NetworkPolicy) -> Cluster:
    eps = tuple(sorted((WEB, DB, MON, NODE, DUAL, V6), key=lambda e: e.id))
    return Cluster(NAMESPACES, eps, policies)


def ingress_to_web(*rules: Rule) -> NetworkPolicy:
    return NetworkPolicy("shop", "in", sel(app="web"), INGRESS, ingress=rules)


def egress_from_web(*rules: Rule) -> NetworkPolicy:
    return NetworkPolicy("shop", "out", sel(app="web"), EGRESS, egress=rules)


def ingress_to(app: str, *rules: Rule) -> NetworkPolicy:
    return NetworkPolicy("ops", f"in-{app}", sel(app=app), INGRESS, ingress=rules)


@dataclass(frozen=True)
class Case:
    why: str
    policies: tuple[NetworkPolicy, ...]
    src: Endpoint | External
    dst: Endpoint | External
    port: int
    protocol: Protocol
    allowed: bool
    family: int | None = None


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
        "named port: a second container's number for the name is allowed too",
        (ingress_to_web(Rule(ports=(PolicyPort(TCP, "http"),))),),
        DB,
        WEB,
        9090,
        TCP,
        True,
    ),
    Case(
        "named port: the set of numbers, nothing between them",
        (ingress_to_web(Rule(ports=(PolicyPort(TCP, "http"),))),),
        DB,
        WEB,
        8081,
        TCP,
        False,
    ),
    Case(
        "named port: the same name on another protocol is another port",
        (ingress_to_web(Rule(ports=(PolicyPort(TCP, "dns"),))),),
        DB,
        WEB,
        5353,
        TCP,
        True,
    ),
    Case(
        "named port: the UDP number of the name is not allowed over UDP by a TCP entry",
        (ingress_to_web(Rule(ports=(PolicyPort(TCP, "dns"),))),),
        DB,
        WEB,
        53,
        UDP,
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

# The dual-stack case: the client may reach 10.0.1.0/24 only. Over IPv4 the packet
# carries DUAL's IPv4 address (allowed); over IPv6 its IPv6 one (dropped, as the kernel
# does); asked by name, both families are possible, so the connection is allowed only if
# both allow it.
TO_V4_BLOCK = egress_from_web(Rule((block("10.0.1.0/24"),)))
FAMILY_CASES = [
    Case("the packet's address: IPv4", (TO_V4_BLOCK,), WEB, DUAL, 80, TCP, True, 4),
    Case("the packet's address: IPv6", (TO_V4_BLOCK,), WEB, DUAL, 80, TCP, False, 6),
    Case("by name: every shared family must allow", (TO_V4_BLOCK,), WEB, DUAL, 80, TCP, False),
    Case("by name: only IPv4 is shared with MON", (TO_V4_BLOCK,), WEB, MON, 80, TCP, True),
    Case(
        "both families allowed by one block each",
        (egress_from_web(Rule((block("10.0.1.0/24"), block("fd00:1::/64")))),),
        WEB,
        DUAL,
        80,
        TCP,
        True,
    ),
    Case(
        "a destination without addresses: the source's families count",
        (egress_from_web(Rule((block("0.0.0.0/0"),))),),
        WEB,
        DB,
        80,
        TCP,
        False,
    ),
    Case(
        "a party without an address of the family is in no block",
        (egress_from_web(Rule((block("0.0.0.0/0"), block("::/0")))),),
        WEB,
        DB,
        80,
        TCP,
        False,
        4,
    ),
    Case(
        "the block is matched against the source over ingress",
        (ingress_to("dual", Rule((block("fd00::/64"),))),),
        WEB,
        DUAL,
        80,
        TCP,
        True,
        6,
    ),
    Case(
        "the source's IPv4 address is outside the IPv6 block",
        (ingress_to("dual", Rule((block("fd00::/64"),))),),
        WEB,
        DUAL,
        80,
        TCP,
        False,
        4,
    ),
    Case(
        "no shared family: any of the addresses",
        (ingress_to("v6", Rule((block("10.0.1.0/24"),))),),
        MON,
        V6,
        80,
        TCP,
        True,
    ),
    Case(
        "no shared family, asked over IPv6: MON has no IPv6 address",
        (ingress_to("v6", Rule((block("10.0.1.0/24"),))),),
        MON,
        V6,
        80,
        TCP,
        False,
        6,
    ),
    Case(
        "an outside address has its own family only",
        (ingress_to_web(Rule((block("2001:db8::/32"),))),),
        OUTSIDE6,
        WEB,
        80,
        TCP,
        True,
    ),
    Case(
        "except, per family: the IPv6 address is excepted",
        (
            ingress_to(
                "dual",
                Rule((block("::/0", "fd00::/64"), block("10.0.0.0/8"))),
            ),
        ),
        WEB,
        DUAL,
        80,
        TCP,
        False,
    ),
    Case(
        "except, per family: the IPv4 address is not",
        (
            ingress_to(
                "dual",
                Rule((block("::/0", "fd00::/64"), block("10.0.0.0/8"))),
            ),
        ),
        WEB,
        DUAL,
        80,
        TCP,
        True,
        4,
    ),
    Case(
        "selectors do not depend on the family",
        (ingress_to("dual", Rule((Peer(namespace_selector=sel(team="a")),))),),
        WEB,
        DUAL,
        80,
        TCP,
        True,
        6,
    ),
    Case(
        "a pod reaches itself over any family",
        (ingress_to("dual"),),
        DUAL,
        DUAL,
        80,
        TCP,
        True,
        6,
    ),
]


@pytest.mark.parametrize("case", CASES + FAMILY_CASES, ids=[c.why for c in CASES + FAMILY_CASES])
def test_reference(case: Case) -> None:
    c = cluster(*case.policies)
    got = reference_allowed(c, case.src, case.dst, case.port, case.protocol, case.family)
    assert got is case.allowed


@pytest.mark.parametrize(
    ("src", "dst", "families"),
    [
        (WEB, DUAL, [4, 6]),
        (WEB, MON, [4]),
        (WEB, V6, [6]),
        (WEB, DB, [4, 6]),
        (DB, DB, [None]),
        (MON, V6, [None]),
        (DB, OUTSIDE6, [6]),
        (OUTSIDE, DUAL, [4]),
    ],
    ids=lambda x: getattr(x, "id", str(x)),
)
def test_families_by_name(src: Party, dst: Party, families: list[int | None]) -> None:
    """Both ways round: the families two parties may use do not depend on the direction."""
    assert reference_families(src, dst) == families
    assert reference_families(dst, src) == families


def test_reference_is_independent_of_the_engine() -> None:
    """The reference must not share code with what it checks: no podfence import but the
    model (the frozen data types)."""
    tree = ast.parse(Path(naive.__file__).read_text())
    imported = {
        n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.level == 0
    } | {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    podfence = {m for m in imported if m.split(".")[0] == "podfence"}
    assert podfence == {"podfence.model"}


def test_selecting_ignores_other_namespaces_and_types() -> None:
    pol = NetworkPolicy("ops", "all", LabelSelector(), INGRESS)
    c = cluster(pol)
    assert reference_selecting(c, MON, Direction.INGRESS) == [pol]
    assert reference_selecting(c, MON, Direction.EGRESS) == []
    assert reference_selecting(c, WEB, Direction.INGRESS) == []
    assert reference_selecting(c, NODE, Direction.INGRESS) == []


def test_matrix_shape() -> None:
    m = reference_matrix(cluster(ingress_to_web()), [(80, TCP), (53, UDP)])
    assert m["endpoints"] == [
        "ops/dual",
        "ops/mon",
        "ops/node-agent",
        "ops/v6",
        "shop/db",
        "shop/web",
    ]
    assert [(x["port"], x["protocol"]) for x in m["matrices"]] == [(80, "TCP"), (53, "UDP")]
    web = m["endpoints"].index("shop/web")
    for x in m["matrices"]:
        grid = x["allowed"]
        assert [row[web] for row in grid] == [False] * 5 + [True]
        assert all(grid[i][i] for i in range(6))


def test_matrix_per_family() -> None:
    m4, m6, both = (
        reference_matrix(cluster(TO_V4_BLOCK), [(80, TCP)], family) for family in (4, 6, None)
    )
    web, dual = m4["endpoints"].index("shop/web"), m4["endpoints"].index("ops/dual")
    cell = [m["matrices"][0]["allowed"][web][dual] for m in (m4, m6, both)]
    assert cell == [True, False, False]

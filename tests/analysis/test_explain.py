"""A policy's account as data: selected endpoints, per-direction rules, peers' matches.

Sources: NetworkPolicySpec.policyTypes (rules of a direction it does not list are ignored),
NetworkPolicySpec.podSelector (the policy's own namespace only), the hostNetwork section of
the Network Policies concept page (hostNetwork pods are neither selected nor matched by
pod/namespace selectors, but an ipBlock matches their address).
"""

from __future__ import annotations

from ipaddress import ip_network

import pytest

from engine.builders import (
    BOTH,
    EGRESS,
    INGRESS,
    cluster,
    ip_peer,
    ns,
    peer,
    pod,
    policy,
    rule,
    sel,
    tcp,
)
from podfence.analysis.explain import DirectionAccount, PeerAccount, RuleAccount, account_policy
from podfence.engine import Engine
from podfence.model import (
    AddressSet,
    Cluster,
    Direction,
    IPBlock,
    NetworkPolicy,
    Peer,
    Rule,
    RuleRef,
)

IN, EG = Direction.INGRESS, Direction.EGRESS

FROM_DB = peer(sel({"app": "db"}))
FROM_BLUE = peer(namespaces=sel({"team": "blue"}))
FROM_TEN = ip_peer("10.0.0.0/8")

WEB = policy(
    "x/web",
    sel({"app": "web"}),
    ingress=[rule(FROM_DB, ports=[tcp(80)]), rule(FROM_BLUE, FROM_TEN), Rule()],
    egress=[rule(ip_peer("0.0.0.0/0"))],
    types=INGRESS,
)


def _cluster(*policies: NetworkPolicy) -> Cluster:
    return cluster(
        [
            pod("x/a", {"app": "web"}, ips=["10.0.1.1"]),
            pod("x/b", {"app": "db"}, ips=["10.0.1.2"]),
            pod("x/h", {"app": "web"}, ips=["192.168.0.1"], host_network=True),
            pod("y/c", {"app": "web"}, ips=["10.0.2.3"]),
            pod("y/d", {"app": "db"}, ips=["172.16.0.4"]),
        ],
        policies,
        [ns("x", team="red"), ns("y", team="blue")],
    )


def test_account_of_ingress_policy() -> None:
    account = account_policy(Engine(_cluster(WEB)), WEB)
    assert account.policy is WEB
    # x/h has the labels but is hostNetwork; y/c has the labels but another namespace.
    assert account.selected == ("x/a",)
    assert account.ingress == DirectionAccount(
        IN,
        isolates=True,
        rules=(
            RuleAccount(
                RuleRef("x/web", IN, 0),
                (PeerAccount(RuleRef("x/web", IN, 0, 0), FROM_DB, "x", ("x/b",)),),
                (tcp(80),),
            ),
            RuleAccount(
                RuleRef("x/web", IN, 1),
                (
                    PeerAccount(RuleRef("x/web", IN, 1, 0), FROM_BLUE, "x", ("y/c", "y/d")),
                    # ipBlock matches pod IPs; not the hostNetwork pod's 192.168.0.1.
                    PeerAccount(
                        RuleRef("x/web", IN, 1, 1),
                        FROM_TEN,
                        "x",
                        ("x/a", "x/b", "y/c"),
                        AddressSet.of_block(IPBlock(ip_network("10.0.0.0/8"))),
                    ),
                ),
                (),
            ),
            RuleAccount(RuleRef("x/web", IN, 2), (), ()),
        ),
        ignored_rules=0,
    )
    # Egress is not in policyTypes: nothing isolated, the written rule counted as ignored.
    assert account.egress == DirectionAccount(EG, isolates=False, rules=(), ignored_rules=1)
    assert account.direction(IN) is account.ingress
    assert account.direction(EG) is account.egress


@pytest.mark.parametrize(
    ("pol", "selected", "ingress", "egress"),
    [
        pytest.param(
            policy("x/deny-all", egress=[]),
            ("x/a", "x/b"),
            DirectionAccount(IN, True, (), 0),
            DirectionAccount(EG, True, (), 0),
            id="deny-all-both",
        ),
        pytest.param(
            policy(
                "x/out", sel({"app": "db"}), ingress=[Rule(), Rule()], egress=[Rule()], types=EGRESS
            ),
            ("x/b",),
            DirectionAccount(IN, False, (), 2),
            DirectionAccount(EG, True, (RuleAccount(RuleRef("x/out", EG, 0), (), ()),), 0),
            id="egress-only-ignores-ingress-rules",
        ),
        pytest.param(
            policy("y/none", sel({"app": "cache"}), types=BOTH),
            (),
            DirectionAccount(IN, True, (), 0),
            DirectionAccount(EG, True, (), 0),
            id="selects-nothing",
        ),
    ],
)
def test_account_directions(
    pol: NetworkPolicy,
    selected: tuple[str, ...],
    ingress: DirectionAccount,
    egress: DirectionAccount,
) -> None:
    account = account_policy(Engine(_cluster(pol)), pol)
    assert (account.selected, account.ingress, account.egress) == (selected, ingress, egress)


@pytest.mark.parametrize(
    ("peer_", "matched"),
    [
        pytest.param(peer(sel({"app": "web"})), ("x/a",), id="pod-selector-own-namespace"),
        pytest.param(peer(sel()), ("x/a", "x/b"), id="every-pod-own-namespace"),
        pytest.param(
            peer(namespaces=sel()),
            ("x/a", "x/b", "y/c", "y/d"),
            id="every-namespace-not-hostnetwork",
        ),
        pytest.param(
            peer(sel({"app": "db"}), sel({"team": "blue"})), ("y/d",), id="pod-and-namespace"
        ),
        pytest.param(ip_peer("192.168.0.0/16"), ("x/h",), id="ipblock-matches-hostnetwork"),
        pytest.param(ip_peer("10.0.0.0/8", "10.0.1.0/24"), ("y/c",), id="ipblock-except"),
        pytest.param(peer(sel({"app": "none"})), (), id="matches-nothing"),
    ],
)
def test_peer_matches(peer_: Peer, matched: tuple[str, ...]) -> None:
    pol = policy("x/p", egress=[rule(peer_)], types=EGRESS)
    account = account_policy(Engine(_cluster(pol)), pol)
    (rule_account,) = account.egress.rules
    (peer_account,) = rule_account.peers
    assert peer_account.ref == RuleRef("x/p", EG, 0, 0)
    assert peer_account.policy_namespace == "x"
    assert peer_account.matched == matched


def test_account_selects_for_either_direction() -> None:
    ingress_only = policy("x/in", sel({"app": "web"}))
    egress_only = policy("x/out", sel({"app": "db"}), egress=[], types=EGRESS)
    engine = Engine(_cluster(ingress_only, egress_only))
    assert account_policy(engine, ingress_only).selected == ("x/a",)
    assert account_policy(engine, egress_only).selected == ("x/b",)

"""PF011 with ClusterNetworkPolicies: a NetworkPolicy rule allows a side only where the Admin
tier passes the connection on (kubernetes-sigs/network-policy-api apis/v1alpha2,
ClusterNetworkPolicySpec.tier and ClusterNetworkPolicyRuleAction: Accept and Deny are final,
Pass goes on to the NetworkPolicies; Baseline is consulted only where no NetworkPolicy
isolates the pod). Decided class by class (`check_redundancy`)."""

from __future__ import annotations

import pytest

from engine.builders import peer, policy, rule, sel, tcp
from engine.tier_builders import (
    ACCEPT,
    ADMIN,
    BASELINE,
    DENY,
    PASS,
    cnp,
    crule,
    namespaces,
    pods_subject,
    port,
    tier_cluster,
)
from podfence.analysis.lint import lint
from podfence.model import Action, ClusterNetworkPolicy, NetworkPolicy, Subject, Tier

SHOP = {"kubernetes.io/metadata.name": "shop"}
BLOG = {"kubernetes.io/metadata.name": "blog"}
KS = {"kubernetes.io/metadata.name": "kube-system"}
DB = pods_subject(None, {"app": "db"})
WEB = pods_subject(None, {"app": "web"})

# shop/db ingress[0]: from shop and blog on 80; ingress[1]: from every namespace on 80.
# Without ClusterNetworkPolicies ingress[1] alone lets kube-system/dns in, so ingress[0]
# (covered by ingress[1]) is the redundant one.
DB_POLICY = policy(
    "shop/db",
    sel({"app": "db"}),
    ingress=[
        rule(peer(namespaces=sel(SHOP)), peer(namespaces=sel(BLOG)), ports=[tcp(80)]),
        rule(peer(namespaces=sel()), ports=[tcp(80)]),
    ],
)


def _admin(action: Action, *, tier: Tier = ADMIN, on: int = 80, name: str = "a", prio: int = 1,
           subject: Subject = DB) -> ClusterNetworkPolicy:  # fmt: skip
    rules = [crule(action, namespaces(KS), protocols=[port(on)])]
    return cnp(name, tier, prio, subject, ingress=rules)


def _redundant(cnps: list[ClusterNetworkPolicy], nps: list[NetworkPolicy]) -> list[str | None]:
    return [
        f.field
        for f in lint(tier_cluster(cnps, nps)).findings
        if f.rule == "PF011" or f.rule == "PF015"
    ]


@pytest.mark.parametrize(
    ("case", "cnps", "redundant"),
    [
        ("no ClusterNetworkPolicy", [], ["spec.ingress[0]"]),
        # kube-system -> db on 80 decided by Admin: ingress[1] no longer allows it, so it
        # only repeats ingress[0] (and goes first, from the last rule back)
        ("Admin Accept decides", [_admin(ACCEPT)], ["spec.ingress[1]"]),
        ("Admin Deny decides", [_admin(DENY)], ["spec.ingress[1]"]),
        ("Admin Pass keeps the rule", [_admin(PASS)], ["spec.ingress[0]"]),
        ("Admin Accept on another port", [_admin(ACCEPT, on=443)], ["spec.ingress[0]"]),
        ("Admin Accept of another pod", [_admin(ACCEPT, subject=WEB)], ["spec.ingress[0]"]),
        ("Baseline Deny: db is isolated", [_admin(DENY, tier=BASELINE)], ["spec.ingress[0]"]),
        ("Baseline Accept", [_admin(ACCEPT, tier=BASELINE)], ["spec.ingress[0]"]),
        (
            "Pass before an Accept",
            [_admin(PASS, name="a", prio=1), _admin(ACCEPT, name="b", prio=2)],
            ["spec.ingress[0]"],
        ),
        (
            "Accept before a Pass",
            [_admin(ACCEPT, name="a", prio=1), _admin(PASS, name="b", prio=2)],
            ["spec.ingress[1]"],
        ),
        (
            # equal priorities that disagree: the side may be denied, so no rule allows it
            "equal priorities, Deny and Pass",
            [_admin(DENY, name="a", prio=3), _admin(PASS, name="b", prio=3)],
            ["spec.ingress[1]"],
        ),
    ],
)
def test_admin_tier_decides_which_rule_is_redundant(
    case: str, cnps: list[ClusterNetworkPolicy], redundant: list[str]
) -> None:
    assert _redundant(cnps, [DB_POLICY]) == redundant, case


def test_admin_protocols_cut_the_ports_sampled() -> None:
    """Admin accepts blog -> db on 80 only: on 81-90 only ingress[1] allows (the Admin tier
    passes those on), so ingress[1] is needed, and ingress[0] (100) is covered by it. A port
    sample that ignores the Admin rule's `protocols` (80-90 asked at 80 only, which Admin
    decides) would call ingress[1] redundant instead."""
    db = policy(
        "shop/db",
        sel({"app": "db"}),
        ingress=[
            rule(peer(namespaces=sel(BLOG)), ports=[tcp(100)]),
            rule(peer(namespaces=sel(BLOG)), ports=[tcp(80, 90), tcp(100)]),
        ],
    )
    accept = cnp("a", ADMIN, 1, DB, ingress=[crule(ACCEPT, namespaces(BLOG), protocols=[port(80)])])
    assert _redundant([accept], [db]) == ["spec.ingress[0]"]
    assert _redundant([], [db]) == ["spec.ingress[0]"]

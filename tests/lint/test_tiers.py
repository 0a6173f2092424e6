"""PF030-PF035, the ClusterNetworkPolicy findings: each with a true positive and a near miss
(the same cluster, one thing changed, and the finding gone). Decided by asking the engine."""

from __future__ import annotations

from collections.abc import Iterable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.builders import peer, policy, rule, sel, tcp, udp
from engine.tier_builders import (
    ACCEPT,
    ADMIN,
    BASELINE,
    DENY,
    PASS,
    cnp,
    crule,
    namespaces,
    pods,
    pods_subject,
    port,
    tier_cluster,
)
from podfence.analysis.lint import Finding, Level, lint
from podfence.model import (
    ClusterNetworkPolicy,
    NamespacesSubject,
    NetworkPolicy,
    Protocol,
)

SHOP = {"kubernetes.io/metadata.name": "shop"}
BLOG = {"kubernetes.io/metadata.name": "blog"}
KS = {"kubernetes.io/metadata.name": "kube-system"}
SHOP_SUBJECT = NamespacesSubject(sel(SHOP))
DENY_ALL_SHOP = policy("shop/deny-all")
ALLOW_BLOG_TO_WEB = policy(
    "shop/allow-blog", sel({"app": "web"}), ingress=[rule(peer(namespaces=sel(BLOG)))]
)
DNS = crule(
    ACCEPT,
    pods(KS, {"k8s-app": "kube-dns"}),
    protocols=[port(53, Protocol.UDP), port(53)],
    name="dns",
)


def _found(
    rule_id: str,
    cnps: Iterable[ClusterNetworkPolicy],
    nps: Iterable[NetworkPolicy] = (),
) -> list[Finding]:
    return [f for f in lint(tier_cluster(cnps, nps)).findings if f.rule == rule_id]


# -- PF030 ------------------------------------------------------------------------------------


def test_pf030_a_rule_after_a_broader_one_in_the_same_policy() -> None:
    (f,) = _found("PF030", [cnp("a", ADMIN, 1, SHOP_SUBJECT, ingress=[
        crule(DENY, namespaces(), name="all"), crule(ACCEPT, namespaces(BLOG), name="blog"),
    ])])  # fmt: skip
    assert f.field == "spec.ingress[1]" and f.obj == "ClusterNetworkPolicy a"
    assert 'cnp/a ingress[0] "all"' in f.message


def test_pf030_a_policy_after_one_with_a_lower_priority_number() -> None:
    (f,) = _found("PF030", [
        cnp("first", ADMIN, 1, SHOP_SUBJECT, ingress=[crule(DENY, namespaces())]),
        cnp("later", ADMIN, 2, SHOP_SUBJECT, ingress=[crule(ACCEPT, namespaces(BLOG))]),
    ])  # fmt: skip
    assert f.obj == "ClusterNetworkPolicy later" and "cnp/first ingress[0]" in f.message


def test_pf030_near_miss_the_earlier_rule_is_narrower() -> None:
    assert not _found("PF030", [cnp("a", ADMIN, 1, SHOP_SUBJECT, ingress=[
        crule(DENY, namespaces(), protocols=[port(80)]), crule(ACCEPT, namespaces(BLOG)),
    ])])  # fmt: skip


# -- PF031 ------------------------------------------------------------------------------------


def test_pf031_equal_priorities_that_disagree() -> None:
    (f,) = _found("PF031", [
        cnp("a", ADMIN, 5, SHOP_SUBJECT, ingress=[crule(ACCEPT, namespaces(BLOG))]),
        cnp("b", ADMIN, 5, SHOP_SUBJECT, ingress=[crule(DENY, namespaces())]),
    ])  # fmt: skip
    assert "cnp/a and cnp/b share Admin priority 5" in f.message
    assert f.field == "spec.priority"


def test_pf031_near_miss_different_priorities() -> None:
    assert not _found("PF031", [
        cnp("a", ADMIN, 4, SHOP_SUBJECT, ingress=[crule(ACCEPT, namespaces(BLOG))]),
        cnp("b", ADMIN, 5, SHOP_SUBJECT, ingress=[crule(DENY, namespaces())]),
    ])  # fmt: skip


def test_pf031_near_miss_equal_priorities_that_agree() -> None:
    assert not _found("PF031", [
        cnp("a", ADMIN, 5, SHOP_SUBJECT, ingress=[crule(DENY, namespaces(BLOG))]),
        cnp("b", ADMIN, 5, SHOP_SUBJECT, ingress=[crule(DENY, namespaces())]),
    ])  # fmt: skip


# -- PF032 ------------------------------------------------------------------------------------


def test_pf032_an_admin_pass_with_no_networkpolicy_below() -> None:
    (f,) = _found("PF032", [cnp("a", ADMIN, 1, SHOP_SUBJECT, ingress=[crule(PASS, namespaces())])])
    assert f.level is Level.WARNING and "no Ingress policy" in f.message


def test_pf032_near_miss_the_namespace_has_a_networkpolicy() -> None:
    assert not _found(
        "PF032",
        [cnp("a", ADMIN, 1, SHOP_SUBJECT, ingress=[crule(PASS, namespaces())])],
        [DENY_ALL_SHOP],
    )


def test_pf032_a_baseline_pass_allows() -> None:
    (f,) = _found(
        "PF032", [cnp("b", BASELINE, 1, SHOP_SUBJECT, ingress=[crule(PASS, namespaces())])]
    )
    assert f.level is Level.INFO and "Baseline Pass" in f.message


# -- PF033 ------------------------------------------------------------------------------------


def test_pf033_a_baseline_deny_every_pod_it_matches_is_isolated() -> None:
    (f,) = _found(
        "PF033",
        [cnp("b", BASELINE, 1, SHOP_SUBJECT, ingress=[crule(DENY, namespaces())])],
        [DENY_ALL_SHOP],
    )
    assert "shop/deny-all" in f.consequence and f.level is Level.INFO


def test_pf033_near_miss_one_pod_is_not_isolated() -> None:
    assert not _found(
        "PF033",
        [cnp("b", BASELINE, 1, SHOP_SUBJECT, ingress=[crule(DENY, namespaces())])],
        [ALLOW_BLOG_TO_WEB],  # isolates shop/web only: shop/db still meets the baseline
    )


# -- PF034 ------------------------------------------------------------------------------------


def test_pf034_an_admin_accept_through_a_default_deny() -> None:
    (f,) = _found(
        "PF034",
        [cnp("a", ADMIN, 1, SHOP_SUBJECT, ingress=[crule(ACCEPT, namespaces(BLOG))])],
        [DENY_ALL_SHOP],
    )
    assert "default deny of namespace shop" in f.message and "shop/deny-all" in f.consequence


def test_pf034_near_miss_the_networkpolicy_allows_it_too() -> None:
    accept = cnp(
        "a", ADMIN, 1, pods_subject(SHOP, {"app": "web"}),
        ingress=[crule(ACCEPT, namespaces(BLOG))],
    )  # fmt: skip
    assert not _found("PF034", [accept], [ALLOW_BLOG_TO_WEB])


# -- PF035 ------------------------------------------------------------------------------------


def test_pf035_an_admin_deny_blocks_dns() -> None:
    (f,) = _found("PF035", [cnp("a", ADMIN, 1, SHOP_SUBJECT, egress=[crule(DENY, namespaces())])])
    assert f.level is Level.ERROR and "blocks DNS (UDP 53 and TCP 53) for 2 pods" in f.message
    assert "no NetworkPolicy can re-open it" in f.consequence


def test_pf035_near_miss_dns_is_accepted_first() -> None:
    assert not _found(
        "PF035", [cnp("a", ADMIN, 1, SHOP_SUBJECT, egress=[DNS, crule(DENY, namespaces())])]
    )


def test_pf035_a_baseline_deny_is_a_warning() -> None:
    (f,) = _found(
        "PF035", [cnp("b", BASELINE, 1, SHOP_SUBJECT, egress=[crule(DENY, namespaces())])]
    )
    assert f.level is Level.WARNING and "would override" in f.consequence


def test_pf035_near_miss_a_networkpolicy_allows_dns_over_the_baseline() -> None:
    allow_dns = policy(
        "shop/dns", egress=[rule(peer(namespaces=sel(KS)), ports=[udp(53), tcp(53)])]
    )
    found = _found(
        "PF035",
        [cnp("b", BASELINE, 1, SHOP_SUBJECT, egress=[crule(DENY, namespaces())])],
        [allow_dns],
    )
    assert not found  # the NetworkPolicy tier decides for these pods (UDP is PF002's business)


# -- the checks as a whole -------------------------------------------------------------------


def test_the_tier_checks_are_skipped_above_the_work_limit() -> None:
    c = tier_cluster([cnp("a", ADMIN, 1, SHOP_SUBJECT, ingress=[crule(DENY, namespaces())])])
    found = lint(c, max_work=1).findings
    assert [f.rule for f in found if f.rule == "PF015"] == ["PF015"]
    assert not [f for f in found if f.rule.startswith("PF03")]
    (skipped,) = [f for f in found if f.rule == "PF015"]
    assert "(PF030-PF035) were skipped: at least " in skipped.message


@settings(deadline=None, max_examples=200)
@given(st.lists(st.tuples(st.booleans(), st.booleans()), max_size=12), st.integers(1, 5))
def test_the_least_work_counts_every_pair_asked_once(
    applies: list[tuple[bool, bool]], ports: int
) -> None:
    """The bound the tier checks compare with --max-work before asking any pair its IP
    families: the pairs (src != dst) where a CNP applies to src's egress or dst's ingress,
    times the ports, one family each."""
    from podfence.analysis.lint.tier_samples import _least_work

    out = [o for o, _ in applies]
    into = [i for _, i in applies]
    pairs = sum(
        1
        for a in range(len(applies))
        for b in range(len(applies))
        if a != b and (out[a] or into[b])
    )
    assert _least_work(out, into, ports) == pairs * ports


@pytest.mark.parametrize("rule_id", ["PF030", "PF031", "PF032", "PF033", "PF034", "PF035"])
def test_no_cluster_policy_no_tier_finding(rule_id: str) -> None:
    assert not _found(rule_id, [], [DENY_ALL_SHOP])


def test_an_annotation_on_the_cluster_policy_silences_it() -> None:
    import dataclasses

    noisy = cnp("a", ADMIN, 1, SHOP_SUBJECT, ingress=[crule(PASS, namespaces())])
    quiet = dataclasses.replace(noisy, annotations=(("podfence.io/ignore", "PF032"),))
    assert _found("PF032", [noisy]) and not _found("PF032", [quiet])


def test_pf001_a_pod_a_cluster_policy_applies_to_is_not_open() -> None:
    """PF001 says a pod no policy isolates is open; a pod the administrators' CNPs apply to
    in a direction is their business in that direction (here: ingress, not egress)."""
    base = cnp("b", BASELINE, 1, SHOP_SUBJECT, ingress=[crule(DENY, namespaces())])
    found = [f for f in _found("PF001", [base]) if f.namespace == "shop"]
    assert [f.message.split(":")[0] for f in found] == ["no egress isolation"]
    without = [f for f in _found("PF001", []) if f.namespace == "shop"]
    assert len(without) == 2

"""Semantic diff with ClusterNetworkPolicies: a CNP change gains or loses exactly the
connections the tiers say, attributed to the CNP rule that accepts or denies them."""

from __future__ import annotations

import dataclasses

from tests.engine.tier_builders import ACCEPT, ADMIN, BASELINE, DENY, PASS, cnp, crule, tier_cluster
from tests.engine.tier_builders import namespaces as ns_peer

from podfence.analysis.diff import Change, diff_clusters
from podfence.model import ClusterRuleRef, Direction, LabelSelector, NamespacesSubject

SHOP = NamespacesSubject(LabelSelector((("kubernetes.io/metadata.name", "shop"),)))
BLOG = (("kubernetes.io/metadata.name", "blog"),)


def _pairs(d, change):  # type: ignore[no-untyped-def]
    return sorted({(c.source, c.destination) for c in d.cells if c.change is change})


def test_an_admin_deny_added_loses_exactly_what_it_matches() -> None:
    deny = cnp("guard", ADMIN, 1, SHOP, ingress=[crule(DENY, ns_peer(dict(BLOG)), name="no-blog")])
    d = diff_clusters(tier_cluster(), tier_cluster([deny]))
    assert _pairs(d, Change.GAINED) == []
    assert _pairs(d, Change.LOST) == [("blog/wp", "shop/db"), ("blog/wp", "shop/web")]
    for cell in d.cells:
        assert cell.side is Direction.INGRESS
        assert cell.now.decided_by is not None
        assert (
            cell.now.decided_by.ref.policy == "guard" and cell.now.decided_by.ref.name == "no-blog"
        )


def test_an_admin_accept_gains_through_a_baseline_deny_and_says_which_rule() -> None:
    base = cnp("base", BASELINE, 1, SHOP, ingress=[crule(DENY, ns_peer())])
    accept = cnp("open", ADMIN, 1, SHOP, ingress=[crule(ACCEPT, ns_peer(dict(BLOG)), name="b")])
    d = diff_clusters(tier_cluster([base]), tier_cluster([base, accept]))
    assert _pairs(d, Change.LOST) == []
    assert _pairs(d, Change.GAINED) == [("blog/wp", "shop/db"), ("blog/wp", "shop/web")]
    vias = {g.via for g in d.gained}
    assert vias == {(ClusterRuleRef("open", Direction.INGRESS, 0, "b"),)}


def test_changing_an_action_is_seen() -> None:
    """Deny -> Pass with nothing below: what it denied is now allowed by default."""
    deny = cnp("guard", ADMIN, 1, SHOP, ingress=[crule(DENY, ns_peer(dict(BLOG)))])
    passed = dataclasses.replace(deny, ingress=(crule(PASS, ns_peer(dict(BLOG))),))
    d = diff_clusters(tier_cluster([deny]), tier_cluster([passed]))
    assert _pairs(d, Change.GAINED) == [("blog/wp", "shop/db"), ("blog/wp", "shop/web")]
    (group,) = d.gained
    assert group.via == (ClusterRuleRef("guard", Direction.INGRESS, 0),)


def test_the_same_meaning_written_differently_diffs_empty() -> None:
    one = cnp("a", ADMIN, 1, SHOP, ingress=[crule(DENY, ns_peer(dict(BLOG)))])
    split = cnp(
        "a",
        ADMIN,
        7,
        SHOP,
        ingress=[crule(DENY, ns_peer(dict(BLOG))), crule(DENY, ns_peer(dict(BLOG)))],
    )
    assert not diff_clusters(tier_cluster([one]), tier_cluster([split])).cells

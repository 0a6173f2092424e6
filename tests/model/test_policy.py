"""NetworkPolicy, Direction and RuleRef (the `ns/name ingress[0].from[1] ports[0]` pointers)."""

from __future__ import annotations

import pytest

from podfence.model import (
    Direction,
    LabelSelector,
    NetworkPolicy,
    ObjectRef,
    Peer,
    Rule,
    RuleRef,
)

IN, EG = Direction.INGRESS, Direction.EGRESS


@pytest.mark.parametrize(
    ("ref", "field", "text"),
    [
        pytest.param(RuleRef("ns/pol", IN), "", "ns/pol", id="whole-policy"),
        pytest.param(RuleRef("ns/pol", EG), "", "ns/pol", id="whole-policy-egress"),
        pytest.param(RuleRef("ns/pol", IN, 0), "ingress[0]", "ns/pol ingress[0]", id="rule"),
        pytest.param(RuleRef("ns/pol", EG, 2), "egress[2]", "ns/pol egress[2]", id="egress-rule"),
        pytest.param(
            RuleRef("ns/pol", IN, 0, 1),
            "ingress[0].from[1]",
            "ns/pol ingress[0].from[1]",
            id="peer",
        ),
        pytest.param(
            RuleRef("ns/pol", EG, 1, 0),
            "egress[1].to[0]",
            "ns/pol egress[1].to[0]",
            id="egress-peer",
        ),
        pytest.param(
            RuleRef("ns/pol", IN, 0, 1, 0),
            "ingress[0].from[1]",
            "ns/pol ingress[0].from[1] ports[0]",
            id="peer-and-port",
        ),
        pytest.param(
            RuleRef("ns/pol", EG, 3, None, 2),
            "egress[3]",
            "ns/pol egress[3] ports[2]",
            id="port-without-peer",
        ),
    ],
)
def test_rule_ref_field_and_str(ref: RuleRef, field: str, text: str) -> None:
    assert ref.field == field
    assert str(ref) == text


def test_rule_ref_order_within_a_direction() -> None:
    refs = [RuleRef("b/p", IN, 0), RuleRef("a/p", IN, 1), RuleRef("a/p", IN, 0, 2)]
    assert sorted(refs) == [RuleRef("a/p", IN, 0, 2), RuleRef("a/p", IN, 1), RuleRef("b/p", IN, 0)]


def test_rule_ref_order_across_directions() -> None:
    # Direction sorts by declaration: Ingress before Egress.
    assert sorted([RuleRef("a/p", EG, 0), RuleRef("a/p", IN, 0)]) == [
        RuleRef("a/p", IN, 0),
        RuleRef("a/p", EG, 0),
    ]


@pytest.mark.parametrize(
    ("direction", "rules_field", "peers_field", "text"),
    [
        pytest.param(IN, "ingress", "from", "Ingress", id="ingress"),
        pytest.param(EG, "egress", "to", "Egress", id="egress"),
    ],
)
def test_direction_fields(
    direction: Direction, rules_field: str, peers_field: str, text: str
) -> None:
    assert direction.rules_field == rules_field
    assert direction.peers_field == peers_field
    assert str(direction) == text
    assert Direction(text) is direction  # the policyTypes spelling


def test_network_policy_accessors() -> None:
    ingress = (Rule(), Rule(ports=()))
    egress = (Rule((Peer(pod_selector=LabelSelector()),)),)
    pol = NetworkPolicy("shop", "web", LabelSelector(), frozenset({IN}), ingress, egress)
    assert pol.key == "shop/web"
    assert pol.ref == ObjectRef("NetworkPolicy", "shop", "web")
    assert str(pol.ref) == "NetworkPolicy shop/web"
    assert pol.rules(IN) == ingress
    assert pol.rules(EG) == egress
    assert pol.affects(IN)
    assert not pol.affects(EG)  # egress rules written, but policyTypes decides


def test_rule_and_peer_defaults_are_empty_and_missing() -> None:
    # Empty `peers`/`ports` = every peer/port; a missing selector is None, not `{}`.
    assert Rule() == Rule((), ())
    assert Peer() == Peer(None, None, None)
    assert Peer(pod_selector=LabelSelector()) != Peer()

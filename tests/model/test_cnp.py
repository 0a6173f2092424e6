"""ClusterNetworkPolicy, Node and the cluster's new parts, as frozen data.

Upstream: kubernetes-sigs/network-policy-api apis/v1alpha2 (bundle v0.2.0): `protocols` absent
matches every port of every protocol; a policy with no rules in a direction does not affect it;
a range includes both ends.
"""

from __future__ import annotations

import dataclasses
import ipaddress

import pytest

from podfence.model import (
    Action,
    Cluster,
    ClusterNetworkPolicy,
    ClusterRule,
    ClusterRuleRef,
    Diagnostic,
    Direction,
    Endpoint,
    EveryPort,
    LabelSelector,
    NamedPort,
    NamespacesPeer,
    NamespacesSubject,
    Node,
    NodeAddress,
    ObjectRef,
    PortNumber,
    PortRangeMatch,
    PortSet,
    Protocol,
    Severity,
    Tier,
)

ALL = LabelSelector()


def _policy(**kw: object) -> ClusterNetworkPolicy:
    base: dict[str, object] = {
        "name": "guard",
        "tier": Tier.ADMIN,
        "priority": 10,
        "subject": NamespacesSubject(ALL),
    }
    return ClusterNetworkPolicy(**(base | kw))  # type: ignore[arg-type]


def test_policy_identity() -> None:
    pol = _policy()
    assert pol.key == "cnp/guard"
    assert pol.ref == ObjectRef("ClusterNetworkPolicy", None, "guard")
    assert str(pol.ref) == "ClusterNetworkPolicy guard"


def test_a_direction_without_rules_is_not_affected() -> None:
    rule = ClusterRule(Action.DENY, (NamespacesPeer(ALL),))
    pol = _policy(ingress=(rule,))
    assert pol.affects(Direction.INGRESS) and not pol.affects(Direction.EGRESS)
    assert pol.rules(Direction.INGRESS) == (rule,) and pol.rules(Direction.EGRESS) == ()


def test_rules_default_to_every_port_and_no_name() -> None:
    rule = ClusterRule(Action.PASS, (NamespacesPeer(ALL),))
    assert rule.protocols == EveryPort() and rule.name == ""
    assert EveryPort().ports == PortSet.every()


@pytest.mark.parametrize(
    ("protocol", "ports", "text"),
    [
        (PortNumber(Protocol.UDP, 53), PortSet.span(Protocol.UDP, 53), "UDP 53"),
        (
            PortRangeMatch(Protocol.TCP, 8000, 8080),
            PortSet.span(Protocol.TCP, 8000, 8080),
            "TCP 8000-8080",
        ),
    ],
)
def test_port_matches_are_port_sets(
    protocol: PortNumber | PortRangeMatch, ports: PortSet, text: str
) -> None:
    assert protocol.ports == ports
    assert str(protocol) == text


def test_a_range_includes_both_ends() -> None:
    ports = PortRangeMatch(Protocol.SCTP, 10, 12).ports
    assert [p for p in range(9, 14) if ports.contains(p, Protocol.SCTP)] == [10, 11, 12]


def test_named_port_text() -> None:
    assert str(NamedPort("http")) == "named port http"


@pytest.mark.parametrize(
    ("ref", "field", "text"),
    [
        (ClusterRuleRef("guard", Direction.INGRESS), "", "cnp/guard"),
        (
            ClusterRuleRef("guard", Direction.INGRESS, 2, "deny-sandbox"),
            "ingress[2]",
            'cnp/guard ingress[2] "deny-sandbox"',
        ),
        (ClusterRuleRef("guard", Direction.EGRESS, 0), "egress[0]", "cnp/guard egress[0]"),
        (
            ClusterRuleRef("guard", Direction.EGRESS, 1, "dns", peer=3),
            "egress[1].to[3]",
            'cnp/guard egress[1].to[3] "dns"',
        ),
        (
            ClusterRuleRef("guard", Direction.INGRESS, 1, protocol=0),
            "ingress[1].protocols[0]",
            "cnp/guard ingress[1].protocols[0]",
        ),
        (  # the peer and the protocol entry that matched: the field path is the peer's
            ClusterRuleRef("guard", Direction.EGRESS, 1, "dns", peer=0, protocol=1),
            "egress[1].to[0]",
            'cnp/guard egress[1].to[0] protocols[1] "dns"',
        ),
    ],
)
def test_rule_refs(ref: ClusterRuleRef, field: str, text: str) -> None:
    assert ref.field == field
    assert str(ref) == text
    assert ref.key == "cnp/guard"


def test_rule_refs_sort_by_policy_direction_then_rule() -> None:
    refs = [
        ClusterRuleRef("b", Direction.INGRESS, 0),
        ClusterRuleRef("a", Direction.EGRESS, 1),
        ClusterRuleRef("a", Direction.EGRESS, 0),
        ClusterRuleRef("a", Direction.INGRESS, 5),
    ]
    assert [str(r) for r in sorted(refs)] == [
        "cnp/a ingress[5]",
        "cnp/a egress[0]",
        "cnp/a egress[1]",
        "cnp/b ingress[0]",
    ]


def test_tiers_and_actions_sort_by_declaration() -> None:
    assert Tier.ADMIN < Tier.BASELINE
    assert sorted([Action.PASS, Action.DENY, Action.ACCEPT]) == [
        Action.ACCEPT,
        Action.DENY,
        Action.PASS,
    ]
    assert str(Tier.BASELINE) == "Baseline" and str(Action.PASS) == "Pass"


def test_node_ips_are_the_addresses_that_are_ips() -> None:
    node = Node(
        "worker",
        addresses=(
            NodeAddress("InternalIP", "10.0.0.5"),
            NodeAddress("Hostname", "worker"),
            NodeAddress("InternalIP", "fd00::5"),
            NodeAddress("ExternalIP", "10.0.0.5"),
        ),
    )
    assert node.ips == (ipaddress.ip_address("10.0.0.5"), ipaddress.ip_address("fd00::5"))
    assert node.ref == ObjectRef("Node", None, "worker") and str(node) == "worker"
    assert NodeAddress("Hostname", "worker").ip is None


def test_cluster_lookups() -> None:
    node, pol = Node("worker"), _policy()
    cluster = Cluster(nodes=(node,), cluster_policies=(pol,))
    assert cluster.node("worker") is node and cluster.node("x") is None
    assert cluster.cluster_policy("guard") is pol
    assert cluster.cluster_policy("cnp/guard") is pol
    assert cluster.cluster_policy("other") is None
    assert Cluster().nodes == () and Cluster().cluster_policies == ()


def test_endpoint_node_name_defaults_to_none() -> None:
    assert Endpoint("shop", "web").node_name is None
    assert Endpoint("shop", "web", node_name="w1").node_name == "w1"


def test_the_model_is_frozen() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        _policy().priority = 3  # type: ignore[misc]


def test_info_sorts_after_warnings() -> None:
    notes = [
        Diagnostic("f", 1, Severity.INFO, "i"),
        Diagnostic("f", 1, Severity.ERROR, "e"),
        Diagnostic("f", 1, Severity.WARNING, "w"),
    ]
    assert [d.severity for d in sorted(notes)] == [Severity.ERROR, Severity.WARNING, Severity.INFO]
    assert str(Diagnostic("cluster:x", 0, Severity.INFO, "note")) == "cluster:x info: note"

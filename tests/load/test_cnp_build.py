"""Valid ClusterNetworkPolicies become the model's closed unions, exactly.

Upstream: network-policy-api apis/v1alpha2 (bundle v0.2.0). `NamespacedPod.namespaceSelector`
is a metav1.LabelSelector struct (not a pointer): absent, it is the empty selector. A peer or a
protocol entry with no field an implementation knows must fail closed (the CRD's description of
ClusterNetworkPolicyEgressPeer); `destinationNamedPort` is a plain string with omitempty, so ""
is "not set". A `networks` CIDR may have host bits set (isCIDR accepts it; netip.Prefix masks
them when matching).
"""

from __future__ import annotations

import ipaddress
import textwrap

import pytest

from podfence.load import LoadOptions, load_texts
from podfence.model import (
    Action,
    ClusterNetworkPolicy,
    ClusterPeer,
    ClusterProtocol,
    Direction,
    DomainNamesPeer,
    EveryPort,
    LabelSelector,
    NamedPort,
    NamespacesPeer,
    NamespacesSubject,
    NetworksPeer,
    NodesPeer,
    ObjectRef,
    Operator,
    PodsPeer,
    PodsSubject,
    PortNumber,
    PortRangeMatch,
    Protocol,
    Requirement,
    Tier,
    UnknownPeer,
    UnknownProtocol,
    frozen_labels,
)

ALL = LabelSelector()
HEAD = """\
apiVersion: policy.networking.k8s.io/v1alpha2
kind: ClusterNetworkPolicy
metadata:
  name: {name}
spec:
  tier: {tier}
  priority: {priority}
"""


def _load(
    body: str, *, name: str = "c", tier: str = "Admin", priority: str = "10"
) -> ClusterNetworkPolicy:
    text = HEAD.format(name=name, tier=tier, priority=priority) + textwrap.indent(
        textwrap.dedent(body), "  "
    )
    result = load_texts([("c.yaml", text)])
    assert result.cluster is not None, [str(d) for d in result.diagnostics]
    (policy,) = result.cluster.cluster_policies
    return policy


def _egress_peer(peer: str) -> ClusterPeer:
    policy = _load(f"subject: {{namespaces: {{}}}}\negress:\n- action: Deny\n  to: [{peer}]\n")
    (rule,) = policy.egress
    (got,) = rule.peers
    return got


def _protocol(protocol: str) -> ClusterProtocol:
    policy = _load(
        "subject: {namespaces: {}}\n"
        f"ingress:\n- action: Deny\n  from: [{{namespaces: {{}}}}]\n  protocols: [{protocol}]\n"
    )
    protocols = policy.ingress[0].protocols
    assert isinstance(protocols, tuple)
    (got,) = protocols
    return got


def test_the_whole_policy() -> None:
    policy = _load(
        """\
        subject:
          pods:
            namespaceSelector: {matchLabels: {team: a}}
            podSelector:
              matchExpressions: [{key: app, operator: NotIn, values: [db]}]
        ingress:
        - name: first
          action: Accept
          from: [{namespaces: {}}]
        egress:
        - action: Pass
          to: [{pods: {podSelector: {}}}]
          protocols: [{tcp: {destinationPort: {number: 443}}}]
        """,
        name="guard",
        tier="Baseline",
        priority="1000",
    )
    assert (policy.name, policy.tier, policy.priority) == ("guard", Tier.BASELINE, 1000)
    assert policy.subject == PodsSubject(
        LabelSelector(frozen_labels({"team": "a"})),
        LabelSelector(match_expressions=(Requirement("app", Operator.NOT_IN, ("db",)),)),
    )
    assert [(r.name, r.action, r.protocols) for r in policy.ingress] == [
        ("first", Action.ACCEPT, EveryPort())
    ]
    assert [(r.name, r.action, r.protocols) for r in policy.egress] == [
        ("", Action.PASS, (PortNumber(Protocol.TCP, 443),))
    ]
    assert policy.location.line == 1 and policy.location.file == "c.yaml"


def test_namespaces_subject() -> None:
    assert _load("subject: {namespaces: {}}\n").subject == NamespacesSubject(ALL)


def test_an_absent_namespace_selector_selects_every_namespace() -> None:
    policy = _load("subject: {pods: {podSelector: {matchLabels: {a: b}}}}\n")
    assert policy.subject == PodsSubject(ALL, LabelSelector(frozen_labels({"a": "b"})))
    assert _egress_peer("{pods: {podSelector: {}}}") == PodsPeer(ALL, ALL)


@pytest.mark.parametrize(
    ("peer", "expected"),
    [
        (
            "{namespaces: {matchLabels: {a: b}}}",
            NamespacesPeer(LabelSelector(frozen_labels({"a": "b"}))),
        ),
        ("{pods: {namespaceSelector: {}, podSelector: {}}}", PodsPeer(ALL, ALL)),
        ("{nodes: {}}", NodesPeer(ALL)),
        (
            '{networks: ["10.0.0.1/24", "::1.2.3.4/128", "2001:DB8::/32"]}',
            NetworksPeer(
                (
                    ipaddress.ip_network("10.0.0.0/24"),
                    ipaddress.ip_network("::102:304/128"),
                    ipaddress.ip_network("2001:db8::/32"),
                )
            ),
        ),
        (
            '{domainNames: ["*.example.com", "example.org."]}',
            DomainNamesPeer(("*.example.com", "example.org.")),
        ),
        ("{services: {}}", UnknownPeer(("services",))),
    ],
    ids=["namespaces", "pods", "nodes", "networks", "domainNames", "unknown"],
)
def test_egress_peers(peer: str, expected: ClusterPeer) -> None:
    assert _egress_peer(peer) == expected


@pytest.mark.parametrize(
    ("protocol", "expected"),
    [
        ("{tcp: {destinationPort: {number: 80}}}", PortNumber(Protocol.TCP, 80)),
        ("{udp: {destinationPort: {number: 53.0}}}", PortNumber(Protocol.UDP, 53)),
        (
            "{sctp: {destinationPort: {range: {start: 1, end: 65535}}}}",
            PortRangeMatch(Protocol.SCTP, 1, 65535),
        ),
        ("{destinationNamedPort: http}", NamedPort("http")),
        ('{destinationNamedPort: ""}', UnknownProtocol(("destinationNamedPort",))),
        ("{icmp: {type: 8}}", UnknownProtocol(("icmp",))),
        ("{tcp: {sourcePort: 1}}", UnknownProtocol(("tcp", "sourcePort"))),
        (
            "{udp: {destinationPort: {list: [1]}}}",
            UnknownProtocol(("udp", "destinationPort", "list")),
        ),
    ],
    ids=[
        "number",
        "float-number",
        "range",
        "named",
        "empty-named",
        "icmp",
        "tcp-unknown",
        "port-unknown",
    ],
)
def test_protocols(protocol: str, expected: ClusterProtocol) -> None:
    assert _protocol(protocol) == expected


def test_protocols_keep_their_order() -> None:
    policy = _load(
        """\
        subject: {namespaces: {}}
        egress:
        - action: Deny
          to: [{pods: {podSelector: {}}}]
          protocols:
          - destinationNamedPort: dns
          - udp: {destinationPort: {number: 53}}
          - tcp: {destinationPort: {range: {start: 52, end: 54}}}
        """
    )
    assert policy.egress[0].protocols == (
        NamedPort("dns"),
        PortNumber(Protocol.UDP, 53),
        PortRangeMatch(Protocol.TCP, 52, 54),
    )


def test_a_priority_written_as_a_float() -> None:
    assert _load("subject: {namespaces: {}}\n", priority="7.0").priority == 7


def test_rules_keep_their_written_order() -> None:
    body = "subject: {namespaces: {}}\ningress:\n" + "".join(
        f"- {{name: r{i}, action: {a}, from: [{{namespaces: {{}}}}]}}\n"
        for i, a in enumerate(["Pass", "Deny", "Accept"])
    )
    policy = _load(body)
    assert [(r.name, r.action) for r in policy.rules(Direction.INGRESS)] == [
        ("r0", Action.PASS),
        ("r1", Action.DENY),
        ("r2", Action.ACCEPT),
    ]


def test_cluster_policies_are_sorted_by_name_with_positions() -> None:
    def doc(name: str) -> str:
        return HEAD.format(name=name, tier="Admin", priority="5") + "  subject: {namespaces: {}}\n"

    result = load_texts([("a.yaml", doc("zeta") + "---\n" + doc("alpha"))])
    assert result.cluster is not None, [str(d) for d in result.diagnostics]
    assert [p.name for p in result.cluster.cluster_policies] == ["alpha", "zeta"]
    ref = ObjectRef("ClusterNetworkPolicy", None, "alpha")
    assert result.cluster.line_of(ref, "spec.subject") == 17
    assert result.cluster.line_of(ref, "spec.ingress[0]") == 14  # at spec, its nearest field


def test_a_duplicate_name_merges_like_kubectl_and_is_an_error_when_strict() -> None:
    doc = HEAD.format(name="dup", tier="Admin", priority="5") + "  subject: {namespaces: {}}\n"
    result = load_texts([("a.yaml", doc + "---\n" + doc)])
    assert result.cluster is not None and len(result.cluster.cluster_policies) == 1
    assert [d.severity.value for d in result.diagnostics] == ["warning"]
    strict = load_texts([("a.yaml", doc + "---\n" + doc)], options=LoadOptions(strict=True))
    assert strict.cluster is None
    assert [d.severity.value for d in strict.diagnostics] == ["error"]


def test_a_list_of_cluster_policies() -> None:
    text = """\
apiVersion: policy.networking.k8s.io/v1alpha2
kind: ClusterNetworkPolicyList
items:
- apiVersion: policy.networking.k8s.io/v1alpha2
  kind: ClusterNetworkPolicy
  metadata: {name: a}
  spec: {tier: Admin, priority: 1, subject: {namespaces: {}}}
"""
    result = load_texts([("l.yaml", text)])
    assert result.cluster is not None, [str(d) for d in result.diagnostics]
    assert [(p.name, p.location.line) for p in result.cluster.cluster_policies] == [("a", 4)]


def test_another_api_version_is_an_error() -> None:
    text = HEAD.format(name="c", tier="Admin", priority="1").replace("v1alpha2", "v1beta1")
    result = load_texts([("c.yaml", text + "  subject: {namespaces: {}}\n")])
    assert [str(d) for d in result.diagnostics] == [
        'c.yaml:1 error: ClusterNetworkPolicy c apiVersion: apiVersion "policy.networking.k8s.io/'
        'v1beta1" is not supported for ClusterNetworkPolicy: podfence reads ClusterNetworkPolicy '
        'from "policy.networking.k8s.io/v1alpha2"'
    ]


@pytest.mark.parametrize("kind", ["AdminNetworkPolicy", "BaselineAdminNetworkPolicy"])
def test_the_v1alpha1_kinds_are_skipped_with_a_warning(kind: str) -> None:
    text = f"apiVersion: policy.networking.k8s.io/v1alpha1\nkind: {kind}\nmetadata: {{name: x}}\n"
    result = load_texts([("a.yaml", text)])
    assert result.cluster is not None
    assert [str(d) for d in result.diagnostics] == [
        f'a.yaml:2 warning: {kind} x kind: kind "{kind}" (policy.networking.k8s.io/v1alpha1) is '
        "not read by podfence: ClusterNetworkPolicy (v1alpha2) succeeds it; skipped"
    ]

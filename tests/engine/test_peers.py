"""Rules and peers: empty versus missing, pod and namespace selectors, AND versus OR, ipBlock.

Sources (API reference networking.k8s.io/v1, field docs):
- NetworkPolicySpec.ingress/egress: "If this field is empty then this NetworkPolicy does not
  allow any traffic"; an empty rule (`[{}]`) has neither `from` nor `ports`.
- NetworkPolicyIngressRule.from / EgressRule.to / .ports: "If this field is empty or missing,
  this rule matches all sources/destinations/ports"; items are ORed.
- NetworkPolicyPeer.podSelector: without namespaceSelector it "selects the pods matching
  podSelector in the policy's own namespace"; "if present but empty, it selects all pods".
- NetworkPolicyPeer.namespaceSelector: without podSelector it "selects all pods in the
  namespaces selected"; "if present but empty, it selects all namespaces"; with podSelector
  the peer selects pods matching podSelector in those namespaces (AND).
- IPBlock: `cidr` minus the `except` CIDRs.
- Upstream e2e (test/e2e/network/netpol/network_policy.go), cited per case.
"""

from __future__ import annotations

import pytest

from engine.builders import (
    EGRESS,
    EVERYTHING,
    Row,
    case,
    check_case,
    ip_peer,
    peer,
    policy,
    rule,
    sel,
    tcp,
)
from podfence.model import NAME_LABEL, NetworkPolicy, Peer, Protocol, Rule

EMPTY_VS_MISSING = [
    # `ingress: []` -> no Rule at all: isolates and allows nothing.
    case(
        "ingress-empty-list-denies-all",
        policy("x/p", sel({"pod": "a"}), ingress=[]),
        src="x/b",
        dst="x/a",
        allowed=False,
        ingress="denied: x/p no-rules",
    ),
    # `ingress: [{}]` -> one Rule() matching every peer and port (upstream: "should support
    # allow-all policy").
    case(
        "ingress-empty-rule-allows-pods-anywhere",
        policy("x/p", sel({"pod": "a"}), ingress=[Rule()]),
        src="z/a",
        dst="x/a",
        port=12345,
        protocol=Protocol.UDP,
        allowed=True,
        ingress="allowed by x/p ingress[0]",
    ),
    case(
        "ingress-empty-rule-allows-outside-addresses",
        policy("x/p", sel({"pod": "a"}), ingress=[Rule()]),
        src="198.51.100.1",
        dst="x/a",
        allowed=True,
        egress="outside",
        ingress="allowed by x/p ingress[0]",
    ),
    case(
        "egress-empty-list-denies-all",
        policy("x/p", sel({"pod": "a"}), egress=[], types=EGRESS),
        src="x/a",
        dst="x/b",
        allowed=False,
        egress="denied: x/p no-rules",
    ),
    case(
        "egress-empty-rule-allows-everything",
        policy("x/p", sel({"pod": "a"}), egress=[Rule()], types=EGRESS),
        src="x/a",
        dst="198.51.100.1",
        port=443,
        allowed=True,
        egress="allowed by x/p egress[0]",
        ingress="outside",
    ),
    # `from` missing, `ports` listed: every source, on those ports only.
    case(
        "from-missing-matches-every-source",
        policy("x/p", sel({"pod": "a"}), ingress=[rule(ports=[tcp(80)])]),
        src="z/a",
        dst="x/a",
        allowed=True,
        ingress="allowed by x/p ingress[0] ports[0]",
    ),
    case(
        "from-missing-matches-outside-sources",
        policy("x/p", sel({"pod": "a"}), ingress=[rule(ports=[tcp(80)])]),
        src="198.51.100.1",
        dst="x/a",
        allowed=True,
        egress="outside",
        ingress="allowed by x/p ingress[0] ports[0]",
    ),
    # `ports` missing, `from` listed: those sources, on every port and protocol.
    case(
        "ports-missing-matches-every-port-and-protocol",
        policy("x/p", sel({"pod": "a"}), ingress=[rule(peer(sel({"pod": "b"})))]),
        src="x/b",
        dst="x/a",
        port=9999,
        protocol=Protocol.SCTP,
        allowed=True,
        ingress="allowed by x/p ingress[0].from[0]",
    ),
]


@pytest.mark.parametrize("row", EMPTY_VS_MISSING)
def test_empty_versus_missing(row: Row) -> None:
    check_case(row)


def _from(*peers: Peer) -> NetworkPolicy:
    """A policy on x/a with a single ingress rule from `peers`, any port."""
    return policy("x/p", sel({"pod": "a"}), ingress=[rule(*peers)])


POD_SELECTOR_ALONE = peer(sel({"pod": "b"}))
EVERY_POD_OWN_NAMESPACE = peer(EVERYTHING)
BLUE_NAMESPACES = peer(namespaces=sel({"team": "blue"}))
EVERY_NAMESPACE = peer(namespaces=EVERYTHING)
EVERY_POD_IN_BLUE = peer(EVERYTHING, sel({"team": "blue"}))
POD_B_IN_BLUE = peer(sel({"pod": "b"}), sel({"team": "blue"}))

SELECTOR_PEERS = [
    # podSelector alone: the policy's own namespace only (upstream: "should enforce policy to
    # allow traffic from pods within server namespace based on PodSelector").
    case(
        "pod-selector-alone-own-namespace",
        _from(POD_SELECTOR_ALONE),
        src="x/b",
        dst="x/a",
        allowed=True,
        ingress="allowed by x/p ingress[0].from[0]",
    ),
    case(
        "pod-selector-alone-same-labels-other-namespace",
        _from(POD_SELECTOR_ALONE),
        src="y/b",
        dst="x/a",
        allowed=False,
        ingress="denied: x/p ingress[0] peer",
    ),
    case(
        "pod-selector-alone-not-matching",
        _from(POD_SELECTOR_ALONE),
        src="x/c",
        dst="x/a",
        allowed=False,
        ingress="denied: x/p ingress[0] peer",
    ),
    # podSelector {} alone: every pod of the own namespace, no other (upstream: "should deny
    # ingress from pods on other namespaces").
    case(
        "empty-pod-selector-alone-own-namespace",
        _from(EVERY_POD_OWN_NAMESPACE),
        src="x/c",
        dst="x/a",
        allowed=True,
        ingress="allowed by x/p ingress[0].from[0]",
    ),
    case(
        "empty-pod-selector-alone-other-namespace",
        _from(EVERY_POD_OWN_NAMESPACE),
        src="y/a",
        dst="x/a",
        allowed=False,
        ingress="denied: x/p ingress[0] peer",
    ),
    # namespaceSelector alone: every pod of the matching namespaces (upstream: "should enforce
    # policy to allow traffic only from a different namespace, based on NamespaceSelector").
    case(
        "namespace-selector-alone-matching-namespace",
        _from(BLUE_NAMESPACES),
        src="y/b",
        dst="x/a",
        allowed=True,
        ingress="allowed by x/p ingress[0].from[0]",
    ),
    case(
        "namespace-selector-alone-other-namespace",
        _from(BLUE_NAMESPACES),
        src="z/a",
        dst="x/a",
        allowed=False,
        ingress="denied: x/p ingress[0] peer",
    ),
    case(
        "namespace-selector-alone-excludes-own-namespace",
        _from(BLUE_NAMESPACES),
        src="x/b",
        dst="x/a",
        allowed=False,
        ingress="denied: x/p ingress[0] peer",
    ),
    # namespaceSelector {}: every pod of every namespace (upstream: "should enforce policy to
    # allow ingress traffic from pods in all namespaces") but not an outside address.
    case(
        "every-namespace-own",
        _from(EVERY_NAMESPACE),
        src="x/b",
        dst="x/a",
        allowed=True,
        ingress="allowed by x/p ingress[0].from[0]",
    ),
    case(
        "every-namespace-unlabelled-namespace",
        _from(EVERY_NAMESPACE),
        src="z/a",
        dst="x/a",
        allowed=True,
        ingress="allowed by x/p ingress[0].from[0]",
    ),
    case(
        "every-namespace-not-an-outside-address",
        _from(EVERY_NAMESPACE),
        src="198.51.100.1",
        dst="x/a",
        allowed=False,
        egress="outside",
        ingress="denied: x/p ingress[0] peer",
    ),
    case(
        "every-namespace-not-an-outside-address-equal-to-a-pod-ip",
        _from(EVERY_NAMESPACE),
        src="10.0.2.1",
        dst="x/a",
        allowed=False,
        egress="outside",
        ingress="denied: x/p ingress[0] peer",
    ),
    # podSelector {} with namespaceSelector: every pod of the matching namespaces.
    case(
        "empty-pod-selector-and-namespace-selector-matching",
        _from(EVERY_POD_IN_BLUE),
        src="y/a",
        dst="x/a",
        allowed=True,
        ingress="allowed by x/p ingress[0].from[0]",
    ),
    case(
        "empty-pod-selector-and-namespace-selector-other",
        _from(EVERY_POD_IN_BLUE),
        src="z/a",
        dst="x/a",
        allowed=False,
        ingress="denied: x/p ingress[0] peer",
    ),
    # Both selectors in ONE peer are ANDed (upstream: "should enforce policy based on
    # PodSelector and NamespaceSelector").
    case(
        "and-both-match",
        _from(POD_B_IN_BLUE),
        src="y/b",
        dst="x/a",
        allowed=True,
        ingress="allowed by x/p ingress[0].from[0]",
    ),
    case(
        "and-namespace-matches-pod-does-not",
        _from(POD_B_IN_BLUE),
        src="y/a",
        dst="x/a",
        allowed=False,
        ingress="denied: x/p ingress[0] peer",
    ),
    case(
        "and-pod-matches-namespace-does-not",
        _from(POD_B_IN_BLUE),
        src="x/b",
        dst="x/a",
        allowed=False,
        ingress="denied: x/p ingress[0] peer",
    ),
    # Separate peers are ORed (upstream: "should enforce policy based on PodSelector or
    # NamespaceSelector"); the first matching peer is the one reported.
    case(
        "or-first-peer",
        _from(POD_SELECTOR_ALONE, BLUE_NAMESPACES),
        src="x/b",
        dst="x/a",
        allowed=True,
        ingress="allowed by x/p ingress[0].from[0]",
    ),
    case(
        "or-second-peer",
        _from(POD_SELECTOR_ALONE, BLUE_NAMESPACES),
        src="y/b",
        dst="x/a",
        allowed=True,
        ingress="allowed by x/p ingress[0].from[1]",
    ),
    case(
        "or-neither-peer",
        _from(POD_SELECTOR_ALONE, BLUE_NAMESPACES),
        src="z/a",
        dst="x/a",
        allowed=False,
        ingress="denied: x/p ingress[0] peer",
    ),
    case(
        "or-reports-first-of-several-matching-peers",
        _from(EVERY_NAMESPACE, POD_SELECTOR_ALONE),
        src="x/b",
        dst="x/a",
        allowed=True,
        ingress="allowed by x/p ingress[0].from[0]",
    ),
    # The same selectors on the egress side (upstream: "should enforce egress policy allowing
    # traffic to a server in a different namespace based on PodSelector and
    # NamespaceSelector").
    case(
        "egress-and-both-match",
        policy("x/p", sel({"pod": "a"}), egress=[rule(POD_B_IN_BLUE)], types=EGRESS),
        src="x/a",
        dst="y/b",
        allowed=True,
        egress="allowed by x/p egress[0].to[0]",
    ),
    case(
        "egress-pod-selector-alone-other-namespace",
        policy("x/p", sel({"pod": "a"}), egress=[rule(POD_SELECTOR_ALONE)], types=EGRESS),
        src="x/a",
        dst="y/b",
        allowed=False,
        egress="denied: x/p egress[0] peer",
    ),
    # Namespaces are matched by their labels, including the name label the API server sets
    # (upstream: "... NamespaceSelector with MatchLabels using default ns label").
    case(
        "namespace-name-label",
        _from(peer(namespaces=sel({NAME_LABEL: "z"}))),
        src="z/a",
        dst="x/a",
        allowed=True,
        ingress="allowed by x/p ingress[0].from[0]",
    ),
]


@pytest.mark.parametrize("row", SELECTOR_PEERS)
def test_selector_peers(row: Row) -> None:
    check_case(row)


IP_BLOCKS = [
    # An ipBlock matches pod IPs as well as outside addresses (upstream: "should allow egress
    # access to server in CIDR block" builds the block from a pod IP).
    case(
        "ipblock-matches-pod-ip",
        _from(ip_peer("10.0.2.0/24")),
        src="y/a",
        dst="x/a",
        family=4,
        allowed=True,
        ingress="allowed by x/p ingress[0].from[0]",
    ),
    # Asked by name, a dual-stack pair may connect over either family; the IPv4 block does
    # not match the IPv6 packets (the kernel matches the packet's address), so not allowed.
    case(
        "ipblock-v4-by-name-dual-stack-denied-over-ipv6",
        _from(ip_peer("10.0.2.0/24")),
        src="y/a",
        dst="x/a",
        allowed=False,
        ingress="denied: x/p ingress[0] peer",
    ),
    case(
        "ipblock-pod-ip-outside-cidr",
        _from(ip_peer("10.0.2.0/24")),
        src="z/a",
        dst="x/a",
        family=4,
        allowed=False,
        ingress="denied: x/p ingress[0] peer",
    ),
    case(
        "ipblock-matches-outside-address",
        _from(ip_peer("198.51.100.0/24")),
        src="198.51.100.200",
        dst="x/a",
        allowed=True,
        egress="outside",
        ingress="allowed by x/p ingress[0].from[0]",
    ),
    # IPBlock.except: addresses of the cidr that are excepted do not match (upstream: "should
    # enforce except clause while egress access to server in CIDR block").
    case(
        "ipblock-except-excluded",
        _from(ip_peer("10.0.0.0/16", "10.0.2.0/24")),
        src="y/b",
        dst="x/a",
        family=4,
        allowed=False,
        ingress="denied: x/p ingress[0] peer",
    ),
    case(
        "ipblock-except-rest-of-cidr-matches",
        _from(ip_peer("10.0.0.0/16", "10.0.2.0/24")),
        src="z/a",
        dst="x/a",
        family=4,
        allowed=True,
        ingress="allowed by x/p ingress[0].from[0]",
    ),
    case(
        "ipblock-except-single-host",
        _from(ip_peer("10.0.2.0/24", "10.0.2.2/32")),
        src="y/b",
        dst="x/a",
        family=4,
        allowed=False,
        ingress="denied: x/p ingress[0] peer",
    ),
    case(
        "ipblock-except-single-host-neighbour",
        _from(ip_peer("10.0.2.0/24", "10.0.2.2/32")),
        src="y/a",
        dst="x/a",
        family=4,
        allowed=True,
        ingress="allowed by x/p ingress[0].from[0]",
    ),
    case(
        "ipblock-except-outside-address",
        _from(ip_peer("198.51.100.0/24", "198.51.100.128/25")),
        src="198.51.100.200",
        dst="x/a",
        allowed=False,
        egress="outside",
        ingress="denied: x/p ingress[0] peer",
    ),
    # upstream: "should ensure an IP overlapping both IPBlock.CIDR and IPBlock.Except is
    # allowed" -- by another policy: policies are ORed, except only narrows its own block.
    case(
        "ipblock-except-reallowed-by-other-policy",
        policy(
            "x/big",
            sel({"pod": "a"}),
            egress=[rule(ip_peer("10.0.0.0/16", "10.0.2.2/32"))],
            types=EGRESS,
        ),
        policy("x/host", sel({"pod": "a"}), egress=[rule(ip_peer("10.0.2.2/32"))], types=EGRESS),
        src="x/a",
        dst="y/b",
        family=4,
        allowed=True,
        egress="allowed by x/host egress[0].to[0]",
    ),
    # IPv6.
    case(
        "ipblock-ipv6-matches-pod-ip",
        _from(ip_peer("fd00:2::/64")),
        src="y/a",
        dst="x/a",
        family=6,
        allowed=True,
        ingress="allowed by x/p ingress[0].from[0]",
    ),
    case(
        "ipblock-ipv6-pod-ip-outside",
        _from(ip_peer("fd00:2::/64")),
        src="z/a",
        dst="x/a",
        family=6,
        allowed=False,
        ingress="denied: x/p ingress[0] peer",
    ),
    case(
        "ipblock-ipv6-single-address-of-dual-stack-pod",
        _from(ip_peer("fd00:2::2/128")),
        src="y/b",
        dst="x/a",
        family=6,
        allowed=True,
        ingress="allowed by x/p ingress[0].from[0]",
    ),
    case(
        "ipblock-ipv6-except",
        _from(ip_peer("2001:db8::/32", "2001:db8::/64")),
        src="2001:db8::5",
        dst="x/a",
        allowed=False,
        egress="outside",
        ingress="denied: x/p ingress[0] peer",
    ),
    case(
        "ipblock-ipv6-outside-except",
        _from(ip_peer("2001:db8::/32", "2001:db8::/64")),
        src="2001:db8:1::5",
        dst="x/a",
        allowed=True,
        egress="outside",
        ingress="allowed by x/p ingress[0].from[0]",
    ),
    # The other family never matches, even with a block covering everything.
    case(
        "ipblock-v6-everything-not-v4-address",
        _from(ip_peer("::/0")),
        src="198.51.100.1",
        dst="x/a",
        allowed=False,
        egress="outside",
        ingress="denied: x/p ingress[0] peer",
    ),
    case(
        "ipblock-v4-everything-not-v6-address",
        _from(ip_peer("0.0.0.0/0")),
        src="2001:db8::1",
        dst="x/a",
        allowed=False,
        egress="outside",
        ingress="denied: x/p ingress[0] peer",
    ),
    # Egress to a pod by its IP.
    case(
        "egress-ipblock-to-pod-ip",
        policy("x/p", sel({"pod": "a"}), egress=[rule(ip_peer("10.0.2.2/32"))], types=EGRESS),
        src="x/a",
        dst="y/b",
        family=4,
        allowed=True,
        egress="allowed by x/p egress[0].to[0]",
    ),
    case(
        "egress-ipblock-other-pod",
        policy("x/p", sel({"pod": "a"}), egress=[rule(ip_peer("10.0.2.2/32"))], types=EGRESS),
        src="x/a",
        dst="y/a",
        family=4,
        allowed=False,
        egress="denied: x/p egress[0] peer",
    ),
]


@pytest.mark.parametrize("row", IP_BLOCKS)
def test_ip_blocks(row: Row) -> None:
    check_case(row)

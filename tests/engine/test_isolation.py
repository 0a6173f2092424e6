"""Who is isolated, in which direction, and how policies and both ends combine.

Sources:
- API reference networking.k8s.io/v1 NetworkPolicySpec (`ingress`, `egress`, `policyTypes`
  field docs): a pod is isolated for a direction when a policy whose policyTypes lists it
  selects the pod; traffic is then allowed if it matches at least one rule across all such
  policies (rules combine additively).
- Concepts, "Network Policies": for a connection to be allowed, the source's egress and the
  destination's ingress must both allow it; "a pod cannot block access to itself";
  the section on hostNetwork pods.
- Upstream e2e (test/e2e/network/netpol/network_policy.go), cited per case.
"""

from __future__ import annotations

import pytest

from engine.builders import (
    EGRESS,
    EVERYTHING,
    INGRESS,
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
from podfence.model import NAME_LABEL, Protocol, Rule

# Deny-all policies of namespace x: an empty selector and no rules for the direction.
DENY_IN_X = policy("x/deny-in")  # policyTypes defaulted to [Ingress]
DENY_EG_X = policy("x/deny-eg", types=EGRESS)  # explicit policyTypes [Egress], egress: []
DENY_ALL_X = policy("x/deny-all", egress=[])  # policyTypes [Ingress, Egress]

# Upstream "should support denying of egress traffic on the client side (even if the server
# explicitly allows this traffic)": x/a may only reach y/a; y's pods admit x/a.
X_A_TO_Y_A = policy(
    "x/to-ya",
    sel({"pod": "a"}),
    egress=[rule(peer(sel({"pod": "a"}), sel({NAME_LABEL: "y"})))],
    types=EGRESS,
)
Y_FROM_X_A = policy("y/from-xa", ingress=[rule(peer(sel({"pod": "a"}), sel({NAME_LABEL: "x"})))])

ALLOW_B = policy("x/allow-b", sel({"pod": "a"}), ingress=[rule(peer(sel({"pod": "b"})))])
ALLOW_C = policy("x/allow-c", sel({"pod": "a"}), ingress=[rule(peer(sel({"pod": "c"})))])

ISOLATION = [
    case("no-policy-allows-everything", src="x/b", dst="x/a", allowed=True),
    # An ingress-only policy isolates ingress and leaves egress alone (and vice versa).
    # Upstream: "should support a 'default-deny-ingress' policy",
    # "should deny egress from all pods in a namespace".
    case(
        "ingress-only-policy-isolates-ingress",
        DENY_IN_X,
        src="y/a",
        dst="x/a",
        allowed=False,
        ingress="denied: x/deny-in no-rules",
    ),
    case(
        "ingress-only-policy-does-not-isolate-egress",
        DENY_IN_X,
        src="x/a",
        dst="y/a",
        allowed=True,
    ),
    case(
        "egress-only-policy-isolates-egress",
        DENY_EG_X,
        src="x/a",
        dst="y/a",
        allowed=False,
        egress="denied: x/deny-eg no-rules",
    ),
    case(
        "egress-only-policy-does-not-isolate-ingress",
        DENY_EG_X,
        src="y/a",
        dst="x/a",
        allowed=True,
    ),
    case(
        "deny-all-both-directions-egress-side",
        DENY_ALL_X,
        src="x/a",
        dst="y/a",
        allowed=False,
        egress="denied: x/deny-all no-rules",
    ),
    case(
        "deny-all-both-directions-ingress-side",
        DENY_ALL_X,
        src="y/a",
        dst="x/a",
        allowed=False,
        ingress="denied: x/deny-all no-rules",
    ),
    # NetworkPolicySpec.podSelector: "selects the pods [...] in the policy's namespace";
    # a policy never selects pods of another namespace, even with matching labels.
    case(
        "policy-in-other-namespace-never-selects",
        policy("y/deny-pod-a", sel({"pod": "a"})),
        src="x/b",
        dst="x/a",
        allowed=True,
    ),
    case(
        "policy-selects-in-its-own-namespace",
        policy("y/deny-pod-a", sel({"pod": "a"})),
        src="x/b",
        dst="y/a",
        allowed=False,
        ingress="denied: y/deny-pod-a no-rules",
    ),
    case(
        "policy-selector-not-matching-leaves-pod-unisolated",
        policy("x/deny-pod-c", sel({"pod": "c"})),
        src="x/b",
        dst="x/a",
        allowed=True,
    ),
    # Both ends must allow: the source's egress AND the destination's ingress.
    case(
        "egress-and-ingress-both-allow",
        X_A_TO_Y_A,
        Y_FROM_X_A,
        src="x/a",
        dst="y/a",
        allowed=True,
        egress="allowed by x/to-ya egress[0].to[0]",
        ingress="allowed by y/from-xa ingress[0].from[0]",
    ),
    case(
        "egress-denies-although-ingress-allows",
        X_A_TO_Y_A,
        Y_FROM_X_A,
        src="x/a",
        dst="y/b",
        allowed=False,
        egress="denied: x/to-ya egress[0] peer",
        ingress="allowed by y/from-xa ingress[0].from[0]",
    ),
    case(
        "ingress-denies-although-egress-not-isolated",
        X_A_TO_Y_A,
        Y_FROM_X_A,
        src="x/b",
        dst="y/a",
        allowed=False,
        ingress="denied: y/from-xa ingress[0] peer",
    ),
    # Rules of all selecting policies are ORed (upstream: "should enforce policy to allow
    # ingress traffic for a target", "... allow-all policy taking precedence").
    case(
        "union-first-policy-allows",
        ALLOW_B,
        ALLOW_C,
        src="x/b",
        dst="x/a",
        allowed=True,
        ingress="allowed by x/allow-b ingress[0].from[0]",
    ),
    case(
        "union-second-policy-allows",
        ALLOW_B,
        ALLOW_C,
        src="x/c",
        dst="x/a",
        allowed=True,
        ingress="allowed by x/allow-c ingress[0].from[0]",
    ),
    case(
        "union-neither-allows",
        ALLOW_B,
        ALLOW_C,
        src="y/b",
        dst="x/a",
        allowed=False,
        ingress="denied: x/allow-b ingress[0] peer, x/allow-c ingress[0] peer",
    ),
    case(
        "union-deny-all-does-not-subtract",
        DENY_IN_X,
        ALLOW_B,
        src="x/b",
        dst="x/a",
        allowed=True,
        ingress="allowed by x/allow-b ingress[0].from[0]",
    ),
    case(
        "union-allow-all-overrides-port-restriction",
        policy("x/port-80", ingress=[rule(ports=[tcp(80)])]),
        policy("x/allow-all", ingress=[Rule()]),
        src="y/a",
        dst="x/a",
        port=81,
        allowed=True,
        ingress="allowed by x/allow-all ingress[0]",
    ),
    case(
        "union-port-restriction-alone-denies",
        policy("x/port-80", ingress=[rule(ports=[tcp(80)])]),
        src="y/a",
        dst="x/a",
        port=81,
        allowed=False,
        ingress="denied: x/port-80 ingress[0] port",
    ),
    # policyTypes decides; rules of a direction it does not list are ignored (NetworkPolicySpec
    # .policyTypes; upstream "should work with Ingress, Egress specified together").
    case(
        "egress-rules-ignored-without-egress-type",
        policy(
            "x/ingress-type-only",
            ingress=[Rule()],
            egress=[rule(ip_peer("10.0.2.0/24"))],
            types=INGRESS,
        ),
        src="x/a",
        dst="z/a",
        allowed=True,
    ),
    case(
        "ingress-rules-ignored-without-ingress-type",
        policy(
            "x/egress-type-only",
            ingress=[rule(peer(sel({"pod": "b"})))],
            egress=[Rule()],
            types=EGRESS,
        ),
        src="x/c",
        dst="x/a",
        allowed=True,
        egress="allowed by x/egress-type-only egress[0]",
    ),
]


@pytest.mark.parametrize("row", ISOLATION)
def test_isolation(row: Row) -> None:
    check_case(row)


SPECIAL_PARTIES = [
    # Concepts, "Network Policies": "a pod cannot block access to itself"; upstream e2e
    # Reachability.AllowLoopback: "loopback logic follows no policy".
    case(
        "self-allowed-under-deny-all",
        DENY_ALL_X,
        src="x/a",
        dst="x/a",
        allowed=True,
        egress="self",
        ingress="self",
    ),
    case(
        "self-allowed-on-any-protocol",
        DENY_ALL_X,
        src="x/a",
        dst="x/a",
        port=9999,
        protocol=Protocol.SCTP,
        allowed=True,
        egress="self",
        ingress="self",
    ),
    case(
        "same-labels-other-pod-is-not-self",
        DENY_ALL_X,
        src="x/a",
        dst="x/hostnet",
        allowed=False,
        egress="denied: x/deny-all no-rules",
        ingress="host-network",
    ),
    # Concepts, "NetworkPolicy and hostNetwork pods" (the common implementation): a
    # hostNetwork pod is never isolated, pod/namespace selectors ignore it, and its traffic
    # is the node's: an ipBlock on its address matches it.
    case(
        "hostnetwork-egress-never-isolated",
        DENY_ALL_X,
        src="x/hostnet",
        dst="y/a",
        allowed=True,
        egress="host-network",
    ),
    case(
        "hostnetwork-ingress-never-isolated",
        DENY_ALL_X,
        src="y/a",
        dst="x/hostnet",
        allowed=True,
        ingress="host-network",
    ),
    case(
        "hostnetwork-not-matched-by-pod-selector",
        policy("x/from-pod-a", ingress=[rule(peer(sel({"pod": "a"})))]),
        src="x/hostnet",
        dst="x/b",
        allowed=False,
        egress="host-network",
        ingress="denied: x/from-pod-a ingress[0] peer",
    ),
    case(
        "hostnetwork-not-matched-by-namespace-selector",
        policy("y/from-x", ingress=[rule(peer(namespaces=sel({NAME_LABEL: "x"})))]),
        src="x/hostnet",
        dst="y/a",
        allowed=False,
        egress="host-network",
        ingress="denied: y/from-x ingress[0] peer",
    ),
    case(
        "hostnetwork-not-matched-by-every-namespace",
        policy("y/from-anywhere-in", ingress=[rule(peer(EVERYTHING, EVERYTHING))]),
        src="x/hostnet",
        dst="y/a",
        allowed=False,
        egress="host-network",
        ingress="denied: y/from-anywhere-in ingress[0] peer",
    ),
    case(
        "hostnetwork-matched-by-ipblock-on-its-ip",
        policy("y/from-nodes", ingress=[rule(ip_peer("192.168.0.0/24"))]),
        src="x/hostnet",
        dst="y/a",
        allowed=True,
        egress="host-network",
        ingress="allowed by y/from-nodes ingress[0].from[0]",
    ),
    case(
        "hostnetwork-destination-matched-by-ipblock-on-egress",
        policy("x/to-nodes", sel({"pod": "b"}), egress=[rule(ip_peer("192.168.0.10/32"))]),
        src="x/b",
        dst="x/hostnet",
        allowed=True,
        egress="allowed by x/to-nodes egress[0].to[0]",
        ingress="host-network",
    ),
    # An outside source has no egress policy; an outside destination has no ingress policy.
    case(
        "external-source-outside-and-ingress-allows",
        policy("y/from-net", ingress=[rule(ip_peer("203.0.113.0/24"))]),
        src="203.0.113.9",
        dst="y/a",
        allowed=True,
        egress="outside",
        ingress="allowed by y/from-net ingress[0].from[0]",
    ),
    case(
        "external-source-denied-by-deny-all",
        DENY_IN_X,
        src="203.0.113.9",
        dst="x/a",
        allowed=False,
        egress="outside",
        ingress="denied: x/deny-in no-rules",
    ),
    case(
        "external-destination-allowed-by-ipblock",
        policy("x/to-internet", egress=[rule(ip_peer("0.0.0.0/0", "10.0.0.0/8"))], types=EGRESS),
        src="x/a",
        dst="8.8.8.8",
        port=53,
        protocol=Protocol.UDP,
        allowed=True,
        egress="allowed by x/to-internet egress[0].to[0]",
        ingress="outside",
    ),
    case(
        "external-destination-not-in-ipblock",
        policy("x/to-cluster", egress=[rule(ip_peer("10.0.0.0/8"))], types=EGRESS),
        src="x/a",
        dst="8.8.8.8",
        port=53,
        protocol=Protocol.UDP,
        allowed=False,
        egress="denied: x/to-cluster egress[0] peer",
        ingress="outside",
    ),
    case(
        "external-destination-unisolated-source",
        DENY_IN_X,
        src="x/a",
        dst="2001:db8::1",
        allowed=True,
        ingress="outside",
    ),
]


@pytest.mark.parametrize("row", SPECIAL_PARTIES)
def test_special_parties(row: Row) -> None:
    check_case(row)

"""The tiers of ClusterNetworkPolicy, one semantic rule per row, each with its source.

Sources (kubernetes-sigs/network-policy-api, v1alpha2):
- TYPES: apis/v1alpha2/clusternetworkpolicy_types.go (ClusterNetworkPolicySpec.Tier and
  .Priority, the rule actions, ClusterNetworkPolicyIngressPeer/EgressPeer, NamespacedPod,
  ClusterNetworkPolicyProtocol, DomainName);
- OVERVIEW: site-src/api-overview.md ("Tiers", "Actions", the hairpin rule);
- NPEP-285: site-src/npeps/npep-285-combine-crds.md (Pass allowed in Baseline);
- CONF-*: the conformance tests under conformance/tests/ (named in each row).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from engine.builders import party, peer, policy, rule, sel
from engine.tier_builders import (
    ACCEPT,
    ADMIN,
    BASELINE,
    DENY,
    PASS,
    cnp,
    crule,
    domains,
    named_port,
    namespaces,
    networks,
    nodes,
    pods,
    pods_subject,
    port,
    port_range,
    tier_cluster,
    unknown_peer,
    unknown_protocol,
)
from podfence.engine import DirectionVerdict, DnsDependence, Engine, Reason, Verdict
from podfence.model import (
    ClusterNetworkPolicy,
    Connection,
    Direction,
    External,
    NamespacesSubject,
    NetworkPolicy,
    Protocol,
    ProtocolPort,
    parse_ip,
)

SHOP = {"kubernetes.io/metadata.name": "shop"}
BLOG = {"kubernetes.io/metadata.name": "blog"}
KS = {"kubernetes.io/metadata.name": "kube-system"}
SHOP_SUBJECT = NamespacesSubject(sel(SHOP))
BLOG_SUBJECT = NamespacesSubject(sel(BLOG))
KS_SUBJECT = NamespacesSubject(sel(KS))
UDP, SCTP = Protocol.UDP, Protocol.SCTP

DENY_ALL_SHOP_NP = policy("shop/deny-all")
"""A NetworkPolicy selecting every shop pod for ingress, allowing nothing."""
ALLOW_BLOG_TO_WEB = policy(
    "shop/allow-blog", sel({"app": "web"}), ingress=[rule(peer(namespaces=sel(BLOG)))]
)


@dataclass(frozen=True)
class Row:
    id: str
    source: str
    cnps: tuple[ClusterNetworkPolicy, ...]
    src: str
    dst: str
    port: str
    allowed: bool
    side: Direction = Direction.INGRESS
    """The side the row is about."""
    tier: str | None = None
    """The tier that decided that side (None: no tier, allowed by default)."""
    rule: str | None = None
    """`str(decided_by.ref)` prefix for Admin/Baseline; a NetworkPolicy key for that tier."""
    passed: tuple[str, ...] = ()
    """Prefixes of `str(p.ref)` of the Pass rules on that side."""
    nps: tuple[NetworkPolicy, ...] = field(default=())


def _row(
    id: str,
    source: str,
    cnps: list[ClusterNetworkPolicy],
    conn: str,
    allowed: bool,
    **kw: object,
) -> Row:
    src, dst, port = conn.split()
    nps = tuple(kw.pop("nps", ()))  # type: ignore[call-overload]
    return Row(id, source, tuple(cnps), src, dst, port, allowed, nps=nps, **kw)  # type: ignore[arg-type]


E = Direction.EGRESS

ROWS = [
    # -- the order of the tiers -------------------------------------------------------------
    _row("admin-accept-is-final-over-a-networkpolicy-deny",
         "TYPES Tier: 'If Admin tier has made a final decision (Accept or Deny) on a connection, "
         "then no further evaluation is done'",
         [cnp("a", ADMIN, 10, SHOP_SUBJECT, ingress=[crule(ACCEPT, namespaces(BLOG), name="ok")])],
         "blog/wp shop/web 8080/TCP", True, tier="Admin", rule='cnp/a ingress[0].from[0] "ok"',
         nps=[DENY_ALL_SHOP_NP]),
    _row("admin-deny-is-final-over-a-networkpolicy-allow",
         "TYPES Deny: 'No further ClusterNetworkPolicy or NetworkPolicy rules will be processed'",
         [cnp("a", ADMIN, 10, SHOP_SUBJECT, ingress=[crule(DENY, namespaces(BLOG), name="no")])],
         "blog/wp shop/web 8080/TCP", False, tier="Admin", rule='cnp/a ingress[0].from[0] "no"',
         nps=[ALLOW_BLOG_TO_WEB]),
    _row("admin-pass-delegates-to-a-networkpolicy-that-allows",
         "TYPES Pass: 'Skips all further ClusterNetworkPolicy rules in the current tier ... "
         "passes evaluation to the next tier'; OVERVIEW Actions",
         [cnp("a", ADMIN, 10, SHOP_SUBJECT,
              ingress=[crule(PASS, namespaces(BLOG), name="owners"), crule(DENY, namespaces())])],
         "blog/wp shop/web 8080/TCP", True, tier="NetworkPolicy", rule="shop/allow-blog",
         passed=('cnp/a ingress[0].from[0] "owners"',), nps=[ALLOW_BLOG_TO_WEB]),
    _row("admin-pass-delegates-to-a-networkpolicy-that-denies",
         "TYPES Tier: 'v1.NetworkPolicy always makes a final decision for selected pods'",
         [cnp("a", ADMIN, 10, SHOP_SUBJECT, ingress=[crule(PASS, namespaces())]),
          cnp("b", BASELINE, 10, SHOP_SUBJECT, ingress=[crule(ACCEPT, namespaces())])],
         "blog/wp shop/web 8080/TCP", False, tier="NetworkPolicy", rule="shop/deny-all",
         passed=("cnp/a ingress[0]",), nps=[DENY_ALL_SHOP_NP]),
    _row("pass-without-a-networkpolicy-reaches-baseline",
         "OVERVIEW Actions: 'When the Pass action is matched at the Admin tier, NetworkPolicy "
         "will apply next or if there is no NetworkPolicy match, Baseline policies will be "
         "evaluated'",
         [cnp("a", ADMIN, 10, SHOP_SUBJECT, ingress=[crule(PASS, namespaces())]),
          cnp("b", BASELINE, 10, SHOP_SUBJECT, ingress=[crule(DENY, namespaces(), name="bl")])],
         "blog/wp shop/db 5432/TCP", False, tier="Baseline", rule='cnp/b ingress[0].from[0] "bl"',
         passed=("cnp/a ingress[0]",)),
    _row("pass-without-anything-below-is-allowed-by-default",
         "TYPES Tier: 'If a given connection wasn't allowed or denied by any of the tiers, the "
         "default kubernetes policy is applied, which says that all pods can communicate'",
         [cnp("a", ADMIN, 10, SHOP_SUBJECT, ingress=[crule(PASS, namespaces())])],
         "blog/wp shop/db 5432/TCP", True, tier=None, passed=("cnp/a ingress[0]",)),
    _row("baseline-is-overridden-by-a-networkpolicy-that-allows",
         "TYPES Tier: 'Baseline tier is a cluster-wide policy that can be overridden by the "
         "v1.NetworkPolicy'",
         [cnp("b", BASELINE, 10, SHOP_SUBJECT, ingress=[crule(DENY, namespaces())])],
         "blog/wp shop/web 8080/TCP", True, tier="NetworkPolicy", rule="shop/allow-blog",
         nps=[ALLOW_BLOG_TO_WEB]),
    _row("baseline-accept-does-not-reopen-a-networkpolicy-isolated-pod",
         "TYPES Tier: 'Further evaluation only happens for Pods not selected by a "
         "v1.NetworkPolicy'",
         [cnp("b", BASELINE, 10, SHOP_SUBJECT, ingress=[crule(ACCEPT, namespaces())])],
         "blog/wp shop/web 8080/TCP", False, tier="NetworkPolicy", rule="shop/deny-all",
         nps=[DENY_ALL_SHOP_NP]),
    _row("baseline-decides-for-a-pod-no-networkpolicy-selects",
         "TYPES Tier: 'If Baseline tier has made a final decision (Accept or Deny) on a "
         "connection, then no further evaluation is done'",
         [cnp("b", BASELINE, 10, SHOP_SUBJECT, ingress=[crule(DENY, namespaces(BLOG))])],
         "blog/wp shop/db 5432/TCP", False, tier="Baseline", rule="cnp/b ingress[0]"),
    _row("baseline-pass-skips-the-rest-of-baseline",
         "NPEP-285: Pass allowed in Baseline, 'the rest of BANPs will be skipped'; TYPES Pass",
         [cnp("b1", BASELINE, 1, SHOP_SUBJECT, ingress=[crule(PASS, namespaces(BLOG))]),
          cnp("b2", BASELINE, 2, SHOP_SUBJECT, ingress=[crule(DENY, namespaces())])],
         "blog/wp shop/db 5432/TCP", True, tier=None, passed=("cnp/b1 ingress[0]",)),
    _row("admin-accept-skips-baseline-too",
         "TYPES Accept: 'No further ingress ClusterNetworkPolicy or NetworkPolicy rules will be "
         "processed'",
         [cnp("a", ADMIN, 10, SHOP_SUBJECT, ingress=[crule(ACCEPT, namespaces(BLOG))]),
          cnp("b", BASELINE, 10, SHOP_SUBJECT, ingress=[crule(DENY, namespaces())])],
         "blog/wp shop/db 5432/TCP", True, tier="Admin", rule="cnp/a ingress[0]"),
    # -- both sides --------------------------------------------------------------------------
    _row("an-egress-accept-does-not-override-the-destination-ingress",
         "TYPES egress Accept: '... but any ingress rules at the destination do apply'",
         [cnp("a", ADMIN, 10, BLOG_SUBJECT, egress=[crule(ACCEPT, namespaces())]),
          cnp("d", ADMIN, 20, SHOP_SUBJECT, ingress=[crule(DENY, namespaces(BLOG), name="in")])],
         "blog/wp shop/db 5432/TCP", False, tier="Admin", rule='cnp/d ingress[0].from[0] "in"'),
    _row("egress-deny-of-the-source",
         "TYPES ClusterNetworkPolicyEgressRule; a connection needs both sides (NetworkPolicy)",
         [cnp("a", ADMIN, 10, BLOG_SUBJECT, egress=[crule(DENY, namespaces(SHOP), name="out")])],
         "blog/wp shop/db 5432/TCP", False, side=E, tier="Admin", rule="cnp/a egress[0]"),
    _row("a-policy-without-rules-for-a-direction-does-not-affect-it",
         "TYPES Spec.Ingress: 'CNPs with no ingress rules do not affect ingress traffic'",
         [cnp("a", ADMIN, 10, SHOP_SUBJECT, egress=[crule(DENY, namespaces())])],
         "blog/wp shop/db 5432/TCP", True, tier=None),
    _row("a-pod-reaching-itself-is-not-subject-to-cnp",
         "OVERVIEW: 'A Pod connecting to its own Pod IP is not subject to CNP'",
         [cnp("a", ADMIN, 0, SHOP_SUBJECT, ingress=[crule(DENY, namespaces())],
              egress=[crule(DENY, namespaces())])],
         "shop/web shop/web 8080/TCP", True, tier=None),
    # -- precedence inside a tier --------------------------------------------------------------
    _row("lower-priority-value-first",
         "TYPES Priority: 'Policies with lower priority values have higher precedence'",
         [cnp("late", ADMIN, 5, SHOP_SUBJECT, ingress=[crule(DENY, namespaces())]),
          cnp("early", ADMIN, 0, SHOP_SUBJECT, ingress=[crule(ACCEPT, namespaces(BLOG))])],
         "blog/wp shop/db 5432/TCP", True, tier="Admin", rule="cnp/early ingress[0]"),
    _row("priority-is-compared-as-a-number",
         "TYPES Priority: a value from 0 to 1000 (an int32)",
         [cnp("ten", ADMIN, 10, SHOP_SUBJECT, ingress=[crule(DENY, namespaces())]),
          cnp("nine", ADMIN, 9, SHOP_SUBJECT, ingress=[crule(ACCEPT, namespaces())])],
         "blog/wp shop/db 5432/TCP", True, tier="Admin", rule="cnp/nine ingress[0]"),
    _row("rules-in-written-order",
         "TYPES Spec.Ingress: 'determined by the order in which the rule is written'",
         [cnp("a", ADMIN, 10, SHOP_SUBJECT,
              ingress=[crule(ACCEPT, namespaces(BLOG), protocols=[port(5432)], name="pg"),
                       crule(DENY, namespaces(), name="rest")])],
         "blog/wp shop/db 5432/TCP", True, tier="Admin", rule="cnp/a ingress[0]"),
    _row("rules-in-written-order-a-later-rule-after-a-miss",
         "TYPES Spec.Ingress (written order); CONF admin-network-policy-core-gress-rules",
         [cnp("a", ADMIN, 10, SHOP_SUBJECT,
              ingress=[crule(ACCEPT, namespaces(BLOG), protocols=[port(80)], name="web"),
                       crule(DENY, namespaces(), name="rest")])],
         "blog/wp shop/db 5432/TCP", False, tier="Admin", rule='cnp/a ingress[1].from[0] "rest"'),
    _row("a-non-matching-cnp-does-not-stop-the-tier",
         "TYPES Priority; CONF CNPAdminTierSamePriority 'Should not apply one same-priority "
         "policy's rules to another policy's subject'",
         [cnp("a", ADMIN, 1, BLOG_SUBJECT, ingress=[crule(DENY, namespaces())]),
          cnp("b", ADMIN, 1, SHOP_SUBJECT, ingress=[crule(ACCEPT, namespaces(BLOG))])],
         "blog/wp shop/db 5432/TCP", True, tier="Admin", rule="cnp/b ingress[0]"),
    # -- subjects ------------------------------------------------------------------------------
    _row("subject-pods-is-namespace-and-pod-selector",
         "TYPES ClusterNetworkPolicySubject.Pods: 'select pods via namespace AND pod selectors'",
         [cnp("a", ADMIN, 1, pods_subject(SHOP, {"app": "db"}),
              ingress=[crule(DENY, namespaces())])],
         "blog/wp shop/web 8080/TCP", True, tier=None),
    _row("subject-pods-selects-the-matching-pod",
         "TYPES ClusterNetworkPolicySubject.Pods",
         [cnp("a", ADMIN, 1, pods_subject(SHOP, {"app": "db"}),
              ingress=[crule(DENY, namespaces())])],
         "blog/wp shop/db 5432/TCP", False, tier="Admin", rule="cnp/a ingress[0]"),
    _row("host-network-pods-are-not-subjects",
         "TYPES ClusterNetworkPolicySubject: 'host-networked pods are not included in subject "
         "selection'",
         [cnp("a", ADMIN, 1, KS_SUBJECT, ingress=[crule(DENY, namespaces())])],
         "blog/wp kube-system/agent 9100/TCP", True, tier=None),
    # -- peers ---------------------------------------------------------------------------------
    _row("host-network-pods-are-never-namespace-peers",
         "TYPES ClusterNetworkPolicyIngressPeer.Namespaces: 'host-networked pods are not "
         "included in this type of peer'",
         [cnp("a", ADMIN, 1, SHOP_SUBJECT, ingress=[crule(DENY, namespaces(KS))])],
         "kube-system/agent shop/web 8080/TCP", True, tier=None),
    _row("host-network-pods-are-never-pod-peers",
         "TYPES ClusterNetworkPolicyIngressPeer.Pods: 'host-networked pods are not included'",
         [cnp("a", ADMIN, 1, SHOP_SUBJECT, ingress=[crule(DENY, pods(None, {"app": "agent"}))])],
         "kube-system/agent shop/web 8080/TCP", True, tier=None),
    _row("pods-peer-without-namespace-selector-is-every-namespace",
         "TYPES NamespacedPod.NamespaceSelector: 'if empty, it selects all Namespaces'",
         [cnp("a", ADMIN, 1, SHOP_SUBJECT, ingress=[crule(DENY, pods(None, {"app": "wp"}))])],
         "blog/wp shop/web 8080/TCP", False, tier="Admin", rule="cnp/a ingress[0]"),
    _row("an-outside-source-never-matches-ingress-peers",
         "TYPES ClusterNetworkPolicyIngressPeer: namespaces and pods only",
         [cnp("a", ADMIN, 1, SHOP_SUBJECT, ingress=[crule(DENY, namespaces(), pods(None, {}))])],
         "203.0.113.9 shop/web 8080/TCP", True, tier=None),
    _row("networks-match-pod-addresses-too",
         "TYPES EgressPeer.Networks: 'cluster-internal traffic will be checked against the rule "
         "as well'; CONF CNPAdminTierEgressInlineCIDRPeers",
         [cnp("a", ADMIN, 1, SHOP_SUBJECT, egress=[crule(DENY, networks("0.0.0.0/0"))])],
         "shop/web blog/wp 80/TCP", False, side=E, tier="Admin", rule="cnp/a egress[0]"),
    _row("networks-match-outside-addresses",
         "TYPES EgressPeer.Networks: 'entities that live outside the cluster'",
         [cnp("a", ADMIN, 1, SHOP_SUBJECT,
              egress=[crule(ACCEPT, networks("192.0.2.0/24")),
                      crule(DENY, networks("0.0.0.0/0"))])],
         "shop/web 192.0.2.10 443/TCP", True, side=E, tier="Admin", rule="cnp/a egress[0]"),
    _row("networks-of-the-other-family-do-not-match",
         "TYPES EgressPeer.Networks: '0.0.0.0/0 ... IPv4', '::/0 ... IPv6'",
         [cnp("a", ADMIN, 1, SHOP_SUBJECT, egress=[crule(DENY, networks("::/0"))])],
         "shop/web 192.0.2.10 443/TCP", True, side=E, tier=None),
    _row("networks-with-host-bits-set-are-their-network",
         "TYPES CIDR: isCIDR(self) accepts host bits; Go netip.Prefix.Contains masks them",
         [cnp("a", ADMIN, 1, SHOP_SUBJECT, egress=[crule(DENY, networks("192.0.2.77/24"))])],
         "shop/web 192.0.2.10 443/TCP", False, side=E, tier="Admin", rule="cnp/a egress[0]"),
    _row("nodes-match-a-host-network-pod-on-the-node",
         "TYPES EgressPeer.Nodes: 'matching on the IPs present in the node.Status.Addresses'; "
         "CONF CNPAdminTierEgressNodePeers (the server is a host-networked pod)",
         [cnp("a", ADMIN, 1, SHOP_SUBJECT, egress=[crule(DENY, nodes({"zone": "a"}))])],
         "shop/web kube-system/agent 9100/TCP", False,
         side=E, tier="Admin", rule="cnp/a egress[0]"),
    _row("nodes-do-not-match-ordinary-pods-on-the-node",
         "TYPES EgressPeer.Nodes: the nodeIPs, not the pods on the node",
         [cnp("a", ADMIN, 1, SHOP_SUBJECT, egress=[crule(DENY, nodes({"zone": "a"}))])],
         "shop/db kube-system/dns 53/UDP", True, side=E, tier=None),
    _row("nodes-match-a-node-address-asked-as-such",
         "TYPES EgressPeer.Nodes",
         [cnp("a", ADMIN, 1, SHOP_SUBJECT, egress=[crule(DENY, nodes({"zone": "b"}))])],
         "shop/web 10.0.0.12 22/TCP", False, side=E, tier="Admin", rule="cnp/a egress[0]"),
    _row("nodes-empty-selector-selects-every-node",
         "TYPES EgressPeer.Nodes: 'if present but empty, it selects all Nodes'",
         [cnp("a", ADMIN, 1, SHOP_SUBJECT, egress=[crule(DENY, nodes())])],
         "shop/web 10.0.0.12 22/TCP", False, side=E, tier="Admin", rule="cnp/a egress[0]"),
    _row("domain-names-match-an-address-given-by-name",
         "TYPES EgressPeer.DomainNames, DomainName: exact match",
         [cnp("a", ADMIN, 1, SHOP_SUBJECT,
              egress=[crule(ACCEPT, domains("api.example.com")),
                      crule(DENY, networks("0.0.0.0/0"))])],
         "shop/web api.example.com=192.0.2.10 443/TCP", True, side=E, tier="Admin",
         rule="cnp/a egress[0]"),
    _row("domain-wildcard-matches-one-or-more-labels",
         "TYPES DomainName: '*.kubernetes.io' matches 'latest.blog.kubernetes.io'",
         [cnp("a", ADMIN, 1, SHOP_SUBJECT,
              egress=[crule(ACCEPT, domains("*.example.com")),
                      crule(DENY, networks("0.0.0.0/0"))])],
         "shop/web a.b.example.com=192.0.2.10 443/TCP", True, side=E, tier="Admin",
         rule="cnp/a egress[0]"),
    _row("domain-wildcard-does-not-match-the-bare-domain",
         "TYPES DomainName: '*.kubernetes.io' does not match 'kubernetes.io'",
         [cnp("a", ADMIN, 1, SHOP_SUBJECT,
              egress=[crule(ACCEPT, domains("*.example.com")),
                      crule(DENY, networks("0.0.0.0/0"))])],
         "shop/web example.com=192.0.2.10 443/TCP", False, side=E, tier="Admin",
         rule="cnp/a egress[1]"),
    _row("domain-names-do-not-match-a-bare-address",
         "NPEP-133: traffic is allowed to the IPs a domain resolved to at run time (unknown "
         "here: evaluated as not matching, and said so)",
         [cnp("a", ADMIN, 1, SHOP_SUBJECT,
              egress=[crule(ACCEPT, domains("api.example.com")),
                      crule(DENY, networks("0.0.0.0/0"))])],
         "shop/web 192.0.2.10 443/TCP", False, side=E, tier="Admin", rule="cnp/a egress[1]"),
    # -- protocols -----------------------------------------------------------------------------
    _row("absent-protocols-match-every-port",
         "TYPES Protocols: 'If unspecified, protocol-specific attributes will not be used'",
         [cnp("a", ADMIN, 1, SHOP_SUBJECT, ingress=[crule(DENY, namespaces())])],
         "blog/wp shop/db 5432/SCTP", False, tier="Admin", rule="cnp/a ingress[0]"),
    _row("a-port-of-another-protocol-does-not-match",
         "TYPES ClusterNetworkPolicyProtocol: TCP, UDP, SCTP each",
         [cnp("a", ADMIN, 1, SHOP_SUBJECT,
              ingress=[crule(DENY, namespaces(), protocols=[port(5432, UDP)])])],
         "blog/wp shop/db 5432/TCP", True, tier=None),
    _row("a-range-includes-its-start",
         "TYPES PortRange: 'an inclusive range of ports from the assigned Start value to End'",
         [cnp("a", ADMIN, 1, SHOP_SUBJECT,
              ingress=[crule(DENY, namespaces(), protocols=[port_range(5432, 5440)])])],
         "blog/wp shop/db 5432/TCP", False, tier="Admin", rule="cnp/a ingress[0]"),
    _row("a-range-includes-its-end",
         "TYPES PortRange (inclusive)",
         [cnp("a", ADMIN, 1, SHOP_SUBJECT,
              ingress=[crule(DENY, namespaces(), protocols=[port_range(5000, 5432, SCTP)])])],
         "blog/wp shop/db 5432/SCTP", False, tier="Admin", rule="cnp/a ingress[0]"),
    _row("a-range-stops-at-its-end",
         "TYPES PortRange (inclusive)",
         [cnp("a", ADMIN, 1, SHOP_SUBJECT,
              ingress=[crule(DENY, namespaces(), protocols=[port_range(5000, 5431)])])],
         "blog/wp shop/db 5432/TCP", True, tier=None),
    _row("named-port-resolves-on-the-destination",
         "TYPES DestinationNamedPort: 'selects a destination port on a pod based on the "
         "ContainerPort name'; CONF CNPAdminTierEgressNamedPort",
         [cnp("a", ADMIN, 1, BLOG_SUBJECT,
              egress=[crule(DENY, namespaces(), protocols=[named_port("http")])])],
         "blog/wp shop/web 8080/TCP", False, side=E, tier="Admin", rule="cnp/a egress[0]"),
    _row("named-port-means-the-destination-s-number-not-another-pod-s",
         "TYPES DestinationNamedPort (resolved on the destination pod)",
         [cnp("a", ADMIN, 1, SHOP_SUBJECT,
              egress=[crule(DENY, namespaces(), protocols=[named_port("http")])])],
         "shop/web blog/wp 8080/TCP", True, side=E, tier=None),
    _row("named-port-in-the-connection-s-protocol",
         "TYPES DestinationNamedPort: a ContainerPort name, with that port's protocol",
         [cnp("a", ADMIN, 1, SHOP_SUBJECT,
              egress=[crule(DENY, namespaces(), protocols=[named_port("dns")])])],
         "shop/web kube-system/dns 53/SCTP", True, side=E, tier=None),
    _row("named-port-of-either-protocol",
         "TYPES DestinationNamedPort names no protocol: dns is 53/UDP and 53/TCP there",
         [cnp("a", ADMIN, 1, SHOP_SUBJECT,
              egress=[crule(DENY, namespaces(), protocols=[named_port("dns")])])],
         "shop/web kube-system/dns 53/UDP", False, side=E, tier="Admin", rule="cnp/a egress[0]"),
    # -- fail closed -----------------------------------------------------------------------
    _row("unknown-peer-in-accept-matches-nothing",
         "TYPES IngressPeer: 'For \"Accept\" rules, \"fail closed\" means: \"treat the rule as "
         "matching no traffic\"'",
         [cnp("a", ADMIN, 1, SHOP_SUBJECT,
              ingress=[crule(ACCEPT, namespaces(), unknown_peer()), crule(DENY, namespaces())])],
         "blog/wp shop/db 5432/TCP", False, tier="Admin", rule="cnp/a ingress[1]"),
    _row("unknown-peer-in-deny-denies-everything",
         "TYPES IngressPeer: 'For \"Deny\" and \"Pass\" rules, \"fail closed\" means: \"treat "
         "the rule as a 'Deny all' rule\"'",
         [cnp("a", ADMIN, 1, SHOP_SUBJECT,
              ingress=[crule(DENY, namespaces(KS), unknown_peer(), protocols=[port(1)])])],
         "blog/wp shop/db 5432/TCP", False, tier="Admin", rule="cnp/a ingress[0]"),
    _row("unknown-peer-in-pass-denies-everything",
         "TYPES IngressPeer: Pass rules fail closed as 'Deny all'",
         [cnp("a", ADMIN, 1, SHOP_SUBJECT, ingress=[crule(PASS, unknown_peer())])],
         "blog/wp shop/db 5432/TCP", False, tier="Admin", rule="cnp/a ingress[0]"),
    _row("unknown-protocol-in-accept-matches-nothing",
         "TYPES IngressPeer fail-closed rule, applied to protocol entries podfence does not know",
         [cnp("a", ADMIN, 1, SHOP_SUBJECT,
              ingress=[crule(ACCEPT, namespaces(), protocols=[port(5432), unknown_protocol()])])],
         "blog/wp shop/db 5432/TCP", True, tier=None),
    _row("unknown-protocol-in-deny-denies-everything",
         "TYPES fail closed ('Deny all') for an entry podfence does not know",
         [cnp("a", ADMIN, 1, SHOP_SUBJECT,
              ingress=[crule(DENY, namespaces(KS),
                             protocols=[unknown_protocol("tcp", "sourcePort")])])],
         "blog/wp shop/db 5432/TCP", False, tier="Admin", rule="cnp/a ingress[0]"),
]  # fmt: skip


def _ask(row: Row) -> tuple[Engine, Connection]:
    c = tier_cluster(row.cnps, row.nps)
    spec = ProtocolPort.parse(row.port)

    def resolve(text: str) -> object:
        if "=" in text:
            name, _, ip = text.partition("=")
            return External(parse_ip(ip), (name,))
        return party(c, text)

    src, dst = resolve(row.src), resolve(row.dst)
    return Engine(c), Connection(src, dst, spec.port, spec.protocol)  # type: ignore[arg-type]


def _side(v: Verdict, direction: Direction) -> DirectionVerdict:
    return v.egress if direction is Direction.EGRESS else v.ingress


@pytest.mark.parametrize("row", ROWS, ids=lambda r: r.id)
def test_tier_semantics(row: Row) -> None:
    engine, conn = _ask(row)
    verdict = engine.evaluate(conn)
    assert verdict.allowed is row.allowed, row.source
    assert engine.allowed(conn) is row.allowed, "allowed() agrees with evaluate()"
    side = _side(verdict, row.side)
    assert side.tiers
    assert side.tier == row.tier, (side, row.source)
    if row.tier in ("Admin", "Baseline"):
        assert side.decided_by is not None and row.rule is not None
        assert str(side.decided_by.ref).startswith(row.rule), side.decided_by
        assert side.reason is (Reason.CLUSTER_ACCEPT if side.allowed else Reason.CLUSTER_DENY)
    elif row.tier == "NetworkPolicy":
        assert row.rule in side.selected_by
    assert len(side.passed) == len(row.passed), side.passed
    for hit, prefix in zip(side.passed, row.passed, strict=True):
        assert str(hit.ref).startswith(prefix) and hit.action.value == "Pass", hit


def test_every_row_cites_a_source() -> None:
    assert all(r.source for r in ROWS)
    assert len({r.id for r in ROWS}) == len(ROWS)


# -- equal priorities ------------------------------------------------------------------------


def _same_priority(first: ClusterNetworkPolicy, second: ClusterNetworkPolicy) -> DirectionVerdict:
    engine, conn = _ask(_row("x", "", [first, second], "blog/wp shop/db 5432/TCP", False))
    return engine.evaluate(conn).ingress


def test_equal_priorities_that_disagree_give_every_outcome() -> None:
    """TYPES Priority: 'the implementation can apply any of the matching policies to the
    connection, and there is no way for the user to reliably determine which one it will
    choose': both outcomes are reported; the answer is allowed only if every order allows."""
    side = _same_priority(
        cnp("x-accept", ADMIN, 5, SHOP_SUBJECT, ingress=[crule(ACCEPT, namespaces(BLOG))]),
        cnp("y-deny", ADMIN, 5, SHOP_SUBJECT, ingress=[crule(DENY, namespaces())]),
    )
    assert side.ambiguous and not side.allowed
    assert side.decided_by is not None and side.decided_by.ref.policy == "y-deny"
    (other,) = side.alternatives
    assert other.allowed and other.decided_by is not None
    assert other.decided_by.ref.policy == "x-accept"


def test_equal_priorities_pass_or_deny() -> None:
    """The Pass outcome goes on to the next tiers (here: allowed by default)."""
    side = _same_priority(
        cnp("p", ADMIN, 5, SHOP_SUBJECT, ingress=[crule(PASS, namespaces())]),
        cnp("q", ADMIN, 5, SHOP_SUBJECT, ingress=[crule(DENY, namespaces())]),
    )
    assert not side.allowed and side.tier == "Admin"
    (other,) = side.alternatives
    assert other.allowed and other.tier is None and [p.ref.policy for p in other.passed] == ["p"]


def test_equal_priorities_that_agree_are_not_ambiguous() -> None:
    """CONF CNPAdminTierSamePriority: same-priority policies are all applied; when they
    agree the order does not matter. The first by name is named."""
    side = _same_priority(
        cnp("b", ADMIN, 5, SHOP_SUBJECT, ingress=[crule(DENY, namespaces())]),
        cnp("a", ADMIN, 5, SHOP_SUBJECT, ingress=[crule(DENY, namespaces(BLOG))]),
    )
    assert not side.ambiguous and side.decided_by is not None
    assert side.decided_by.ref.policy == "a"


def test_equal_priorities_one_matching_is_not_ambiguous() -> None:
    side = _same_priority(
        cnp("a", ADMIN, 5, SHOP_SUBJECT, ingress=[crule(ACCEPT, namespaces(KS))]),
        cnp("b", ADMIN, 5, SHOP_SUBJECT, ingress=[crule(DENY, namespaces(BLOG))]),
    )
    assert not side.ambiguous and not side.allowed


# -- what the verdict says -------------------------------------------------------------------


def test_a_v1_only_cluster_gives_the_v1_verdict() -> None:
    """No ClusterNetworkPolicy: no tier fields at all (the v1 verdicts stay as they were)."""
    engine, conn = _ask(
        _row("x", "", [], "blog/wp shop/web 8080/TCP", True, nps=[ALLOW_BLOG_TO_WEB])
    )
    side = engine.evaluate(conn).ingress
    assert not side.tiers and side.reason is Reason.ALLOWED_BY_RULE
    assert side.passed == () and side.cluster_selected_by == () and side.decided_by is None


def test_cluster_selected_by_lists_admin_then_baseline() -> None:
    engine, conn = _ask(_row("x", "", [
        cnp("base", BASELINE, 0, SHOP_SUBJECT, ingress=[crule(DENY, namespaces(KS))]),
        cnp("adm2", ADMIN, 9, SHOP_SUBJECT, ingress=[crule(DENY, namespaces(KS))]),
        cnp("adm1", ADMIN, 3, SHOP_SUBJECT, ingress=[crule(DENY, namespaces(KS))]),
        cnp("egress-only", ADMIN, 0, SHOP_SUBJECT, egress=[crule(DENY, namespaces(KS))]),
    ], "blog/wp shop/web 8080/TCP", True))  # fmt: skip
    side = engine.evaluate(conn).ingress
    assert side.cluster_selected_by == ("cnp/adm1", "cnp/adm2", "cnp/base")


def test_fail_closed_rules_say_why() -> None:
    engine, conn = _ask(_row("x", "", [
        cnp("a", ADMIN, 1, SHOP_SUBJECT, ingress=[crule(PASS, unknown_peer("serviceAccounts"))]),
    ], "blog/wp shop/db 5432/TCP", False))  # fmt: skip
    rule_hit = engine.evaluate(conn).ingress.decided_by
    assert rule_hit is not None
    assert rule_hit.unknown == ("from[0]: serviceAccounts",)
    assert rule_hit.action.value == "Pass" and rule_hit.effect.value == "Deny"


def test_a_decision_by_name_depends_on_dns() -> None:
    engine, conn = _ask(_row("x", "", [
        cnp("a", ADMIN, 1, SHOP_SUBJECT,
            egress=[crule(ACCEPT, domains("api.example.com")), crule(DENY, networks("0.0.0.0/0"))]),
    ], "shop/web api.example.com=192.0.2.10 443/TCP", True))  # fmt: skip
    notes = engine.evaluate(conn).egress.dns
    assert [(str(n.ref), n.dependence) for n in notes] == [
        ("cnp/a egress[0]", DnsDependence.MATCHED)
    ]


def test_an_address_without_a_name_leaves_domain_names_to_dns() -> None:
    engine, conn = _ask(_row("x", "", [
        cnp("a", ADMIN, 1, SHOP_SUBJECT,
            egress=[crule(ACCEPT, domains("api.example.com")), crule(DENY, networks("0.0.0.0/0"))]),
    ], "shop/web 192.0.2.10 443/TCP", False))  # fmt: skip
    side = engine.evaluate(conn).egress
    assert [(str(n.ref), n.dependence) for n in side.dns] == [
        ("cnp/a egress[0]", DnsDependence.UNKNOWN)
    ]


def test_networks_make_the_answer_per_family() -> None:
    """A dual-stack destination asked by name: the IPv4 deny applies over IPv4 only, and the
    connection is allowed only when every family allows it (as for an ipBlock)."""
    engine, conn = _ask(_row("x", "", [
        cnp("a", ADMIN, 1, SHOP_SUBJECT, egress=[crule(DENY, networks("10.0.0.0/8"))]),
    ], "shop/web kube-system/agent 9100/TCP", False))  # fmt: skip
    assert engine.families(conn) == (4,)
    assert not engine.evaluate(conn).allowed

"""ClusterNetworkPolicies compiled once into closed matcher variants (who they select and
match is `resolve`'s job; the order of evaluation is `tier_walk`'s).

Upstream: kubernetes-sigs/network-policy-api, apis/v1alpha2/clusternetworkpolicy_types.go.

- A subject, and a `namespaces` or `pods` peer, is a `PodPeer` with a namespace-labels
  matcher: exactly what a v1 peer with both selectors compiles to, so the resolver resolves
  all of them together, once per (namespace, labels), and never for a hostNetwork pod
  ("host-networked pods are not included in subject selection" / "in this type of peer").
  `namespaces: S` is `PodPeer(NamespaceLabels(S), AnyPod())`; `pods` is the namespace
  selector (absent: the empty one, every namespace) AND the pod selector.
- `networks` is `NetworksMatcher` (the CIDRs; their `AddressSet` comes from the resolver),
  `nodes` is `NodesMatcher` (a Node label selector: the selected nodes' addresses),
  `domainNames` is `DomainsMatcher` (matched by the names a destination is known by).
- `protocols` absent is `AnyPort`; a number or a range is `PortRangeMatcher`; a
  `destinationNamedPort` is `AnyProtocolNamedPort` (every container port of the destination
  with that name, in the connection's protocol).
- Fail closed: a rule with a peer or protocol entry podfence does not know (a newer CRD)
  "for Accept rules: treat the rule as matching no traffic; for Deny and Pass rules: treat
  the rule as a 'Deny all' rule" (ClusterNetworkPolicyIngressPeer/EgressPeer). Such a rule
  compiles to `peers=()` (Accept) or to a Deny of every peer and port (Deny, Pass), and
  keeps the unknown fields in `unknown` so verdicts can say why.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import assert_never

from podfence.engine.match import (
    AnyPeer,
    AnyPod,
    AnyPort,
    NamespaceLabels,
    PodLabels,
    PodPeer,
    PortRangeMatcher,
)
from podfence.model import (
    Action,
    ClusterNetworkPolicy,
    ClusterPeer,
    ClusterProtocol,
    ClusterRule,
    ClusterRuleRef,
    Direction,
    DomainNamesPeer,
    EveryPort,
    IPNetwork,
    LabelSelector,
    NamedPort,
    NamespacesPeer,
    NamespacesSubject,
    NetworksPeer,
    NodesPeer,
    PodsPeer,
    PodsSubject,
    PortNumber,
    PortRange,
    PortRangeMatch,
    Subject,
    Tier,
    UnknownPeer,
    UnknownProtocol,
)

__all__ = [
    "AnyProtocolNamedPort",
    "ClusterPeerMatcher",
    "ClusterPortMatcher",
    "CompiledClusterPolicy",
    "CompiledClusterRule",
    "DomainsMatcher",
    "NetworksMatcher",
    "NodesMatcher",
    "compile_cluster_policy",
    "pods_matcher",
]


@dataclass(frozen=True, slots=True)
class NetworksMatcher:
    """`networks`: the packet's address is inside one of the CIDRs (pod addresses too)."""

    networks: tuple[IPNetwork, ...]


@dataclass(frozen=True, slots=True)
class NodesMatcher:
    """`nodes`: the packet's address is an address of a node the selector matches."""

    selector: LabelSelector


@dataclass(frozen=True, slots=True)
class DomainsMatcher:
    """`domainNames`: the destination is known by a name one of these patterns matches."""

    names: tuple[str, ...]


ClusterPeerMatcher = AnyPeer | PodPeer | NetworksMatcher | NodesMatcher | DomainsMatcher
"""`AnyPeer` only stands for "every peer" in a fail-closed Deny."""


@dataclass(frozen=True, slots=True)
class AnyProtocolNamedPort:
    """`destinationNamedPort`: every number the destination's containers give this name for
    the connection's protocol (the entry names no protocol)."""

    name: str


ClusterPortMatcher = AnyPort | PortRangeMatcher | AnyProtocolNamedPort


@dataclass(frozen=True, slots=True)
class CompiledClusterRule:
    ref: ClusterRuleRef
    """`cnp/NAME ingress[i] "name"` (no peer, no protocol)."""
    tier: Tier
    priority: int
    action: Action
    """As written."""
    effect: Action
    """What the rule does when it matches: `action`, or Deny for a fail-closed Deny or Pass."""
    peers: tuple[ClusterPeerMatcher, ...]
    """In written order; empty: the rule matches nothing (a fail-closed Accept)."""
    ports: tuple[ClusterPortMatcher, ...]
    """In written order; `(AnyPort(),)` when `protocols` is absent (or fail-closed)."""
    ports_listed: bool
    unknown: tuple[str, ...] = ()
    """The fields podfence does not know (`to[1]: icmp`): the rule fails closed."""


@dataclass(frozen=True, slots=True)
class CompiledClusterPolicy:
    key: str
    """`cnp/NAME`."""
    name: str
    tier: Tier
    priority: int
    subject: PodPeer
    ingress: tuple[CompiledClusterRule, ...]
    egress: tuple[CompiledClusterRule, ...]

    def rules(self, direction: Direction) -> tuple[CompiledClusterRule, ...]:
        return self.ingress if direction is Direction.INGRESS else self.egress

    @property
    def order(self) -> tuple[int, str]:
        """Lower priority first; equal priorities by name (upstream leaves their order
        undefined: the tier walk reports when it matters)."""
        return (self.priority, self.name)


def pods_matcher(namespaces: LabelSelector, pods: LabelSelector | None = None) -> PodPeer:
    """The pods of the namespaces `namespaces` selects that `pods` selects (None: all)."""
    pod = AnyPod() if pods is None or pods.is_empty else PodLabels(pods)
    return PodPeer(NamespaceLabels(namespaces), pod)


def _subject(subject: Subject) -> PodPeer:
    match subject:
        case NamespacesSubject(namespaces):
            return pods_matcher(namespaces)
        case PodsSubject(namespaces, pods):
            return pods_matcher(namespaces, pods)
        case _:
            assert_never(subject)


def _peer(peer: ClusterPeer) -> ClusterPeerMatcher | None:
    """The matcher of a known peer; None for an `UnknownPeer`."""
    match peer:
        case NamespacesPeer(namespaces):
            return pods_matcher(namespaces)
        case PodsPeer(namespaces, pods):
            return pods_matcher(namespaces, pods)
        case NetworksPeer(networks):
            return NetworksMatcher(networks)
        case NodesPeer(nodes):
            return NodesMatcher(nodes)
        case DomainNamesPeer(names):
            return DomainsMatcher(names)
        case UnknownPeer():
            return None
        case _:
            assert_never(peer)


def _port(entry: ClusterProtocol) -> ClusterPortMatcher | None:
    """The matcher of a known protocol entry; None for an `UnknownProtocol`."""
    match entry:
        case PortNumber(protocol, port):
            return PortRangeMatcher(protocol, PortRange(port, port))
        case PortRangeMatch(protocol, start, end):
            return PortRangeMatcher(protocol, PortRange(start, end))
        case NamedPort(name):
            return AnyProtocolNamedPort(name)
        case UnknownProtocol():
            return None
        case _:
            assert_never(entry)


def _unknown(rule: ClusterRule, direction: Direction) -> tuple[str, ...]:
    found: list[str] = []
    for j, peer in enumerate(rule.peers):
        if isinstance(peer, UnknownPeer):
            what = ", ".join(peer.fields) or "no field"
            found.append(f"{direction.peers_field}[{j}]: {what}")
    if not isinstance(rule.protocols, EveryPort):
        for k, entry in enumerate(rule.protocols):
            if isinstance(entry, UnknownProtocol):
                what = ".".join(entry.fields) or "no field"
                found.append(f"protocols[{k}]: {what}")
    return tuple(found)


def _rule(
    policy: ClusterNetworkPolicy, direction: Direction, index: int, rule: ClusterRule
) -> CompiledClusterRule:
    ref = ClusterRuleRef(policy.name, direction, index, rule.name)
    unknown = _unknown(rule, direction)
    base = (ref, policy.tier, policy.priority, rule.action)
    if unknown:
        if rule.action is Action.ACCEPT:
            return CompiledClusterRule(*base, Action.ACCEPT, (), (AnyPort(),), False, unknown)
        return CompiledClusterRule(*base, Action.DENY, (AnyPeer(),), (AnyPort(),), False, unknown)
    peers = tuple(m for p in rule.peers if (m := _peer(p)) is not None)
    if isinstance(rule.protocols, EveryPort):
        return CompiledClusterRule(*base, rule.action, peers, (AnyPort(),), False)
    ports = tuple(q for e in rule.protocols if (q := _port(e)) is not None)
    return CompiledClusterRule(*base, rule.action, peers, ports, True)


def compile_cluster_policy(policy: ClusterNetworkPolicy) -> CompiledClusterPolicy:
    """Rules keep their written order (the first that matches decides)."""

    def rules(direction: Direction) -> tuple[CompiledClusterRule, ...]:
        return tuple(_rule(policy, direction, i, r) for i, r in enumerate(policy.rules(direction)))

    return CompiledClusterPolicy(
        key=policy.key,
        name=policy.name,
        tier=policy.tier,
        priority=policy.priority,
        subject=_subject(policy.subject),
        ingress=rules(Direction.INGRESS),
        egress=rules(Direction.EGRESS),
    )

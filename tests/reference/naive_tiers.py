"""The tiers of ClusterNetworkPolicy, naively: the reference's Admin and Baseline tiers.

Written from kubernetes-sigs/network-policy-api (apis/v1alpha2 clusternetworkpolicy_types.go,
site-src/api-overview.md, npeps/npep-285-combine-crds.md), sharing nothing with
`podfence.engine`: no compilation, no caching, its own label, address, port and domain
matching. Per side of a connection:

1. Admin: the Admin CNPs whose subject selects the pod (never a hostNetwork pod) and that have
   rules for the direction, lower priority first; in each, the first rule (written order)
   whose peers (any) and protocols (any; absent: every port) match decides: Accept and Deny
   are final, Pass leaves the tier.
2. The NetworkPolicy tier: if a NetworkPolicy isolates the pod for the direction, it is
   allowed iff one of them allows (`policy_allows`, the v1 reference), and that is final.
3. Baseline: as Admin; a Pass leaves it too.
4. Allowed.

- Equal priorities: the CNPs of one priority that match may be applied in any order; the
  side is allowed only if it is allowed whichever of them applies.
- A rule with a peer or a protocol entry the model could not read (UnknownPeer,
  UnknownProtocol) fails closed: an Accept rule matches nothing, a Deny or Pass rule denies
  everything.
- Peers: `namespaces`/`pods` match pods (never hostNetwork ones, never outside addresses);
  `networks` the packet's address (pods' too); `nodes` the addresses of the selected nodes
  (so a hostNetwork pod on such a node: its address is the node's, and without a known
  address by its node name); `domainNames` an outside address by the names it was given.
- Protocols: tcp/udp/sctp with a number or an inclusive range; a named port is every
  container port of the destination with that name, in the connection's protocol.
"""

from __future__ import annotations

import contextlib
import ipaddress
from collections.abc import Callable, Mapping

from podfence.model import (
    Action,
    Cluster,
    ClusterNetworkPolicy,
    ClusterPeer,
    ClusterProtocol,
    ClusterRule,
    Direction,
    DomainNamesPeer,
    Endpoint,
    EveryPort,
    External,
    LabelSelector,
    NamedPort,
    NamespacesPeer,
    NamespacesSubject,
    NetworksPeer,
    Node,
    NodesPeer,
    PodsPeer,
    PortNumber,
    PortRangeMatch,
    Protocol,
    Tier,
    UnknownPeer,
    UnknownProtocol,
)

__all__ = ["tiered_side_allows"]

Party = Endpoint | External
Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Labels = Mapping[str, str]
SelectorMatch = Callable[[LabelSelector, Labels], bool]


def _addresses(party: Party, family: int | None) -> list[Address]:
    every = [party.ip] if isinstance(party, External) else list(party.ips)
    return [ip for ip in every if family is None or ip.version == family]


def _in_network(ip: Address, text: ipaddress.IPv4Network | ipaddress.IPv6Network) -> bool:
    net = ipaddress.ip_network(str(text), strict=False)
    if ip.version != net.version:
        return False
    return int(net.network_address) <= int(ip) <= int(net.broadcast_address)


def _domain(pattern: str, name: str) -> bool:
    p = pattern.lower().rstrip(".").split(".")
    n = name.lower().rstrip(".").split(".")
    if p[0] == "*":
        return len(n) > len(p) - 1 and n[len(n) - (len(p) - 1) :] == p[1:]
    return p == n


def _ips_of(node: Node) -> list[Address]:
    """The entries of `status.addresses` that are IP addresses."""
    out: list[Address] = []
    for entry in node.addresses:
        with contextlib.suppress(ValueError):
            out.append(ipaddress.ip_address(entry.address))
    return out


def _node_ips(cluster: Cluster, match: SelectorMatch, selector: LabelSelector) -> list[Address]:
    return [
        ip for node in cluster.nodes if match(selector, dict(node.labels)) for ip in _ips_of(node)
    ]


def _peer_matches(
    cluster: Cluster,
    match: SelectorMatch,
    ns_labels: Callable[[str], Labels],
    peer: ClusterPeer,
    party: Party,
    family: int | None,
) -> bool:
    pod = isinstance(party, Endpoint) and not party.host_network
    if isinstance(peer, NamespacesPeer):
        return pod and match(peer.namespaces, ns_labels(party.namespace))  # type: ignore[union-attr]
    if isinstance(peer, PodsPeer):
        return (
            pod
            and match(peer.namespaces, ns_labels(party.namespace))  # type: ignore[union-attr]
            and match(peer.pods, dict(party.labels))  # type: ignore[union-attr]
        )
    if isinstance(peer, NetworksPeer):
        return any(_in_network(ip, n) for ip in _addresses(party, family) for n in peer.networks)
    if isinstance(peer, NodesPeer):
        ips = _node_ips(cluster, match, peer.nodes)
        if any(ip in ips for ip in _addresses(party, family)):
            return True
        if isinstance(party, Endpoint) and party.host_network and not party.ips:
            for node in cluster.nodes:
                if node.name == party.node_name and match(peer.nodes, dict(node.labels)):
                    return family is None or any(ip.version == family for ip in _ips_of(node))
        return False
    if isinstance(peer, DomainNamesPeer):
        if not isinstance(party, External):
            return False
        return any(_domain(p, n) for p in peer.names for n in party.names)
    raise AssertionError(f"the reference does not know {peer!r}")


def _protocol_matches(
    entry: ClusterProtocol, destination: Party, port: int, protocol: Protocol
) -> bool:
    if isinstance(entry, PortNumber):
        return entry.protocol == protocol and entry.port == port
    if isinstance(entry, PortRangeMatch):
        return entry.protocol == protocol and entry.start <= port <= entry.end
    if isinstance(entry, NamedPort):
        if isinstance(destination, External):
            return False
        return any(
            cp.name == entry.name and cp.protocol == protocol and cp.port == port
            for cp in destination.ports
        )
    raise AssertionError(f"the reference does not know {entry!r}")


def _unknown(rule: ClusterRule) -> bool:
    if any(isinstance(p, UnknownPeer) for p in rule.peers):
        return True
    return not isinstance(rule.protocols, EveryPort) and any(
        isinstance(e, UnknownProtocol) for e in rule.protocols
    )


def _rule_effect(
    cluster: Cluster,
    match: SelectorMatch,
    ns_labels: Callable[[str], Labels],
    rule: ClusterRule,
    *,
    peer: Party,
    destination: Party,
    port: int,
    protocol: Protocol,
    family: int | None,
) -> Action | None:
    """The rule's effect on the connection; None when it does not match."""
    if _unknown(rule):
        return None if rule.action is Action.ACCEPT else Action.DENY
    if not any(_peer_matches(cluster, match, ns_labels, p, peer, family) for p in rule.peers):
        return None
    if not isinstance(rule.protocols, EveryPort) and not any(
        _protocol_matches(e, destination, port, protocol) for e in rule.protocols
    ):
        return None
    return rule.action


def _subject_selects(
    match: SelectorMatch, ns_labels: Callable[[str], Labels], policy: ClusterNetworkPolicy,
    pod: Endpoint,
) -> bool:  # fmt: skip
    if pod.host_network:
        return False
    subject = policy.subject
    if not match(subject.namespaces, ns_labels(pod.namespace)):
        return False
    return isinstance(subject, NamespacesSubject) or match(subject.pods, dict(pod.labels))


def _tier_effects(
    cluster: Cluster,
    match: SelectorMatch,
    ns_labels: Callable[[str], Labels],
    tier: Tier,
    direction: Direction,
    subject: Endpoint,
    **ask: object,
) -> set[Action | None]:
    """The possible effects of a tier (None: nothing matched)."""
    applying = [
        p
        for p in cluster.cluster_policies
        if p.tier is tier
        and (p.ingress if direction is Direction.INGRESS else p.egress)
        and _subject_selects(match, ns_labels, p, subject)
    ]
    for priority in sorted({p.priority for p in applying}):
        effects: set[Action | None] = set()
        for p in applying:
            if p.priority != priority:
                continue
            for rule in p.ingress if direction is Direction.INGRESS else p.egress:
                effect = _rule_effect(cluster, match, ns_labels, rule, **ask)  # type: ignore[arg-type]
                if effect is not None:
                    effects.add(effect)
                    break
        if effects:
            return effects
    return {None}


def tiered_side_allows(
    cluster: Cluster,
    match: SelectorMatch,
    ns_labels: Callable[[str], Labels],
    policy_side: Callable[[], bool | None],
    direction: Direction,
    *,
    subject: Endpoint,
    peer: Party,
    destination: Party,
    port: int,
    protocol: Protocol,
    family: int | None,
) -> bool:
    """One side of a connection through the three tiers. `policy_side()` is the
    NetworkPolicy tier: None when no NetworkPolicy isolates the subject, else its answer."""
    if subject.host_network:
        return True
    ask = {"peer": peer, "destination": destination, "port": port, "protocol": protocol,
           "family": family}  # fmt: skip
    answers: set[bool] = set()
    for admin in _tier_effects(cluster, match, ns_labels, Tier.ADMIN, direction, subject, **ask):
        if admin is Action.ACCEPT or admin is Action.DENY:
            answers.add(admin is Action.ACCEPT)
            continue
        np = policy_side()
        if np is not None:
            answers.add(np)
            continue
        for base in _tier_effects(
            cluster, match, ns_labels, Tier.BASELINE, direction, subject, **ask
        ):
            answers.add(base is not Action.DENY)
    return all(answers)

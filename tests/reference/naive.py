"""A deliberately naive NetworkPolicy evaluator, written from the Kubernetes API reference.

It shares nothing with `podfence.engine` but the frozen data types of `podfence.model`: no
compilation, no caching, no matcher tree, and its own label matching. Every question is
answered by walking the policies from scratch, so it is slow and (we hope) obviously right.

Sources (networking.k8s.io/v1, https://kubernetes.io/docs/reference/kubernetes-api/
policy-resources/network-policy-v1/ and https://kubernetes.io/docs/concepts/services-networking/
network-policies/):

- A pod is isolated for a direction iff some NetworkPolicy in its namespace whose
  `policyTypes` contains that direction selects it with `podSelector`. Rules of a direction
  absent from `policyTypes` are ignored.
- A connection is allowed iff the source's egress allows it AND the destination's ingress
  allows it; a side allows when the pod is not isolated for it, or some rule of a selecting
  policy matches both the other party (`from`/`to`) and the port.
- An empty or missing `from`/`to` matches every peer; an empty or missing `ports` every port.
- Peer: `podSelector` alone = pods of the policy's namespace; `namespaceSelector` alone = all
  pods of matching namespaces; both = AND; `ipBlock` = `cidr` minus every `except`.
- A named port stands for every container port of the destination pod with that name and
  protocol: names are unique per container only, so two containers may both declare
  `http`/TCP with different numbers, and both numbers are allowed (what upstream enforcers
  do). An address outside the cluster has no named ports. `endPort` makes an inclusive range.
- An ipBlock matches the address the packet carries: for a connection over IPv4 the party's
  IPv4 address, over IPv6 its IPv6 address (a party without an address of that family is
  not in any block). A connection asked about without a family (by pod name) may use every
  family the two parties can use, and is allowed only if it is allowed over each of them: a
  party without any address constrains nothing; when the two share no family, the question
  is answered over any of their addresses.
- Selector operators (k8s.io/apimachinery/pkg/labels): `In` needs the key; `NotIn` matches a
  missing key; `Exists` / `DoesNotExist` test presence.
- hostNetwork pods are outside NetworkPolicy: never isolated, never matched by pod or
  namespace selectors (an ipBlock can match their IPs).
- Traffic from a pod to itself is always allowed (ClusterNetworkPolicy too: "A Pod
  connecting to its own Pod IP is not subject to CNP", network-policy-api api-overview).
- ClusterNetworkPolicies add an Admin tier before and a Baseline tier after the
  NetworkPolicies: see `naive_tiers` (the same independence rules).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping
from typing import Any
from typing import Protocol as TypingProtocol

from podfence.model import (
    NAME_LABEL,
    Cluster,
    Direction,
    Endpoint,
    External,
    IPBlock,
    LabelSelector,
    NetworkPolicy,
    Operator,
    Peer,
    PolicyPort,
    Protocol,
    Rule,
)

from .naive_tiers import tiered_side_allows

__all__ = [
    "PortLike",
    "reference_allowed",
    "reference_families",
    "reference_matrix",
    "reference_selecting",
    "reference_side_allows",
]

Party = Endpoint | External


class _HasPortAndProtocol(TypingProtocol):
    @property
    def port(self) -> int: ...

    @property
    def protocol(self) -> Protocol: ...


PortLike = tuple[int, Protocol] | _HasPortAndProtocol
"""A port to ask about: `(80, Protocol.TCP)` or anything with `.port` and `.protocol`."""


# -- labels ------------------------------------------------------------------------------


def _selector_matches(selector: LabelSelector, labels: Mapping[str, str]) -> bool:
    """matchLabels AND matchExpressions; the empty selector matches everything."""
    for key, value in selector.match_labels:
        if key not in labels or labels[key] != value:
            return False
    for req in selector.match_expressions:
        has_key = req.key in labels
        if req.operator is Operator.IN:
            ok = has_key and labels[req.key] in req.values
        elif req.operator is Operator.NOT_IN:
            ok = (not has_key) or labels[req.key] not in req.values
        elif req.operator is Operator.EXISTS:
            ok = has_key
        elif req.operator is Operator.DOES_NOT_EXIST:
            ok = not has_key
        else:  # pragma: no cover - a new operator must be taught to the reference
            raise AssertionError(f"unknown operator {req.operator!r}")
        if not ok:
            return False
    return True


def _namespace_labels(cluster: Cluster, name: str) -> dict[str, str]:
    """A namespace's labels, with the name label the API server always sets."""
    labels: dict[str, str] = {}
    for ns in cluster.namespaces:
        if ns.name == name:
            labels = dict(ns.labels)
    labels[NAME_LABEL] = name
    return labels


# -- peers and ports ---------------------------------------------------------------------


Address = ipaddress.IPv4Address | ipaddress.IPv6Address


def _inside(ip: Address, net: ipaddress.IPv4Network | ipaddress.IPv6Network) -> bool:
    """By integer arithmetic on the network's first and last address."""
    if ip.version != net.version:
        return False
    return int(net.network_address) <= int(ip) <= int(net.broadcast_address)


def _in_block(block: IPBlock, ip: Address) -> bool:
    return _inside(ip, block.cidr) and not any(_inside(ip, ex) for ex in block.excepts)


def _addresses(party: Party, family: int | None) -> list[Address]:
    """The party's addresses a packet of `family` may carry (None: any of them)."""
    every = [party.ip] if isinstance(party, External) else list(party.ips)
    return [ip for ip in every if family is None or ip.version == family]


def _peer_matches(
    cluster: Cluster, policy: NetworkPolicy, peer: Peer, party: Party, family: int | None
) -> bool:
    if peer.ip_block is not None:
        return any(_in_block(peer.ip_block, ip) for ip in _addresses(party, family))
    if isinstance(party, External) or party.host_network:
        return False
    if peer.namespace_selector is None:
        namespace_ok = party.namespace == policy.namespace
    else:
        namespace_ok = _selector_matches(
            peer.namespace_selector, _namespace_labels(cluster, party.namespace)
        )
    if peer.pod_selector is None:
        pod_ok = True
    else:
        pod_ok = _selector_matches(peer.pod_selector, dict(party.labels))
    return namespace_ok and pod_ok


def _port_matches(entry: PolicyPort, destination: Party, port: int, protocol: Protocol) -> bool:
    if entry.protocol != protocol:
        return False
    if entry.port is None:
        return True
    if isinstance(entry.port, str):  # every container port with the name and protocol
        if isinstance(destination, External):
            return False
        return any(
            cp.name == entry.port and cp.protocol == protocol and cp.port == port
            for cp in destination.ports
        )
    last = entry.end_port if entry.end_port is not None else entry.port
    return entry.port <= port <= last


def _rule_matches(
    cluster: Cluster,
    policy: NetworkPolicy,
    rule: Rule,
    *,
    peer: Party,
    destination: Party,
    port: int,
    protocol: Protocol,
    family: int | None,
) -> bool:
    peer_ok = not rule.peers or any(
        _peer_matches(cluster, policy, p, peer, family) for p in rule.peers
    )
    port_ok = not rule.ports or any(
        _port_matches(e, destination, port, protocol) for e in rule.ports
    )
    return peer_ok and port_ok


# -- one side, one connection ------------------------------------------------------------


def reference_selecting(
    cluster: Cluster, pod: Endpoint, direction: Direction
) -> list[NetworkPolicy]:
    """The policies that isolate `pod` for `direction` (hostNetwork pods: none)."""
    if pod.host_network:
        return []
    return [
        pol
        for pol in cluster.policies
        if pol.namespace == pod.namespace
        and direction in pol.policy_types
        and _selector_matches(pol.pod_selector, dict(pod.labels))
    ]


def reference_side_allows(
    cluster: Cluster,
    direction: Direction,
    *,
    subject: Party,
    peer: Party,
    destination: Party,
    port: int,
    protocol: Protocol,
    family: int | None = None,
) -> bool:
    """Does `subject` allow the connection in `direction` (egress of the source, ingress of
    the destination) over `family` (None: any address)? `peer` is the other party,
    `destination` the connection's destination.
    """
    if isinstance(subject, External):
        return True
    ask = {"peer": peer, "destination": destination, "port": port, "protocol": protocol,
           "family": family}  # fmt: skip
    if cluster.cluster_policies:
        return tiered_side_allows(
            cluster,
            _selector_matches,
            lambda name: _namespace_labels(cluster, name),
            lambda: _policy_side(cluster, direction, subject=subject, **ask),  # type: ignore[arg-type]
            direction,
            subject=subject,
            **ask,  # type: ignore[arg-type]
        )
    found = _policy_side(cluster, direction, subject=subject, **ask)  # type: ignore[arg-type]
    return True if found is None else found


def _policy_side(
    cluster: Cluster,
    direction: Direction,
    *,
    subject: Endpoint,
    peer: Party,
    destination: Party,
    port: int,
    protocol: Protocol,
    family: int | None,
) -> bool | None:
    """The NetworkPolicy tier: None when no policy isolates `subject` for `direction`,
    else whether one of them allows the connection."""
    policies = reference_selecting(cluster, subject, direction)
    if not policies:
        return None
    for pol in policies:
        rules = pol.ingress if direction is Direction.INGRESS else pol.egress
        for rule in rules:
            if _rule_matches(
                cluster,
                pol,
                rule,
                peer=peer,
                destination=destination,
                port=port,
                protocol=protocol,
                family=family,
            ):
                return True
    return False


def _families(party: Party) -> set[int] | None:
    if isinstance(party, External):
        return {party.ip.version}
    return {ip.version for ip in party.ips} or None


def reference_families(src: Party, dst: Party) -> list[int | None]:
    """The families a connection between the two may use, when none was given: those both
    have an address of; a party without addresses constrains nothing; [None] (any address)
    when neither has one or they share none."""
    a, b = _families(src), _families(dst)
    if a is None and b is None:
        return [None]
    shared = a if b is None else b if a is None else a & b
    assert shared is not None
    return sorted(shared) or [None]


def reference_allowed(
    cluster: Cluster,
    src: Party,
    dst: Party,
    port: int,
    protocol: Protocol,
    family: int | None = None,
) -> bool:
    """May `src` open a connection to `dst` on `port`/`protocol` over IP `family`? Without a
    family: over every family the two may use (`reference_families`)."""
    if isinstance(src, Endpoint) and isinstance(dst, Endpoint) and src.id == dst.id:
        return True
    families = [family] if family is not None else reference_families(src, dst)
    return all(_allowed_over(cluster, src, dst, port, protocol, f) for f in families)


def _allowed_over(
    cluster: Cluster, src: Party, dst: Party, port: int, protocol: Protocol, family: int | None
) -> bool:
    egress = reference_side_allows(
        cluster,
        Direction.EGRESS,
        subject=src,
        peer=dst,
        destination=dst,
        port=port,
        protocol=protocol,
        family=family,
    )
    ingress = reference_side_allows(
        cluster,
        Direction.INGRESS,
        subject=dst,
        peer=src,
        destination=dst,
        port=port,
        protocol=protocol,
        family=family,
    )
    return egress and ingress


# -- the matrix contract -----------------------------------------------------------------


def _port_pair(spec: PortLike) -> tuple[int, Protocol]:
    if isinstance(spec, tuple):
        return spec
    return spec.port, spec.protocol


def reference_matrix(
    cluster: Cluster, ports: Iterable[PortLike], family: int | None = None
) -> dict[str, Any]:
    """The matrix JSON contract: `{"endpoints": [sorted ids], "matrices": [{"port": 80,
    "protocol": "TCP", "allowed": [[bool]]}]}` with allowed[i][j] = endpoints[i] -> [j]
    (over `family`; None: asked by name, every family the two may use must allow).
    """
    pods = sorted(cluster.endpoints, key=lambda ep: ep.id)
    matrices = []
    for spec in ports:
        port, protocol = _port_pair(spec)
        grid = [
            [reference_allowed(cluster, src, dst, port, protocol, family) for dst in pods]
            for src in pods
        ]
        matrices.append({"port": port, "protocol": protocol.value, "allowed": grid})
    return {"endpoints": [ep.id for ep in pods], "matrices": matrices}

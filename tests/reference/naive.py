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
- Named ports are looked up on the destination pod's container ports (same protocol); an
  address outside the cluster has no named ports. `endPort` makes an inclusive range.
- Selector operators (k8s.io/apimachinery/pkg/labels): `In` needs the key; `NotIn` matches a
  missing key; `Exists` / `DoesNotExist` test presence.
- hostNetwork pods are outside NetworkPolicy: never isolated, never matched by pod or
  namespace selectors (an ipBlock can match their IPs).
- Traffic from a pod to itself is always allowed.
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

__all__ = [
    "PortLike",
    "reference_allowed",
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


def _in_block(block: IPBlock, ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if ip.version != block.cidr.version:
        return False
    if not (int(block.cidr.network_address) <= int(ip) <= int(block.cidr.broadcast_address)):
        return False
    return not any(ex.version == ip.version and ip in ex for ex in block.excepts)


def _peer_matches(cluster: Cluster, policy: NetworkPolicy, peer: Peer, party: Party) -> bool:
    if peer.ip_block is not None:
        addresses = [party.ip] if isinstance(party, External) else list(party.ips)
        return any(_in_block(peer.ip_block, ip) for ip in addresses)
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
    if isinstance(entry.port, str):
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
) -> bool:
    peer_ok = not rule.peers or any(_peer_matches(cluster, policy, p, peer) for p in rule.peers)
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
) -> bool:
    """Does `subject` allow the connection in `direction` (egress of the source, ingress of
    the destination)? `peer` is the other party, `destination` the connection's destination.
    """
    if isinstance(subject, External):
        return True
    policies = reference_selecting(cluster, subject, direction)
    if not policies:
        return True
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
            ):
                return True
    return False


def reference_allowed(
    cluster: Cluster, src: Party, dst: Party, port: int, protocol: Protocol
) -> bool:
    """May `src` open a connection to `dst` on `port`/`protocol`?"""
    if isinstance(src, Endpoint) and isinstance(dst, Endpoint) and src.id == dst.id:
        return True
    egress = reference_side_allows(
        cluster,
        Direction.EGRESS,
        subject=src,
        peer=dst,
        destination=dst,
        port=port,
        protocol=protocol,
    )
    ingress = reference_side_allows(
        cluster,
        Direction.INGRESS,
        subject=dst,
        peer=src,
        destination=dst,
        port=port,
        protocol=protocol,
    )
    return egress and ingress


# -- the matrix contract -----------------------------------------------------------------


def _port_pair(spec: PortLike) -> tuple[int, Protocol]:
    if isinstance(spec, tuple):
        return spec
    return spec.port, spec.protocol


def reference_matrix(cluster: Cluster, ports: Iterable[PortLike]) -> dict[str, Any]:
    """The matrix JSON contract: `{"endpoints": [sorted ids], "matrices": [{"port": 80,
    "protocol": "TCP", "allowed": [[bool]]}]}` with allowed[i][j] = endpoints[i] -> [j].
    """
    pods = sorted(cluster.endpoints, key=lambda ep: ep.id)
    matrices = []
    for spec in ports:
        port, protocol = _port_pair(spec)
        grid = [
            [reference_allowed(cluster, src, dst, port, protocol) for dst in pods] for src in pods
        ]
        matrices.append({"port": port, "protocol": protocol.value, "allowed": grid})
    return {"endpoints": [ep.id for ep in pods], "matrices": matrices}

"""The shared generator (tests/support) reaches every case the property tests rely on.

Each case is searched for with `hypothesis.find` in the clusters the property tests draw:
if the generator lost the ability to produce, say, two containers of one pod that both
declare `http`/TCP, the engine-vs-reference properties would silently stop covering it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from hypothesis import Phase, find, given, settings

from podfence.model import (
    NAME_LABEL,
    Cluster,
    Direction,
    Endpoint,
    LabelSelector,
    Operator,
    Peer,
    PolicyPort,
    Protocol,
)
from support import clusters, externals

SEARCH = settings(max_examples=3000, phases=(Phase.generate,), database=None)


def _peers(cluster: Cluster) -> Iterator[Peer]:
    for pol in cluster.policies:
        for rule in (*pol.ingress, *pol.egress):
            yield from rule.peers


def _ports(cluster: Cluster) -> Iterator[PolicyPort]:
    for pol in cluster.policies:
        for rule in (*pol.ingress, *pol.egress):
            yield from rule.ports


def _selectors(cluster: Cluster) -> Iterator[LabelSelector]:
    for pol in cluster.policies:
        yield pol.pod_selector
    for peer in _peers(cluster):
        yield from (s for s in (peer.pod_selector, peer.namespace_selector) if s is not None)


def _pods(cluster: Cluster) -> Iterator[Endpoint]:
    return iter(cluster.endpoints)


def _duplicate_name(ep: Endpoint) -> bool:
    """Two container ports with one name and protocol and different numbers."""
    seen: dict[tuple[str, Protocol], int] = {}
    for cp in ep.ports:
        if cp.name is None:
            continue
        if seen.setdefault((cp.name, cp.protocol), cp.port) != cp.port:
            return True
    return False


def _name_on_two_protocols(ep: Endpoint) -> bool:
    protocols: dict[str, set[Protocol]] = {}
    for cp in ep.ports:
        if cp.name is not None:
            protocols.setdefault(cp.name, set()).add(cp.protocol)
    return any(len(v) > 1 for v in protocols.values())


def _name_differs_between_pods(cluster: Cluster) -> bool:
    numbers: dict[tuple[str, Protocol], set[frozenset[int]]] = {}
    for ep in cluster.endpoints:
        mine: dict[tuple[str, Protocol], set[int]] = {}
        for cp in ep.ports:
            if cp.name is not None:
                mine.setdefault((cp.name, cp.protocol), set()).add(cp.port)
        for key, value in mine.items():
            numbers.setdefault(key, set()).add(frozenset(value))
    return any(len(v) > 1 for v in numbers.values())


def _stack(ep: Endpoint) -> tuple[int, ...]:
    return tuple(ip.version for ip in ep.ips)


def _block_with_except(version: int) -> Callable[[Cluster], bool]:
    def check(cluster: Cluster) -> bool:
        return any(
            p.ip_block is not None and p.ip_block.cidr.version == version and p.ip_block.excepts
            for p in _peers(cluster)
        )

    return check


def _operator(op: Operator) -> Callable[[Cluster], bool]:
    def check(cluster: Cluster) -> bool:
        return any(r.operator is op for s in _selectors(cluster) for r in s.match_expressions)

    return check


CLUSTER_CASES: dict[str, Callable[[Cluster], bool]] = {
    "duplicate port name across containers": lambda c: any(map(_duplicate_name, _pods(c))),
    "one name on two protocols in a pod": lambda c: any(map(_name_on_two_protocols, _pods(c))),
    "one name, other numbers on another pod": _name_differs_between_pods,
    "pod without address": lambda c: any(not e.ips for e in _pods(c)),
    "IPv4-only pod": lambda c: any(_stack(e) == (4,) for e in _pods(c)),
    "IPv6-only pod": lambda c: any(_stack(e) == (6,) for e in _pods(c)),
    "dual-stack pod": lambda c: any(_stack(e) == (4, 6) for e in _pods(c)),
    "dual-stack pod, IPv6 first": lambda c: any(_stack(e) == (6, 4) for e in _pods(c)),
    "hostNetwork pod": lambda c: any(e.host_network for e in _pods(c)),
    "podSelector alone": lambda c: any(
        p.pod_selector is not None and p.namespace_selector is None for p in _peers(c)
    ),
    "namespaceSelector alone": lambda c: any(
        p.namespace_selector is not None and p.pod_selector is None for p in _peers(c)
    ),
    "podSelector and namespaceSelector": lambda c: any(
        p.pod_selector is not None and p.namespace_selector is not None for p in _peers(c)
    ),
    "empty podSelector peer": lambda c: any(
        p.pod_selector is not None and p.pod_selector.is_empty for p in _peers(c)
    ),
    "empty namespaceSelector peer": lambda c: any(
        p.namespace_selector is not None and p.namespace_selector.is_empty for p in _peers(c)
    ),
    "IPv4 ipBlock with except": _block_with_except(4),
    "IPv6 ipBlock with except": _block_with_except(6),
    "In": _operator(Operator.IN),
    "NotIn": _operator(Operator.NOT_IN),
    "Exists": _operator(Operator.EXISTS),
    "DoesNotExist": _operator(Operator.DOES_NOT_EXIST),
    "numeric port": lambda c: any(
        isinstance(p.port, int) and p.end_port is None for p in _ports(c)
    ),
    "endPort range": lambda c: any(p.end_port is not None for p in _ports(c)),
    "named port": lambda c: any(isinstance(p.port, str) for p in _ports(c)),
    "protocol-only port": lambda c: any(p.port is None for p in _ports(c)),
    "SCTP port": lambda c: any(p.protocol is Protocol.SCTP for p in _ports(c)),
    "UDP port": lambda c: any(p.protocol is Protocol.UDP for p in _ports(c)),
    "policyTypes Egress only": lambda c: any(
        p.policy_types == {Direction.EGRESS} for p in c.policies
    ),
    "policyTypes both": lambda c: any(len(p.policy_types) == 2 for p in c.policies),
    "policyTypes defaulted": lambda c: any(p.policy_types_defaulted for p in c.policies),
    "rule with every peer": lambda c: any(
        not r.peers for p in c.policies for r in (*p.ingress, *p.egress)
    ),
}


@pytest.mark.parametrize("check", list(CLUSTER_CASES.values()), ids=list(CLUSTER_CASES))
def test_clusters_reach(check: Callable[[Cluster], bool]) -> None:
    find(clusters(), check, settings=SEARCH)


@pytest.mark.parametrize("version", [4, 6])
def test_externals_reach_both_families(version: int) -> None:
    find(externals(), lambda xs: any(x.ip.version == version for x in xs), settings=SEARCH)


def test_templated_clusters_share_templates() -> None:
    def shared(c: Cluster) -> bool:
        bodies = [(e.labels, e.ports) for e in c.endpoints]
        return len(set(bodies)) < len(bodies)

    find(clusters(templated=True), shared, settings=SEARCH)


@settings(max_examples=100)
@given(clusters(max_endpoints=8))
def test_loader_invariants(cluster: Cluster) -> None:
    """What the loader guarantees holds: pod addresses never repeat (hostNetwork pods share
    their node's), namespaces carry their name label, endpoints and policies are sorted and
    live in the cluster's namespaces."""
    ips = [ip for e in cluster.endpoints if not e.host_network for ip in e.ips]
    assert len(ips) == len(set(ips))
    assert all(dict(ns.labels)[NAME_LABEL] == ns.name for ns in cluster.namespaces)
    assert [e.id for e in cluster.endpoints] == sorted(e.id for e in cluster.endpoints)
    keys = [(p.namespace, p.name) for p in cluster.policies]
    assert keys == sorted(keys)
    names = {ns.name for ns in cluster.namespaces}
    assert all(e.namespace in names for e in cluster.endpoints)
    assert all(p.namespace in names for p in cluster.policies)

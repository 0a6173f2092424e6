"""Property: with ClusterNetworkPolicies, the compiled ruleset (interpreted by `irsim`)
decides every new connection exactly as the naive reference (`reference.naive`, with its own
tiers) and the per-pair engine do, per IP family, on random clusters from the one generator
(`support`): both tiers, equal priorities (often: priorities come from {0, 1, 1, 2}; and a
variant where every priority is equal), Pass chains, fail-closed rules, `networks` and `nodes`
peers, named ports, TCP/UDP/SCTP, hostNetwork pods and outside addresses.

An address two endpoints share (hostNetwork pods of one node) is skipped as a source or a
destination: a packet cannot say which of them it belongs to. A pod to itself never crosses
the forward hook. No kernel: the netns tests check the kernel against the same ruleset.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import replace

import pytest
from hypothesis import HealthCheck, Phase, find, given, settings
from hypothesis import strategies as st

from podfence.dataplane.nft import compile_ruleset, emit
from podfence.engine import Engine
from podfence.model import (
    Action,
    Cluster,
    ClusterNetworkPolicy,
    Connection,
    Endpoint,
    External,
    IPAddress,
    NetworksPeer,
    NodesPeer,
    UnknownPeer,
)
from reference.naive import reference_allowed
from support import PROBE_PORTS, clusters, describe, externals

from .irsim import forward_accepts

Party = Endpoint | External

SIM = settings(
    max_examples=int(os.environ.get("PODFENCE_SIM_EXAMPLES", "400")),
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def _all_equal(cluster: Cluster) -> Cluster:
    """Every CNP at priority 0: every tie upstream leaves to the implementation."""
    cnps = tuple(replace(p, priority=0) for p in cluster.cluster_policies)
    return replace(cluster, cluster_policies=cnps)


def tiered_clusters(*, equal: bool = False) -> st.SearchStrategy[Cluster]:
    found = clusters(max_cluster_policies=4)
    return found.map(_all_equal) if equal else found


def _addresses(party: Party) -> tuple[IPAddress, ...]:
    return (party.ip,) if isinstance(party, External) else party.ips


def _pairs(cluster: Cluster, outside: list[External]) -> Iterator[tuple[Party, Party, int]]:
    """(source, destination, family) for every pair the kernel can tell apart."""
    owners: dict[IPAddress, int] = {}
    parties: list[Party] = [*cluster.endpoints]
    for ip in (ip for ep in cluster.endpoints for ip in ep.ips):
        owners[ip] = owners.get(ip, 0) + 1
    parties += [e for e in outside if e.ip not in owners]
    for src in parties:
        for dst in parties:
            if src is dst or (isinstance(src, External) and isinstance(dst, External)):
                continue
            for family in (4, 6):
                s = [ip for ip in _addresses(src) if ip.version == family]
                d = [ip for ip in _addresses(dst) if ip.version == family]
                if s and d and owners.get(s[0], 1) == 1 and owners.get(d[0], 1) == 1:
                    yield src, dst, family


def _first(party: Party, family: int) -> IPAddress:
    return next(ip for ip in _addresses(party) if ip.version == family)


def check(cluster: Cluster, outside: list[External]) -> None:
    rs = compile_ruleset(cluster)
    text = emit(rs)
    engine = Engine(cluster)
    for src, dst, family in _pairs(cluster, outside):
        for spec in PROBE_PORTS:
            port, proto = spec.port, spec.protocol
            where = f"{src} -> {dst} {port}/{proto} over IPv{family}"
            want = reference_allowed(cluster, src, dst, port, proto, family)
            got = forward_accepts(rs, _first(src, family), _first(dst, family), proto, port)
            assert got == want, (
                f"{where}: ruleset {got}, reference {want}\n{describe(cluster)}\n{text}"
            )
            says = engine.allowed(Connection(src, dst, port, proto, family))
            assert says == want, f"{where}: engine {says}, reference {want}\n{describe(cluster)}"


@SIM
@given(cluster=tiered_clusters(), outside=externals())
def test_tiered_ruleset_and_engine_match_reference(
    cluster: Cluster, outside: list[External]
) -> None:
    check(cluster, outside)


@settings(SIM, max_examples=max(20, SIM.max_examples // 2))
@given(cluster=tiered_clusters(equal=True), outside=externals())
def test_every_priority_equal(cluster: Cluster, outside: list[External]) -> None:
    """Every CNP of a tier tied: the kernel allows a side only if every order allows it."""
    check(cluster, outside)


@settings(SIM, max_examples=max(20, SIM.max_examples // 4))
@given(cluster=clusters(max_cluster_policies=3, max_policies=0), outside=externals())
def test_tiers_alone(cluster: Cluster, outside: list[External]) -> None:
    """No NetworkPolicy: the Admin tier, then Baseline, then the default."""
    check(cluster, outside)


# -- the generator reaches the hard cases --------------------------------------------------


def _rules(c: Cluster) -> Iterator[tuple[ClusterNetworkPolicy, Action, object]]:
    for p in c.cluster_policies:
        for r in (*p.ingress, *p.egress):
            for peer in r.peers:
                yield p, r.action, peer


def _disagreeing_tie(c: Cluster) -> bool:
    by_level: dict[tuple[object, int], set[Action]] = {}
    for p in c.cluster_policies:
        for r in (*p.ingress, *p.egress):
            by_level.setdefault((p.tier, p.priority), set()).add(r.action)
    counts: dict[tuple[object, int], int] = {}
    for p in c.cluster_policies:
        counts[(p.tier, p.priority)] = counts.get((p.tier, p.priority), 0) + 1
    return any(counts[k] > 1 and len(v) > 1 for k, v in by_level.items())


def _pass(c: Cluster) -> bool:
    return any(a is Action.PASS for _, a, _ in _rules(c)) and bool(c.policies)


def _fail_closed(c: Cluster) -> bool:
    return any(isinstance(peer, UnknownPeer) for _, _, peer in _rules(c))


def _networks(c: Cluster) -> bool:
    return any(isinstance(peer, NetworksPeer) for _, _, peer in _rules(c))


def _nodes_and_host_pods(c: Cluster) -> bool:
    nodes = any(isinstance(peer, NodesPeer) for _, _, peer in _rules(c))
    return nodes and any(ep.host_network for ep in c.endpoints)


@pytest.mark.parametrize(
    "case",
    [_disagreeing_tie, _pass, _fail_closed, _networks, _nodes_and_host_pods],
    ids=lambda f: f.__name__.strip("_"),
)
def test_the_clusters_hold_the_hard_cases(case: Callable[[Cluster], bool]) -> None:
    found = find(
        tiered_clusters(),
        case,
        settings=settings(
            max_examples=2000,
            phases=(Phase.generate,),
            database=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        ),
    )
    assert case(found)

"""The class engine with ClusterNetworkPolicies answers exactly what the per-pair engine and
the naive tier reference answer: every pair, at every port boundary (of NetworkPolicies,
ClusterNetworkPolicies and container ports), over IPv4, IPv6 and by name (every family the
two can use), through `allowed` (one pair) and `class_bits` (rows of classes).

Clusters come from the one generator (`support.clusters` with `max_cluster_policies`): both
tiers, equal priorities, Accept/Deny/Pass, fail-closed rules, `namespaces`/`pods`/`networks`/
`nodes`/`domainNames` peers, numbers, ranges and `destinationNamedPort`, hostNetwork pods on
Nodes. Variants stress one thing each: every priority equal, Pass everywhere (chains through
both tiers), fail-closed rules, many hostNetwork pods, and shared peer vectors.

Upstream: kubernetes-sigs/network-policy-api apis/v1alpha2 (ClusterNetworkPolicySpec.tier,
.priority, ClusterNetworkPolicyRuleAction, the Ingress/EgressPeer fail-closed rule);
`engine/tier_walk.py` and `tests/reference/naive_tiers.py` cite each rule.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from podfence.engine import Engine
from podfence.engine.classes import ClassEngine
from podfence.model import (
    Action,
    Cluster,
    ClusterNetworkPolicy,
    ClusterRule,
    Connection,
    Endpoint,
    ProtocolPort,
    Tier,
    UnknownPeer,
)
from reference.naive import reference_allowed
from support import NODES, boundary_ports, clusters, describe

FAMILIES = (None, 4, 6)


def assert_tiers_agree(
    cluster: Cluster, fast: ClassEngine | None = None, *, reference: bool = True
) -> None:
    """Every pair (a pod to itself aside in class_bits), every boundary port, every family:
    the class engine (one pair, and rows of classes) == Engine == the naive reference."""
    exact = Engine(cluster)
    fast = fast or ClassEngine(cluster)
    eps = cluster.endpoints
    every = np.arange(fast.class_count, dtype=np.intp)
    ports = boundary_ports(cluster)
    for family in FAMILIES:
        for port, proto in ports:
            bits = fast.class_bits(ProtocolPort(port, proto), every, every, family)
            for src in eps:
                for dst in eps:
                    want = exact.allowed(Connection(src, dst, port, proto, family))
                    got = fast.allowed(src, dst, port, proto, family)
                    where = f"{src.id} -> {dst.id} {port}/{proto} over {family}"
                    assert got == want, f"{where}: classes {got}, engine {want}\n" + describe(
                        cluster
                    )
                    if src != dst:
                        cell = bool(bits[fast.class_by_id[src.id], fast.class_by_id[dst.id]])
                        assert cell == want, f"{where}: class_bits {cell}, engine {want}"
                    if reference and (port, proto) in _sampled(ports):
                        ref = reference_allowed(cluster, src, dst, port, proto, family)
                        assert ref == want, f"{where}: reference {ref}, engine {want}"


def _sampled(ports: list[tuple[int, object]]) -> set[tuple[int, object]]:
    """Every third boundary port (the naive reference is slow): at least the extremes."""
    return {*ports[::3], ports[0], ports[-1]}


_Transform = Callable[[Cluster], Cluster]


def _policies(
    cluster: Cluster, change: Callable[[ClusterNetworkPolicy], ClusterNetworkPolicy]
) -> Cluster:
    return dataclasses.replace(
        cluster, cluster_policies=tuple(change(p) for p in cluster.cluster_policies)
    )


def _rules(cluster: Cluster, change: Callable[[ClusterRule, int], ClusterRule]) -> Cluster:
    def per_policy(p: ClusterNetworkPolicy) -> ClusterNetworkPolicy:
        return dataclasses.replace(
            p,
            ingress=tuple(change(r, i) for i, r in enumerate(p.ingress)),
            egress=tuple(change(r, i + 7) for i, r in enumerate(p.egress)),
        )

    return _policies(cluster, per_policy)


def equal_priorities(cluster: Cluster) -> Cluster:
    """Every CNP at one priority: disagreements are ambiguities (allowed only if every
    order allows)."""
    return _policies(cluster, lambda p: dataclasses.replace(p, priority=7))


def pass_chains(cluster: Cluster) -> Cluster:
    """Most Accepts and Denies become Pass: chains from Admin to the NetworkPolicies and to
    Baseline."""
    return _rules(
        cluster,
        lambda r, i: dataclasses.replace(r, action=Action.PASS) if i % 3 != 2 else r,
    )


def fail_closed(cluster: Cluster) -> Cluster:
    """Every other rule has a peer podfence does not know: Accept matches nothing, Deny and
    Pass deny everything."""
    return _rules(
        cluster,
        lambda r, i: (
            dataclasses.replace(r, peers=(*r.peers, UnknownPeer(("serviceAccounts",))))
            if i % 2
            else r
        ),
    )


def host_network(cluster: Cluster) -> Cluster:
    """Every other endpoint on the host network of a Node (its addresses, or none: then by
    its node name)."""
    eps = []
    for i, ep in enumerate(cluster.endpoints):
        if i % 2:
            node = NODES[i % len(NODES)]
            ips = (
                () if i % 4 == 3 else tuple(ip for ip in node.ips if ip.version in (4, 6))[: i % 3]
            )
            ep = dataclasses.replace(ep, host_network=True, ips=ips, node_name=node.name)
        eps.append(ep)
    return dataclasses.replace(cluster, endpoints=tuple(eps))


def admin_only(cluster: Cluster) -> Cluster:
    return _policies(cluster, lambda p: dataclasses.replace(p, tier=Tier.ADMIN))


def both_tiers(cluster: Cluster) -> Cluster:
    """Admin and Baseline CNPs in turn, with Pass chains: what Admin passes on meets the
    NetworkPolicies or Baseline."""
    tiers = (Tier.ADMIN, Tier.BASELINE)
    turned = dataclasses.replace(
        cluster,
        cluster_policies=tuple(
            dataclasses.replace(p, tier=tiers[i % 2])
            for i, p in enumerate(cluster.cluster_policies)
        ),
    )
    return pass_chains(turned)


TRANSFORMS: dict[str, _Transform] = {
    "as drawn": lambda c: c,
    "equal priorities": equal_priorities,
    "equal priorities, one tier": lambda c: equal_priorities(admin_only(c)),
    "pass chains": pass_chains,
    "fail closed": fail_closed,
    "host network": host_network,
    "admin only": admin_only,
    "both tiers": both_tiers,
}


_TIERED = clusters(max_cluster_policies=4, min_cluster_policies=1, templated=True)
_MEETING = clusters(max_cluster_policies=4, min_cluster_policies=2, templated=True)
"""At least two CNPs, so that tiers and priorities meet."""


@settings(max_examples=150, deadline=None)
@given(_TIERED)
def test_every_pair_port_and_family_agree(cluster: Cluster) -> None:
    assert_tiers_agree(cluster)


@settings(max_examples=60, deadline=None)
@given(clusters(max_cluster_policies=4, max_endpoints=6))
def test_every_pair_agrees_on_pods_of_their_own(cluster: Cluster) -> None:
    """Endpoints drawn freely (few classes with several members)."""
    assert_tiers_agree(cluster)


@pytest.mark.parametrize("name", sorted(TRANSFORMS))
@settings(max_examples=60, deadline=None)
@given(cluster=_MEETING)
def test_each_stress_agrees(name: str, cluster: Cluster) -> None:
    assert_tiers_agree(TRANSFORMS[name](cluster))


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(sorted(TRANSFORMS)), _MEETING)
def test_shared_peer_vectors_agree(name: str, cluster: Cluster) -> None:
    """Every peer set kept as a shared vector (big_peer_set=0): the same answers."""
    changed = TRANSFORMS[name](cluster)
    assert_tiers_agree(changed, ClassEngine(changed, big_peer_set=0), reference=False)


@settings(max_examples=40, deadline=None)
@given(clusters(max_cluster_policies=3, max_policies=0, templated=True))
def test_tiers_without_networkpolicies(cluster: Cluster) -> None:
    assert_tiers_agree(cluster)


@settings(max_examples=40, deadline=None)
@given(_TIERED)
def test_grouped_ports_are_the_members_answers(cluster: Cluster) -> None:
    """`grouped(all_ports=True)`, as matrix --all-ports reads it."""
    exact = Engine(cluster)
    result = ClassEngine(cluster).grouped(all_ports=True)
    masks = {(p.source, p.destination): p.mask for p in result.pairs()}
    eps: dict[str, Endpoint] = {ep.id: ep for ep in cluster.endpoints}
    for port, proto in boundary_ports(cluster)[::2]:
        bit = result.atoms.atom(port, proto)
        for gi in result.groups:
            for gj in result.groups:
                for a in gi.members:
                    for b in gj.members:
                        if a == b and len(gi.members) > 1:
                            continue
                        want = exact.allowed(Connection(eps[a], eps[b], port, proto))
                        assert bool(masks.get((gi.id, gj.id), 0) >> bit & 1) == want

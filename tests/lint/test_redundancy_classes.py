"""PF011's rule sets collected class by class equal the sets collected by asking the
per-pair engine about every pair of parties, on random clusters; with ClusterNetworkPolicies
(both tiers, Accept/Deny/Pass, equal priorities, fail-closed rules, hostNetwork pods) they
also equal a brute force over every pair and every port at and around every boundary (so a
port cut that both collections forget to sample, such as an Admin `protocols` entry's, shows).

Upstream: kubernetes-sigs/network-policy-api apis/v1alpha2 (ClusterNetworkPolicySpec.tier:
Admin before the NetworkPolicies, Baseline after; Accept and Deny final, Pass to the next
tier). A NetworkPolicy rule allows a side only where the Admin tier passes it on.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings

from classes.test_tiers import TRANSFORMS
from podfence.analysis.lint.context import LintContext
from podfence.analysis.lint.redundancy import _collect
from podfence.analysis.lint.redundancy_classes import collect_by_class
from podfence.analysis.samples import outside_samples
from podfence.engine import Engine
from podfence.model import Cluster, Connection, Endpoint, External
from support import boundary_ports, clusters, describe

_Sets = set[frozenset[tuple[object, ...]]]


@settings(deadline=None, max_examples=300)
@given(clusters(templated=True, max_policies=5))
def test_class_by_class_equals_every_pair(cluster: Cluster) -> None:
    ctx = LintContext(cluster)
    assert collect_by_class(ctx, 10**9) == _collect(ctx, 10**9)


@settings(deadline=None, max_examples=100)
@given(clusters(max_endpoints=8, max_policies=6))
def test_also_on_clusters_of_different_pods(cluster: Cluster) -> None:
    ctx = LintContext(cluster)
    assert collect_by_class(ctx, 10**9) == _collect(ctx, 10**9)


def brute_force(cluster: Cluster) -> _Sets:
    """Every pair of parties (pods and the outside samples), every port at and around every
    boundary of every protocol, every family the pair can use: the non-empty `allowed_by`
    rule sets of each side of the per-pair verdict."""
    engine = Engine(cluster)
    parties: list[Endpoint | External] = [*cluster.endpoints, *outside_samples(engine)]
    ports = boundary_ports(cluster)
    found: _Sets = set()
    for src in parties:
        for dst in parties:
            if src == dst or (isinstance(src, External) and isinstance(dst, External)):
                continue
            for family in engine.families(Connection(src, dst, 0, ports[0][1])):
                for port, protocol in ports:
                    v = engine.evaluate(Connection(src, dst, port, protocol, family))
                    for side in (v.egress, v.ingress):
                        keys = frozenset(
                            (r.policy, r.direction, r.rule)
                            for r in side.allowed_by
                            if r.rule is not None
                        )
                        if keys:
                            found.add(keys)
    return found


def assert_sets_agree(cluster: Cluster, *, reference: bool) -> None:
    ctx = LintContext(cluster)
    by_class = collect_by_class(ctx, 10**9)
    every_pair = _collect(ctx, 10**9)
    assert by_class == every_pair, describe(cluster)
    if reference:
        assert every_pair == brute_force(cluster), describe(cluster)


_TIERED = clusters(templated=True, max_policies=5, max_cluster_policies=4, min_cluster_policies=1)


@settings(deadline=None, max_examples=150)
@given(_TIERED)
def test_with_cluster_policies_class_by_class_equals_every_pair(cluster: Cluster) -> None:
    assert_sets_agree(cluster, reference=False)


@settings(deadline=None, max_examples=40)
@given(clusters(max_endpoints=6, max_policies=5, max_cluster_policies=4))
def test_with_cluster_policies_on_pods_of_their_own(cluster: Cluster) -> None:
    assert_sets_agree(cluster, reference=True)


@pytest.mark.parametrize("name", sorted(TRANSFORMS))
@settings(deadline=None, max_examples=25)
@given(cluster=clusters(templated=True, max_policies=5, max_cluster_policies=4,
                        min_cluster_policies=2))  # fmt: skip
def test_with_cluster_policies_each_stress_agrees(name: str, cluster: Cluster) -> None:
    """Equal priorities, Pass chains into the NetworkPolicies and Baseline, Admin only, both
    tiers, fail-closed rules, hostNetwork pods; each also against the brute force."""
    assert_sets_agree(TRANSFORMS[name](cluster), reference=True)

"""PF011's rule sets collected class by class equal the sets collected by asking the
per-pair engine about every pair of parties, on random clusters."""

from __future__ import annotations

from hypothesis import given, settings

from podfence.analysis.lint.context import LintContext
from podfence.analysis.lint.redundancy import _collect
from podfence.analysis.lint.redundancy_classes import collect_by_class
from podfence.model import Cluster
from support import clusters


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

"""The diff compared class by class (the class engine, plus the outside addresses of the
endpoints whose side changed) equals the diff that asks the per-pair engine about every
pair, cell by cell, on random pairs of clusters (with ClusterNetworkPolicies too: changed,
added, removed, or the same)."""

from __future__ import annotations

import dataclasses

from hypothesis import given, settings
from hypothesis import strategies as st

from podfence.analysis import diff as diff_module
from podfence.analysis.diff import diff_clusters
from podfence.model import Cluster
from support import clusters


def _cells(d: diff_module.Diff) -> list[tuple[object, ...]]:
    return sorted(
        (c.change.value, c.source, c.destination, c.probe.sort_key, c.side.value, c.via)
        for c in d.cells
    )


def _changed(base: Cluster, other: Cluster) -> Cluster:
    """`base` with the policies and ClusterNetworkPolicies of `other` (and, when the
    namespaces agree, its endpoints)."""
    if [n.name for n in base.namespaces] == [n.name for n in other.namespaces]:
        return dataclasses.replace(other, namespaces=base.namespaces)
    return dataclasses.replace(
        base, policies=other.policies, cluster_policies=other.cluster_policies
    )


def _compare(old: Cluster, new: Cluster) -> None:
    fast = diff_clusters(old, new)
    assert fast.per_pair is None
    slow = diff_clusters(old, new, every_pair=True)
    assert slow.per_pair is not None
    assert _cells(fast) == _cells(slow)
    assert fast.groups == slow.groups


@settings(deadline=None, max_examples=150)
@given(clusters(templated=True), clusters(templated=True), st.booleans())
def test_class_by_class_equals_every_pair(old: Cluster, other: Cluster, swap: bool) -> None:
    new = _changed(old, other)
    if swap:
        old, new = new, old
    _compare(old, new)


@settings(deadline=None, max_examples=100)
@given(
    clusters(templated=True, max_cluster_policies=3),
    clusters(templated=True, max_cluster_policies=3),
    st.sampled_from(("other", "cnps only", "same cnps")),
)
def test_class_by_class_equals_every_pair_with_tiers(
    old: Cluster, other: Cluster, how: str
) -> None:
    """The ClusterNetworkPolicies change with the rest, alone (so an endpoint's side towards
    the outside changes only through them), or not at all."""
    if how == "other":
        new = _changed(old, other)
    elif how == "cnps only":
        new = dataclasses.replace(old, cluster_policies=other.cluster_policies)
    else:
        new = dataclasses.replace(_changed(old, other), cluster_policies=old.cluster_policies)
    _compare(old, new)


def test_an_empty_diff_is_class_by_class() -> None:
    empty = Cluster()
    assert diff_clusters(empty, empty).per_pair is None

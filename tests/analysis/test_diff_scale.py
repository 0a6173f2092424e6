"""The diff compared class by class (the class engine, plus the outside addresses of the
endpoints whose side changed) equals the diff that asks the per-pair engine about every
pair, cell by cell, on random pairs of clusters."""

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
    """`base` with the policies of `other` (and, when the namespaces agree, its endpoints)."""
    if [n.name for n in base.namespaces] == [n.name for n in other.namespaces]:
        return dataclasses.replace(other, namespaces=base.namespaces)
    return dataclasses.replace(base, policies=other.policies)


@settings(deadline=None, max_examples=150)
@given(clusters(templated=True), clusters(templated=True), st.booleans())
def test_class_by_class_equals_every_pair(old: Cluster, other: Cluster, swap: bool) -> None:
    new = _changed(old, other)
    if swap:
        old, new = new, old
    fast = diff_clusters(old, new)
    if fast.per_pair is not None:
        return  # the per-pair path was taken: nothing to compare
    original = diff_module.class_engine_gap
    try:
        diff_module.class_engine_gap = lambda _: "forced"  # type: ignore[assignment]
        slow = diff_clusters(old, new)
    finally:
        diff_module.class_engine_gap = original
    assert slow.per_pair is not None
    assert _cells(fast) == _cells(slow)
    assert fast.groups == slow.groups


def test_an_empty_diff_is_class_by_class() -> None:
    empty = Cluster()
    assert diff_clusters(empty, empty).per_pair is None

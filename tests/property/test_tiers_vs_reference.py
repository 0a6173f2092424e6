"""The engine with ClusterNetworkPolicies against the naive reference (its own tiers), on
random clusters with both tiers, equal priorities, every peer and protocol kind, fail-closed
rules, nodes and outside addresses asked by DNS name.

Run longer with PODFENCE_PROPERTY_PROFILE=deep; see profiles.py.
"""

from __future__ import annotations

from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st

from podfence.engine import Engine
from podfence.model import (
    Cluster,
    Connection,
    External,
    LabelSelector,
    NamespacesSubject,
    frozen_labels,
)
from reference.naive import reference_allowed
from support import cluster_policies, clusters, connections, describe, named_externals

from .profiles import PROFILE

main = settings(PROFILE)
targeted = settings(PROFILE, max_examples=max(10, PROFILE.max_examples // 3))


def _check(engine: Engine, cluster: Cluster, conn: Connection) -> None:
    expected = reference_allowed(
        cluster, conn.source, conn.destination, conn.port, conn.protocol, conn.family
    )
    fast = engine.allowed(conn)
    verdict = engine.evaluate(conn)
    assert fast == verdict.allowed == expected, (
        f"{conn}: allowed()={fast} evaluate()={verdict.allowed} reference={expected}\n"
        + describe(cluster)
    )
    for side in (verdict.egress, verdict.ingress):
        # the conservative answer: a side is allowed only if every outcome allows it
        assert all(side.allowed <= alt.allowed for alt in side.alternatives), side


@main
@given(cluster=clusters(max_cluster_policies=4), outside=named_externals())
def test_tiered_engine_agrees_with_reference(cluster: Cluster, outside: list[External]) -> None:
    """Every connection, asked over IPv4, over IPv6 and without a family (by name)."""
    engine = Engine(cluster)
    for conn in connections(cluster, outside):
        _check(engine, cluster, conn)


@targeted
@given(cluster=clusters(max_cluster_policies=3, max_policies=0))
def test_tiers_without_networkpolicies(cluster: Cluster) -> None:
    """Only the Admin and Baseline tiers: the NetworkPolicy tier never isolates."""
    engine = Engine(cluster)
    for conn in connections(cluster, families=(None,)):
        _check(engine, cluster, conn)


@targeted
@given(data=st.data(), cluster=clusters(max_cluster_policies=3), outside=named_externals())
def test_cluster_policy_selecting_nothing_changes_nothing(
    data: st.DataObject, cluster: Cluster, outside: list[External]
) -> None:
    """A CNP whose subject selects no pod (a namespace label no namespace has) changes no
    verdict, whatever its rules."""
    inert = replace(
        data.draw(cluster_policies("inert")),
        subject=NamespacesSubject(LabelSelector(frozen_labels({"team": "nobody"}))),
    )
    after = replace(cluster, cluster_policies=(*cluster.cluster_policies, inert))
    before_e, after_e = Engine(cluster), Engine(after)
    for conn in connections(cluster, outside, families=(None,)):
        assert before_e.allowed(conn) == after_e.allowed(conn), f"{conn}\n{describe(after)}"


@targeted
@given(cluster=clusters(max_cluster_policies=4), outside=named_externals())
def test_equal_priorities_everywhere(cluster: Cluster, outside: list[External]) -> None:
    """Every CNP at one priority: their order is undefined upstream, so every disagreement
    is an ambiguity; the answer is allowed only if every order allows it."""
    flat = replace(
        cluster, cluster_policies=tuple(replace(p, priority=7) for p in cluster.cluster_policies)
    )
    engine = Engine(flat)
    for conn in connections(flat, outside, families=(None,)):
        _check(engine, flat, conn)

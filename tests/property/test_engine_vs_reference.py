"""The engine against the naive reference evaluator, on random clusters (STYLE lesson 12).

Run longer with PODFENCE_PROPERTY_PROFILE=deep; see profiles.py.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from podfence.analysis.matrix import Matrix, compute_matrix
from podfence.engine import Engine
from podfence.engine.classes import ClassEngine
from podfence.model import (
    Cluster,
    Connection,
    Direction,
    Endpoint,
    External,
    LabelSelector,
    NetworkPolicy,
    frozen_labels,
)
from reference.naive import reference_allowed, reference_matrix, reference_selecting
from support import PROBE_PORTS, clusters, connections, describe, externals, policies, rules

from .profiles import PROFILE

# -- helpers -----------------------------------------------------------------------------


def verdicts(cluster: Cluster, outside: Sequence[External]) -> dict[str, bool]:
    engine = Engine(cluster)
    return {str(c): engine.allowed(c) for c in connections(cluster, outside)}


def matrix_dict(matrix: Matrix) -> dict[str, Any]:
    """The matrix contract as plain data (the shape `reference_matrix` returns)."""
    return {
        "endpoints": list(matrix.endpoints),
        "matrices": [
            {
                "port": pm.port,
                "protocol": pm.protocol.value,
                "allowed": [list(row) for row in pm.allowed],
            }
            for pm in matrix.matrices
        ],
    }


# -- the main property -------------------------------------------------------------------

main = settings(PROFILE)
targeted = settings(PROFILE, max_examples=max(10, PROFILE.max_examples // 3))
"""The targeted properties (and the slower class engine) get a third of the examples."""


@main
@given(cluster=clusters(), outside=externals())
def test_engine_agrees_with_reference(cluster: Cluster, outside: list[External]) -> None:
    """Every connection, asked over IPv4, over IPv6 and without a family (by name)."""
    engine = Engine(cluster)
    for conn in connections(cluster, outside):
        expected = reference_allowed(
            cluster, conn.source, conn.destination, conn.port, conn.protocol, conn.family
        )
        fast = engine.allowed(conn)
        verdict = engine.evaluate(conn)
        assert fast == verdict.allowed == expected, (
            f"{conn}: allowed()={fast} evaluate()={verdict.allowed} reference={expected}\n"
            + describe(cluster)
        )
        for each in verdict.by_family:  # the per-family answers it gives are right too
            c = each.connection
            assert c.family is not None and conn.family is None
            want = reference_allowed(cluster, c.source, c.destination, c.port, c.protocol, c.family)
            assert each.allowed == want, f"{c}: by_family says {each.allowed}\n{describe(cluster)}"


@main
@given(cluster=clusters())
def test_matrix_agrees_with_reference(cluster: Cluster) -> None:
    """`compute_matrix` asks by name: every family the two may use must allow."""
    expected = reference_matrix(cluster, PROBE_PORTS)
    assert matrix_dict(compute_matrix(cluster, PROBE_PORTS)) == expected, describe(cluster)


@targeted
@given(cluster=clusters(templated=True))
def test_class_engine_agrees_with_reference(cluster: Cluster) -> None:
    """The class engine answers by name (no family), for every pair and probe port."""
    engine = ClassEngine(cluster)
    for conn in connections(cluster, families=(None,)):
        expected = reference_allowed(
            cluster, conn.source, conn.destination, conn.port, conn.protocol
        )
        got = engine.allowed(conn.source, conn.destination, conn.port, conn.protocol)
        assert got == expected, f"{conn}: class engine {got}, reference {expected}\n" + describe(
            cluster
        )


# -- targeted properties -----------------------------------------------------------------


@st.composite
def _inert_policy(draw: st.DrawFn) -> NetworkPolicy:
    """A policy that selects no endpoint: its namespace has no pods, or its selector needs a
    label value that no pod carries. Its rules are arbitrary."""
    pol = draw(policies(draw(st.sampled_from(("empty-ns", "ns0"))), "inert"))
    if pol.namespace == "ns0":
        pol = replace(pol, pod_selector=LabelSelector(frozen_labels({"app": "nobody"})))
    return pol


@targeted
@given(data=st.data(), cluster=clusters(), outside=externals())
def test_policy_selecting_nothing_changes_nothing(
    data: st.DataObject, cluster: Cluster, outside: list[External]
) -> None:
    inert = data.draw(_inert_policy(), label="inert policy")
    after = replace(cluster, policies=(*cluster.policies, inert))
    assert not any(
        inert in reference_selecting(after, ep, d) for ep in after.endpoints for d in Direction
    )
    assert verdicts(after, outside) == verdicts(cluster, outside)


@targeted
@given(data=st.data(), cluster=clusters(), outside=externals())
def test_adding_a_rule_never_removes_a_connection(
    data: st.DataObject, cluster: Cluster, outside: list[External]
) -> None:
    if not cluster.policies:
        return
    index = data.draw(st.integers(0, len(cluster.policies) - 1), label="policy")
    pol = cluster.policies[index]
    direction = data.draw(st.sampled_from(tuple(Direction)), label="direction")
    rule = data.draw(rules(), label="rule")
    if direction is Direction.INGRESS:
        grown = replace(pol, ingress=(*pol.ingress, rule))
    else:
        grown = replace(pol, egress=(*pol.egress, rule))
    pols = list(cluster.policies)
    pols[index] = grown
    before = verdicts(cluster, outside)
    after = verdicts(replace(cluster, policies=tuple(pols)), outside)
    lost = [conn for conn, ok in before.items() if ok and not after[conn]]
    assert not lost, f"adding {rule} to {pol.key} {direction} removed {lost[:5]}"


@targeted
@given(cluster=clusters(), outside=externals())
def test_unselected_side_is_allowed(cluster: Cluster, outside: list[External]) -> None:
    engine = Engine(cluster)
    for conn in connections(cluster, outside):
        verdict = engine.evaluate(conn)
        for side, subject in (
            (verdict.egress, conn.source),
            (verdict.ingress, conn.destination),
        ):
            if isinstance(subject, Endpoint):
                selected = bool(reference_selecting(cluster, subject, side.direction))
                if conn.source == conn.destination:
                    assert side.allowed
                    continue
                assert side.isolated == selected, f"{conn} {side}"
                if not selected:
                    assert side.allowed, f"{conn}: {side.direction} not isolated yet denied"
            else:
                assert side.allowed and not side.isolated, f"{conn}: outside party {side}"


@targeted
@given(cluster=clusters())
def test_diagonal_is_always_allowed(cluster: Cluster) -> None:
    engine = Engine(cluster)
    for ep in cluster.endpoints:
        for spec in PROBE_PORTS:
            for family in (None, 4, 6):
                conn = Connection(ep, ep, spec.port, spec.protocol, family)
                assert engine.allowed(conn)
                assert engine.evaluate(conn).allowed
    matrix = compute_matrix(cluster, PROBE_PORTS)
    for pm in matrix.matrices:
        assert all(pm.allowed[i][i] for i in range(len(matrix.endpoints)))

"""The engine against the naive reference evaluator, on random clusters (STYLE lesson 12).

Run longer with PODFENCE_PROPERTY_PROFILE=deep; see profiles.py.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import replace
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from podfence.analysis.matrix import Matrix, compute_matrix
from podfence.engine import Engine
from podfence.model import (
    Cluster,
    Connection,
    Direction,
    Endpoint,
    External,
    LabelSelector,
    NetworkPolicy,
    Party,
    ProtocolPort,
    frozen_labels,
)
from reference.naive import reference_allowed, reference_matrix, reference_selecting

from .profiles import PROFILE
from .strategies import PROBE_PORTS, clusters, externals, policies, rules

# -- helpers -----------------------------------------------------------------------------


def connections(cluster: Cluster, outside: Sequence[External]) -> Iterator[Connection]:
    """Every ordered pair of parties (endpoints and outside addresses) on every probe port."""
    parties: list[Party] = [*cluster.endpoints, *outside]
    for src in parties:
        for dst in parties:
            for port, proto in PROBE_PORTS:
                yield Connection(src, dst, port, proto)


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


def _describe(cluster: Cluster) -> str:
    lines = [f"namespace {ns.name} {dict(ns.labels)}" for ns in cluster.namespaces]
    lines += [repr(ep) for ep in cluster.endpoints]
    lines += [repr(p) for p in cluster.policies]
    return "\n".join(lines)


# -- the main property -------------------------------------------------------------------

main = settings(PROFILE)
targeted = settings(PROFILE, max_examples=max(10, PROFILE.max_examples // 3))
"""The targeted properties are narrower: a third of the profile's examples each."""


@main
@given(cluster=clusters(), outside=externals())
def test_engine_agrees_with_reference(cluster: Cluster, outside: list[External]) -> None:
    engine = Engine(cluster)
    for conn in connections(cluster, outside):
        expected = reference_allowed(
            cluster, conn.source, conn.destination, conn.port, conn.protocol
        )
        fast = engine.allowed(conn)
        full = engine.evaluate(conn).allowed
        assert fast == full == expected, (
            f"{conn}: allowed()={fast} evaluate()={full} reference={expected}\n"
            + _describe(cluster)
        )


@main
@given(cluster=clusters())
def test_matrix_agrees_with_reference(cluster: Cluster) -> None:
    specs = [ProtocolPort(port, proto) for port, proto in PROBE_PORTS]
    assert matrix_dict(compute_matrix(cluster, specs)) == reference_matrix(cluster, specs)


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
        for port, proto in PROBE_PORTS:
            conn = Connection(ep, ep, port, proto)
            assert engine.allowed(conn)
            assert engine.evaluate(conn).allowed
    matrix = compute_matrix(cluster, [ProtocolPort(p, proto) for p, proto in PROBE_PORTS])
    for pm in matrix.matrices:
        assert all(pm.allowed[i][i] for i in range(len(matrix.endpoints)))

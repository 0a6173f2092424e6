"""The conformance corpus: each case's hand-written truth table against podfence's matrix and
against the naive reference evaluator, cell by cell (STYLE lesson 12).

The tables in `cases/*/expected.yaml` were written by reasoning from the Kubernetes API
reference and upstream's e2e tests (kubernetes test/e2e/network/netpol), never by pasting
podfence's output. When podfence disagrees, re-derive the table by hand first; if podfence is
wrong, set `xfail:` in the case with the reason.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from podfence.analysis.matrix import Matrix, compute_matrix
from podfence.load import load_texts
from podfence.model import Cluster, ProtocolPort
from reference.naive import reference_matrix

from .truth_table import (
    CASES_DIR,
    CONFORMANCE_DIR,
    PODS,
    Case,
    Grid,
    diff_grids,
    format_grid,
    load_case,
)

CASE_DIRS = sorted(p for p in CASES_DIR.iterdir() if (p / "expected.yaml").is_file())


def _param(directory: Path) -> object:
    case = load_case(directory)
    marks = [pytest.mark.xfail(strict=True, reason=case.xfail)] if case.xfail else []
    return pytest.param(case, id=case.name, marks=marks)


CASES = [_param(d) for d in CASE_DIRS]


def load_cluster(*files: Path) -> Cluster:
    texts = [(str(f.relative_to(CONFORMANCE_DIR)), f.read_text()) for f in files]
    result = load_texts(texts)
    errors = "\n".join(str(d) for d in result.diagnostics)
    assert result.cluster is not None, f"the case does not load:\n{errors}"
    return result.cluster


def _grids(matrix: Matrix) -> dict[ProtocolPort, Grid]:
    assert matrix.endpoints == PODS, matrix.endpoints
    return {ProtocolPort(pm.port, pm.protocol): pm.allowed for pm in matrix.matrices}


def _report(case: Case, who: str, actual: dict[ProtocolPort, Grid]) -> str:
    lines = [f"{case.name}: {who} disagrees with the hand-written table", case.description]
    for spec, want in case.expected.items():
        got = actual[spec]
        if got == want:
            continue
        lines += ["", f"{spec} expected:", *format_grid(want)]
        lines += [f"{spec} {who} ('+' allowed but expected denied, '-' the reverse):"]
        lines += format_grid(got, expected=want)
        lines += diff_grids(want, got)
    return "\n".join(lines)


@pytest.mark.parametrize("case", CASES)
def test_podfence_matches_truth_table(case: Case) -> None:
    cluster = load_cluster(case.cluster_file, *case.policy_files)
    actual = _grids(compute_matrix(cluster, list(case.expected)))
    assert actual == dict(case.expected), _report(case, "podfence", actual)


@pytest.mark.parametrize("case", [pytest.param(load_case(d), id=d.name) for d in CASE_DIRS])
def test_reference_matches_truth_table(case: Case) -> None:
    """The reference must agree with every table, including the engine's xfail cases."""
    cluster = load_cluster(case.cluster_file, *case.policy_files)
    ref = reference_matrix(cluster, list(case.expected))
    assert tuple(ref["endpoints"]) == PODS
    actual = {
        spec: tuple(tuple(row) for row in m["allowed"])
        for spec, m in zip(case.expected, ref["matrices"], strict=True)
    }
    assert actual == dict(case.expected), _report(case, "the reference", actual)


# -- the corpus itself -------------------------------------------------------------------


def test_corpus_has_enough_cases() -> None:
    assert len(CASE_DIRS) >= 25
    assert len(CASE_DIRS) == len(list(CASES_DIR.iterdir())), "a case directory without tables"


def test_base_cluster_is_the_e2e_model() -> None:
    cluster = load_cluster(CONFORMANCE_DIR / "cluster.yaml")
    assert tuple(ep.id for ep in cluster.endpoints) == PODS
    assert not cluster.policies
    for ns in cluster.namespaces:
        assert dict(ns.labels) == {"ns": ns.name, "kubernetes.io/metadata.name": ns.name}
    for ep in cluster.endpoints:
        assert dict(ep.labels) == {"pod": ep.name}
        assert not ep.ips and not ep.host_network
        served = {(cp.name, cp.port, cp.protocol.value) for cp in ep.ports}
        assert served == {
            (f"serve-{port}-{proto.lower()}", port, proto)
            for port in (80, 81)
            for proto in ("TCP", "UDP", "SCTP")
        }


def test_ip_variant_differs_only_by_pod_ips() -> None:
    base = load_cluster(CONFORMANCE_DIR / "cluster.yaml")
    with_ips = load_cluster(CONFORMANCE_DIR / "cluster-ips.yaml")
    ips = {ep.id: [str(ip) for ip in ep.ips] for ep in with_ips.endpoints}
    assert ips == {
        f"{ns}/{pod}": [f"10.0.{i}.{j}"]
        for i, ns in enumerate("xyz", 1)
        for j, pod in enumerate("abc", 1)
    }
    for a, b in zip(base.endpoints, with_ips.endpoints, strict=True):
        assert (a.id, a.labels, a.ports, a.host_network) == (
            b.id,
            b.labels,
            b.ports,
            b.host_network,
        )
    assert [(n.name, n.labels) for n in base.namespaces] == [
        (n.name, n.labels) for n in with_ips.namespaces
    ]

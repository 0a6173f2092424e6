"""The backends the corpus runs against, and how a backend answers a case's tables.

A backend turns a cluster into an answer for one question: may pod `src` open a connection
to pod `dst` on `spec`, over IP `family` (None: asked by name)? Everything else (loading
the case, building the grids over the nine pods, comparing them with the hand-written
tables, the failure report, the xfail marks) is shared, so a new backend is one `Backend`
value and one parametrized test:

    NFT = Backend("nft-ir", build=build_nft_answer, skip={"28-...": "why"})

    @pytest.mark.parametrize(("case", "family"), case_params(NFT))
    def test_nft_matches_truth_table(case: Case, family: int | None) -> None:
        check_case(NFT, case, family)

Each (case, family) is one test: `family` None is the question asked by pod name, 4 and 6
the per-family grids of the dual-stack cases.

The in-process backends are here (`BACKENDS`); the nftables IR interpreter and the kernel
lab live in test_backends_nft.py and reuse this API.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pytest

from podfence.analysis.matrix import compute_matrix
from podfence.engine import Engine
from podfence.engine.classes import ClassEngine
from podfence.model import Cluster, Connection, Endpoint, ProtocolPort
from reference.naive import reference_allowed

from .truth_table import (
    PODS,
    Case,
    Grid,
    case_dirs,
    diff_grids,
    format_grid,
    load_case,
    load_cluster,
)

__all__ = [
    "BACKENDS",
    "Answer",
    "Backend",
    "CASES",
    "case_params",
    "check_case",
    "grids",
]

Answer = Callable[[Endpoint, Endpoint, ProtocolPort, int | None], bool]
"""allowed(src, dst, spec, family) for two pods of the cluster it was built for."""


@dataclass(frozen=True)
class Backend:
    name: str
    build: Callable[[Cluster], Answer]
    """Called once per case, with the case's loaded cluster."""
    per_family: bool = True
    """False: it can only answer by name; its per-family grids are skipped (and said so)."""
    podfence: bool = True
    """False for the reference: a case's `xfail` (podfence is wrong) does not apply to it."""
    skip: Mapping[str, str] = field(default_factory=dict)
    """Case name -> why this backend cannot answer the case at all (e.g. pods without IPs
    for a data plane)."""
    pending: Mapping[str, str] = field(default_factory=dict)
    """Case name -> the known bug that makes this backend fail it, until fixed: the case is
    xfail(strict=True), so the fix turns it into a failure that asks to remove the entry."""


CASES: tuple[Case, ...] = tuple(load_case(d) for d in case_dirs())


def grids(
    answer: Answer, cluster: Cluster, specs: Iterable[ProtocolPort], family: int | None
) -> dict[ProtocolPort, Grid]:
    """The backend's grid for each port, over the nine pods in corpus order."""
    pods = [cluster.endpoint(ident) for ident in PODS]
    assert all(p is not None for p in pods), f"the cluster lacks one of {PODS}"
    eps = [p for p in pods if p is not None]
    return {
        spec: tuple(tuple(answer(src, dst, spec, family) for dst in eps) for src in eps)
        for spec in specs
    }


def _report(case: Case, who: str, family: int | None, actual: Mapping[ProtocolPort, Grid]) -> str:
    over = "by name" if family is None else f"over IPv{family}"
    lines = [f"{case.name}: {who} disagrees with the hand-written table ({over})"]
    lines.append(case.description)
    expected = case.expected if family is None else case.by_family[family]
    for spec, want in expected.items():
        got = actual[spec]
        if got == want:
            continue
        lines += ["", f"{spec} expected:", *format_grid(want)]
        lines += [f"{spec} {who} ('+' allowed but expected denied, '-' the reverse):"]
        lines += format_grid(got, expected=want)
        lines += diff_grids(want, got)
    return "\n".join(lines)


def check_case(backend: Backend, case: Case, family: int | None = None) -> None:
    """One table of `case` (asked by name, or over `family`) against `backend`, cell by
    cell."""
    expected = case.expected if family is None else case.by_family[family]
    cluster = load_cluster(*case.files)
    actual = grids(backend.build(cluster), cluster, expected, family)
    assert actual == dict(expected), _report(case, backend.name, family, actual)


def case_params(backend: Backend, cases: Iterable[Case] = CASES) -> list[Any]:
    """`pytest.param(case, family)` for every question of every case, with the marks that
    apply to `backend` (the case's xfail, the backend's skips, per-family grids skipped for
    a backend that answers by name only)."""
    params = []
    for case in cases:
        for family, _ in case.questions():
            marks: list[Any] = []
            if case.xfail and backend.podfence:
                marks.append(pytest.mark.xfail(strict=True, reason=case.xfail))
            if case.name in backend.pending:
                marks.append(pytest.mark.xfail(strict=True, reason=backend.pending[case.name]))
            if case.name in backend.skip:
                marks.append(pytest.mark.skip(reason=backend.skip[case.name]))
            elif family is not None and not backend.per_family:
                marks.append(pytest.mark.skip(reason=f"{backend.name} answers by name only"))
            ident = case.name if family is None else f"{case.name}-ipv{family}"
            params.append(pytest.param(case, family, id=ident, marks=marks))
    return params


# -- the in-process backends ---------------------------------------------------------------


def _engine(cluster: Cluster) -> Answer:
    """The per-pair engine: the verdict (with reasons) and the fast answer must agree."""
    engine = Engine(cluster)

    def answer(src: Endpoint, dst: Endpoint, spec: ProtocolPort, family: int | None) -> bool:
        conn = Connection(src, dst, spec.port, spec.protocol, family)
        allowed = engine.allowed(conn)
        assert engine.evaluate(conn).allowed == allowed, f"{conn}: evaluate() != allowed()"
        return allowed

    return answer


def _matrix(cluster: Cluster) -> Answer:
    """`compute_matrix`, the `matrix` command's data (asked by name)."""
    cells: dict[ProtocolPort, dict[tuple[str, str], bool]] = {}

    def answer(src: Endpoint, dst: Endpoint, spec: ProtocolPort, family: int | None) -> bool:
        if spec not in cells:
            m = compute_matrix(cluster, [spec])
            cells[spec] = {
                (a, b): m.matrices[0].allowed[i][j]
                for i, a in enumerate(m.endpoints)
                for j, b in enumerate(m.endpoints)
            }
        return cells[spec][src.id, dst.id]

    return answer


_CLASSES_TAKE_FAMILY = "family" in inspect.signature(ClassEngine.allowed).parameters
"""Whether `ClassEngine.allowed` answers over one IP family (it takes `family=`): when it
does, the per-family grids are checked against it too."""


def _classes(cluster: Cluster) -> Answer:
    """The class engine (whole-cluster, numpy)."""
    engine = ClassEngine(cluster)

    def answer(src: Endpoint, dst: Endpoint, spec: ProtocolPort, family: int | None) -> bool:
        if family is None:
            return engine.allowed(src, dst, spec.port, spec.protocol)
        allowed: Callable[..., bool] = engine.allowed
        return allowed(src, dst, spec.port, spec.protocol, family=family)

    return answer


def _reference(cluster: Cluster) -> Answer:
    """The naive reference (tests/reference/naive.py)."""

    def answer(src: Endpoint, dst: Endpoint, spec: ProtocolPort, family: int | None) -> bool:
        return reference_allowed(cluster, src, dst, spec.port, spec.protocol, family)

    return answer


_CLASSES_PENDING: dict[str, str] = {}
"""Known class-engine bugs being fixed on the engine/classes branch; empty it at merge."""

BACKENDS = (
    Backend("engine", _engine),
    Backend("matrix", _matrix, per_family=False),
    Backend("classes", _classes, per_family=_CLASSES_TAKE_FAMILY, pending=_CLASSES_PENDING),
    Backend("reference", _reference, podfence=False),
)

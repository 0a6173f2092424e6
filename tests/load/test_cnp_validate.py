"""ClusterNetworkPolicy validation: every case of tests/load/cnp_cases.py, exactly.

Each case gives the file:line, field path and message (the API server's words where it has
any: apiextensions-apiserver's schema errors and the CRD's CEL messages) that podfence reports,
and nothing else.
"""

from __future__ import annotations

import pytest
from tests.load.cnp_cases import CASES, Case, Server, server_mismatches, server_verdict

from podfence.load import LoadOptions, load_texts
from podfence.load.cnp_crd import Channel
from podfence.model import Severity


def _found(case: Case) -> list[tuple[int, str | None, str, bool]]:
    result = load_texts(
        [("cnp.yaml", case.text)], options=LoadOptions(cnp_channel=Channel(case.channel))
    )
    for d in result.diagnostics:
        assert d.file == "cnp.yaml"
        assert d.obj is not None and d.obj.startswith("ClusterNetworkPolicy "), str(d)
    got = [(d.line, d.field, d.message, d.severity is Severity.WARNING) for d in result.diagnostics]
    if not case.errors:
        assert result.cluster is not None
        assert len(result.cluster.cluster_policies) == 1
    else:
        assert result.cluster is None
    return got


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_cnp_case(case: Case) -> None:
    expected = [(e.line, e.field, e.message, e.warning) for e in case.expect]
    assert _found(case) == expected


def test_case_ids_are_unique() -> None:
    ids = [c.id for c in CASES]
    assert len(ids) == len(set(ids))


def test_every_kind_of_server_answer_is_covered() -> None:
    statuses = {server_verdict(c)[0] for c in CASES}
    assert statuses == {201, 400, 422}
    assert {e.server for c in CASES for e in c.expect} == set(Server)


def _fake_answer(case: Case) -> tuple[int, list[dict[str, object]], str]:
    """What the API server answers when it agrees with the case."""
    status, fields = server_verdict(case)
    if status == 400:
        listed = ", ".join(f'unknown field "{f}"' for f in sorted(fields))
        return 400, [], f"strict decoding error: {listed}"
    causes: list[dict[str, object]] = [
        {"field": e.field, "message": e.message} for e in case.expect if e.server is Server.SAME
    ]
    return status, causes + [{"field": "<nil>", "message": "not checked"}], ""


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_the_server_comparison_accepts_an_agreeing_answer(case: Case) -> None:
    assert server_mismatches(case, *_fake_answer(case)) == []


def test_the_server_comparison_finds_differences() -> None:
    case = next(c for c in CASES if c.id == "priority above 1000")
    assert server_mismatches(case, 201, []) == [
        "priority above 1000: got 201 [], want 422 ['spec.priority']"
    ]
    wrong = [{"field": "spec.priority", "message": "Invalid value: 1001: something else"}]
    assert len(server_mismatches(case, 422, wrong)) == 1

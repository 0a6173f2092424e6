"""podfence validate against a real kube-apiserver, case by case (issue 14).

Every generated NetworkPolicy (see `cases`) goes to podfence's loader in-process and, as a
server-side dry-run create with `fieldValidation=Strict` (what `kubectl apply` does by
default), to kube-apiserver: once to the newest version, once to one emulating 1.35 (where
StrictIPCIDRValidation is off), with podfence's `--kube-version` set to match. They must
agree on accept or reject for every case, on the field paths for every case with a single
mutation (see `compare`), and on the API server's warnings for every case both accept.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import pytest
from tests.apiserver.cases import MUTATIONS, RULES, Case, generate
from tests.apiserver.compare import Outcome, Verdict, compare, podfence_outcome, server_outcome
from tests.apiserver.report import FIGURES, write
from tests.apiserver.server import VERSIONS, ApiServer

from podfence.load import LATEST, LoadOptions, load_texts, parse_kube_version

SEED = 14
COUNT = 720


@pytest.fixture(scope="module")
def cases() -> list[Case]:
    return generate(SEED, COUNT)


def test_the_cases_are_seeded_and_cover_every_rule(cases: list[Case]) -> None:
    assert len(cases) >= 600
    assert generate(SEED, COUNT) == cases
    alone = {case.mutations[0] for case in cases if len(case.mutations) == 1}
    assert alone == {m.name for m in MUTATIONS}
    rule_of = {m.name: m.rule for m in MUTATIONS}
    assert {rule_of[name] for name in alone} == set(RULES)
    assert len({case.name for case in cases}) == len(cases)


@dataclass(frozen=True, slots=True)
class Row:
    case: Case
    server: Outcome
    podfence: Outcome
    verdict: Verdict


def _run(server: ApiServer, cases: list[Case], version: str) -> list[Row]:
    options = LoadOptions(parse_kube_version(version))
    replies = server.dry_run_creates([case.text().encode() for case in cases])
    rows = []
    for case, reply in zip(cases, replies, strict=True):
        theirs = server_outcome(reply, case.body)
        result = load_texts([(f"{case.name}.json", case.text())], options=options)
        ours = podfence_outcome(result)
        single = len(case.mutations) == 1
        verdict = compare(theirs, ours, single=single, exact_warnings=version == str(LATEST))
        rows.append(Row(case, theirs, ours, verdict))
    return rows


def _ratio(rows: list[Row], attribute: str) -> str:
    compared = [getattr(r.verdict, attribute) for r in rows]
    counted = [c for c in compared if c is not None]
    return f"{sum(counted)}/{len(counted)}"


def _figures(version: str, rows: list[Row]) -> list[str]:
    sizes = Counter(len(r.case.mutations) for r in rows)
    stages = Counter(r.server.stage for r in rows)
    accept = sum(r.verdict.accept for r in rows)
    return [
        f"kube-apiserver v1.36.2 emulating {version}; podfence --kube-version {version}:",
        f"  cases: {len(rows)} ({sizes[0]} valid as generated, {sizes[1]} with one mutation, "
        f"{sizes[2]} with two; {len(MUTATIONS)} mutations over {len(RULES)} rules)",
        f"  the API server accepted {stages['ok']}, refused {len(rows) - stages['ok']}: "
        f"{stages['type']} type errors, {stages['strict']} unknown/duplicate fields, "
        f"{stages['invalid']} invalid (422)",
        f"  accept/reject agree: {accept}/{len(rows)}",
        f"  field paths agree (one mutation, both refuse): {_ratio(rows, 'paths')}",
        f"  podfence's first error is the API server's (both refuse): {_ratio(rows, 'first')}",
        f"  messages word for word (one mutation, 422): {_ratio(rows, 'messages')}",
        f"  the API server's warnings all given by podfence (both accept): "
        f"{_ratio(rows, 'warnings')}",
    ]


def _explain(row: Row) -> str:
    return (
        f"{row.case.name}: {row.verdict}\n"
        f"  server:   {row.server}\n  podfence: {row.podfence}\n  text: {row.case.text()[:2000]}"
    )


@pytest.mark.parametrize("version", VERSIONS)
def test_podfence_agrees_with_the_api_server(
    apiservers: dict[str, ApiServer],
    cases: list[Case],
    version: str,
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    rows = _run(apiservers[version], cases, version)
    FIGURES.extend(_figures(version, rows))
    write(tmp_path_factory.getbasetemp())
    differ = [row for row in rows if not row.verdict.agrees]
    assert not differ, f"{len(differ)} disagreements:\n" + "\n".join(map(_explain, differ[:20]))

"""`-o sarif` validates against the SARIF 2.1.0 schema (vendored from oasis-tcs/sarif-spec,
Schemata/sarif-schema-2.1.0.json; no network in tests) and carries what GitHub code scanning
reads: tool.driver.name/rules, ruleId, level, message.text, a relative URI and startLine."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from podfence.analysis.lint import RULES, Finding, Level, LintResult
from podfence.render.sarif import artifact_uri, render_sarif

from .cli_run import run_lint

SCHEMA_PATH = Path(__file__).parent / "schema" / "sarif-schema-2.1.0.json"


def _validator() -> jsonschema.protocols.Validator:
    schema = json.loads(SCHEMA_PATH.read_text())
    assert schema["$id"].endswith("/sarif-schema-2.1.0.json")
    # check_schema is not called: the official schema's `language` pattern uses an inline
    # `(?i)` flag that Python's re rejects; it is only compiled for a `language` value,
    # which podfence never writes.
    cls = jsonschema.validators.validator_for(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)  # type: ignore[no-any-return]


@pytest.mark.parametrize(
    "args",
    [
        ["examples/lint/mistakes"],
        ["examples/seed/monitoring-unlabelled"],
        ["examples/lint/locked-down"],
        ["examples/lint/mistakes", "--max-work", "1"],
        ["tests/lint/inputs/kube-prometheus"],
        ["tests/lint/inputs/sock-shop"],
    ],
)
def test_sarif_validates(args: list[str]) -> None:
    run = run_lint(*args, "-o", "sarif")
    doc = json.loads(run.stdout)
    errors = [e.message for e in _validator().iter_errors(doc)]
    assert errors == []


def test_the_validator_rejects_a_bad_log() -> None:
    bad: dict[str, Any] = {
        "version": "2.1.0",
        "runs": [
            {
                "tool": {"driver": {"name": "x"}},
                "results": [{"ruleId": "PF001", "level": "info", "message": {"text": "m"}}],
            }
        ],
    }
    assert list(_validator().iter_errors(bad))  # "info" is not a SARIF level


def test_sarif_fields_github_reads() -> None:
    doc = json.loads(run_lint("examples/seed/monitoring-unlabelled", "-o", "sarif").stdout)
    run = doc["runs"][0]
    driver = run["tool"]["driver"]
    assert driver["name"] == "podfence"
    assert [r["id"] for r in driver["rules"]] == [r.id for r in RULES]
    pf3_rule = driver["rules"][2]
    assert pf3_rule["name"] == "unmatched-namespace-selector"
    assert pf3_rule["defaultConfiguration"]["level"] == "error"
    assert pf3_rule["shortDescription"]["text"]
    (result,) = [r for r in run["results"] if r["ruleId"] == "PF003"]
    assert result["level"] == "error"
    assert driver["rules"][result["ruleIndex"]]["id"] == "PF003"
    loc = result["locations"][0]["physicalLocation"]
    assert loc["artifactLocation"]["uri"] == (
        "examples/seed/monitoring-unlabelled/allow-monitoring.yaml"
    )
    assert loc["region"]["startLine"] == 12
    assert "kubectl label namespace monitoring name=monitoring" in result["message"]["text"]
    assert {r["level"] for r in run["results"]} <= {"error", "warning", "note"}


def test_info_becomes_note_and_line_is_at_least_1() -> None:
    f = Finding("PF011", "redundant", Level.INFO, "a b.yaml", 0, "Cluster", None, "m", "c", "x")
    doc = render_sarif(LintResult((f,), 0), RULES, root=None)
    (result,) = doc["runs"][0]["results"]
    assert result["level"] == "note"
    region = result["locations"][0]["physicalLocation"]["region"]
    assert region["startLine"] == 1
    assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "a%20b.yaml"
    assert list(_validator().iter_errors(doc)) == []


def test_artifact_uri_is_relative_below_the_root(tmp_path: Path) -> None:
    inside = tmp_path / "k8s" / "policy.yaml"
    assert artifact_uri(str(inside), str(tmp_path)) == "k8s/policy.yaml"
    assert artifact_uri("./k8s//policy.yaml") == "k8s/policy.yaml"
    outside = artifact_uri("/elsewhere/p.yaml", str(tmp_path))
    assert outside == "file:///elsewhere/p.yaml"


def test_security_findings_are_sarif_results() -> None:
    doc = json.loads(run_lint("tests/lint/inputs/sock-shop", "-o", "sarif").stdout)
    run = doc["runs"][0]
    rules = [r["id"] for r in run["tool"]["driver"]["rules"]]
    assert {"PF016", "PF017"} <= set(rules)
    found = [r for r in run["results"] if r["ruleId"] == "PF017"]
    assert {r["level"] for r in found} == {"warning"}
    assert {r["ruleIndex"] for r in found} == {rules.index("PF017")}
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in found}
    assert uris == {
        "tests/lint/inputs/sock-shop/complete-demo.yaml",
        "tests/lint/inputs/sock-shop/netpol-user-db-access.yaml",
    }
    kube = json.loads(run_lint("tests/lint/inputs/kube-prometheus", "-o", "sarif").stdout)
    levels = {(r["ruleId"], r["level"]) for r in kube["runs"][0]["results"]}
    assert ("PF016", "warning") in levels and ("PF006", "note") in levels

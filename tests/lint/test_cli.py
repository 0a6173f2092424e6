"""`podfence lint`: exit codes, --fail-on, --disable, annotations, --list-rules, formats."""

from __future__ import annotations

import json

import pytest

from podfence.analysis.lint import RULES

from .cli_run import run_lint
from .helpers import Obj, ns, pod, policy, text_of

SEED = "examples/seed"


def test_exit_1_on_findings_at_or_above_warning() -> None:
    assert run_lint(f"{SEED}/a-open-network").exit_code == 1


def test_exit_0_when_clean() -> None:
    run = run_lint("examples/lint/locked-down")
    assert run.exit_code == 0
    assert run.stdout.endswith("\n\nno findings\n")
    assert run.stdout.startswith("posture (what NetworkPolicy lets through):\n")


@pytest.mark.parametrize(
    ("fail_on", "code"), [("error", 0), ("warning", 1), ("info", 1), ("never", 0)]
)
def test_fail_on_threshold_with_only_warnings(fail_on: str, code: int) -> None:
    assert run_lint(f"{SEED}/a-open-network", "--fail-on", fail_on).exit_code == code


def test_fail_on_error_with_an_error() -> None:
    assert run_lint(f"{SEED}/dns-trap", "--fail-on", "error").exit_code == 1


def test_bad_input_exits_2_with_diagnostics_on_stderr() -> None:
    bad = "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: x}\nspec: 3\n"
    run = run_lint("-", input=bad)
    assert run.exit_code == 2
    assert "<stdin>" in run.stderr and "error" in run.stderr
    assert "nothing was analysed" in run.stderr
    assert run.stdout == ""


def test_no_paths_is_bad_input() -> None:
    run = run_lint()
    assert run.exit_code == 2
    assert "no input" in run.stderr


def test_disable_by_id_slug_and_list() -> None:
    # scenario A: an open namespace (PF001) where the database is open to the internet (PF017)
    for args in (
        ["--disable", "PF001", "--disable", "PF017"],
        ["--disable", "open-namespace,sensitive-port-exposed"],
        ["--disable", "pf001,dns-trap pf017"],
    ):
        run = run_lint(f"{SEED}/a-open-network", *args)
        assert run.exit_code == 0, args
        assert run.stdout.endswith("\nno findings\n")


def test_disable_unknown_rule_is_bad_input() -> None:
    run = run_lint(f"{SEED}/a-open-network", "--disable", "PF999")
    assert run.exit_code == 2
    assert "unknown rule 'PF999'" in run.stderr


def _stdin(*objs: Obj) -> str:
    return text_of(objs)


def test_policy_annotation_ignores_its_findings() -> None:
    objs = [
        ns("shop"),
        pod("shop", "web"),
        policy("shop", "p", {"app": "wbe"}, ignore="policy-selects-nothing"),
    ]
    run = run_lint("-", "-o", "json", input=_stdin(*objs))
    rules = [f["rule"] for f in json.loads(run.stdout)["findings"]]
    assert "PF006" not in rules
    assert "PF001" in rules  # the namespace is still open
    text = run_lint("-", input=_stdin(*objs)).stdout
    assert "(1 suppressed by podfence.io/ignore)" in text


def test_namespace_annotation_covers_the_namespace_and_its_policies() -> None:
    objs = [
        ns("shop", ignore="PF001, PF006"),
        pod("shop", "web"),
        policy("shop", "p", {"app": "wbe"}),
        ns("other"),
        pod("other", "x"),
    ]
    run = run_lint("-", "-o", "json", input=_stdin(*objs))
    found = json.loads(run.stdout)["findings"]
    assert {(f["rule"], f["object"]) for f in found} == {("PF001", "Namespace other")}


def test_annotation_with_unknown_names_ignores_nothing_else() -> None:
    objs = [ns("shop"), pod("shop", "web"), policy("shop", "p", {"app": "wbe"}, ignore="nope")]
    run = run_lint("-", "-o", "json", input=_stdin(*objs))
    assert "PF006" in [f["rule"] for f in json.loads(run.stdout)["findings"]]


def test_list_rules_text() -> None:
    run = run_lint("--list-rules")
    assert run.exit_code == 0
    for rule in RULES:
        assert f"{rule.id}  {rule.slug}" in run.stdout
    assert "\x1b[" not in run.stdout


def test_list_rules_json() -> None:
    data = json.loads(run_lint("--list-rules", "-o", "json").stdout)
    assert [r["id"] for r in data["rules"]] == [r.id for r in RULES]
    assert set(data["rules"][0]) == {"id", "name", "severity", "summary", "rationale"}


def test_json_contract() -> None:
    run = run_lint(f"{SEED}/monitoring-unlabelled", "-o", "json")
    data = json.loads(run.stdout)
    assert list(data) == ["findings", "posture"]
    posture = {n["namespace"]: n for n in data["posture"]["namespaces"]}
    assert posture["secure"] == {
        "namespace": "secure",
        "endpoints": 1,
        "policies": 1,
        "ingress": "isolated",
        "egress": "open",
        "isolatedIngress": 1,
        "isolatedEgress": 0,
        "reachableFromOutside": [],
    }
    assert posture["default"]["reachableFromOutside"] == ["default/hacker"]
    keys = ["rule", "severity", "file", "line", "object", "field", "message", "consequence", "fix"]
    for f in data["findings"]:
        assert list(f) == keys
        assert f["severity"] in {"error", "warning", "info"}
        assert isinstance(f["line"], int) and f["line"] >= 1
    (pf3,) = [f for f in data["findings"] if f["rule"] == "PF003"]
    assert pf3["file"] == f"{SEED}/monitoring-unlabelled/allow-monitoring.yaml"
    assert pf3["line"] == 12
    assert pf3["object"] == "NetworkPolicy secure/allow-monitoring"
    assert pf3["field"] == "spec.ingress[0].from[0].namespaceSelector"
    namespace = [f for f in data["findings"] if f["rule"] == "PF001"]
    assert namespace and all(f["field"] is None for f in namespace)


def test_text_is_plain_unless_colour_is_asked_for() -> None:
    plain = run_lint(f"{SEED}/dns-trap")
    assert "\x1b[" not in plain.stdout
    coloured = run_lint(f"{SEED}/dns-trap", "--color")
    assert "\x1b[" in coloured.stdout
    assert "PF002 dns-trap" in coloured.stdout


def test_text_groups_by_file() -> None:
    out = run_lint(f"{SEED}/dns-trap").stdout
    assert out.index(f"{SEED}/dns-trap/cluster.yaml\n") < out.index("PF001")
    assert out.index(f"{SEED}/dns-trap/default-deny-egress.yaml\n") < out.index("PF002")
    assert out.endswith("1 error, 1 warning, 0 info\n")


def test_star_annotation_silences_every_rule_for_the_policy() -> None:
    objs = [
        ns("shop"),
        pod("shop", "web"),
        policy("shop", "p", {"app": "wbe"}, ignore="*"),
        policy("shop", "q", {"app": "web"}, ["Ingress"], ingress=[{}]),
    ]
    run = run_lint("-", "-o", "json", input=_stdin(*objs))
    objects = {f["object"] for f in json.loads(run.stdout)["findings"]}
    assert "NetworkPolicy shop/p" not in objects

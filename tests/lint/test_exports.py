"""The public API of the lint analysis, its renderers and command (STYLE lesson 14)."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

from podfence.analysis.lint import RULES, resolve_rule

MODULES = {
    "podfence.analysis.lint": {
        "DEFAULT_WORK_LIMIT",
        "IGNORE_ANNOTATION",
        "RULES",
        "Finding",
        "Level",
        "LintResult",
        "RuleInfo",
        "lint",
        "parse_rule_list",
        "resolve_rule",
        "rule_info",
    },
    "podfence.render.lint_text": {"posture_lines", "render_lint_text", "render_rules_text"},
    "podfence.render.lint_json": {"finding_data", "lint_data", "rules_data"},
    "podfence.render.sarif": {"SARIF_SCHEMA", "artifact_uri", "render_sarif"},
    "podfence.cli.lint_cmd": {"lint"},
}

SUBMODULES = [
    "and_or",
    "broad",
    "catalogue",
    "context",
    "dns",
    "finding",
    "metadata",
    "open_network",
    "peers",
    "policy_types",
    "ports",
    "redundancy",
    "runner",
    "selection",
    "sensitive",
    "tier_samples",
    "tiers",
    "words",
]


@pytest.mark.parametrize("name", sorted(MODULES))
def test_public_exports(name: str) -> None:
    module = importlib.import_module(name)
    assert set(module.__all__) == MODULES[name]
    for attr in module.__all__:
        assert hasattr(module, attr)


@pytest.mark.parametrize("name", SUBMODULES)
def test_every_submodule_declares_all(name: str) -> None:
    module = importlib.import_module(f"podfence.analysis.lint.{name}")
    for attr in module.__all__:
        assert hasattr(module, attr)


RESERVED = range(18, 30)
"""PF018-PF029: free (PF016-PF017 are issue 12's security findings; PF030 on, the
ClusterNetworkPolicy rules of issue 11)."""


def test_rule_ids_are_stable_and_unique() -> None:
    numbers = [int(r.id[2:]) for r in RULES]
    taken = [n for n in range(1, max(numbers) + 1) if n not in RESERVED]
    assert numbers == taken
    assert len({r.slug for r in RULES}) == len(RULES)
    for r in RULES:
        assert resolve_rule(r.slug) is r
        assert resolve_rule(r.id.lower()) is r


def test_analysis_does_not_import_rich_or_click() -> None:
    import sys

    for mod in [m for m in list(sys.modules) if m.startswith("podfence.analysis.lint")]:
        source = importlib.import_module(mod).__file__
        assert source is not None
        text = Path(source).read_text()
        assert "import rich" not in text and "from rich" not in text
        assert "import click" not in text


def test_the_readme_table_lists_every_rule() -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    rows = [line for line in readme.splitlines() if line.startswith("| PF")]
    listed = [tuple(cell.strip() for cell in row.split("|")[1:3]) for row in rows]
    assert listed == [(r.id, r.slug) for r in RULES]

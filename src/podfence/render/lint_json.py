"""Lint findings and rules as plain data for `-o json`. The findings shape is a contract:

    {"findings": [{"rule", "severity", "file", "line", "object", "field", "message",
                   "consequence", "fix"}],
     "posture": {"namespaces": [{"namespace", "endpoints", "policies", "ingress", "egress",
                                 "isolatedIngress", "isolatedEgress",
                                 "reachableFromOutside"}]}}

`field` is null for findings about an object as a whole (a Namespace, a whole policy).
`ingress`/`egress` say `isolated`, `partial`, `open` or `empty` (no endpoints).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from podfence.analysis.lint import Finding, LintResult, RuleInfo
from podfence.analysis.summary import NamespaceSummary
from podfence.render.data import summary_data

__all__ = ["finding_data", "lint_data", "rules_data"]


def finding_data(f: Finding) -> dict[str, Any]:
    return {
        "rule": f.rule,
        "severity": f.level.value,
        "file": f.file,
        "line": f.line,
        "object": f.obj,
        "field": f.field,
        "message": f.message,
        "consequence": f.consequence,
        "fix": f.fix,
    }


def lint_data(
    result: LintResult, posture: Sequence[NamespaceSummary] | None = None
) -> dict[str, Any]:
    """The findings, and the posture when given."""
    data: dict[str, Any] = {"findings": [finding_data(f) for f in result.findings]}
    if posture is not None:
        data["posture"] = {"namespaces": summary_data(posture)}
    return data


def rules_data(rules: Sequence[RuleInfo]) -> dict[str, Any]:
    return {
        "rules": [
            {
                "id": r.id,
                "name": r.slug,
                "severity": r.level.value,
                "summary": r.summary,
                "rationale": r.rationale,
            }
            for r in rules
        ]
    }

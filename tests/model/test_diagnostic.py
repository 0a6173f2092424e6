"""Diagnostics: `file:line severity: object field: message`, the exact text users read."""

from __future__ import annotations

import pytest

from podfence.model import Diagnostic, Severity

ERROR, WARNING = Severity.ERROR, Severity.WARNING


@pytest.mark.parametrize(
    ("diagnostic", "text"),
    [
        pytest.param(
            Diagnostic(
                "p.yaml",
                12,
                ERROR,
                "must be a valid CIDR",
                "NetworkPolicy shop/web",
                "spec.ingress[0].from[1].ipBlock.cidr",
            ),
            "p.yaml:12 error: NetworkPolicy shop/web spec.ingress[0].from[1].ipBlock.cidr: "
            "must be a valid CIDR",
            id="object-and-field",
        ),
        pytest.param(
            Diagnostic("p.yaml", 3, WARNING, "policyTypes defaulted", "NetworkPolicy shop/web"),
            "p.yaml:3 warning: NetworkPolicy shop/web: policyTypes defaulted",
            id="object-only",
        ),
        pytest.param(
            Diagnostic("p.yaml", 0, ERROR, "not valid YAML"),
            "p.yaml error: not valid YAML",
            id="file-only-no-line",
        ),
        pytest.param(
            Diagnostic("p.yaml", 7, ERROR, "unknown field", None, "spec.foo"),
            "p.yaml:7 error: spec.foo: unknown field",
            id="field-without-object",
        ),
    ],
)
def test_diagnostic_str(diagnostic: Diagnostic, text: str) -> None:
    assert str(diagnostic) == text


@pytest.mark.parametrize("severity", list(Severity), ids=str)
def test_severity_str(severity: Severity) -> None:
    assert str(severity) == severity.value
    assert severity.value in {"error", "warning", "info"}


def test_diagnostic_order_by_file_then_line() -> None:
    a = Diagnostic("a.yaml", 9, ERROR, "x")
    b = Diagnostic("b.yaml", 1, ERROR, "x")
    c = Diagnostic("a.yaml", 10, WARNING, "x")
    assert sorted([b, c, a]) == [a, c, b]


def test_diagnostic_order_same_line_different_severity() -> None:
    # Severity sorts by declaration: errors before warnings on the same line.
    got = sorted([Diagnostic("a.yaml", 1, WARNING, "x"), Diagnostic("a.yaml", 1, ERROR, "y")])
    assert [d.severity for d in got] == [ERROR, WARNING]

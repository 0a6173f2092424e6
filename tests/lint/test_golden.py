"""Golden files for `podfence lint` text and JSON: the exact output people and scripts see.

Update with `PODFENCE_UPDATE_GOLDEN=1 pytest tests/lint` and review the diff before committing.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from .cli_run import run_lint

GOLDEN = Path(__file__).parent / "golden"

CASES: list[tuple[str, list[str]]] = [
    ("mistakes", ["examples/lint/mistakes"]),
    ("mistakes-json", ["examples/lint/mistakes", "-o", "json"]),
    ("dns-trap", ["examples/seed/dns-trap"]),
    ("dns-trap-json", ["examples/seed/dns-trap", "-o", "json"]),
    ("locked-down", ["examples/lint/locked-down", "--fail-on", "info"]),
    ("monitoring-unlabelled", ["examples/seed/monitoring-unlabelled", "--disable", "PF001"]),
    ("kube-prometheus", ["tests/lint/inputs/kube-prometheus"]),
    ("sock-shop", ["tests/lint/inputs/sock-shop"]),
    ("sock-shop-json", ["tests/lint/inputs/sock-shop", "-o", "json"]),
]


@pytest.mark.parametrize(("name", "args"), CASES, ids=[c[0] for c in CASES])
def test_golden(name: str, args: list[str]) -> None:
    run = run_lint(*args)
    got = f"$ podfence lint {' '.join(args)}\n[exit {run.exit_code}]\n{run.stdout}"
    path = GOLDEN / f"{name}.txt"
    if os.environ.get("PODFENCE_UPDATE_GOLDEN") == "1":
        path.write_text(got)
    assert path.exists(), f"missing golden file {path}; run with PODFENCE_UPDATE_GOLDEN=1"
    assert got == path.read_text()

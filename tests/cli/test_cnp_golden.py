"""Golden files for ClusterNetworkPolicy output: `can` names the tier, the policy, the rule (by
index and name), the action and the Pass chain; `explain` says a CNP in plain language and
what each tier says for a pod; `lint`, `matrix`, `graph` and `diff` on the examples.

Update with `PODFENCE_UPDATE_GOLDEN=1 pytest tests/cli/test_cnp_golden.py` and review the diff.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from podfence.cli.main import cli

GOLDEN = Path(__file__).parent / "golden"
CNP = "examples/cnp"
GUARD = f"{CNP}/admin-guardrail"
OWNERS = f"{CNP}/pass-to-owners"
BASELINE = f"{CNP}/baseline-default-deny"
NETWORKS = f"{CNP}/egress-networks-dns"
TIERS = "tests/cli/inputs/cnp-tiers.yaml"

CASES: list[tuple[str, list[str]]] = [
    ("cnp-validate", ["validate", GUARD]),
    ("cnp-validate-json", ["validate", GUARD, "-o", "json"]),
    ("cnp-can-admin-accept",
     ["can", "monitoring/prometheus", "payments/ledger", "-p", "9090", GUARD]),
    ("cnp-can-admin-deny-json",
     ["can", "shop/checkout", "payments/ledger", "-p", "8443", "-o", "json", GUARD]),
    ("cnp-can-pass-to-networkpolicy",
     ["can", "team-b/frontend", "team-a/api", "-p", "8080", OWNERS]),
    ("cnp-can-pass-denied", ["can", "team-b/batch", "team-a/api", "-p", "8080", OWNERS]),
    ("cnp-can-pass-to-default", ["can", "team-a/api", "team-b/frontend", "-p", "80", OWNERS]),
    ("cnp-can-baseline-deny", ["can", "shop/web", "blog/wordpress", "-p", "80", BASELINE]),
    ("cnp-can-networks", ["can", "shop/web", "198.51.100.7", "-p", "443", NETWORKS]),
    ("cnp-can-by-name", ["can", "shop/web", "api.partner.example", "-p", "443", NETWORKS]),
    ("cnp-can-by-name-json",
     ["can", "shop/web", "api.partner.example", "-p", "443", "-o", "json", NETWORKS]),
    ("cnp-can-domain-by-dns",
     ["can", "shop/web", "api.example.com", "-p", "443", "--dns", "api.example.com=192.0.2.10",
      TIERS]),
    ("cnp-can-domain-bare-address", ["can", "shop/web", "192.0.2.10", "-p", "443", TIERS]),
    ("cnp-can-ambiguous", ["can", "shop/web", "blog/wp", "-p", "80", TIERS]),
    ("cnp-can-ambiguous-json", ["can", "shop/web", "blog/wp", "-p", "80", "-o", "json", TIERS]),
    ("cnp-can-fail-closed", ["can", "blog/wp", "shop/web", "-p", "8080", TIERS]),
    ("cnp-explain-policy", ["explain", GUARD, "--policy", "cnp/protect-payments"]),
    ("cnp-explain-policy-by-name-json",
     ["explain", TIERS, "--policy", "shop-allowlist", "-o", "json"]),
    ("cnp-explain-all", ["explain", TIERS]),
    ("cnp-explain-pod", ["explain", OWNERS, "--pod", "team-a/api"]),
    ("cnp-explain-pod-json", ["explain", OWNERS, "--pod", "team-a/api", "-o", "json"]),
    ("cnp-lint", ["lint", TIERS, "--disable", "PF001"]),
    ("cnp-lint-guardrail", ["lint", GUARD, "--disable", "PF001"]),
    ("cnp-matrix", ["matrix", GUARD, "-p", "9090", "-p", "8443"]),
    ("cnp-matrix-all-ports", ["matrix", OWNERS, "--all-ports"]),
    ("cnp-graph", ["graph", GUARD, "--show-denied"]),
    ("cnp-graph-policies", ["graph", OWNERS, "--show-policies"]),
    ("cnp-graph-policies-dot", ["graph", GUARD, "--show-policies", "-o", "dot"]),
    ("cnp-diff-removing-the-guardrail",
     ["diff", GUARD, "--to", f"{GUARD}/cluster.yaml", f"{GUARD}/networkpolicy.yaml"]),
]  # fmt: skip


def _run(args: list[str]) -> str:
    root = Path(__file__).parents[2]
    cwd = os.getcwd()
    os.chdir(root)
    try:
        result = CliRunner().invoke(cli, args, catch_exceptions=False)
    finally:
        os.chdir(cwd)
    return f"$ podfence {' '.join(args)}\n[exit {result.exit_code}]\n{result.output}"


@pytest.mark.parametrize(("name", "args"), CASES, ids=[c[0] for c in CASES])
def test_golden(name: str, args: list[str]) -> None:
    got = _run(args)
    path = GOLDEN / f"{name}.txt"
    if os.environ.get("PODFENCE_UPDATE_GOLDEN") == "1":
        path.write_text(got)
    assert path.exists(), f"missing golden file {path}; run with PODFENCE_UPDATE_GOLDEN=1"
    assert got == path.read_text()


def test_matrix_uses_the_class_engine_with_tiers() -> None:
    """No note on stderr any more: the class engine models the tiers (issue 11)."""
    res = CliRunner().invoke(cli, ["matrix", GUARD, "-p", "80"])
    assert res.exit_code in (0, 1), res.output
    assert "note" not in res.output
    assert "per-pair engine" not in res.output

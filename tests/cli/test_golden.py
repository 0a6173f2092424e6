"""Golden files for CLI output: the exact text people and scripts see.

Update with `PODFENCE_UPDATE_GOLDEN=1 pytest tests/cli` and review the diff before committing.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from podfence.cli.main import cli

GOLDEN = Path(__file__).parent / "golden"
SEED = "examples/seed"
DUAL = "examples/dual-stack"
DUPLICATE = "examples/duplicate-port-names"

CASES: list[tuple[str, list[str]]] = [
    (
        "can-open-network",
        ["can", "default/hacker", "secure/db", "-p", "5432/TCP", f"{SEED}/a-open-network"],
    ),
    (
        "can-scenario-b-hacker",
        ["can", "default/hacker", "secure/db", "-p", "5432/TCP", f"{SEED}/b-policy-selects-db"],
    ),
    (
        "can-scenario-b-web",
        ["can", "secure/web", "secure/db", "-p", "5432/TCP", f"{SEED}/b-policy-selects-db"],
    ),
    (
        "can-scenario-b-json",
        [
            "can",
            "secure/web",
            "secure/db",
            "-p",
            "5432",
            "-o",
            "json",
            f"{SEED}/b-policy-selects-db",
        ],
    ),
    (
        # the namespace gotcha: `can` says why the peer did not match, as lint does (PF003)
        "can-namespace-selects-none",
        [
            "can",
            "monitoring/prometheus",
            "secure/db",
            "-p",
            "9187",
            f"{SEED}/monitoring-unlabelled",
        ],
    ),
    (
        "can-frontend-backend-wrong-port",
        ["can", "default/frontend", "default/backend", "-p", "80", f"{SEED}/frontend-backend"],
    ),
    (
        "can-dns-trap",
        ["can", "default/web", "kube-system/coredns", "-p", "53/UDP", f"{SEED}/dns-trap"],
    ),
    (
        "can-dns-allowed",
        ["can", "default/web", "kube-system/coredns", "-p", "53/udp", f"{SEED}/dns-allowed"],
    ),
    ("matrix-and", ["matrix", f"{SEED}/and-or/cluster.yaml", f"{SEED}/and-or/and", "-p", "8080"]),
    (
        "matrix-or-json",
        ["matrix", f"{SEED}/and-or/cluster.yaml", f"{SEED}/and-or/or", "-p", "8080", "-o", "json"],
    ),
    ("explain-policy-or", ["explain", f"{SEED}/and-or/cluster.yaml", f"{SEED}/and-or/or"]),
    ("explain-policy-and", ["explain", f"{SEED}/and-or/cluster.yaml", f"{SEED}/and-or/and"]),
    ("explain-pod", ["explain", f"{SEED}/dns-allowed", "--pod", "default/api"]),
    ("explain-no-policies", ["explain", f"{SEED}/a-open-network"]),
    ("explain-monitoring-yaml", ["explain", f"{SEED}/monitoring-unlabelled", "-o", "yaml"]),
    ("validate-ok", ["validate", f"{SEED}/dns-allowed"]),
    ("validate-ok-json", ["validate", f"{SEED}/dns-allowed", "-o", "json"]),
    ("validate-mistakes", ["validate", "tests/cli/inputs/mistakes.yaml"]),
    ("validate-mistakes-json", ["validate", "tests/cli/inputs/mistakes.yaml", "-o", "json"]),
    (
        "can-unknown-endpoint",
        ["can", "default/hackr", "secure/db", "-p", "5432", f"{SEED}/a-open-network"],
    ),
    (
        "can-bad-port",
        ["can", "default/hacker", "secure/db", "-p", "5432/ICMP", f"{SEED}/a-open-network"],
    ),
    ("can-both-external", ["can", "10.0.0.1", "10.0.0.2", "-p", "22", f"{SEED}/a-open-network"]),
    (
        "can-external-ip",
        ["can", "secure/web", "203.0.113.9", "-p", "443", f"{SEED}/b-policy-selects-db"],
    ),
    # Issue 9, dual-stack: the client's only egress rule is an IPv4 ipBlock; an ipBlock
    # matches the packet's own address, so IPv4 is allowed and IPv6 denied.
    ("can-dual-stack-by-name", ["can", "net/client", "net/server", "-p", "80", DUAL]),
    (
        "can-dual-stack-by-name-json",
        ["can", "net/client", "net/server", "-p", "80", "-o", "json", DUAL],
    ),
    ("can-dual-stack-by-ipv6", ["can", "net/client", "fd00:3::10", "-p", "80", DUAL]),
    ("can-dual-stack-by-ipv4", ["can", "net/client", "10.3.0.10", "-p", "80", DUAL]),
    ("can-dual-stack-two-families", ["can", "10.3.0.20", "fd00:3::10", "-p", "80", DUAL]),
    # Issue 9, duplicate port names: `port: http` is 8080 and 9090 (two containers).
    ("can-duplicate-port-name", ["can", "shop/client", "shop/web", "-p", "9090", DUPLICATE]),
    (
        "can-duplicate-port-name-other",
        ["can", "shop/client", "shop/web", "-p", "9091", DUPLICATE],
    ),
    ("explain-pod-json", ["explain", f"{SEED}/dns-allowed", "--pod", "default/api", "-o", "json"]),
    ("explain-pod-by-ip", ["explain", DUAL, "--pod", "fd00:3::20"]),
    ("explain-pod-outside", ["explain", DUAL, "--pod", "203.0.113.1"]),
]


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

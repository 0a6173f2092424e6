"""The `podfence matrix -o json` contract, on the upstream e2e model.

    {"endpoints": ["ns/name", ... sorted],
     "matrices": [{"port": 80, "protocol": "TCP", "allowed": [[bool, ...], ...]}, ...]}

allowed[i][j] says whether endpoints[i] may open a connection to endpoints[j]; one matrix
per requested port, in the order requested.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from podfence.cli.main import cli
from podfence.model import Protocol
from reference.naive import reference_matrix

from .test_cases import load_cluster
from .truth_table import CASES_DIR, CONFORMANCE_DIR, PODS, load_case

CLUSTER = CONFORMANCE_DIR / "cluster.yaml"


def run_matrix(*args: str) -> dict[str, Any]:
    result = CliRunner().invoke(cli, ["matrix", *args, "-o", "json"])
    assert result.exit_code == 0, result.output
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def check_shape(data: dict[str, Any], ports: list[tuple[int, str]]) -> None:
    assert set(data) == {"endpoints", "matrices"}
    endpoints = data["endpoints"]
    assert isinstance(endpoints, list)
    assert all(isinstance(e, str) and e.count("/") == 1 for e in endpoints)
    assert endpoints == sorted(endpoints)
    assert len(set(endpoints)) == len(endpoints)
    n = len(endpoints)
    assert isinstance(data["matrices"], list)
    assert [(m["port"], m["protocol"]) for m in data["matrices"]] == ports
    for m in data["matrices"]:
        assert set(m) == {"port", "protocol", "allowed"}
        assert type(m["port"]) is int
        assert m["protocol"] in ("TCP", "UDP", "SCTP")
        grid = m["allowed"]
        assert isinstance(grid, list) and len(grid) == n
        for i, row in enumerate(grid):
            assert isinstance(row, list) and len(row) == n
            assert all(type(cell) is bool for cell in row)
            assert row[i] is True, f"{endpoints[i]} must reach itself"


def test_open_cluster_is_all_true() -> None:
    data = run_matrix(str(CLUSTER), "-p", "80")
    check_shape(data, [(80, "TCP")])
    assert data["endpoints"] == list(PODS)
    assert data["matrices"][0]["allowed"] == [[True] * 9 for _ in range(9)]


def test_ports_keep_the_requested_order() -> None:
    data = run_matrix(str(CLUSTER), "-p", "81/udp", "-p", "80", "-p", "80/SCTP")
    check_shape(data, [(81, "UDP"), (80, "TCP"), (80, "SCTP")])


def _case_files(name: str) -> list[str]:
    case = load_case(CASES_DIR / name)
    return [str(case.cluster_file), *(str(p) for p in case.policy_files)]


def test_json_matches_a_hand_written_table() -> None:
    """Case 34 has a different table on 80/TCP, 81/TCP and UDP: the JSON must follow it."""
    case = load_case(CASES_DIR / "34-multiple-policies-union")
    specs = list(case.expected)
    args = [a for spec in specs for a in ("-p", str(spec))]
    data = run_matrix(*_case_files(case.name), *args)
    check_shape(data, [(s.port, s.protocol.value) for s in specs])
    for spec, m in zip(specs, data["matrices"], strict=True):
        assert m["allowed"] == [list(row) for row in case.expected[spec]], spec


def test_json_equals_the_reference() -> None:
    """The whole document, byte for byte as data, against the naive reference."""
    files = _case_files("37-client-side-egress-deny")
    data = run_matrix(*files, "-p", "80", "-p", "81/UDP")
    cluster = load_cluster(*(Path(f) for f in files))
    assert data == reference_matrix(cluster, [(80, Protocol.TCP), (81, Protocol.UDP)])


def test_python_dash_m_prints_only_json() -> None:
    """Through the real entry point: stdout is exactly one JSON document."""
    proc = subprocess.run(
        [sys.executable, "-m", "podfence", "matrix", str(CLUSTER), "-p", "80/UDP", "-o", "json"],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    check_shape(data, [(80, "UDP")])
    assert data["endpoints"] == list(PODS)

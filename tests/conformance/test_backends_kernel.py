"""The conformance corpus on the kernel (netns: root, iproute2, nftables): one lab per base
cluster (cluster.yaml, cluster-ips.yaml), each case's policies applied atomically, every
cell probed with real packets on the case's TCP and UDP ports (no SCTP sockets here), the
observed matrix against the hand-written truth table. A drop where the table says allowed
is probed again patiently before it counts (a slow machine can fake a drop, never an
allow). Only namespaces named podfence-* are created, and removed afterwards."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from dataplane.labtools import lab_name
from podfence.dataplane.lab import Lab, LabError
from podfence.dataplane.lab.lifecycle import require_root
from podfence.dataplane.lab.state import STATE_ENV
from podfence.model import ProtocolPort

from .backends import _report
from .dataplane import CASES, case_cluster, probed_ports
from .truth_table import PODS, Case, Grid, load_cluster

pytestmark = pytest.mark.netns

FAST, PATIENT = 0.3, 2.0


@pytest.fixture(scope="module")
def labs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[Path, Lab]]:
    """Labs by base cluster file, made on first use, all removed at the end."""
    try:
        require_root()
    except LabError as err:
        pytest.skip(str(err))
    previous = os.environ.get(STATE_ENV)
    os.environ[STATE_ENV] = str(tmp_path_factory.mktemp("conformance-labs"))
    made: dict[Path, Lab] = {}
    try:
        yield made
    finally:
        for lab in made.values():
            lab.down()
        if previous is None:
            os.environ.pop(STATE_ENV, None)
        else:
            os.environ[STATE_ENV] = previous


def _lab(labs: dict[Path, Lab], case: Case) -> Lab:
    found = labs.get(case.cluster_file)
    if found is None:
        found = labs[case.cluster_file] = Lab.up(
            load_cluster(case.cluster_file), name=lab_name("conf")
        )
    return found


@pytest.mark.parametrize("case", CASES)
def test_kernel_matches_truth_table(labs: dict[Path, Lab], case: Case) -> None:
    cluster = case_cluster(case)
    lab = _lab(labs, case)
    lab.apply(cluster)
    ports = probed_ports(case)
    result = lab.probe(ports, timeout=FAST)
    assert result.endpoints == PODS
    actual: dict[ProtocolPort, Grid] = {
        ProtocolPort(m.port, m.protocol): m.allowed for m in result.matrices
    }
    doubtful = [
        (PODS[i], PODS[j], p)
        for p in ports
        for i in range(len(PODS))
        for j in range(len(PODS))
        if case.expected[p][i][j] and not actual[p][i][j]
    ]
    if doubtful:
        cleared = {
            cell
            for cell, again in zip(
                doubtful, lab.probe_cells(doubtful, timeout=PATIENT), strict=True
            )
            if again.allowed
        }
        actual = {
            p: tuple(
                tuple(v or (PODS[i], PODS[j], p) in cleared for j, v in enumerate(row))
                for i, row in enumerate(grid)
            )
            for p, grid in actual.items()
        }
    probed = replace(case, expected={p: case.expected[p] for p in ports})
    assert actual == dict(probed.expected), _report(probed, "the kernel", None, actual)

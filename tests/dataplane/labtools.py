"""Helpers of the lab tests: unique lab names, matrix comparison with the reference (per
cell, and per IP family for the cells probed over several)."""

from __future__ import annotations

import itertools
import os
from collections.abc import Sequence

from podfence.dataplane.lab import Lab, ProbeResult
from podfence.dataplane.lab.matrix import CellOutcome
from podfence.engine import Engine
from podfence.model import Cluster, Connection, ProtocolPort

from .reference import allowed, families, reference_matrix

__all__ = [
    "Mismatch",
    "lab_name",
    "mismatches",
    "engine_mismatches",
    "confirmed",
    "describe",
    "assert_kernel_matches_reference",
]

_counter = itertools.count()

Mismatch = tuple[str, str, ProtocolPort, int | None, bool]
"""(source, destination, port, IP family or None for the cell, what the kernel showed)."""


def lab_name(tag: str) -> str:
    return f"t{os.getpid() % 100000}-{tag}-{next(_counter)}"


def mismatches(result: ProbeResult, cluster: Cluster) -> list[Mismatch]:
    """Cells, and families of cells, where the kernel differs from the reference."""
    ports = [(m.port, m.protocol) for m in result.matrices]
    want = reference_matrix(cluster, ports, result.endpoints)
    assert want["endpoints"] == list(result.endpoints)
    found: list[Mismatch] = []
    for got, expected in zip(result.matrices, want["matrices"], strict=True):
        port = ProtocolPort(got.port, got.protocol)
        for i, src in enumerate(result.endpoints):
            for j, dst in enumerate(result.endpoints):
                if got.allowed[i][j] != expected["allowed"][i][j]:
                    found.append((src, dst, port, None, got.allowed[i][j]))
                s, d = cluster.endpoint(src), cluster.endpoint(dst)
                assert s is not None and d is not None
                probed = got.cells[i][j].by_family
                assert [v for v, _ in probed] == list(families(s, d)), (src, dst)
                for version, outcome in probed:
                    if outcome.allowed != allowed(cluster, s, d, port.port, port.protocol, version):
                        found.append((src, dst, port, version, outcome.allowed))
    return found


def engine_mismatches(cluster: Cluster, ports: Sequence[ProtocolPort]) -> list[Mismatch]:
    """Where the engine, asked per family and by name, differs from the reference (the
    value is the engine's answer)."""
    engine = Engine(cluster)
    found: list[Mismatch] = []
    for p in ports:
        for s in cluster.endpoints:
            for d in cluster.endpoints:
                for version in (*families(s, d), None):
                    got = engine.allowed(Connection(s, d, p.port, p.protocol, version))
                    if got != allowed(cluster, s, d, p.port, p.protocol, version):
                        found.append((s.id, d.id, p, version, got))
    return found


def _still(bad: Mismatch, again: CellOutcome) -> bool:
    family = bad[3]
    if family is None:
        return again.allowed == bad[4]
    outcome = again.family(family)
    return outcome is not None and outcome.allowed == bad[4]


def confirmed(lab: Lab, bad: list[Mismatch], *, timeout: float = 2.0) -> list[Mismatch]:
    """The mismatches a patient probe shows again (a slow machine can fake a drop)."""
    if not bad:
        return bad
    cells = sorted({b[:3] for b in bad})
    again = dict(zip(cells, lab.probe_cells(cells, timeout=timeout), strict=True))
    return [b for b in bad if _still(b, again[b[:3]])]


def describe(bad: Sequence[Mismatch]) -> str:
    def over(family: int | None) -> str:
        return f" over IPv{family}" if family is not None else ""

    return "\n".join(f"{s} -> {d} {p}{over(f)}: kernel {k}" for s, d, p, f, k in bad)


def assert_kernel_matches_reference(
    lab: Lab, cluster: Cluster, ports: Sequence[ProtocolPort], *, timeout: float = 0.5
) -> ProbeResult:
    result = lab.probe(ports, timeout=timeout)
    bad = confirmed(lab, mismatches(result, lab.bind(cluster)))
    assert not bad, describe(bad)
    return result

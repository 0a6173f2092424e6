"""Helpers of the lab tests: unique lab names, matrix comparison with the reference."""

from __future__ import annotations

import itertools
import os
from collections.abc import Sequence

from podfence.dataplane.lab import Lab, ProbeResult
from podfence.model import Cluster, ProtocolPort

from .reference import reference_matrix

__all__ = ["lab_name", "mismatches", "assert_kernel_matches_reference"]

_counter = itertools.count()


def lab_name(tag: str) -> str:
    return f"t{os.getpid() % 100000}-{tag}-{next(_counter)}"


def mismatches(result: ProbeResult, cluster: Cluster) -> list[tuple[str, str, ProtocolPort, bool]]:
    """Cells where the kernel differs from the reference: (src, dst, port, kernel)."""
    ports = [(m.port, m.protocol) for m in result.matrices]
    want = reference_matrix(cluster, ports, result.endpoints)
    assert want["endpoints"] == list(result.endpoints)
    found = []
    for got, expected in zip(result.matrices, want["matrices"], strict=True):
        port = ProtocolPort(got.port, got.protocol)
        for i, src in enumerate(result.endpoints):
            for j, dst in enumerate(result.endpoints):
                if got.allowed[i][j] != expected["allowed"][i][j]:
                    found.append((src, dst, port, got.allowed[i][j]))
    return found


def assert_kernel_matches_reference(
    lab: Lab, cluster: Cluster, ports: Sequence[ProtocolPort], *, timeout: float = 0.5
) -> ProbeResult:
    result = lab.probe(ports, timeout=timeout)
    bad = mismatches(result, lab.bind(cluster))
    if bad:  # confirm with a patient probe before failing
        outcomes = lab.probe_cells([b[:3] for b in bad], timeout=2.0)
        bad = [b for b, o in zip(bad, outcomes, strict=True) if o.allowed == b[3]]
    assert not bad, "\n".join(f"{s} -> {d} {p}: kernel {k}" for s, d, p, k in bad)
    return result

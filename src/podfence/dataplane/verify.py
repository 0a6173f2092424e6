"""Verify: the engine's matrix against the kernel's, cell by cell, on a throwaway lab.

The engine answers with `podfence.analysis.matrix.compute_matrix(cluster, ports)`; the lab
answers with real packets. A cell where the kernel drops what the engine allows is probed
again with a longer timeout before it is reported, so a slow machine cannot fake a finding.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol as TypingProtocol

from podfence.analysis.matrix import compute_matrix
from podfence.dataplane.lab.lifecycle import Lab
from podfence.dataplane.lab.matrix import Cell, ProbeResult
from podfence.dataplane.lab.probe import ProbeError
from podfence.dataplane.run import Runner
from podfence.model import Cluster, Protocol, ProtocolPort

__all__ = [
    "Disagreement",
    "PortMatrixLike",
    "MatrixLike",
    "Engine",
    "engine_matrix",
    "compare",
    "verify",
]


class PortMatrixLike(TypingProtocol):
    @property
    def port(self) -> int: ...
    @property
    def protocol(self) -> Protocol: ...
    @property
    def allowed(self) -> Sequence[Sequence[bool]]: ...


class MatrixLike(TypingProtocol):
    @property
    def endpoints(self) -> Sequence[str]: ...
    @property
    def matrices(self) -> Sequence[PortMatrixLike]: ...


Engine = Callable[[Cluster, Sequence[ProtocolPort]], MatrixLike]


@dataclass(frozen=True, slots=True, order=True)
class Disagreement:
    source: str
    destination: str
    port: ProtocolPort
    kernel: bool | None
    """What the packets showed; None when the kernel side has no such cell."""
    engine: bool | None
    """What the engine computed; None when the engine has no such cell."""
    detail: str = ""

    def __str__(self) -> str:
        def say(value: bool | None) -> str:
            return "no answer" if value is None else ("allowed" if value else "denied")

        text = (
            f"{self.source} -> {self.destination} {self.port}: "
            f"kernel {say(self.kernel)}, engine {say(self.engine)}"
        )
        return f"{text} ({self.detail})" if self.detail else text


def engine_matrix(cluster: Cluster, ports: Sequence[ProtocolPort]) -> MatrixLike:
    """The engine's matrix (`podfence.analysis.matrix.compute_matrix`)."""
    return compute_matrix(cluster, [ProtocolPort(p.port, p.protocol) for p in ports])


def _cells(matrix: MatrixLike) -> dict[Cell, bool]:
    out: dict[Cell, bool] = {}
    ids = list(matrix.endpoints)
    for m in matrix.matrices:
        port = ProtocolPort(m.port, m.protocol)
        for i, row in enumerate(m.allowed):
            for j, value in enumerate(row):
                out[(ids[i], ids[j], port)] = bool(value)
    return out


def compare(kernel: ProbeResult, engine: MatrixLike) -> list[Disagreement]:
    """Every cell where the two differ, or that only one of them has."""
    measured, expected = _cells(kernel), _cells(engine)
    found = []
    for cell in sorted(measured.keys() | expected.keys()):
        got, want = measured.get(cell), expected.get(cell)
        if got != want:
            detail = ""
            if got is not None:
                detail = kernel.outcome(cell[0], cell[1], cell[2]).value
            found.append(Disagreement(cell[0], cell[1], cell[2], got, want, detail))
    return found


def verify(
    cluster: Cluster,
    ports: Sequence[ProtocolPort],
    *,
    engine: Engine | None = None,
    name: str | None = None,
    timeout: float = 0.5,
    confirm_timeout: float = 2.0,
    runner: Runner | None = None,
) -> list[Disagreement]:
    """Bring a lab up, probe, compare with the engine, tear it down; the disagreements."""
    for port in ports:
        if port.protocol is Protocol.SCTP:
            raise ProbeError(f"cannot verify {port}: SCTP is compiled but not probed live")
    with Lab.up(cluster, name=name or f"verify-{os.getpid()}", runner=runner) as lab:
        bound = lab.bind(cluster)
        kernel = lab.probe(ports, timeout=timeout)
        expected = (engine or engine_matrix)(bound, ports)
        found = compare(kernel, expected)
        doubtful = [d for d in found if d.kernel is False and d.engine is True]
        if doubtful:
            cells = [(d.source, d.destination, d.port) for d in doubtful]
            again = lab.probe_cells(cells, timeout=confirm_timeout)
            cleared = {cell for cell, o in zip(cells, again, strict=True) if o.allowed}
            found = [d for d in found if (d.source, d.destination, d.port) not in cleared]
    return found

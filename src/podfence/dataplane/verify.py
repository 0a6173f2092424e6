"""Verify: the engine's matrix against the kernel's, cell by cell, on a throwaway lab.

The engine answers with `podfence.analysis.matrix.compute_matrix(cluster, ports)`; the lab
answers with real packets. A cell where the kernel drops what the engine allows is probed
again with a longer timeout before it is reported, so a slow machine cannot fake a finding.

A pair of pods that share both IP families is probed over each; the kernel matches each
packet's own address, and so does the engine when asked about one family. Such a cell is
compared family by family (the engine's matrix for connections of that family), and a
disagreement names its family; the cell as a whole (allowed only when every family is, as
the matrix contract says) is compared too.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol as TypingProtocol

from podfence.analysis.matrix import Matrix, PortMatrix, compute_matrix
from podfence.dataplane.lab.lifecycle import Lab
from podfence.dataplane.lab.matrix import Cell, CellOutcome, ProbeResult
from podfence.dataplane.lab.probe import ProbeError
from podfence.dataplane.run import Runner
from podfence.engine import Engine as PairEngine
from podfence.model import Cluster, Connection, Protocol, ProtocolPort

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


class Engine(TypingProtocol):
    """What verify compares the kernel with: the matrix of `cluster` on `ports`, for
    connections of IP family `family` (None: each pair asked by name, allowed only when
    every family the pair shares allows it)."""

    def __call__(
        self, cluster: Cluster, ports: Sequence[ProtocolPort], *, family: int | None = None
    ) -> MatrixLike: ...


@dataclass(frozen=True, slots=True)
class Disagreement:
    source: str
    destination: str
    port: ProtocolPort
    kernel: bool | None
    """What the packets showed; None when the kernel side has no such cell."""
    engine: bool | None
    """What the engine computed; None when the engine has no such cell."""
    detail: str = ""
    family: int | None = None
    """The IP family of the connections compared (None: the cell, every family at once)."""

    @property
    def cell(self) -> Cell:
        return (self.source, self.destination, self.port)

    def __str__(self) -> str:
        def say(value: bool | None) -> str:
            return "no answer" if value is None else ("allowed" if value else "denied")

        over = f" over IPv{self.family}" if self.family is not None else ""
        text = (
            f"{self.source} -> {self.destination} {self.port}{over}: "
            f"kernel {say(self.kernel)}, engine {say(self.engine)}"
        )
        return f"{text} ({self.detail})" if self.detail else text


def engine_matrix(
    cluster: Cluster, ports: Sequence[ProtocolPort], *, family: int | None = None
) -> MatrixLike:
    """The engine's matrix (`podfence.analysis.matrix.compute_matrix`), or, for one IP
    family, the engine's answer for connections of that family."""
    specs = [ProtocolPort(p.port, p.protocol) for p in ports]
    if family is None:
        return compute_matrix(cluster, specs)
    engine = PairEngine(cluster)
    eps = cluster.endpoints
    return Matrix(
        tuple(ep.id for ep in eps),
        tuple(
            PortMatrix(
                spec.port,
                spec.protocol,
                tuple(
                    tuple(
                        engine.allowed(Connection(s, d, spec.port, spec.protocol, family))
                        for d in eps
                    )
                    for s in eps
                ),
            )
            for spec in specs
        ),
    )


def _cells(matrix: MatrixLike) -> dict[Cell, bool]:
    out: dict[Cell, bool] = {}
    ids = list(matrix.endpoints)
    for m in matrix.matrices:
        port = ProtocolPort(m.port, m.protocol)
        for i, row in enumerate(m.allowed):
            for j, value in enumerate(row):
                out[(ids[i], ids[j], port)] = bool(value)
    return out


def _shared_families(kernel: ProbeResult) -> tuple[int, ...]:
    """The families of the cells probed over more than one family (those need the engine's
    per-family matrices)."""
    found: set[int] = set()
    for m in kernel.matrices:
        for row in m.cells:
            for cell in row:
                if len(cell.by_family) > 1:
                    found.update(v for v, _ in cell.by_family)
    return tuple(sorted(found))


def compare(
    kernel: ProbeResult,
    engine: MatrixLike,
    by_family: Mapping[int, MatrixLike] | None = None,
) -> list[Disagreement]:
    """Every cell where the two differ, or that only one of them has; with `by_family` (the
    engine's matrix per IP family), every family of a cell probed over several families
    where they differ, too."""
    measured, expected = _cells(kernel), _cells(engine)
    per_family = {f: _cells(m) for f, m in (by_family or {}).items()}
    found: list[Disagreement] = []
    for cell in sorted(measured.keys() | expected.keys()):
        got, want = measured.get(cell), expected.get(cell)
        probes = kernel.cell(*cell) if got is not None else None
        families = probes.by_family if probes is not None else ()
        before = len(found)
        if len(families) > 1:
            for version, outcome in families:
                wanted = per_family.get(version, {}).get(cell)
                if version in per_family and outcome.allowed != wanted:
                    found.append(
                        Disagreement(*cell, outcome.allowed, wanted, outcome.value, version)
                    )
        if got != want and len(found) == before:  # else a family above says it better
            detail = kernel.outcome(*cell).value if got is not None else ""
            family = families[0][0] if len(families) == 1 else None
            found.append(Disagreement(*cell, got, want, detail, family))
    return found


def _cleared(d: Disagreement, again: CellOutcome) -> bool:
    """Does a patient probe show what the engine said after all?"""
    if d.family is None:
        return again.allowed
    outcome = again.family(d.family)
    return outcome is not None and outcome.allowed


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
    answer: Engine = engine or engine_matrix
    with Lab.up(cluster, name=name or f"verify-{os.getpid()}", runner=runner) as lab:
        bound = lab.bind(cluster)
        kernel = lab.probe(ports, timeout=timeout)
        expected = answer(bound, ports)
        by_family = {f: answer(bound, ports, family=f) for f in _shared_families(kernel)}
        found = compare(kernel, expected, by_family)
        doubtful = [d for d in found if d.kernel is False and d.engine is True]
        if doubtful:
            cells = sorted({d.cell for d in doubtful})
            again = dict(zip(cells, lab.probe_cells(cells, timeout=confirm_timeout), strict=True))
            found = [d for d in found if d not in doubtful or not _cleared(d, again[d.cell])]
    return found

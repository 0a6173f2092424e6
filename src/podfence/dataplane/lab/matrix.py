"""Probe results as data: the connectivity matrix per port and the DNS report.

`ProbeResult.as_matrix()` is the engine's own Matrix type, so it renders to the same contract:
`{"endpoints": [...sorted ids], "matrices": [{"port": 80, "protocol": "TCP",
"allowed": [[...]]}]}`, where `allowed[i][j]` says endpoints[i] could open a connection to
endpoints[j] (the diagonal is a pod to itself).

A cell is probed once per IP family the two pods share (the kernel matches each packet's own
address, so a dual-stack pair can be allowed over IPv4 and dropped over IPv6). The cell is
allowed only when every one of those families is, as the engine answers a pair asked by
name; the per-family outcomes stay in the result.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from podfence.analysis.matrix import Matrix, PortMatrix
from podfence.dataplane.lab.plan import PodPlan
from podfence.dataplane.lab.probe import Attempt, Outcome, run_attempts
from podfence.model import IPAddress, Protocol, ProtocolPort

__all__ = [
    "CellOutcome",
    "ProbeMatrix",
    "ProbeResult",
    "DnsRow",
    "DnsReport",
    "Cell",
    "target",
    "targets",
    "probe_pods",
    "probe_cells",
    "probe_dns",
]

Cell = tuple[str, str, ProtocolPort]
"""(source endpoint, destination endpoint, port)."""


@dataclass(frozen=True, slots=True)
class CellOutcome:
    """The probes of one cell: one connection per IP family the two pods share."""

    by_family: tuple[tuple[int, Outcome], ...]
    """(4 or 6, outcome), in family order; empty when the pods share no family."""

    @property
    def allowed(self) -> bool:
        """Allowed over every shared family (never when there is none)."""
        return bool(self.by_family) and all(o.allowed for _, o in self.by_family)

    @property
    def outcome(self) -> Outcome:
        """The outcome of the first family that denies, else of the first family; ERROR when
        nothing was probed."""
        for _, outcome in self.by_family:
            if not outcome.allowed:
                return outcome
        return self.by_family[0][1] if self.by_family else Outcome.ERROR

    def family(self, version: int) -> Outcome | None:
        """The outcome over IPv`version`; None when that family was not probed."""
        return dict(self.by_family).get(version)


@dataclass(frozen=True, slots=True)
class ProbeMatrix:
    port: int
    protocol: Protocol
    allowed: tuple[tuple[bool, ...], ...]
    outcomes: tuple[tuple[Outcome, ...], ...]
    """Per cell, `CellOutcome.outcome`."""
    cells: tuple[tuple[CellOutcome, ...], ...] = ()
    """Per cell, the outcome of each family probed (empty when not recorded)."""


@dataclass(frozen=True, slots=True)
class ProbeResult:
    endpoints: tuple[str, ...]
    matrices: tuple[ProbeMatrix, ...]

    def as_matrix(self) -> Matrix:
        """The observed matrix in the engine's own type, so one renderer serves both."""
        return Matrix(
            self.endpoints,
            tuple(PortMatrix(m.port, m.protocol, m.allowed) for m in self.matrices),
        )

    def _matrix(self, port: ProtocolPort) -> ProbeMatrix:
        for matrix in self.matrices:
            if matrix.port == port.port and matrix.protocol is port.protocol:
                return matrix
        raise KeyError(str(port))

    def outcome(self, source: str, destination: str, port: ProtocolPort) -> Outcome:
        i, j = self.endpoints.index(source), self.endpoints.index(destination)
        return self._matrix(port).outcomes[i][j]

    def cell(self, source: str, destination: str, port: ProtocolPort) -> CellOutcome | None:
        """The per-family outcomes of a cell; None when they were not recorded."""
        i, j = self.endpoints.index(source), self.endpoints.index(destination)
        cells = self._matrix(port).cells
        return cells[i][j] if cells else None


@dataclass(frozen=True, slots=True)
class DnsRow:
    endpoint: str
    server: str
    """The kube-dns pod asked."""
    udp: Outcome
    tcp: Outcome

    @property
    def udp_ok(self) -> bool:
        return self.udp.answered

    @property
    def tcp_ok(self) -> bool:
        return self.tcp.answered


@dataclass(frozen=True, slots=True)
class DnsReport:
    rows: tuple[DnsRow, ...]

    def to_json(self) -> list[dict[str, Any]]:
        return [
            {"endpoint": r.endpoint, "server": r.server, "udp": r.udp_ok, "tcp": r.tcp_ok}
            for r in self.rows
        ]


def target(source: PodPlan, destination: PodPlan) -> IPAddress | None:
    """The destination's first address of a family the source has."""
    found = targets(source, destination)
    return found[0][1] if found else None


def targets(source: PodPlan, destination: PodPlan) -> tuple[tuple[int, IPAddress], ...]:
    """Per IP family both pods have (4, then 6), the destination's first address of it."""
    families = {ip.version for ip in source.ips}
    out: dict[int, IPAddress] = {}
    for ip in destination.ips:
        if ip.version in families:
            out.setdefault(ip.version, ip)
    return tuple(sorted(out.items()))


def probe_cells(
    pods: Sequence[PodPlan], cells: Sequence[Cell], *, timeout: float, source_port: int
) -> tuple[list[CellOutcome], int]:
    """Probe arbitrary cells, each over every family its pods share (e.g. to confirm a few
    with a longer timeout)."""
    by_id = {pod.endpoint: pod for pod in pods}
    attempts: list[Attempt] = []
    plans: list[tuple[tuple[int, int], ...]] = []
    for src, dst, port in cells:
        plan = []
        for version, address in targets(by_id[src], by_id[dst]):
            plan.append((version, len(attempts)))
            attempts.append(Attempt(by_id[src].netns, address, port))
        plans.append(tuple(plan))
    outcomes, next_port = run_attempts(attempts, timeout=timeout, source_port=source_port)
    found = [CellOutcome(tuple((v, outcomes[k]) for v, k in plan)) for plan in plans]
    return found, next_port


def probe_pods(
    pods: Sequence[PodPlan], ports: Sequence[ProtocolPort], *, timeout: float, source_port: int
) -> tuple[ProbeResult, int]:
    """Every pod to every pod (itself included) on every port, all at once."""
    ordered = sorted(pods, key=lambda pod: pod.endpoint)
    ids = [pod.endpoint for pod in ordered]
    cells = [(src, dst, port) for port in ports for src in ids for dst in ids]
    found, next_port = probe_cells(ordered, cells, timeout=timeout, source_port=source_port)
    n = len(ids)
    matrices = []
    for k, port in enumerate(ports):
        block = found[k * n * n : (k + 1) * n * n]
        rows = tuple(tuple(block[i * n : (i + 1) * n]) for i in range(n))
        allowed = tuple(tuple(c.allowed for c in row) for row in rows)
        outcomes = tuple(tuple(c.outcome for c in row) for row in rows)
        matrices.append(ProbeMatrix(port.port, port.protocol, allowed, outcomes, rows))
    return ProbeResult(tuple(ids), tuple(matrices)), next_port


def probe_dns(
    pods: Sequence[PodPlan], servers: Sequence[PodPlan], *, timeout: float, source_port: int
) -> tuple[DnsReport, int]:
    """Can each pod resolve a name over UDP and over TCP through each DNS pod?"""
    ordered = sorted(pods, key=lambda pod: pod.endpoint)
    pairs = [(pod, server) for pod in ordered for server in servers]
    attempts = [
        Attempt(pod.netns, target(pod, server), ProtocolPort(53, proto), dns=True)
        for pod, server in pairs
        for proto in (Protocol.UDP, Protocol.TCP)
    ]
    outcomes, next_port = run_attempts(attempts, timeout=timeout, source_port=source_port)
    rows = tuple(
        DnsRow(pod.endpoint, server.endpoint, outcomes[2 * i], outcomes[2 * i + 1])
        for i, (pod, server) in enumerate(pairs)
    )
    return DnsReport(rows), next_port

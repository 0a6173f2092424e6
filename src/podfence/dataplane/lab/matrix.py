"""Probe results as data: the connectivity matrix per port and the DNS report.

`ProbeResult.as_matrix()` is the engine's own Matrix type, so it renders to the same contract:
`{"endpoints": [...sorted ids], "matrices": [{"port": 80, "protocol": "TCP",
"allowed": [[...]]}]}`, where `allowed[i][j]` says endpoints[i] could open a connection to
endpoints[j] (the diagonal is a pod to itself).
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
    "ProbeMatrix",
    "ProbeResult",
    "DnsRow",
    "DnsReport",
    "Cell",
    "target",
    "probe_pods",
    "probe_cells",
    "probe_dns",
]

Cell = tuple[str, str, ProtocolPort]
"""(source endpoint, destination endpoint, port)."""


@dataclass(frozen=True, slots=True)
class ProbeMatrix:
    port: int
    protocol: Protocol
    allowed: tuple[tuple[bool, ...], ...]
    outcomes: tuple[tuple[Outcome, ...], ...]


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

    def outcome(self, source: str, destination: str, port: ProtocolPort) -> Outcome:
        i, j = self.endpoints.index(source), self.endpoints.index(destination)
        for matrix in self.matrices:
            if matrix.port == port.port and matrix.protocol is port.protocol:
                return matrix.outcomes[i][j]
        raise KeyError(str(port))


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
    families = {ip.version for ip in source.ips}
    for ip in destination.ips:
        if ip.version in families:
            return ip
    return None


def probe_cells(
    pods: Sequence[PodPlan], cells: Sequence[Cell], *, timeout: float, source_port: int
) -> tuple[list[Outcome], int]:
    """Probe arbitrary cells (e.g. to confirm a few with a longer timeout)."""
    by_id = {pod.endpoint: pod for pod in pods}
    attempts = [
        Attempt(by_id[src].netns, target(by_id[src], by_id[dst]), port) for src, dst, port in cells
    ]
    return run_attempts(attempts, timeout=timeout, source_port=source_port)


def probe_pods(
    pods: Sequence[PodPlan], ports: Sequence[ProtocolPort], *, timeout: float, source_port: int
) -> tuple[ProbeResult, int]:
    """Every pod to every pod (itself included) on every port, all at once."""
    ordered = sorted(pods, key=lambda pod: pod.endpoint)
    ids = [pod.endpoint for pod in ordered]
    cells = [(src, dst, port) for port in ports for src in ids for dst in ids]
    outcomes, next_port = probe_cells(ordered, cells, timeout=timeout, source_port=source_port)
    n = len(ids)
    matrices = []
    for k, port in enumerate(ports):
        block = outcomes[k * n * n : (k + 1) * n * n]
        rows = tuple(tuple(block[i * n : (i + 1) * n]) for i in range(n))
        allowed = tuple(tuple(o.allowed for o in row) for row in rows)
        matrices.append(ProbeMatrix(port.port, port.protocol, allowed, rows))
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

"""The matrix of a cluster with ClusterNetworkPolicies, from the exact per-pair engine.

The class engine (engine/classes) does not model the Admin and Baseline tiers yet, so until it
does, `matrix` asks the per-pair engine for every pair when the input has
ClusterNetworkPolicies. The dense matrix is the usual `Matrix`; `--group` and `--all-ports`
keep their output contracts with one group per endpoint (the per-pair engine does not find
classes), and the ports of `--all-ports` are exact: one probe per span of ports no rule cuts
(`analysis.samples`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from podfence.analysis.samples import PortSpan, policy_port_sets, port_spans
from podfence.engine import Engine
from podfence.model import Cluster, Connection, Endpoint, Protocol, ProtocolPort

__all__ = [
    "FALLBACK_NOTE",
    "PairGroup",
    "PairwiseMatrix",
    "PairwisePorts",
    "pairwise",
    "pairwise_ports",
]

FALLBACK_NOTE = (
    "ClusterNetworkPolicies present: the class engine does not model tiers yet; "
    "using the per-pair engine"
)


@dataclass(frozen=True, slots=True)
class PairGroup:
    """One endpoint, standing as a group of one."""

    id: int
    endpoint: Endpoint

    @property
    def label(self) -> str:
        return f"{self.endpoint.id} (1 {'pod' if self.endpoint.kind == 'Pod' else 'workload'})"


@dataclass(frozen=True, slots=True)
class PairwiseMatrix:
    groups: tuple[PairGroup, ...]
    ports: tuple[ProtocolPort, ...]
    allowed: tuple[tuple[tuple[bool, ...], ...], ...]
    """allowed[k][i][j]: groups[i] -> groups[j] on ports[k] (a pod reaches itself)."""


@dataclass(frozen=True, slots=True)
class PairwisePorts:
    groups: tuple[PairGroup, ...]
    probes: tuple[PortSpan, ...]
    """Every span of ports no rule cuts."""
    allowed: tuple[tuple[int, int, tuple[PortSpan, ...]], ...]
    """(source, destination, the spans allowed), for the pairs with anything allowed."""


class _Pairs:
    def __init__(self, cluster: Cluster) -> None:
        self.engine = Engine(cluster)
        self.groups = tuple(PairGroup(i, ep) for i, ep in enumerate(cluster.endpoints))

    def allowed(self, i: int, j: int, port: int, protocol: Protocol) -> bool:
        src, dst = self.groups[i].endpoint, self.groups[j].endpoint
        return self.engine.allowed(Connection(src, dst, port, protocol))


def pairwise(cluster: Cluster, ports: Sequence[ProtocolPort]) -> PairwiseMatrix:
    """Per port, every pair of endpoints (`--group` with tiers)."""
    pairs = _Pairs(cluster)
    n = len(pairs.groups)
    grids = tuple(
        tuple(tuple(pairs.allowed(i, j, p.port, p.protocol) for j in range(n)) for i in range(n))
        for p in ports
    )
    return PairwiseMatrix(pairs.groups, tuple(ports), grids)


def pairwise_ports(cluster: Cluster) -> PairwisePorts:
    """Every allowed span of ports, per pair of different endpoints (`--all-ports`)."""
    pairs = _Pairs(cluster)
    probes = port_spans(policy_port_sets(pairs.engine))
    found = []
    for a in pairs.groups:
        for b in pairs.groups:
            if a.id == b.id:
                continue
            spans = tuple(p for p in probes if pairs.allowed(a.id, b.id, p.port, p.protocol))
            if spans:
                found.append((a.id, b.id, spans))
    return PairwisePorts(pairs.groups, probes, tuple(found))

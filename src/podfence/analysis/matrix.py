"""Who can reach whom: the dense connectivity matrix over all endpoints, per port."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from podfence.engine import Engine
from podfence.model import Cluster, Connection, Protocol, ProtocolPort

__all__ = ["PortMatrix", "Matrix", "compute_matrix"]


@dataclass(frozen=True, slots=True)
class PortMatrix:
    port: int
    protocol: Protocol
    allowed: tuple[tuple[bool, ...], ...]
    """allowed[i][j]: endpoints[i] may open a connection to endpoints[j]."""


@dataclass(frozen=True, slots=True)
class Matrix:
    endpoints: tuple[str, ...]
    matrices: tuple[PortMatrix, ...]


def compute_matrix(
    cluster: Cluster, ports: Sequence[ProtocolPort], *, engine: Engine | None = None
) -> Matrix:
    engine = engine or Engine(cluster)
    eps = cluster.endpoints
    matrices = tuple(
        PortMatrix(
            spec.port,
            spec.protocol,
            tuple(
                tuple(engine.allowed(Connection(src, dst, spec.port, spec.protocol)) for dst in eps)
                for src in eps
            ),
        )
        for spec in ports
    )
    return Matrix(tuple(ep.id for ep in eps), matrices)

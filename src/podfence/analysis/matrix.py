"""Who can reach whom: the dense connectivity matrix over all endpoints, per port.

`compute_matrix` asks the per-pair engine about every pair; `class_matrix` reads the same
matrix from a class engine (one answer per pair of classes, spread over their members).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from podfence.engine import Engine
from podfence.engine.classes import ClassEngine
from podfence.model import Cluster, Connection, Protocol, ProtocolPort

__all__ = ["PortMatrix", "Matrix", "compute_matrix", "class_matrix"]


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


def class_matrix(engine: ClassEngine, ports: Sequence[ProtocolPort]) -> Matrix:
    """`compute_matrix` of the class engine's cluster, from its classes."""
    eps = engine.cluster.endpoints
    cls = np.asarray([engine.class_by_id[ep.id] for ep in eps], dtype=np.intp)
    used, inverse = np.unique(cls, return_inverse=True)
    matrices = []
    for spec in ports:
        per_class = engine.class_bits(spec, used, used)
        full = per_class[np.ix_(inverse, inverse)]
        np.fill_diagonal(full, True)  # a pod may always reach itself
        matrices.append(PortMatrix(spec.port, spec.protocol, tuple(map(tuple, full.tolist()))))
    return Matrix(tuple(ep.id for ep in eps), tuple(matrices))

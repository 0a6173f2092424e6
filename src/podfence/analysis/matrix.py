"""Who can reach whom: the dense connectivity matrix over all endpoints, per port."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from podfence.engine import Engine
from podfence.model import Cluster, Connection, Protocol

__all__ = ["PortSpec", "PortMatrix", "Matrix", "compute_matrix", "parse_port_spec"]


@dataclass(frozen=True, slots=True, order=True)
class PortSpec:
    port: int
    protocol: Protocol = Protocol.TCP

    def __str__(self) -> str:
        return f"{self.port}/{self.protocol}"


_PORT_SPEC = re.compile(r"(?P<port>[0-9]{1,5})(?:/(?P<proto>[A-Za-z]+))?", re.ASCII)


def parse_port_spec(text: str) -> PortSpec:
    """`NUMBER[/PROTOCOL]`, protocol TCP by default and case-insensitive here."""
    match = _PORT_SPEC.fullmatch(text.strip())
    if match is None:
        raise ValueError(f"invalid port {text!r}: expected NUMBER[/TCP|UDP|SCTP]")
    port, proto = int(match["port"]), match["proto"] or ""
    if not 1 <= port <= 65535:
        raise ValueError(f"invalid port {text!r}: must be between 1 and 65535, inclusive")
    try:
        protocol = Protocol(proto.upper()) if proto else Protocol.TCP
    except ValueError:
        raise ValueError(
            f"invalid protocol in {text!r}: supported values: SCTP, TCP, UDP"
        ) from None
    return PortSpec(port, protocol)


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
    cluster: Cluster, ports: Sequence[PortSpec], *, engine: Engine | None = None
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

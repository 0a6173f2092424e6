"""Questions asked with a port name (`--port http`): resolved on the destination, per protocol.

A named port is not a number until it meets a pod: it means the numbers the destination's
containers give that name for that protocol (`containers[].ports[].name`), the same
resolution a NetworkPolicy rule's named port gets (Kubernetes API reference, NetworkPolicyPort:
"a named port on a pod"). A destination that does not define the name has no such port, so
nothing can reach it there; an address outside the cluster defines no names at all. A
question about a named port is answered yes when every number it resolves to is allowed.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from podfence.analysis.matrix import Matrix, PortMatrix
from podfence.engine import Engine, Verdict
from podfence.engine.resolve import declared_numbers
from podfence.load.names import is_valid_port_name
from podfence.model import (
    Connection,
    ContainerPort,
    Endpoint,
    External,
    Party,
    Protocol,
    ProtocolPort,
)

__all__ = [
    "NamedPort",
    "NamedPortMatrix",
    "Query",
    "QueryMatrix",
    "QueryPort",
    "ask",
    "Resolver",
    "named_matrix",
    "named_numbers",
    "numbers_needed",
    "numbers_of",
    "parse_query_port",
    "port_names",
    "query_matrix",
    "resolver",
]

_NAMED = re.compile(r"(?P<name>[^/\s]+)(?:/(?P<proto>[A-Za-z]+))?", re.ASCII)


@dataclass(frozen=True, slots=True, order=True)
class NamedPort:
    """A port by name (`http/TCP`), as a NetworkPolicy rule or a query may give it."""

    name: str
    protocol: Protocol = Protocol.TCP

    def __str__(self) -> str:
        return f"{self.name}/{self.protocol}"


QueryPort = ProtocolPort | NamedPort
"""What `--port` accepts: a number or a name, each with a protocol (TCP by default)."""


def parse_query_port(text: str) -> QueryPort:
    """`NUMBER[/PROTOCOL]` or `NAME[/PROTOCOL]` (a port name as Kubernetes allows it:
    IANA_SVC_NAME, at most 15 lowercase letters, digits and single hyphens)."""
    stripped = text.strip()
    if stripped[:1].isdigit():
        return ProtocolPort.parse(stripped)
    match = _NAMED.fullmatch(stripped)
    if match is None:
        raise ValueError(f"invalid port {text!r}: expected NUMBER[/PROTOCOL] or NAME[/PROTOCOL]")
    problems = is_valid_port_name(match["name"])
    if problems:
        raise ValueError(f"invalid port name {match['name']!r}: {'; '.join(problems)}")
    proto = match["proto"] or "TCP"
    try:
        protocol = Protocol(proto.upper())
    except ValueError:
        raise ValueError(
            f"invalid protocol in {text!r}: supported values: SCTP, TCP, UDP"
        ) from None
    return NamedPort(match["name"], protocol)


def named_numbers(declared: Iterable[ContainerPort], port: NamedPort) -> tuple[int, ...]:
    """The numbers that container ports `declared` give the name for its protocol, sorted."""
    return tuple(sorted(declared_numbers(declared, port.name, port.protocol)))


def numbers_of(destination: Party, port: QueryPort) -> tuple[int, ...]:
    """The port numbers a query means on `destination`, sorted: a number is itself; a name
    is every number the destination's containers give it for the protocol (none outside
    the cluster, or when no container names it)."""
    if isinstance(port, ProtocolPort):
        return (port.port,)
    if isinstance(destination, External):
        return ()
    return named_numbers(destination.ports, port)


def port_names(endpoint: Endpoint) -> tuple[str, ...]:
    """The named ports an endpoint defines, as `name/PROTOCOL`, for "it defines" hints."""
    return tuple(sorted({f"{p.name}/{p.protocol}" for p in endpoint.ports if p.name}))


@dataclass(frozen=True, slots=True)
class Query:
    """The answer to "may `source` reach `destination` on `port`": one verdict per number
    the port means there (none when the destination does not define a named port)."""

    source: Party
    destination: Party
    port: QueryPort
    verdicts: tuple[Verdict, ...]

    @property
    def allowed(self) -> bool:
        return bool(self.verdicts) and all(v.allowed for v in self.verdicts)

    @property
    def numbers(self) -> tuple[int, ...]:
        return tuple(v.connection.port for v in self.verdicts)


def ask(
    engine: Engine, source: Party, destination: Party, port: QueryPort, family: int | None = None
) -> Query:
    """The verdict on every number `port` means on `destination`, over `family` (None: every
    family the two can use)."""
    verdicts = tuple(
        engine.evaluate(Connection(source, destination, number, port.protocol, family))
        for number in numbers_of(destination, port)
    )
    return Query(source, destination, port, verdicts)


@dataclass(frozen=True, slots=True)
class NamedPortMatrix:
    """allowed[i][j] for a named port; `resolved[j]` the numbers it means on endpoint j
    (empty: j does not define it, and its column is denied)."""

    port: NamedPort
    allowed: tuple[tuple[bool, ...], ...]
    resolved: tuple[tuple[int, ...], ...]

    @property
    def undefined(self) -> tuple[int, ...]:
        """The columns whose endpoint does not define the name."""
        return tuple(j for j, nums in enumerate(self.resolved) if not nums)


@dataclass(frozen=True, slots=True)
class QueryMatrix:
    """The matrix of a `matrix --port ...` question: one grid per port asked, in order."""

    endpoints: tuple[str, ...]
    matrices: tuple[PortMatrix | NamedPortMatrix, ...]


Resolver = Callable[[NamedPort], Sequence[tuple[int, ...]]]
"""What a named port means on each endpoint of a matrix, in the matrix's order."""


def resolver(endpoints: Sequence[Endpoint]) -> Resolver:
    """The `Resolver` over `endpoints` (their declared container ports)."""
    return lambda port: [named_numbers(ep.ports, port) for ep in endpoints]


def numbers_needed(ports: Sequence[QueryPort], resolve: Resolver) -> list[ProtocolPort]:
    """The numeric ports whose grids answer every asked port, in the order first needed."""
    needed: dict[ProtocolPort, None] = {}
    for port in ports:
        if isinstance(port, ProtocolPort):
            needed[port] = None
            continue
        for numbers in resolve(port):
            needed.update((ProtocolPort(n, port.protocol), None) for n in numbers)
    return list(needed)


def named_matrix(
    port: NamedPort, resolved: Sequence[tuple[int, ...]], by_number: Matrix
) -> NamedPortMatrix:
    """The grid of a named port from the grids of the numbers it resolves to (`by_number`),
    given what it means on each endpoint (`resolved[j]`, in the endpoints' order). A column
    whose endpoint does not define the name is denied, its own cell included: there is no
    such port."""
    grids = {pm.port: pm.allowed for pm in by_number.matrices if pm.protocol is port.protocol}
    rows = tuple(
        tuple(bool(nums) and all(grids[n][i][j] for n in nums) for j, nums in enumerate(resolved))
        for i in range(len(resolved))
    )
    return NamedPortMatrix(port, rows, tuple(resolved))


def query_matrix(ports: Sequence[QueryPort], by_number: Matrix, resolve: Resolver) -> QueryMatrix:
    """Every asked port's grid, in the order asked, from the numeric grids `by_number`
    (computed for `numbers_needed(ports, resolve)`)."""
    grids = {(pm.port, pm.protocol): pm for pm in by_number.matrices}
    out: list[PortMatrix | NamedPortMatrix] = []
    for port in ports:
        if isinstance(port, ProtocolPort):
            out.append(grids[(port.port, port.protocol)])
        else:
            out.append(named_matrix(port, resolve(port), by_number))
    return QueryMatrix(by_number.endpoints, tuple(out))

"""Protocols and ports: policy ports (numeric, named, ranges) and container ports."""

from __future__ import annotations

import re
from dataclasses import dataclass

from podfence.model.ordering import OrderedEnum

__all__ = ["Protocol", "PolicyPort", "ContainerPort", "PortRange", "ProtocolPort"]


class Protocol(OrderedEnum):
    TCP = "TCP"
    UDP = "UDP"
    SCTP = "SCTP"

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True, slots=True, order=True)
class PortRange:
    """An inclusive range of port numbers."""

    first: int
    last: int

    def __contains__(self, port: object) -> bool:
        return isinstance(port, int) and self.first <= port <= self.last

    def __str__(self) -> str:
        return str(self.first) if self.first == self.last else f"{self.first}-{self.last}"


@dataclass(frozen=True, slots=True)
class PolicyPort:
    """One entry of a rule's `ports` list, after defaulting (protocol is always set).

    `port` is None (every port of the protocol), a number, or a container port name.
    `end_port` is only set with a numeric `port` (validated upstream).
    """

    protocol: Protocol = Protocol.TCP
    port: int | str | None = None
    end_port: int | None = None

    @property
    def is_named(self) -> bool:
        return isinstance(self.port, str)

    def numeric_range(self) -> PortRange | None:
        """The numeric range this entry allows; None for a named port; 1-65535 when unset."""
        if self.port is None:
            return PortRange(1, 65535)
        if isinstance(self.port, str):
            return None
        return PortRange(self.port, self.end_port if self.end_port is not None else self.port)

    def __str__(self) -> str:
        if self.port is None:
            return f"every {self.protocol} port"
        if self.end_port is not None:
            return f"{self.protocol} {self.port}-{self.end_port}"
        return f"{self.protocol} {self.port}"


@dataclass(frozen=True, slots=True)
class ContainerPort:
    """A port a container declares (`containers[].ports[]`)."""

    port: int
    protocol: Protocol = Protocol.TCP
    name: str | None = None


_PROTOCOL_PORT = re.compile(r"(?P<port>[0-9]{1,5})(?:/(?P<proto>[A-Za-z]+))?", re.ASCII)


@dataclass(frozen=True, slots=True, order=True)
class ProtocolPort:
    """One port number with its protocol (`80/TCP`): what a connection is opened to, what
    a matrix is asked about, what the lab serves and probes."""

    port: int
    protocol: Protocol = Protocol.TCP

    def __post_init__(self) -> None:
        if not 1 <= self.port <= 65535:
            raise ValueError(f"invalid port {self.port}: must be between 1 and 65535, inclusive")

    @classmethod
    def parse(cls, text: str) -> ProtocolPort:
        """`NUMBER[/PROTOCOL]`, protocol TCP by default and case-insensitive here (`53/udp`)."""
        match = _PROTOCOL_PORT.fullmatch(text.strip())
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
        return cls(port, protocol)

    def __str__(self) -> str:
        return f"{self.port}/{self.protocol}"

"""A port and protocol to serve or probe (`80/TCP`), with the command-line syntax."""

from __future__ import annotations

import re
from dataclasses import dataclass

from podfence.model import Protocol

__all__ = ["ProbePort", "parse_port"]

_SPEC = re.compile(r"^\s*(\d{1,5})\s*(?:/\s*([A-Za-z]+)\s*)?$")


@dataclass(frozen=True, slots=True, order=True)
class ProbePort:
    port: int
    protocol: Protocol = Protocol.TCP

    def __post_init__(self) -> None:
        if not 1 <= self.port <= 65535:
            raise ValueError(f"port {self.port} out of range 1-65535")

    def __str__(self) -> str:
        return f"{self.port}/{self.protocol}"


def parse_port(text: str) -> ProbePort:
    """`NUMBER[/PROTOCOL]`, protocol TCP by default and case-insensitive (`53/udp`)."""
    found = _SPEC.match(text)
    if found is None:
        raise ValueError(f"invalid port {text!r}: expected NUMBER[/TCP|UDP|SCTP]")
    number, proto = int(found.group(1)), (found.group(2) or "TCP").upper()
    try:
        protocol = Protocol(proto)
    except ValueError:
        raise ValueError(
            f"invalid protocol {found.group(2)!r} in {text!r}: TCP, UDP or SCTP"
        ) from None
    return ProbePort(number, protocol)

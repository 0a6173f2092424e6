"""A connection between two parties: an endpoint of the cluster or an outside address."""

from __future__ import annotations

from dataclasses import dataclass

from podfence.model.addresses import IPAddress
from podfence.model.cluster import Endpoint
from podfence.model.ports import Protocol

__all__ = ["External", "Party", "Connection"]


@dataclass(frozen=True, slots=True)
class External:
    """An IP address outside the cluster (no policy selects it).

    `names`: the DNS names the question gave this address (`can POD api.example.com`, or a
    `--dns NAME=IP` map); a ClusterNetworkPolicy `domainNames` peer matches it by them.
    Empty: the address was given as such, and which names lead to it is only known to DNS
    at run time.
    """

    ip: IPAddress
    names: tuple[str, ...] = ()

    @property
    def id(self) -> str:
        return str(self.ip)

    def __str__(self) -> str:
        if self.names:
            return f"{', '.join(self.names)} ({self.ip})"
        return self.id


Party = Endpoint | External


@dataclass(frozen=True, slots=True)
class Connection:
    """A new connection from `source` to `destination` on `port`/`protocol`.

    `family` is the IP family of its packets (4 or 6), which decides the address an ipBlock
    is matched against. None: not given; the engine then answers for every family the two
    parties can use (and says so when the answers differ).
    """

    source: Party
    destination: Party
    port: int
    protocol: Protocol
    family: int | None = None

    def __str__(self) -> str:
        over = f" over IPv{self.family}" if self.family is not None else ""
        return f"{self.source} -> {self.destination} {self.port}/{self.protocol}{over}"

"""Questions as people ask them: a party by `namespace/name` or by IP address, and a
connection between two such parties.

Asking by an address says which IP family the question is about: `fd00:3::10` is the pod that
owns that address, reached over IPv6 (its packets carry that address, and an ipBlock matches
the packet's address). Asking by name says nothing of the family: the engine then answers for
every family the two parties can use, and says so when the answers differ.
"""

from __future__ import annotations

import difflib
import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass

from podfence.engine.resolve import party_families
from podfence.model import Cluster, Connection, Endpoint, External, IPAddress, Party, ProtocolPort

__all__ = [
    "Asked",
    "Parties",
    "QueryError",
    "ask_connection",
    "ask_parties",
    "resolve_endpoint",
    "resolve_party",
]


class QueryError(ValueError):
    """The question cannot be asked of this cluster; the message says why."""


@dataclass(frozen=True, slots=True)
class Asked:
    """A party as it was asked for."""

    text: str
    party: Party
    family: int | None
    """The IP family the text implies: that of the address it names (a pod's or an outside
    one); None when it names a pod or workload."""


_NO_NAMES: Mapping[str, tuple[IPAddress, ...]] = {}


def resolve_party(
    cluster: Cluster, text: str, dns: Mapping[str, tuple[IPAddress, ...]] = _NO_NAMES
) -> Asked:
    """`namespace/name` of a pod or workload, or an IP address (a pod's IP means that pod;
    an outside address is known by the names `dns` resolves to it)."""
    try:
        ip = ipaddress.ip_address(text)
    except ValueError:
        pass
    else:
        owner = next((ep for ep in cluster.endpoints if ip in ep.ips), None)
        if owner is not None:
            return Asked(text, owner, ip.version)
        names = tuple(sorted(name for name, ips in dns.items() if ip in ips))
        return Asked(text, External(ip, names), ip.version)
    if "/" not in text:
        raise QueryError(f"endpoint {text!r}: expected NAMESPACE/NAME or an IP address")
    found = cluster.endpoint(text)
    if found is None:
        close = difflib.get_close_matches(text, [e.id for e in cluster.endpoints], n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise QueryError(f"no pod or workload {text!r} in the input{hint}")
    return Asked(text, found, None)


def resolve_endpoint(cluster: Cluster, text: str) -> Endpoint:
    """A pod or workload, by `namespace/name` or by one of its IP addresses."""
    party = resolve_party(cluster, text).party
    if isinstance(party, External):
        raise QueryError(f"{text!r} is an address outside the cluster: no policy applies")
    return party


def _family(source: Asked, destination: Asked) -> int | None:
    """The family both texts agree on (None: neither names one)."""
    given = {a.family for a in (source, destination) if a.family is not None}
    if len(given) > 1:
        raise QueryError(
            f"{source.text} is an IPv{source.family} address and {destination.text} an "
            f"IPv{destination.family} one: a connection uses one IP family"
        )
    return next(iter(given), None)


def _check_family(asked: Asked, family: int) -> None:
    """A pod asked by name must have an address of the family the other side implies (a pod
    whose addresses are not known could have one)."""
    families = party_families(asked.party)
    if isinstance(asked.party, Endpoint) and families is not None and family not in families:
        raise QueryError(
            f"{asked.text} has no IPv{family} address: it cannot take part in a connection "
            f"over IPv{family}"
        )


@dataclass(frozen=True, slots=True)
class Parties:
    """The two parties of a question and the IP family it is about (None: by name)."""

    source: Party
    destination: Party
    family: int | None


def ask_parties(
    cluster: Cluster,
    source: str,
    destination: str,
    dns: Mapping[str, tuple[IPAddress, ...]] = _NO_NAMES,
) -> Parties:
    """The parties `source` and `destination` name, over the IP family an address among them
    implies. An outside address already carries its family, so the question names a family
    only when a pod was asked for by address."""
    src, dst = resolve_party(cluster, source, dns), resolve_party(cluster, destination, dns)
    if isinstance(src.party, External) and isinstance(dst.party, External):
        raise QueryError(
            f"neither {source} nor {destination} is a pod or workload of the input: "
            "NetworkPolicy only governs traffic from or to pods"
        )
    family = _family(src, dst)
    if family is not None:
        _check_family(src, family)
        _check_family(dst, family)
    by_pod_address = any(a.family is not None and isinstance(a.party, Endpoint) for a in (src, dst))
    return Parties(src.party, dst.party, family if by_pod_address else None)


def ask_connection(
    cluster: Cluster, source: str, destination: str, port: ProtocolPort
) -> Connection:
    """The connection from `source` to `destination` on `port` (see `ask_parties`)."""
    asked = ask_parties(cluster, source, destination)
    return Connection(asked.source, asked.destination, port.port, port.protocol, asked.family)

"""Questions about a destination given by DNS name (`can POD api.example.com`), and the
`--dns NAME=IP` map that says what names resolve to.

A ClusterNetworkPolicy `domainNames` peer matches a destination by name; every other peer
and rule (networks, nodes, ipBlocks) by address. What a name resolves to is only known at
run time (NPEP-133: implementations learn it from the DNS answers the pod gets), so:

- with `--dns NAME=IP` (repeatable; a name may have several addresses), the question is
  asked for each address the map gives, known by that name; a client may use any of them,
  so the answer is allowed only when each is;
- without it, the question is asked for one address per region the policies tell apart
  (`analysis.samples.address_atoms`, outside the pods' addresses), known by that name: when
  every region gives the same answer, that is the answer whatever the name resolves to;
  otherwise the answer depends on DNS at run time, and each region's answer is given.

An address asked as such is known by the names the map gives it (`External.names`).
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from podfence.analysis.named_ports import Query, QueryPort, ask
from podfence.analysis.query import QueryError
from podfence.analysis.samples import AddressAtom, address_atoms
from podfence.engine import Engine
from podfence.model import External, IPAddress, Party

__all__ = [
    "DnsMap",
    "NameCase",
    "NameQuery",
    "ask_by_name",
    "is_dns_name",
    "parse_dns",
]

DnsMap = Mapping[str, tuple[IPAddress, ...]]
"""A lower-case name (no trailing dot) -> its addresses, in the order given."""

_NAME = re.compile(
    r"^([a-zA-Z0-9]([-a-zA-Z0-9_]*[a-zA-Z0-9])?\.)+[a-zA-Z0-9]([-a-zA-Z0-9_]*[a-zA-Z0-9])?\.?$"
)
"""A fully qualified name, as the CRD's DomainName pattern has it (without the wildcard)."""


def is_dns_name(text: str) -> bool:
    return bool(_NAME.match(text))


def _canonical(name: str) -> str:
    return name.lower().removesuffix(".")


def parse_dns(items: Iterable[str]) -> dict[str, tuple[IPAddress, ...]]:
    """`NAME=IP` items (repeatable; several items for one name add addresses)."""
    found: dict[str, list[IPAddress]] = {}
    for item in items:
        name, sep, address = item.partition("=")
        if not sep or not is_dns_name(name.strip()):
            raise QueryError(f"--dns {item!r}: expected NAME=IP, NAME a DNS name")
        try:
            ip = ipaddress.ip_address(address.strip())
        except ValueError:
            raise QueryError(f"--dns {item!r}: {address.strip()!r} is not an IP address") from None
        ips = found.setdefault(_canonical(name.strip()), [])
        if ip not in ips:
            ips.append(ip)
    return {k: tuple(v) for k, v in found.items()}


@dataclass(frozen=True, slots=True)
class NameCase:
    """The question for one address the name may resolve to."""

    label: str
    """The address (from --dns), or the region it stands for (`addresses in 192.0.2.0/24`)."""
    query: Query


@dataclass(frozen=True, slots=True)
class NameQuery:
    source: Party
    name: str
    port: QueryPort
    resolved: bool
    """True when `--dns` gave the name's addresses; False when every region was asked."""
    cases: tuple[NameCase, ...]

    @property
    def allowed(self) -> bool:
        return all(case.query.allowed for case in self.cases)

    @property
    def depends_on_dns(self) -> bool:
        """Unresolved, and the regions' answers differ."""
        return not self.resolved and len({c.query.allowed for c in self.cases}) > 1


def ask_by_name(
    engine: Engine, source: Party, name: str, port: QueryPort, dns: DnsMap
) -> NameQuery:
    """`source` to the destination called `name` on `port` (see the module)."""
    known = dns.get(_canonical(name))
    if known:
        cases = tuple(
            NameCase(str(ip), ask(engine, source, External(ip, (name,)), port)) for ip in known
        )
        return NameQuery(source, name, port, True, cases)
    atoms = address_atoms([engine])
    regions = []
    for atom in atoms:
        label = _region(atom, atoms)
        regions.append(NameCase(label, ask(engine, source, External(atom.address, (name,)), port)))
    return NameQuery(source, name, port, False, tuple(regions))


def _region(atom: AddressAtom, atoms: Sequence[AddressAtom]) -> str:
    """`addresses in 192.0.2.0/24`; `other addresses in 0.0.0.0/0` when a narrower region
    inside that block has an answer of its own."""
    if not atom.inside:
        return atom.label
    narrowest = max(atom.inside, key=lambda b: b.cidr.prefixlen)
    wider = any(narrowest in other.inside and other is not atom for other in atoms)
    return f"{'other addresses' if wider else 'addresses'} in {narrowest}"

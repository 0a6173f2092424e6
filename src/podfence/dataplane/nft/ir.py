"""The typed intermediate form of an nftables ruleset: a closed set of frozen variants.

The compiler builds these values; `emit` turns them into text. Nothing here knows about
policies or pods: sets hold addresses and ports, rules hold matches and a verdict.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from podfence.model import IPAddress, PortRange, Protocol

__all__ = [
    "Family",
    "Field",
    "KeyType",
    "AddrRange",
    "ProtoPorts",
    "AddrProtoPort",
    "Element",
    "NamedSet",
    "VerdictKind",
    "Verdict",
    "VerdictMap",
    "CtState",
    "AddrInSet",
    "L4Proto",
    "DPort",
    "ProtoPortInSet",
    "AddrProtoPortInSet",
    "Match",
    "VmapDispatch",
    "Rule",
    "Hook",
    "Chain",
    "Ruleset",
]


class Family(enum.Enum):
    """The network-layer family of an address match (`ip` or `ip6` in an inet table)."""

    IPV4 = "ip"
    IPV6 = "ip6"

    @property
    def addr_type(self) -> KeyType:
        return KeyType.IPV4_ADDR if self is Family.IPV4 else KeyType.IPV6_ADDR

    @property
    def suffix(self) -> str:
        """The suffix of per-family set names (`v4`, `v6`)."""
        return "v4" if self is Family.IPV4 else "v6"

    @classmethod
    def of(cls, ip: IPAddress) -> Family:
        return cls.IPV4 if ip.version == 4 else cls.IPV6


class Field(enum.Enum):
    SADDR = "saddr"
    DADDR = "daddr"


class KeyType(enum.Enum):
    IPV4_ADDR = "ipv4_addr"
    IPV6_ADDR = "ipv6_addr"
    INET_PROTO = "inet_proto"
    INET_SERVICE = "inet_service"


@dataclass(frozen=True, slots=True, order=True)
class AddrRange:
    """An inclusive range of addresses of one family (a single address when first == last)."""

    first: IPAddress
    last: IPAddress


@dataclass(frozen=True, slots=True)
class ProtoPorts:
    """`tcp . 80-90`: a protocol and a range of destination ports."""

    protocol: Protocol
    ports: PortRange


@dataclass(frozen=True, slots=True)
class AddrProtoPort:
    """`10.0.0.1 . tcp . 8080`: one destination address, protocol and port."""

    address: IPAddress
    protocol: Protocol
    port: int


Element = AddrRange | ProtoPorts | AddrProtoPort


@dataclass(frozen=True, slots=True)
class NamedSet:
    name: str
    key: tuple[KeyType, ...]
    elements: tuple[Element, ...]
    interval: bool = False
    comment: str = ""


class VerdictKind(enum.Enum):
    ACCEPT = "accept"
    DROP = "drop"
    RETURN = "return"
    JUMP = "jump"
    GOTO = "goto"


@dataclass(frozen=True, slots=True)
class Verdict:
    kind: VerdictKind
    chain: str | None = None
    """The target chain of `jump` and `goto`; None otherwise."""

    def __post_init__(self) -> None:
        needs_chain = self.kind in (VerdictKind.JUMP, VerdictKind.GOTO)
        if needs_chain != (self.chain is not None):
            raise ValueError(f"verdict {self.kind.value} with chain {self.chain!r}")


@dataclass(frozen=True, slots=True)
class VerdictMap:
    """A map from an address to a verdict (`10.244.0.3 : jump egress-shop`)."""

    name: str
    family: Family
    elements: tuple[tuple[IPAddress, Verdict], ...]
    comment: str = ""


@dataclass(frozen=True, slots=True)
class CtState:
    """`ct state established,related`."""

    states: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class AddrInSet:
    """`ip saddr @peer1-v4`."""

    family: Family
    field: Field
    set_name: str


@dataclass(frozen=True, slots=True)
class L4Proto:
    """`meta l4proto tcp`."""

    protocol: Protocol


@dataclass(frozen=True, slots=True)
class DPort:
    """`th dport 80` or `th dport 80-90` (after an `L4Proto`)."""

    ports: PortRange


@dataclass(frozen=True, slots=True)
class ProtoPortInSet:
    """`meta l4proto . th dport @ports1`."""

    set_name: str


@dataclass(frozen=True, slots=True)
class AddrProtoPortInSet:
    """`ip daddr . meta l4proto . th dport @named1-v4`."""

    family: Family
    field: Field
    set_name: str


Match = CtState | AddrInSet | L4Proto | DPort | ProtoPortInSet | AddrProtoPortInSet


@dataclass(frozen=True, slots=True)
class VmapDispatch:
    """`ip saddr vmap @egress-pods-v4`: the verdict comes from a verdict map."""

    family: Family
    field: Field
    map_name: str


@dataclass(frozen=True, slots=True)
class Rule:
    matches: tuple[Match, ...]
    verdict: Verdict | VmapDispatch
    comment: str = ""


@dataclass(frozen=True, slots=True)
class Hook:
    """A base chain's hook: `type filter hook forward priority filter; policy accept;`."""

    hook: str = "forward"
    priority: str = "filter"
    policy: VerdictKind = VerdictKind.ACCEPT


@dataclass(frozen=True, slots=True)
class Chain:
    name: str
    rules: tuple[Rule, ...]
    hook: Hook | None = None
    comment: str = ""


@dataclass(frozen=True, slots=True)
class Ruleset:
    """One nftables table, replaced as a whole. `notes` become `#` lines of the script."""

    family: str
    table: str
    sets: tuple[NamedSet, ...]
    maps: tuple[VerdictMap, ...]
    chains: tuple[Chain, ...]
    notes: tuple[str, ...] = ()

    @property
    def rule_count(self) -> int:
        return sum(len(chain.rules) for chain in self.chains)

    @property
    def element_count(self) -> int:
        """Elements of every set and map."""
        return sum(len(s.elements) for s in self.sets) + sum(len(m.elements) for m in self.maps)

    def chain(self, name: str) -> Chain | None:
        for chain in self.chains:
            if chain.name == name:
                return chain
        return None

    def set(self, name: str) -> NamedSet | None:
        for named in self.sets:
            if named.name == name:
                return named
        return None

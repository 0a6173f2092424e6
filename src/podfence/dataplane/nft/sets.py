"""What the nft compilers share: named sets deduplicated by identity, addresses and ports as
set elements, and the port matches of a rule's numeric ports.

Used by `compile` (the NetworkPolicy tier) and `tiers` (the ClusterNetworkPolicy tiers); they
only lay out what the resolver answers.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from typing import assert_never

from podfence.dataplane.nft.ir import (
    AddrInSet,
    AddrProtoPort,
    AddrProtoPortInSet,
    AddrRange,
    DPort,
    Element,
    Family,
    KeyType,
    L4Proto,
    Match,
    NamedSet,
    ProtoPortInSet,
    ProtoPorts,
    Rule,
)
from podfence.engine.match import (
    AnyPod,
    NamespaceLabels,
    OwnNamespace,
    PodLabels,
    PodPeer,
    PortRangeMatcher,
)
from podfence.engine.resolve import Resolver
from podfence.model import Endpoint, PortRange, PortSet

__all__ = [
    "EVERY_PORT",
    "VERSION",
    "Sets",
    "addresses",
    "named_order",
    "peer_text",
    "port_forms",
    "port_items",
    "set_names",
]

VERSION = {Family.IPV4: 4, Family.IPV6: 6}
EVERY_PORT = PortRange(0, 65535)
"""Every port of a protocol, as a set element (the same ports as a bare `meta l4proto`)."""


class Sets:
    """Named sets, deduplicated by identity, numbered in order of first use."""

    def __init__(self) -> None:
        self.sets: list[NamedSet] = []
        self._names: dict[tuple[str, Hashable, Family | None], str | None] = {}
        self._numbers: dict[tuple[str, Hashable], int] = {}
        self._next: dict[str, int] = {}

    def get(
        self,
        prefix: str,
        identity: Hashable,
        family: Family | None,
        key: tuple[KeyType, ...],
        elements: Callable[[], Sequence[Element]],
        comment: Callable[[], str],
        *,
        interval: bool = False,
    ) -> str | None:
        """The name of the set; None when it would be empty (a rule on it never matches).
        `elements` and `comment` are only called the first time an identity is seen."""
        full = (prefix, identity, family)
        if full in self._names:
            return self._names[full]
        found = tuple(elements())
        if not found:
            self._names[full] = None
            return None
        if (prefix, identity) not in self._numbers:
            self._numbers[(prefix, identity)] = self._next.get(prefix, 0)
            self._next[prefix] = self._numbers[(prefix, identity)] + 1
        name = f"{prefix}{self._numbers[(prefix, identity)]}"
        if family is not None:
            name += f"-{family.suffix}"
        self._names[full] = name
        self.sets.append(NamedSet(name, key, found, interval, comment()))
        return name


def addresses(endpoints: Sequence[Endpoint], family: Family) -> list[Element]:
    version = VERSION[family]
    ips = {int(ip): ip for ep in endpoints for ip in ep.ips if ip.version == version}
    return [AddrRange(ips[k], ips[k]) for k in sorted(ips)]


def named_order(element: AddrProtoPort) -> tuple[int, str, int]:
    return (int(element.address), element.protocol.value, element.port)


def peer_text(peer: PodPeer) -> str:
    match peer.pod:
        case AnyPod():
            pods = None
        case PodLabels(selector):
            pods = str(selector)
        case _:
            assert_never(peer.pod)
    match peer.namespace:
        case OwnNamespace(name):
            return f"pods {pods or '{}'} in {name}"
        case NamespaceLabels(selector):
            if pods is None:
                return f"pods in namespaces {selector}"
            return f"pods {pods} in namespaces {selector}"
        case _:
            assert_never(peer.namespace)


def set_names(rule: Rule) -> list[str]:
    names = []
    for match in rule.matches:
        if isinstance(match, AddrInSet | ProtoPortInSet | AddrProtoPortInSet):
            names.append(match.set_name)
    return names


def port_items(ports: PortSet) -> list[ProtoPorts]:
    """A port set as set elements, protocols by name (every port of one: `0-65535`)."""
    return [
        ProtoPorts(protocol, PortRange(first, last))
        for protocol, spans in sorted(ports.by_protocol, key=lambda item: item[0].value)
        for first, last in (((0, 65535),) if ports.is_every(protocol) else spans.spans)
    ]


def port_forms(sets: Sets, matchers: tuple[PortRangeMatcher, ...]) -> list[tuple[Match, ...]]:
    """The port matches of a rule's numeric ports (one form: a protocol, a range, or a set of
    both); none when there are no numeric ports."""
    if not matchers:
        return []
    ports = Resolver.range_ports(matchers)
    items = port_items(ports)
    if len(items) == 1:
        only = items[0]
        if only.ports == EVERY_PORT:
            return [(L4Proto(only.protocol),)]
        return [(L4Proto(only.protocol), DPort(only.ports))]
    key = (KeyType.INET_PROTO, KeyType.INET_SERVICE)
    name = sets.get(
        "ports",
        tuple(items),
        None,
        key,
        lambda: items,
        lambda: ", ".join(f"{i.protocol} {i.ports}" for i in items),
        interval=True,
    )
    assert name is not None
    return [(ProtoPortInSet(name),)]

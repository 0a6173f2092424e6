"""Policies compiled once into a closed set of matcher variants.

Peer matchers: `AnyPeer` (rule without from/to), `PodPeer` (namespace matcher x pod matcher),
`IPPeer` (ipBlock). Namespace matchers: `OwnNamespace` (podSelector alone: the policy's own
namespace) or `NamespaceLabels`. Pod matchers: `AnyPod` or `PodLabels`.
Port matchers: `AnyPort` (rule without ports), `PortRangeMatcher`, `NamedPortMatcher`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import assert_never

from podfence.model import (
    Endpoint,
    External,
    IPBlock,
    LabelSelector,
    Party,
    Peer,
    PolicyPort,
    PortRange,
    Protocol,
)

__all__ = [
    "AnyPeer",
    "AnyPod",
    "AnyPort",
    "IPPeer",
    "NamedPortMatcher",
    "NamespaceLabels",
    "NamespaceMatcher",
    "OwnNamespace",
    "PeerMatcher",
    "PodLabels",
    "PodMatcher",
    "PodPeer",
    "PortMatcher",
    "PortRangeMatcher",
    "compile_peer",
    "compile_port",
    "peer_matches",
    "port_matches",
    "resolve_named_port",
]


@dataclass(frozen=True, slots=True)
class OwnNamespace:
    namespace: str


@dataclass(frozen=True, slots=True)
class NamespaceLabels:
    selector: LabelSelector


NamespaceMatcher = OwnNamespace | NamespaceLabels


@dataclass(frozen=True, slots=True)
class AnyPod:
    pass


@dataclass(frozen=True, slots=True)
class PodLabels:
    selector: LabelSelector


PodMatcher = AnyPod | PodLabels


@dataclass(frozen=True, slots=True)
class AnyPeer:
    pass


@dataclass(frozen=True, slots=True)
class PodPeer:
    namespace: NamespaceMatcher
    pod: PodMatcher


@dataclass(frozen=True, slots=True)
class IPPeer:
    block: IPBlock


PeerMatcher = AnyPeer | PodPeer | IPPeer


@dataclass(frozen=True, slots=True)
class AnyPort:
    pass


@dataclass(frozen=True, slots=True)
class PortRangeMatcher:
    protocol: Protocol
    ports: PortRange


@dataclass(frozen=True, slots=True)
class NamedPortMatcher:
    protocol: Protocol
    name: str


PortMatcher = AnyPort | PortRangeMatcher | NamedPortMatcher


def compile_peer(peer: Peer, *, policy_namespace: str) -> PeerMatcher:
    """One `from`/`to` item to its matcher (validation guarantees at least one field)."""
    if peer.ip_block is not None:
        return IPPeer(peer.ip_block)
    ns: NamespaceMatcher = (
        OwnNamespace(policy_namespace)
        if peer.namespace_selector is None
        else NamespaceLabels(peer.namespace_selector)
    )
    pod: PodMatcher = (
        AnyPod()
        if peer.pod_selector is None or peer.pod_selector.is_empty
        else PodLabels(peer.pod_selector)
    )
    return PodPeer(ns, pod)


def compile_port(port: PolicyPort) -> PortMatcher:
    if isinstance(port.port, str):
        return NamedPortMatcher(port.protocol, port.port)
    rng = port.numeric_range()
    assert rng is not None
    return PortRangeMatcher(port.protocol, rng)


def peer_matches(
    matcher: PeerMatcher, party: Party, namespace_labels: Mapping[str, Mapping[str, str]]
) -> bool:
    """Does the peer matcher match the other party of a connection?

    hostNetwork pods are not matched by pod/namespace selectors (their traffic is the
    node's); an ipBlock matches any party by address, pod IPs included.
    """
    match matcher:
        case AnyPeer():
            return True
        case IPPeer(block):
            if isinstance(party, External):
                return block.contains(party.ip)
            return any(block.contains(ip) for ip in party.ips)
        case PodPeer(ns, pod):
            if isinstance(party, External) or party.host_network:
                return False
            return _namespace_matches(ns, party, namespace_labels) and _pod_matches(pod, party)
        case _:
            assert_never(matcher)


def _namespace_matches(
    matcher: NamespaceMatcher,
    endpoint: Endpoint,
    namespace_labels: Mapping[str, Mapping[str, str]],
) -> bool:
    match matcher:
        case OwnNamespace(name):
            return endpoint.namespace == name
        case NamespaceLabels(selector):
            return selector.matches(namespace_labels.get(endpoint.namespace, {}))
        case _:
            assert_never(matcher)


def _pod_matches(matcher: PodMatcher, endpoint: Endpoint) -> bool:
    match matcher:
        case AnyPod():
            return True
        case PodLabels(selector):
            return selector.matches(dict(endpoint.labels))
        case _:
            assert_never(matcher)


def resolve_named_port(destination: Party, name: str, protocol: Protocol) -> int | None:
    """The number a named port has on the destination for `protocol`, if it defines one."""
    if isinstance(destination, External):
        return None
    for cp in destination.ports:
        if cp.name == name and cp.protocol is protocol:
            return cp.port
    return None


def port_matches(
    matcher: PortMatcher, *, destination: Party, port: int, protocol: Protocol
) -> bool:
    match matcher:
        case AnyPort():
            return True
        case PortRangeMatcher(proto, rng):
            return proto is protocol and port in rng
        case NamedPortMatcher(proto, name):
            return proto is protocol and resolve_named_port(destination, name, proto) == port
        case _:
            assert_never(matcher)

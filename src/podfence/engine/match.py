"""Policies compiled once into a closed set of matcher variants.

Peer matchers: `AnyPeer` (rule without from/to), `PodPeer` (namespace matcher x pod matcher),
`IPPeer` (ipBlock). Namespace matchers: `OwnNamespace` (podSelector alone: the policy's own
namespace) or `NamespaceLabels`. Pod matchers: `AnyPod` or `PodLabels`.
Port matchers: `AnyPort` (rule without ports), `PortRangeMatcher`, `NamedPortMatcher`.
"""

from __future__ import annotations

from dataclasses import dataclass

from podfence.model import (
    IPBlock,
    LabelSelector,
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

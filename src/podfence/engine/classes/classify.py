"""An endpoint's signature: everything any policy can see of it.

Two endpoints with the same signature get the same answer from the engine for every
connection, except a pod to itself. The signature holds, exactly as the engine decides them:
- the policies that select it (same namespace, podSelector matches; hostNetwork: none);
- the pod peers that match it (namespace matcher x pod matcher; hostNetwork: none);
- the ipBlocks that hold one of its addresses;
- the number each named port used by a rule has on it (None: not defined).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import assert_never

import numpy as np

from podfence.engine.address_index import block_membership
from podfence.engine.match import (
    AnyPod,
    NamespaceLabels,
    OwnNamespace,
    PodLabels,
)
from podfence.engine.selector_index import SelectorIndex
from podfence.engine.universe import Universe
from podfence.model import Endpoint, Labels, LabelSelector, Protocol

__all__ = ["Signature", "Classifier"]

_Payload = tuple[bool, int]
"""(True, policy id) or (False, pod peer id)."""


@dataclass(frozen=True, slots=True)
class Signature:
    host_network: bool
    policies: frozenset[int]
    pod_peers: frozenset[int]
    blocks: frozenset[int]
    named: tuple[int | None, ...]


class Classifier:
    """Signatures of endpoints under one universe (programs and results are cached)."""

    def __init__(self, universe: Universe, namespace_labels: Mapping[str, Labels]) -> None:
        self.universe = universe
        self.namespace_labels = namespace_labels
        self._programs: dict[str, SelectorIndex[_Payload]] = {}
        self._groups: dict[tuple[str, Labels], tuple[frozenset[int], frozenset[int]]] = {}
        self._by_ns: dict[str, list[tuple[_Payload, LabelSelector | None]]] = {}
        self._cross = SelectorIndex[int](())
        self._index()

    def _index(self) -> None:
        """File policies and own-namespace peers by namespace; others by namespace selector."""
        by_ns: dict[str, list[tuple[_Payload, LabelSelector | None]]] = {}
        cross: list[tuple[int, LabelSelector | None]] = []
        for pid, policy in self.universe.live():
            by_ns.setdefault(policy.namespace, []).append(((True, pid), policy.pod_selector))
        for mid, peer in enumerate(self.universe.pod_peers):
            match peer.namespace:
                case OwnNamespace(name):
                    by_ns.setdefault(name, []).append(((False, mid), _pod_selector(peer.pod)))
                case NamespaceLabels(selector):
                    cross.append((mid, selector))
        self._by_ns = by_ns
        self._cross = SelectorIndex(cross)

    def _program(self, namespace: str) -> SelectorIndex[_Payload]:
        found = self._programs.get(namespace)
        if found is None:
            entries = list(self._by_ns.get(namespace, ()))
            labels = self.namespace_labels.get(namespace, ())
            for mid in self._cross.matching(labels):
                peer = self.universe.pod_peers[mid]
                entries.append(((False, mid), _pod_selector(peer.pod)))
            found = self._programs[namespace] = SelectorIndex(entries)
        return found

    def group(self, namespace: str, labels: Labels) -> tuple[frozenset[int], frozenset[int]]:
        """(policies selecting, pod peers matching) a non-hostNetwork pod with these labels."""
        key = (namespace, labels)
        found = self._groups.get(key)
        if found is None:
            hits = self._program(namespace).matching(labels)
            found = (
                frozenset(i for is_pol, i in hits if is_pol),
                frozenset(i for is_pol, i in hits if not is_pol),
            )
            self._groups[key] = found
        return found

    def named(self, endpoint: Endpoint) -> tuple[int | None, ...]:
        """What each named port of the universe resolves to on `endpoint` (None: undefined).

        The first container port with the name and protocol wins, as `resolve_named_port`.
        """
        if not self.universe.named:
            return ()
        if not endpoint.ports:
            return (None,) * len(self.universe.named)
        found: dict[tuple[str | None, Protocol], int] = {}
        for cp in endpoint.ports:
            found.setdefault((cp.name, cp.protocol), cp.port)
        return tuple(found.get(key) for key in self.universe.named)

    def signatures(self, endpoints: Sequence[Endpoint]) -> list[Signature]:
        members = block_membership(endpoints, self.universe.blocks)
        block_sets: dict[bytes, frozenset[int]] = {}
        empty: frozenset[int] = frozenset()
        out = []
        for i, ep in enumerate(endpoints):
            row = members[i]
            key = row.tobytes()
            blocks = block_sets.get(key)
            if blocks is None:
                blocks = block_sets[key] = frozenset(int(b) for b in np.flatnonzero(row))
            if ep.host_network:
                pols, peers = empty, empty
            else:
                pols, peers = self.group(ep.namespace, ep.labels)
            out.append(Signature(ep.host_network, pols, peers, blocks, self.named(ep)))
        return out


def _pod_selector(pod: AnyPod | PodLabels) -> LabelSelector | None:
    match pod:
        case AnyPod():
            return None
        case PodLabels(selector):
            return selector
        case _:
            assert_never(pod)

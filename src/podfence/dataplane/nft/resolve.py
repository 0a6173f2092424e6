"""Selectors meet pods: which endpoints a policy selects and which a peer matches.

Only endpoints with an IP can be enforced; hostNetwork pods are never selected by a policy
nor matched by a pod or namespace selector (upstream: policies apply to pod-network pods
only), though an `ipBlock` can contain their address. Results are cached per selector and
computed once per distinct (namespace, labels), so large clusters stay cheap.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from podfence.model import (
    NAME_LABEL,
    Cluster,
    Endpoint,
    IPAddress,
    IPBlock,
    Labels,
    LabelSelector,
    NetworkPolicy,
    Peer,
    PolicyPort,
)

__all__ = ["PodIndex", "PeerKey", "peer_key", "named_port_numbers"]

PeerKey = tuple[str | None, LabelSelector | None, LabelSelector | None]
"""A selector peer's identity: (namespace scope or None, pod selector, namespace selector)."""


def peer_key(policy: NetworkPolicy, peer: Peer) -> PeerKey:
    """The identity of a selector peer; a pod selector alone is scoped to the policy's
    namespace (upstream: `podSelector` without `namespaceSelector` selects in the policy's
    own namespace)."""
    scope = policy.namespace if peer.namespace_selector is None else None
    return (scope, peer.pod_selector, peer.namespace_selector)


def named_port_numbers(endpoint: Endpoint, entry: PolicyPort) -> list[int]:
    """The numbers a named policy port resolves to on `endpoint` (same name and protocol)."""
    return sorted(
        {p.port for p in endpoint.ports if p.name == entry.port and p.protocol == entry.protocol}
    )


class PodIndex:
    """The enforceable endpoints of a cluster, grouped for fast selector matching."""

    def __init__(self, cluster: Cluster) -> None:
        self.cluster = cluster
        self.with_ips: tuple[Endpoint, ...] = tuple(ep for ep in cluster.endpoints if ep.ips)
        self.without_ips: tuple[Endpoint, ...] = tuple(ep for ep in cluster.endpoints if not ep.ips)
        groups: dict[tuple[str, Labels], list[Endpoint]] = defaultdict(list)
        for ep in self.with_ips:
            if not ep.host_network:
                groups[(ep.namespace, ep.labels)].append(ep)
        self._groups = dict(sorted(groups.items()))
        self._ns_labels = {ns.name: dict(ns.labels) for ns in cluster.namespaces}
        self._cache: dict[PeerKey, tuple[Endpoint, ...]] = {}

    def namespace_labels(self, name: str) -> dict[str, str]:
        labels = self._ns_labels.get(name)
        return labels if labels is not None else {NAME_LABEL: name}

    def _match(
        self, scope: str | None, pods: LabelSelector | None, namespaces: LabelSelector | None
    ) -> tuple[Endpoint, ...]:
        key: PeerKey = (scope, pods, namespaces)
        found = self._cache.get(key)
        if found is not None:
            return found
        ns_ok: dict[str, bool] = {}
        out: list[Endpoint] = []
        for (ns, labels), members in self._groups.items():
            if scope is not None and ns != scope:
                continue
            if namespaces is not None:
                if ns not in ns_ok:
                    ns_ok[ns] = namespaces.matches(self.namespace_labels(ns))
                if not ns_ok[ns]:
                    continue
            if pods is not None and not pods.matches(dict(labels)):
                continue
            out.extend(members)
        result = tuple(sorted(out, key=lambda ep: ep.id))
        self._cache[key] = result
        return result

    def selected(self, policy: NetworkPolicy) -> tuple[Endpoint, ...]:
        """The pods `policy` applies to (its namespace, its podSelector)."""
        return self._match(policy.namespace, policy.pod_selector, None)

    def peer_pods(self, policy: NetworkPolicy, peer: Peer) -> tuple[Endpoint, ...]:
        """The pods a selector peer matches (a peer without selectors matches none)."""
        if peer.pod_selector is None and peer.namespace_selector is None:
            return ()
        return self._match(*peer_key(policy, peer))

    def every_pod(self) -> tuple[Endpoint, ...]:
        """Every endpoint with an address, hostNetwork ones included."""
        return self.with_ips

    def in_block(self, block: IPBlock) -> Iterable[tuple[Endpoint, IPAddress]]:
        """Every endpoint address inside `block` (hostNetwork endpoints included)."""
        for ep in self.with_ips:
            for ip in ep.ips:
                if block.contains(ip):
                    yield ep, ip

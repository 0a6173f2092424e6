"""Everything the policies of a cluster can look at, numbered once.

Policies (which pods each selects), pod peers (namespace matcher x pod matcher, deduplicated
across rules), ipBlocks, and the named ports rules use. An endpoint's class is the set of
these it matches; the universe only grows (an incremental change appends, ids stay valid).

ClusterNetworkPolicies are numbered apart (`cluster_policies`): their subjects and their
`namespaces`/`pods` peers are pod peers like the others (so an endpoint's group says which
CNPs select it and which of their peers match it); their `networks` and `nodes` peers are
numbered as `cluster_addresses` (what an endpoint's addresses may fall in, per family), and
their `destinationNamedPort`s join the named ports once per protocol (the entry matches the
name in the connection's protocol).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TypeVar

from podfence.engine.compiled import CompiledPolicy, compile_policy
from podfence.engine.match import (
    AnyPeer,
    AnyPort,
    IPPeer,
    NamedPortMatcher,
    PodPeer,
    PortRangeMatcher,
)
from podfence.engine.tiers import (
    AnyProtocolNamedPort,
    CompiledClusterPolicy,
    NetworksMatcher,
    NodesMatcher,
    compile_cluster_policy,
)
from podfence.model import ClusterNetworkPolicy, IPBlock, NetworkPolicy, Protocol

__all__ = ["AddressPeer", "Universe", "NamedPort"]

NamedPort = tuple[str, Protocol]
AddressPeer = NetworksMatcher | NodesMatcher
"""A CNP peer matched by the packet's address (`networks`, `nodes`)."""
_T = TypeVar("_T")


@dataclass(slots=True)
class Universe:
    """Numbered policies, pod peers, ipBlocks and named ports (append-only)."""

    policies: list[CompiledPolicy | None] = field(default_factory=list)
    """Compiled policies by id; None where a policy was removed."""
    pod_peers: list[PodPeer] = field(default_factory=list)
    blocks: list[IPBlock] = field(default_factory=list)
    named: list[NamedPort] = field(default_factory=list)
    cluster_policies: list[CompiledClusterPolicy] = field(default_factory=list)
    """Compiled ClusterNetworkPolicies by id (both tiers)."""
    cluster_addresses: list[AddressPeer] = field(default_factory=list)
    """The `networks` and `nodes` peers of the ClusterNetworkPolicies, by id."""
    _peer_ids: dict[PodPeer, int] = field(default_factory=dict)
    _block_ids: dict[IPBlock, int] = field(default_factory=dict)
    _named_ids: dict[NamedPort, int] = field(default_factory=dict)
    _address_ids: dict[AddressPeer, int] = field(default_factory=dict)

    @classmethod
    def of(
        cls,
        policies: Iterable[NetworkPolicy],
        cluster_policies: Iterable[ClusterNetworkPolicy] = (),
    ) -> Universe:
        uni = cls()
        for policy in policies:
            uni.add_policy(policy)
        for cnp in cluster_policies:
            uni.add_cluster_policy(cnp)
        return uni

    def add_policy(self, policy: NetworkPolicy) -> int:
        """Compile and number a policy and everything its rules refer to; its id."""
        compiled = compile_policy(policy)
        for rule in (*compiled.ingress, *compiled.egress):
            for peer in rule.peers:
                match peer:
                    case PodPeer():
                        self.peer_id(peer)
                    case IPPeer(block):
                        self.block_id(block)
                    case AnyPeer():
                        pass
            for port in rule.ports:
                match port:
                    case NamedPortMatcher(protocol, name):
                        self.named_id((name, protocol))
                    case PortRangeMatcher() | AnyPort():
                        pass
        self.policies.append(compiled)
        return len(self.policies) - 1

    def add_cluster_policy(self, policy: ClusterNetworkPolicy) -> int:
        """Compile and number a ClusterNetworkPolicy; its subject and pod peers join the
        pod peers, its `networks` and `nodes` peers the cluster addresses, its named ports
        the named ports (in every protocol). Its id among the cluster policies."""
        compiled = compile_cluster_policy(policy)
        self.peer_id(compiled.subject)
        for rule in (*compiled.ingress, *compiled.egress):
            for peer in rule.peers:
                if isinstance(peer, PodPeer):
                    self.peer_id(peer)
                elif isinstance(peer, NetworksMatcher | NodesMatcher):
                    self.address_id(peer)
            for port in rule.ports:
                if isinstance(port, AnyProtocolNamedPort):
                    for protocol in Protocol:
                        self.named_id((port.name, protocol))
        self.cluster_policies.append(compiled)
        return len(self.cluster_policies) - 1

    def peer_id(self, peer: PodPeer) -> int:
        return _intern(self._peer_ids, self.pod_peers, peer)

    def block_id(self, block: IPBlock) -> int:
        return _intern(self._block_ids, self.blocks, block)

    def named_id(self, named: NamedPort) -> int:
        return _intern(self._named_ids, self.named, named)

    def address_id(self, peer: AddressPeer) -> int:
        return _intern(self._address_ids, self.cluster_addresses, peer)

    def live(self) -> Iterable[tuple[int, CompiledPolicy]]:
        return ((i, p) for i, p in enumerate(self.policies) if p is not None)


def _intern(ids: dict[_T, int], items: list[_T], item: _T) -> int:
    found = ids.get(item)
    if found is None:
        found = ids[item] = len(items)
        items.append(item)
    return found

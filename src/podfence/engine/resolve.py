"""Resolution: the only place where selectors meet pods, ipBlocks meet addresses and named
ports meet container ports.

Everything that needs to know which pods a policy selects, which parties a peer matches, or
which numbers a named port stands for asks a `Resolver` (the per-pair engine, the class
engine, the nft compiler, the analyses). It works on a `Universe` (the compiled policies,
with every distinct pod peer, ipBlock and named port numbered once) and answers:

- per distinct (namespace, labels) of a pod-network endpoint: the policies that select it
  and the pod peers that match it (`group`), through a selector index, cached;
- per ipBlock: its `AddressSet` (cidr minus except, per family), cached;
- per endpoint and named port: the *set* of numbers its containers give that name for that
  protocol (names are unique per container only, so two containers may both say `http`);
- per peer: its members, in bulk (`members`), for the compilers that list them;
- per ipBlock, in bulk: which of many endpoints hold an address of a family in it
  (`block_members`, vectorised by `AddressIndex`).

The universe may grow (an incremental change appends policies and peers, or removes a
policy): `refresh` brings the index and the cached groups up to date by matching only what
is new, `reindex` starts over.

Semantics, with their upstream sources (tests cite them too):
- a policy selects the pods of its own namespace that its podSelector matches; hostNetwork
  pods are never selected nor matched by pod/namespace selectors (their traffic is the
  node's), though an ipBlock can contain their address;
- a peer with podSelector only is scoped to the policy's namespace; namespaceSelector matches
  namespace labels (`kubernetes.io/metadata.name` included);
- an ipBlock matches the address the packet carries: for a connection of a known IP family,
  the party's address of that family; when the family is not known (parties without
  addresses), any of its addresses.

ClusterNetworkPolicies (network-policy-api v1alpha2) are resolved here too:
- a CNP selects the pods its subject (a pod peer) matches, never a hostNetwork pod;
  `cluster_selecting` lists those of one tier with rules in a direction, in evaluation order;
- `networks` and `nodes` peers match the packet's address like an ipBlock (a pod's address
  too: "cluster-internal traffic will be checked against the rule as well"); a `nodes` peer
  holds the addresses in `status.addresses` of the nodes its selector matches, so it matches
  a hostNetwork pod on such a node (its address is the node's; without a known address, by
  its `spec.nodeName`), never an ordinary pod on it;
- a `domainNames` peer matches an outside address by the DNS names the question gave it
  (`model.domain_matches`); for an address given without names, whether a name leads to it
  is only known to DNS at run time (`None`); a pod is never matched by name (podfence does
  not model pod DNS records, which upstream does not recommend targeting).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import assert_never

import numpy as np
import numpy.typing as npt

from podfence.engine.address_index import AddressIndex
from podfence.engine.compiled import CompiledPolicy
from podfence.engine.match import (
    AnyPeer,
    AnyPod,
    AnyPort,
    IPPeer,
    NamedPortMatcher,
    NamespaceLabels,
    OwnNamespace,
    PeerMatcher,
    PodLabels,
    PodPeer,
    PortMatcher,
    PortRangeMatcher,
)
from podfence.engine.selector_index import SelectorIndex
from podfence.engine.tiers import (
    AnyProtocolNamedPort,
    ClusterPeerMatcher,
    ClusterPortMatcher,
    CompiledClusterPolicy,
    DomainsMatcher,
    NetworksMatcher,
    NodesMatcher,
)
from podfence.engine.universe import NamedPort, Universe
from podfence.engine.verdict import PeerMiss
from podfence.model import (
    NAME_LABEL,
    AddressSet,
    ContainerPort,
    Direction,
    Endpoint,
    External,
    IntervalSet,
    IPAddress,
    IPBlock,
    Labels,
    LabelSelector,
    Node,
    Party,
    PortSet,
    Protocol,
    Tier,
    domain_matches,
)

__all__ = [
    "Group",
    "Placement",
    "Resolver",
    "addresses_of",
    "connection_families",
    "declared_numbers",
    "declared_ports",
    "named_numbers",
    "party_families",
]

_Payload = tuple[bool, int]
"""(True, policy id) or (False, pod peer id)."""
_Entry = tuple[_Payload, LabelSelector | None]
_Cross = tuple[int, LabelSelector | None]
"""A pod peer with a namespaceSelector: (pod peer id, namespace selector)."""


@dataclass(frozen=True, slots=True)
class Group:
    """What the policies see of pod-network endpoints with one namespace and label set."""

    policies: frozenset[int]
    """Ids of the live policies whose podSelector selects them (any direction)."""
    pod_peers: frozenset[int]
    """Ids of the pod peers (namespace matcher x pod matcher) that match them."""


_NOTHING = Group(frozenset(), frozenset())


def declared_numbers(
    declared: Iterable[ContainerPort], name: str, protocol: Protocol
) -> frozenset[int]:
    """Every number the container ports `declared` give `name` for `protocol`: a name is
    unique per container only, so several containers of a pod may each give it a number, and
    upstream enforcers match every one of them."""
    return frozenset(cp.port for cp in declared if cp.name == name and cp.protocol is protocol)


def declared_ports(endpoint: Party) -> PortSet:
    """The ports an endpoint's containers declare (an outside address declares none)."""
    if isinstance(endpoint, External):
        return PortSet()
    return PortSet.of((cp.protocol, IntervalSet.single(cp.port, cp.port)) for cp in endpoint.ports)


def named_numbers(endpoint: Party, name: str, protocol: Protocol) -> frozenset[int]:
    """Every number a named port has on `endpoint` for `protocol` (`declared_numbers` of its
    containers; an outside address has none)."""
    if isinstance(endpoint, External):
        return frozenset()
    return declared_numbers(endpoint.ports, name, protocol)


def party_families(party: Party) -> frozenset[int] | None:
    """The IP families `party` has an address of; None when it has no address at all (an
    endpoint without a known IP could use either)."""
    if isinstance(party, External):
        return frozenset((party.ip.version,))
    if not party.ips:
        return None
    return frozenset(ip.version for ip in party.ips)


def connection_families(source: Party, destination: Party) -> tuple[int | None, ...]:
    """The IP families a connection between the two parties can use, in order (4, then 6).

    `(None,)` when neither side's addresses are known, or when they share no family (then
    the parties cannot reach each other over IP at all; answered with any of their
    addresses, as a party without a family would be).
    """
    a, b = party_families(source), party_families(destination)
    if a is None and b is None:
        return (None,)
    both = a if b is None else b if a is None else a & b
    assert both is not None
    return tuple(sorted(both)) or (None,)


def addresses_of(party: Party, family: int | None) -> tuple[IPAddress, ...]:
    """The addresses of `party` a packet of `family` can carry (None: any of them)."""
    ips = (party.ip,) if isinstance(party, External) else party.ips
    if family is None:
        return ips
    return tuple(ip for ip in ips if ip.version == family)


class Resolver:
    """Selectors, ipBlocks and named ports resolved against one cluster's endpoints.

    `namespace_labels` are the labels of every namespace (a namespace that is not listed has
    only its name label); `nodes` the cluster's Nodes (what `nodes` peers select). Results
    are cached; after `universe` changed (an incremental change), call `refresh` (or
    `reindex`, which starts over).
    """

    def __init__(
        self,
        universe: Universe,
        namespace_labels: Mapping[str, Labels],
        nodes: Sequence[Node] = (),
    ) -> None:
        self.universe = universe
        self.namespace_labels = namespace_labels
        self.nodes = tuple(nodes)
        self._blocks: dict[IPBlock, AddressSet] = {}
        self._named: dict[tuple[ContainerPort, ...], tuple[frozenset[int], ...]] = {}
        self._networks: dict[NetworksMatcher, AddressSet] = {}
        self._node_sets: dict[LabelSelector, tuple[AddressSet, frozenset[str]]] = {}
        self.reindex()

    def reindex(self) -> None:
        """File policies and own-namespace peers by namespace, the others by namespace
        selector (call after the universe changed)."""
        self._indexed: dict[int, str] = {}
        self._policy_count = self._peer_count = 0
        self._by_ns, self._cross_entries = self._new_entries()
        self._cross = SelectorIndex(self._cross_entries)
        self._programs: dict[str, SelectorIndex[_Payload]] = {}
        self._groups: dict[str, dict[Labels, Group]] = {}
        """Cached groups by namespace, then labels."""
        self._members: dict[int, tuple[int, ...]] | None = None
        self._selects_none: dict[LabelSelector, bool] = {}
        self._cluster_order = tuple(
            sorted(
                range(len(self.universe.cluster_policies)),
                key=lambda i: self.universe.cluster_policies[i].order,
            )
        )
        self._cluster_selecting: dict[tuple[str, Labels, Direction, Tier], tuple[int, ...]] = {}
        # the pod peers of the CNPs by object identity (the universe keeps them alive), so a
        # match does not hash the matcher again
        self._cluster_peer_ids: dict[int, int] = {}
        for cnp in self.universe.cluster_policies:
            for m in (cnp.subject, *(p for r in (*cnp.ingress, *cnp.egress) for p in r.peers)):
                if isinstance(m, PodPeer):
                    self._cluster_peer_ids[id(m)] = self.universe.peer_id(m)

    def _new_entries(self) -> tuple[dict[str, list[_Entry]], list[_Cross]]:
        """The live policies and the pod peers added since the last call: policies and
        own-namespace peers by namespace, and the namespaceSelector peers."""
        uni = self.universe
        own: dict[str, list[_Entry]] = {}
        cross: list[_Cross] = []
        for pid in range(self._policy_count, len(uni.policies)):
            policy = uni.policies[pid]
            if policy is not None:
                own.setdefault(policy.namespace, []).append(((True, pid), policy.pod_selector))
                self._indexed[pid] = policy.namespace
        for mid in range(self._peer_count, len(uni.pod_peers)):
            peer = uni.pod_peers[mid]
            match peer.namespace:
                case OwnNamespace(name):
                    own.setdefault(name, []).append(((False, mid), _pod_selector(peer.pod)))
                case NamespaceLabels(selector):
                    cross.append((mid, selector))
                case _:
                    assert_never(peer.namespace)
        self._policy_count, self._peer_count = len(uni.policies), len(uni.pod_peers)
        return own, cross

    def refresh(self, removed: Iterable[int] = ()) -> frozenset[str]:
        """Catch up with the universe after policies were appended, pod peers appended, and
        the policies `removed` were removed (set to None in the universe): cached groups are
        updated in place by matching only the new selectors. The namespaces whose groups
        (may) have changed."""
        uni = self.universe
        dead: dict[int, str] = {}
        for pid in removed:
            assert uni.policies[pid] is None, f"policy {pid} was not removed"
            ns = self._indexed.pop(pid, None)
            if ns is not None:
                dead[pid] = ns
        for ns in set(dead.values()):
            self._by_ns[ns] = [e for e in self._by_ns[ns] if not (e[0][0] and e[0][1] in dead)]
        new, cross = self._new_entries()
        for ns, entries in new.items():
            self._by_ns.setdefault(ns, []).extend(entries)
        if cross:
            self._cross_entries += cross
            self._cross = SelectorIndex(self._cross_entries)
        affected = set(dead.values()) | set(new)
        if cross:
            index = SelectorIndex(cross)
            for ns in self._groups.keys() | self._programs.keys():
                for mid in index.matching(self.labels_of_namespace(ns)):
                    peer = uni.pod_peers[mid]
                    new.setdefault(ns, []).append(((False, mid), _pod_selector(peer.pod)))
                    affected.add(ns)
        gone = frozenset(dead)
        for ns in affected:
            self._programs.pop(ns, None)
            groups = self._groups.get(ns)
            if not groups:
                continue
            delta = SelectorIndex(new.get(ns, ()))
            for labels, group in groups.items():
                hits = delta.matching(labels)
                groups[labels] = Group(
                    (group.policies - gone) | {i for is_policy, i in hits if is_policy},
                    group.pod_peers | {i for is_policy, i in hits if not is_policy},
                )
        self._members = None
        return frozenset(affected)

    # -- namespaces ----------------------------------------------------------------------

    def labels_of_namespace(self, name: str) -> Labels:
        found = self.namespace_labels.get(name)
        return found if found is not None else ((NAME_LABEL, name),)

    def namespace_matches(self, selector: LabelSelector, name: str) -> bool:
        """Does a namespaceSelector select namespace `name` (by its labels)?"""
        return selector.matches(dict(self.labels_of_namespace(name)))

    # -- pods ------------------------------------------------------------------------------

    def _program(self, namespace: str) -> SelectorIndex[_Payload]:
        found = self._programs.get(namespace)
        if found is None:
            entries = list(self._by_ns.get(namespace, ()))
            for mid in self._cross.matching(self.labels_of_namespace(namespace)):
                entries.append(((False, mid), _pod_selector(self.universe.pod_peers[mid].pod)))
            found = self._programs[namespace] = SelectorIndex(entries)
        return found

    def group(self, namespace: str, labels: Labels, *, host_network: bool = False) -> Group:
        """The policies selecting, and the pod peers matching, an endpoint with these
        labels in `namespace` (nothing for a hostNetwork endpoint)."""
        if host_network:
            return _NOTHING
        groups = self._groups.get(namespace)
        if groups is None:
            groups = self._groups[namespace] = {}
        found = groups.get(labels)
        if found is None:
            hits = self._program(namespace).matching(labels)
            found = groups[labels] = Group(
                frozenset(i for is_policy, i in hits if is_policy),
                frozenset(i for is_policy, i in hits if not is_policy),
            )
        return found

    def group_of(self, endpoint: Endpoint) -> Group:
        return self.group(endpoint.namespace, endpoint.labels, host_network=endpoint.host_network)

    def selecting(self, endpoint: Endpoint, direction: Direction) -> tuple[int, ...]:
        """Ids of the live policies that isolate `endpoint` for `direction`, in order."""
        policies = self.universe.policies
        return tuple(
            pid
            for pid in sorted(self.group_of(endpoint).policies)
            if (p := policies[pid]) is not None and direction in p.directions
        )

    def pod_peer_matches(self, peer: PodPeer, party: Party) -> bool:
        if isinstance(party, External):
            return False
        return self.universe.peer_id(peer) in self.group_of(party).pod_peers

    # -- ipBlocks --------------------------------------------------------------------------

    def block(self, block: IPBlock) -> AddressSet:
        """The addresses of an ipBlock (cidr minus except), computed once."""
        found = self._blocks.get(block)
        if found is None:
            found = self._blocks[block] = AddressSet.of_block(block)
        return found

    def in_block(self, block: IPBlock, party: Party, family: int | None) -> bool:
        addresses = self.block(block)
        return any(addresses.contains(ip) for ip in addresses_of(party, family))

    def block_members(
        self, addresses: AddressIndex, block_ids: Sequence[int], family: int | None
    ) -> npt.NDArray[np.bool_]:
        """`in_block` for many endpoints at once: `out[i, k]` says whether endpoint i of
        `addresses` is in block `block_ids[k]` for a connection of `family`."""
        sets = [self.block(self.universe.blocks[b]) for b in block_ids]
        return addresses.members(sets, family)

    # -- peers and ports -------------------------------------------------------------------

    def peer_matches(self, matcher: PeerMatcher, party: Party, family: int | None) -> bool:
        """Does a `from`/`to` item match the other party of a connection of `family`?"""
        match matcher:
            case AnyPeer():
                return True
            case IPPeer(block):
                return self.in_block(block, party, family)
            case PodPeer():
                return self.pod_peer_matches(matcher, party)
            case _:
                assert_never(matcher)

    def peer_miss(self, matcher: PeerMatcher, party: Party, family: int | None) -> PeerMiss | None:
        """Why a `from`/`to` item does not match `party` over `family` (None: it matches)."""
        if self.peer_matches(matcher, party, family):
            return None
        match matcher:
            case AnyPeer():  # pragma: no cover - it always matches
                return None
            case IPPeer(block):
                addresses = addresses_of(party, family)
                if not addresses:
                    return PeerMiss.NO_ADDRESS
                inside = any(
                    ip.version == block.cidr.version and ip in block.cidr for ip in addresses
                )
                return PeerMiss.EXCEPTED if inside else PeerMiss.OUTSIDE_BLOCK
            case PodPeer(namespace):
                if isinstance(party, External):
                    return PeerMiss.NOT_A_POD
                if party.host_network:
                    return PeerMiss.HOST_NETWORK
                match namespace:
                    case OwnNamespace(name):
                        if party.namespace != name:
                            return PeerMiss.OTHER_NAMESPACE
                    case NamespaceLabels(selector):
                        if not self.namespace_matches(selector, party.namespace):
                            if self._selects_no_namespace(selector):
                                return PeerMiss.NAMESPACE_SELECTS_NONE
                            return PeerMiss.NAMESPACE_NOT_SELECTED
                    case _:
                        assert_never(namespace)
                return PeerMiss.POD_LABELS
            case _:
                assert_never(matcher)

    def _selects_no_namespace(self, selector: LabelSelector) -> bool:
        """Whether a namespaceSelector selects none of the namespaces the resolver knows."""
        found = self._selects_none.get(selector)
        if found is None:
            found = self._selects_none[selector] = not any(
                self.namespace_matches(selector, name) for name in self.namespace_labels
            )
        return found

    def ports(self, matcher: PortMatcher, destination: Party) -> PortSet:
        """The ports a `ports` item allows towards `destination` (named ports resolved on it)."""
        match matcher:
            case AnyPort():
                return PortSet.every()
            case PortRangeMatcher(protocol, rng):
                return PortSet.span(protocol, rng.first, rng.last)
            case NamedPortMatcher(protocol, name):
                numbers = named_numbers(destination, name, protocol)
                return PortSet.of(((protocol, IntervalSet.of((n, n) for n in numbers)),))
            case _:
                assert_never(matcher)

    @staticmethod
    def range_ports(matchers: Iterable[PortRangeMatcher]) -> PortSet:
        """The ports numeric `ports` items allow (whatever the destination), merged."""
        return PortSet.of(
            (m.protocol, IntervalSet.single(m.ports.first, m.ports.last)) for m in matchers
        )

    def port_matches(
        self, matcher: PortMatcher, *, destination: Party, port: int, protocol: Protocol
    ) -> bool:
        match matcher:
            case AnyPort():
                return True
            case PortRangeMatcher(proto, rng):
                return proto is protocol and port in rng
            case NamedPortMatcher(proto, name):
                return proto is protocol and port in named_numbers(destination, name, proto)
            case _:
                assert_never(matcher)

    # -- ClusterNetworkPolicies -------------------------------------------------------------

    def cluster_policy(self, cluster_id: int) -> CompiledClusterPolicy:
        return self.universe.cluster_policies[cluster_id]

    def cluster_selecting(
        self, endpoint: Endpoint, direction: Direction, tier: Tier
    ) -> tuple[int, ...]:
        """Ids of the CNPs of `tier` whose subject selects `endpoint` and that have rules for
        `direction`, lower priority first (equal priorities by name). None for a hostNetwork
        endpoint: "host-networked pods are not included in subject selection"."""
        if endpoint.host_network or not self.universe.cluster_policies:
            return ()
        key = (endpoint.namespace, endpoint.labels, direction, tier)
        found = self._cluster_selecting.get(key)
        if found is None:
            peers = self.group_of(endpoint).pod_peers
            policies = self.universe.cluster_policies
            found = tuple(
                i
                for i in self._cluster_order
                if (p := policies[i]).tier is tier
                and p.rules(direction)
                and self.universe.peer_id(p.subject) in peers
            )
            self._cluster_selecting[key] = found
        return found

    def cluster_subjects(
        self, endpoints: Iterable[Endpoint], cluster_id: int
    ) -> tuple[Endpoint, ...]:
        """The endpoints CNP `cluster_id` selects (any direction)."""
        peer = self.universe.peer_id(self.cluster_policy(cluster_id).subject)
        return tuple(ep for ep in endpoints if peer in self.group_of(ep).pod_peers)

    def networks(self, matcher: NetworksMatcher) -> AddressSet:
        """The addresses of a `networks` peer (a CIDR with host bits set is its network)."""
        found = self._networks.get(matcher)
        if found is None:
            found = AddressSet()
            for net in matcher.networks:
                found = found | AddressSet.of_network(net)
            self._networks[matcher] = found
        return found

    def _nodes(self, selector: LabelSelector) -> tuple[AddressSet, frozenset[str]]:
        found = self._node_sets.get(selector)
        if found is None:
            chosen = [n for n in self.nodes if selector.matches(dict(n.labels))]
            found = (
                AddressSet.of_addresses(ip for n in chosen for ip in n.ips),
                frozenset(n.name for n in chosen),
            )
            self._node_sets[selector] = found
        return found

    def selected_nodes(self, selector: LabelSelector) -> tuple[Node, ...]:
        """The nodes a `nodes` peer's selector matches."""
        names = self._nodes(selector)[1]
        return tuple(n for n in self.nodes if n.name in names)

    def node_addresses(self, selector: LabelSelector) -> AddressSet:
        """The addresses (`status.addresses` that are IPs) of the nodes `selector` matches."""
        return self._nodes(selector)[0]

    def _on_selected_node(self, selector: LabelSelector, party: Party, family: int | None) -> bool:
        """A hostNetwork pod without a known address, on a node the selector matches (and
        that has an address of `family`)."""
        if isinstance(party, External) or not party.host_network or party.ips:
            return False
        if party.node_name not in self._nodes(selector)[1]:
            return False
        node = next(n for n in self.nodes if n.name == party.node_name)
        return family is None or any(ip.version == family for ip in node.ips)

    def cluster_peer_matches(
        self, matcher: ClusterPeerMatcher, party: Party, family: int | None
    ) -> bool | None:
        """Does a CNP peer match the other party of a connection of `family`? None: only DNS
        can tell at run time (a `domainNames` peer and an address given without names)."""
        match matcher:
            case AnyPeer():
                return True
            case PodPeer():
                if isinstance(party, External):
                    return False
                found = self._cluster_peer_ids.get(id(matcher))
                if found is None:
                    return self.pod_peer_matches(matcher, party)
                return found in self.group_of(party).pod_peers
            case NetworksMatcher():
                addresses = self.networks(matcher)
                return any(addresses.contains(ip) for ip in addresses_of(party, family))
            case NodesMatcher(selector):
                addresses = self.node_addresses(selector)
                if any(addresses.contains(ip) for ip in addresses_of(party, family)):
                    return True
                return self._on_selected_node(selector, party, family)
            case DomainsMatcher(patterns):
                if not isinstance(party, External):
                    return False
                if not party.names:
                    return None
                return any(domain_matches(p, n) for p in patterns for n in party.names)
            case _:
                assert_never(matcher)

    def cluster_port_matches(
        self, matcher: ClusterPortMatcher, *, destination: Party, port: int, protocol: Protocol
    ) -> bool:
        """Does a CNP protocol entry match the connection's destination port?"""
        match matcher:
            case AnyPort() | PortRangeMatcher():
                return self.port_matches(
                    matcher, destination=destination, port=port, protocol=protocol
                )
            case AnyProtocolNamedPort(name):
                return port in named_numbers(destination, name, protocol)
            case _:
                assert_never(matcher)

    def cluster_ports(self, matcher: ClusterPortMatcher, destination: Party) -> PortSet:
        """The ports a CNP protocol entry matches towards `destination`."""
        match matcher:
            case AnyPort() | PortRangeMatcher():
                return self.ports(matcher, destination)
            case AnyProtocolNamedPort(name):
                return PortSet.of(
                    (proto, IntervalSet.of((n, n) for n in named_numbers(destination, name, proto)))
                    for proto in Protocol
                )
            case _:
                assert_never(matcher)

    def address_peer_members(
        self,
        addresses: AddressIndex,
        endpoints: Sequence[Endpoint | None],
        peer_ids: Sequence[int],
        family: int | None,
    ) -> npt.NDArray[np.bool_]:
        """`cluster_peer_matches` of many `networks`/`nodes` peers (ids of
        `universe.cluster_addresses`) for many endpoints at once: `out[i, k]` says whether
        peer `peer_ids[k]` matches endpoint i of `addresses` (`endpoints`, in the same
        order; None for a slot without one) over `family`."""
        peers = [self.universe.cluster_addresses[i] for i in peer_ids]
        sets = [
            self.networks(p) if isinstance(p, NetworksMatcher) else self.node_addresses(p.selector)
            for p in peers
        ]
        out = addresses.members(sets, family)
        by_name = [(k, p.selector) for k, p in enumerate(peers) if isinstance(p, NodesMatcher)]
        if by_name:
            for i, ep in enumerate(endpoints):
                if ep is None or not ep.host_network or ep.ips:
                    continue
                for k, selector in by_name:
                    out[i, k] |= self._on_selected_node(selector, ep, family)
        return out

    # -- bulk ------------------------------------------------------------------------------

    def members(self, endpoints: Sequence[Endpoint], peer_id: int) -> tuple[int, ...]:
        """Positions in `endpoints` that pod peer `peer_id` matches (computed for every
        peer at once, the first time; `endpoints` must be the same sequence each call)."""
        if self._members is None:
            found: dict[int, list[int]] = {}
            for i, ep in enumerate(endpoints):
                for mid in self.group_of(ep).pod_peers:
                    found.setdefault(mid, []).append(i)
            self._members = {k: tuple(v) for k, v in found.items()}
        return self._members.get(peer_id, ())

    def subjects(self, endpoints: Iterable[Endpoint], policy_id: int) -> tuple[Endpoint, ...]:
        """The endpoints policy `policy_id` selects (any of its directions)."""
        policy = self.universe.policies[policy_id]
        if policy is None:
            return ()
        return tuple(
            ep
            for ep in endpoints
            if ep.namespace == policy.namespace and policy_id in self.group_of(ep).policies
        )

    def named_ports(self, endpoint: Endpoint) -> tuple[frozenset[int], ...]:
        """Per named port of the universe, the numbers it has on `endpoint` (`named_numbers`;
        cached per list of container ports)."""
        named = self.universe.named
        found = self._named.get(endpoint.ports)
        if found is None or len(found) != len(named):
            if not endpoint.ports:
                found = (frozenset(),) * len(named)
            else:
                found = tuple(named_numbers(endpoint, name, proto) for name, proto in named)
            self._named[endpoint.ports] = found
        return found

    def policy(self, policy_id: int) -> CompiledPolicy:
        found = self.universe.policies[policy_id]
        assert found is not None, f"policy {policy_id} was removed"
        return found

    def named_port(self, named_id: int) -> NamedPort:
        return self.universe.named[named_id]

    # -- bulk queries of the compilers (nft): uncached, for any sequence of endpoints -------

    def placement(self, endpoints: Sequence[Endpoint]) -> Placement:
        """Every policy's subjects and every pod peer's members among `endpoints`, in one
        pass (hostNetwork endpoints are in none)."""
        subjects: dict[int, list[int]] = {}
        members: dict[int, list[int]] = {}
        for i, ep in enumerate(endpoints):
            group = self.group_of(ep)
            for pid in group.policies:
                subjects.setdefault(pid, []).append(i)
            for mid in group.pod_peers:
                members.setdefault(mid, []).append(i)
        return Placement(
            {k: tuple(v) for k, v in subjects.items()},
            {k: tuple(v) for k, v in members.items()},
        )

    def addresses_in(
        self, endpoints: Sequence[Endpoint], block: IPBlock
    ) -> tuple[tuple[int, IPAddress], ...]:
        """(position, address) of every address of `endpoints` inside `block`, per address:
        a dual-stack endpoint is listed with the addresses the block holds, hostNetwork
        endpoints included (an ipBlock matches the packet's address, whoever owns it)."""
        addresses = self.block(block)
        return tuple(
            (i, ip) for i, ep in enumerate(endpoints) for ip in ep.ips if addresses.contains(ip)
        )


def _pod_selector(pod: AnyPod | PodLabels) -> LabelSelector | None:
    match pod:
        case AnyPod():
            return None
        case PodLabels(selector):
            return selector
        case _:
            assert_never(pod)


# -- bulk results of the compilers (nft) -------------------------------------------------


@dataclass(frozen=True, slots=True)
class Placement:
    """Where, in one sequence of endpoints, the subjects of every policy and the members of
    every pod peer are (positions in that sequence, ascending)."""

    subjects: Mapping[int, tuple[int, ...]]
    """Policy id -> positions of the endpoints it selects (any direction)."""
    members: Mapping[int, tuple[int, ...]]
    """Pod peer id -> positions of the endpoints it matches."""

    def subjects_of(self, policy_id: int) -> tuple[int, ...]:
        return self.subjects.get(policy_id, ())

    def members_of(self, peer_id: int) -> tuple[int, ...]:
        return self.members.get(peer_id, ())

"""Hypothesis strategies for ClusterNetworkPolicies and the Nodes their `nodes` peers select.

Every form the v1alpha2 CRD accepts is drawn, and the two fail-closed ones: both tiers;
subjects and peers often select every namespace (so that policies meet);
priorities from a tiny set (so equal priorities, whose order upstream leaves undefined, are
common); subjects by namespaces or by pods; ingress peers namespaces/pods; egress peers
namespaces/pods/networks/nodes/domainNames; protocols absent, a number, a range, a named port,
per protocol; Accept, Deny and Pass; and, rarely, an `UnknownPeer` or `UnknownProtocol` (a
newer CRD's field: the rule fails closed). domainNames appear in Accept rules only (the only
action upstream supports them for).
"""

from __future__ import annotations

from hypothesis import strategies as st

from podfence.model import (
    Action,
    ClusterNetworkPolicy,
    ClusterPeer,
    ClusterProtocol,
    ClusterRule,
    DomainNamesPeer,
    EveryPort,
    External,
    LabelSelector,
    NamedPort,
    NamespacesPeer,
    NamespacesSubject,
    NetworksPeer,
    Node,
    NodeAddress,
    NodesPeer,
    PodsPeer,
    PodsSubject,
    PortNumber,
    PortRangeMatch,
    Protocols,
    Subject,
    Tier,
    UnknownPeer,
    UnknownProtocol,
    frozen_labels,
)

from .policies import NAMESPACE_SELECTORS, POD_SELECTORS, selectors
from .vocabulary import (
    CIDRS,
    DOMAIN_NAMES,
    DOMAIN_PATTERNS,
    EXTERNAL_POOL,
    NODE_V4,
    NODE_V6,
    POLICY_PORT_NAMES,
    PORT_NUMBERS,
    PROTOCOLS,
    RANGES,
)

__all__ = [
    "CLUSTER_PEERS",
    "NODES",
    "cluster_policies",
    "named_externals",
]

NODE_ZONES = ("a", "b")
NODES = tuple(
    Node(
        f"node-{i}",
        frozen_labels({"zone": NODE_ZONES[i]}),
        (
            NodeAddress("InternalIP", str(NODE_V4[i])),
            NodeAddress("InternalIP", str(NODE_V6[i])),
            NodeAddress("Hostname", f"node-{i}"),
        ),
    )
    for i in range(len(NODE_V4))
)
"""The nodes hostNetwork endpoints sit on (`node-0`, `node-1`, with the NODE_V4/V6 addresses)."""

_NODE_SELECTORS = selectors(("zone",), NODE_ZONES)

_EVERY_NAMESPACE = st.just(LabelSelector())
_SUBJECTS: st.SearchStrategy[Subject] = st.one_of(
    st.builds(NamespacesSubject, _EVERY_NAMESPACE),
    st.builds(NamespacesSubject, NAMESPACE_SELECTORS),
    st.builds(PodsSubject, NAMESPACE_SELECTORS, POD_SELECTORS),
)

_POD_PEERS: st.SearchStrategy[ClusterPeer] = st.one_of(
    st.builds(NamespacesPeer, _EVERY_NAMESPACE),
    st.builds(NamespacesPeer, NAMESPACE_SELECTORS),
    st.builds(PodsPeer, NAMESPACE_SELECTORS, POD_SELECTORS),
)
_UNKNOWN_PEER = st.just(UnknownPeer(("serviceAccounts",)))
_EGRESS_PEERS: st.SearchStrategy[ClusterPeer] = st.one_of(
    _POD_PEERS,
    st.builds(
        NetworksPeer,
        st.lists(st.sampled_from(CIDRS), min_size=1, max_size=2, unique=True).map(tuple),
    ),
    st.builds(NodesPeer, _NODE_SELECTORS),
)
_DOMAINS = st.builds(
    DomainNamesPeer,
    st.lists(st.sampled_from(DOMAIN_PATTERNS), min_size=1, max_size=2, unique=True).map(tuple),
)
CLUSTER_PEERS = _EGRESS_PEERS
"""An egress peer of the kinds every action may have (no domainNames, no unknown one)."""

_PROTOCOL_ENTRIES: st.SearchStrategy[ClusterProtocol] = st.one_of(
    st.builds(PortNumber, st.sampled_from(PROTOCOLS), st.sampled_from((*PORT_NUMBERS, 443))),
    st.builds(
        lambda proto, r: PortRangeMatch(proto, r[0], r[1]),
        st.sampled_from(PROTOCOLS),
        st.sampled_from(tuple(r for r in RANGES if r[0] < r[1])),
    ),
    st.builds(NamedPort, st.sampled_from(POLICY_PORT_NAMES)),
)
_PROTOCOLS: st.SearchStrategy[Protocols] = st.one_of(
    st.just(EveryPort()),
    st.lists(_PROTOCOL_ENTRIES, min_size=1, max_size=2).map(tuple),
)

_RARE = st.integers(0, 39).map(lambda n: n == 0)
"""One time in forty: a field podfence does not know."""


@st.composite
def _rule(draw: st.DrawFn, egress: bool) -> ClusterRule:
    action = draw(st.sampled_from(tuple(Action)))
    kinds = _EGRESS_PEERS if egress else _POD_PEERS
    if egress and action is Action.ACCEPT:
        kinds = st.one_of(kinds, _DOMAINS)
    peers = draw(st.lists(kinds, min_size=1, max_size=2))
    if draw(_RARE):
        peers.append(draw(_UNKNOWN_PEER))
    protocols = draw(_PROTOCOLS)
    if draw(_RARE):
        unknown = UnknownProtocol(("icmp",))
        protocols = (*protocols, unknown) if isinstance(protocols, tuple) else (unknown,)
    return ClusterRule(action, tuple(peers), protocols)


_PRIORITIES = st.sampled_from((0, 1, 1, 2))


@st.composite
def cluster_policies(draw: st.DrawFn, name: str) -> ClusterNetworkPolicy:
    """A CNP of either tier with 0-2 rules per direction."""
    return ClusterNetworkPolicy(
        name,
        draw(st.sampled_from(tuple(Tier))),
        draw(_PRIORITIES),
        draw(_SUBJECTS),
        tuple(draw(st.lists(_rule(False), max_size=2))),
        tuple(draw(st.lists(_rule(True), max_size=2))),
    )


def named_externals() -> st.SearchStrategy[list[External]]:
    """0-2 outside addresses, some asked by a DNS name (`api.example.com` at 192.168.1.1)."""
    plain = st.sampled_from(EXTERNAL_POOL).map(External)
    named = st.builds(
        lambda ip, names: External(ip, names),
        st.sampled_from(EXTERNAL_POOL),
        st.lists(st.sampled_from(DOMAIN_NAMES), min_size=1, max_size=2, unique=True).map(tuple),
    )
    return st.lists(st.one_of(plain, named), max_size=2, unique_by=lambda e: str(e))

"""Hypothesis strategies for the policy side: selectors, peers, ports, rules, policies.

Every form the API accepts is drawn: empty selectors, matchLabels, matchExpressions with In,
NotIn, Exists and DoesNotExist; peers with podSelector alone, namespaceSelector alone, both,
or an ipBlock (IPv4 or IPv6, with excepts inside the cidr); ports numeric, `endPort` ranges,
named (including a name no container declares) and protocol-only, over TCP, UDP and SCTP;
`policyTypes` Ingress, Egress, both, or defaulted the way the API server defaults it.

Strategies are built once, at import: building them inside draws costs more than drawing.
"""

from __future__ import annotations

import ipaddress

from hypothesis import strategies as st

from podfence.model import (
    NAME_LABEL,
    Direction,
    IPBlock,
    IPNetwork,
    LabelSelector,
    NetworkPolicy,
    Operator,
    Peer,
    PolicyPort,
    Protocol,
    Requirement,
    Rule,
    frozen_labels,
)

from .vocabulary import (
    CIDRS,
    EXTERNAL_POOL,
    NAMESPACE_NAMES,
    NODE_V4,
    NODE_V6,
    NS_KEYS,
    NS_VALUES,
    POD_KEYS,
    POD_V4,
    POD_V6,
    POD_VALUES,
    POLICY_PORT_NAMES,
    PORT_NUMBERS,
    PROTOCOLS,
    RANGES,
)

__all__ = [
    "IP_BLOCKS",
    "NAMESPACE_SELECTORS",
    "PEERS",
    "POD_SELECTORS",
    "POLICY_PORTS",
    "POLICY_TYPES",
    "RULES",
    "label_dicts",
    "policies",
    "requirements",
    "rules",
    "selectors",
]


def label_dicts(
    keys: tuple[str, ...], values: tuple[str, ...]
) -> st.SearchStrategy[dict[str, str]]:
    return st.dictionaries(st.sampled_from(keys), st.sampled_from(values), max_size=len(keys))


def requirements(keys: tuple[str, ...], values: tuple[str, ...]) -> st.SearchStrategy[Requirement]:
    """One matchExpressions item: In/NotIn with 1-2 sorted values, Exists/DoesNotExist."""
    with_values = st.builds(
        Requirement,
        key=st.sampled_from(keys),
        operator=st.sampled_from((Operator.IN, Operator.NOT_IN)),
        values=st.lists(st.sampled_from(values), min_size=1, max_size=2, unique=True).map(
            lambda vs: tuple(sorted(vs))
        ),
    )
    without_values = st.builds(
        Requirement,
        key=st.sampled_from(keys),
        operator=st.sampled_from((Operator.EXISTS, Operator.DOES_NOT_EXIST)),
    )
    return st.one_of(with_values, without_values)


def selectors(
    keys: tuple[str, ...] = POD_KEYS, values: tuple[str, ...] = POD_VALUES
) -> st.SearchStrategy[LabelSelector]:
    """Empty, one label, one expression, or matchLabels and matchExpressions together.

    Small selectors are favoured so that policies often select and peers often match.
    """
    label = st.tuples(st.sampled_from(keys), st.sampled_from(values))
    requirement = requirements(keys, values)
    return st.one_of(
        st.just(LabelSelector()),
        st.builds(lambda kv: LabelSelector(match_labels=(kv,)), label),
        st.builds(lambda r: LabelSelector(match_expressions=(r,)), requirement),
        st.builds(
            LabelSelector,
            match_labels=label_dicts(keys, values).map(frozen_labels),
            match_expressions=st.lists(requirement, max_size=2).map(tuple),
        ),
    )


POD_SELECTORS = selectors()
NAMESPACE_SELECTORS = selectors((*NS_KEYS, NAME_LABEL), (*NS_VALUES, *NAMESPACE_NAMES))

# -- ipBlocks ----------------------------------------------------------------------------

_ADDRESSES = (*POD_V4, *POD_V6, *NODE_V4, *NODE_V6, *EXTERNAL_POOL)


def _excepts(cidr: IPNetwork) -> st.SearchStrategy[tuple[IPNetwork, ...]]:
    """0-2 small networks inside `cidr`, around the addresses parties may have."""
    top = cidr.max_prefixlen
    candidates = sorted(
        {
            ipaddress.ip_network(f"{ip}/{plen}", strict=False)
            for ip in _ADDRESSES
            if ip.version == cidr.version and ip in cidr
            for plen in range(max(cidr.prefixlen + 1, top - 3), top + 1)
        },
        key=str,
    )
    if not candidates:
        return st.just(())
    return st.lists(st.sampled_from(candidates), max_size=2, unique=True).map(tuple)


IP_BLOCKS: st.SearchStrategy[IPBlock] = st.one_of(
    *(st.builds(IPBlock, st.just(cidr), _excepts(cidr)) for cidr in CIDRS)
)
"""An ipBlock of either family, its excepts (0-2) inside its cidr."""

PEERS: st.SearchStrategy[Peer] = st.one_of(
    st.builds(Peer, pod_selector=POD_SELECTORS),
    st.builds(Peer, namespace_selector=NAMESPACE_SELECTORS),
    st.builds(Peer, pod_selector=POD_SELECTORS, namespace_selector=NAMESPACE_SELECTORS),
    st.builds(Peer, ip_block=IP_BLOCKS),
)
"""One `from`/`to` item, each of the four forms equally likely."""

# -- ports, rules, policies ---------------------------------------------------------------

_PROTOCOL = st.sampled_from((*PROTOCOLS, Protocol.TCP))
"""TCP twice as likely: the API's default, and what containers most often declare."""

_NAMED = st.builds(PolicyPort, _PROTOCOL, st.sampled_from(POLICY_PORT_NAMES))
POLICY_PORTS: st.SearchStrategy[PolicyPort] = st.one_of(
    st.builds(PolicyPort, _PROTOCOL, st.sampled_from((*PORT_NUMBERS, 443))),
    st.builds(lambda proto, r: PolicyPort(proto, r[0], r[1]), _PROTOCOL, st.sampled_from(RANGES)),
    _NAMED,
    _NAMED,
    st.builds(PolicyPort, _PROTOCOL),
)
"""One `ports` item: a number, a range with endPort, a name (twice as likely: a name must
meet a pod declaring it, with the same protocol, to matter), or a protocol alone."""

RULES: st.SearchStrategy[Rule] = st.builds(
    Rule,
    peers=st.lists(PEERS, max_size=3).map(tuple),
    ports=st.lists(POLICY_PORTS, max_size=3).map(tuple),
)


def rules() -> st.SearchStrategy[Rule]:
    """A rule: 0-3 peers (0 = every peer), 0-3 ports (0 = every port)."""
    return RULES


_I, _E = Direction.INGRESS, Direction.EGRESS
POLICY_TYPES: st.SearchStrategy[frozenset[Direction] | None] = st.sampled_from(
    (frozenset({_I}), frozenset({_E}), frozenset({_I, _E}), None)
)
"""Explicit `policyTypes`, or None: absent, defaulted by the API server's rule."""

_POLICY_BODIES = st.tuples(
    POD_SELECTORS,
    POLICY_TYPES,
    st.lists(RULES, max_size=2).map(tuple),
    st.lists(RULES, max_size=2).map(tuple),
)


def _policy(
    namespace: str,
    name: str,
    body: tuple[LabelSelector, frozenset[Direction] | None, tuple[Rule, ...], tuple[Rule, ...]],
) -> NetworkPolicy:
    selector, types, ingress, egress = body
    if types is None:  # the API server: Ingress, and Egress when there are egress rules
        defaulted = frozenset({_I, _E}) if egress else frozenset({_I})
        return NetworkPolicy(namespace, name, selector, defaulted, ingress, egress, True)
    return NetworkPolicy(namespace, name, selector, types, ingress, egress)


def policies(namespace: str, name: str) -> st.SearchStrategy[NetworkPolicy]:
    """Rules are drawn for both directions whatever `policyTypes` says (some get ignored)."""
    return _POLICY_BODIES.map(lambda body: _policy(namespace, name, body))

"""Hypothesis strategies for the cluster side: namespaces, pods, their ports and addresses.

Generated objects are what the loader produces from valid input: namespaces carry the
`kubernetes.io/metadata.name` label, endpoints are sorted by id, policies by key. Beyond
that, everything the API server accepts may be drawn:

- a pod has 0-3 containers; port names are unique per container only, so two containers
  of one pod may both declare `http`/TCP with different numbers (the named port then stands
  for both), the same name may be TCP in one container and UDP in another, and one name
  takes different numbers on different pods;
- a pod has no address (a workload, a pending pod), an IPv4 one, an IPv6 one, or both
  (in either order); pod addresses are unique in a cluster;
- one pod in twelve is on the host network, with its node's addresses (two nodes, so two
  hostNetwork pods may share them) and its `spec.nodeName`;
- with `max_cluster_policies`, ClusterNetworkPolicies of both tiers and the two Nodes.
"""

from __future__ import annotations

from collections.abc import Sequence

from hypothesis import strategies as st

from podfence.model import (
    NAME_LABEL,
    Cluster,
    ContainerPort,
    Endpoint,
    External,
    IPAddress,
    Labels,
    Namespace,
    Protocol,
    frozen_labels,
)

from .cluster_policies import NODES, cluster_policies
from .policies import label_dicts, policies
from .vocabulary import (
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
    PORT_NAMES,
    PORT_NUMBERS,
    PROTOCOLS,
)

__all__ = [
    "CONTAINER_PORTS",
    "POD_LABELS",
    "STACKS",
    "Template",
    "clusters",
    "endpoints",
    "externals",
    "stack_addresses",
]

Template = tuple[Labels, tuple[ContainerPort, ...]]
"""The labels and container ports several endpoints may share (classes with many members)."""

POD_LABELS: st.SearchStrategy[Labels] = label_dicts(POD_KEYS, POD_VALUES).map(frozen_labels)

_CONTAINER = st.lists(
    st.tuples(
        st.one_of(st.none(), st.sampled_from(PORT_NAMES)),
        st.sampled_from(PORT_NUMBERS),
        st.sampled_from(PROTOCOLS),
    ),
    max_size=2,
    unique_by=lambda t: t[0] if t[0] is not None else (t[1], t[2]),
)
"""One container's ports: names unique within it (unnamed ports by number and protocol)."""

_DUPLICATED = st.tuples(
    st.sampled_from(PORT_NAMES),
    st.sampled_from((*PROTOCOLS, Protocol.TCP)),
    st.lists(st.sampled_from(PORT_NUMBERS), min_size=2, max_size=2, unique=True),
).map(lambda t: [[(t[0], number, t[1])] for number in t[2]])
"""Two containers declaring one name and protocol with two numbers: rare when drawn freely,
so drawn on purpose for half the pods."""

CONTAINER_PORTS: st.SearchStrategy[tuple[ContainerPort, ...]] = st.one_of(
    st.lists(_CONTAINER, max_size=3),
    st.tuples(_DUPLICATED, st.lists(_CONTAINER, max_size=2)).map(lambda t: t[0] + t[1]),
).map(
    lambda containers: tuple(
        ContainerPort(number, proto, name) for ports in containers for name, number, proto in ports
    )
)
"""A pod's container ports, container after container (so names may repeat)."""

STACKS = st.sampled_from(("none", "v4", "v6", "dual", "dual-v6-first"))
"""Which addresses an endpoint has."""


def stack_addresses(stack: str, v4: IPAddress, v6: IPAddress) -> tuple[IPAddress, ...]:
    """The addresses of `stack`, taken from one IPv4 and one IPv6 candidate."""
    return {
        "none": (),
        "v4": (v4,),
        "v6": (v6,),
        "dual": (v4, v6),
        "dual-v6-first": (v6, v4),
    }[stack]


_HOST_NETWORK = st.integers(0, 11).map(lambda n: n == 0)
_NODE = st.integers(0, len(NODE_V4) - 1)


@st.composite
def _body(draw: st.DrawFn, templates: Sequence[Template] | None) -> Template:
    if templates:
        return draw(st.sampled_from(templates))
    return draw(POD_LABELS), draw(CONTAINER_PORTS)


@st.composite
def endpoints(
    draw: st.DrawFn,
    name: str,
    templates: Sequence[Template] | None = None,
    namespaces: Sequence[str] = NAMESPACE_NAMES,
) -> Endpoint:
    """One endpoint on its own (its addresses may equal another endpoint's: `clusters`
    keeps them unique). With `templates`, its labels and ports are one of them."""
    labels, ports = draw(_body(templates))
    host = draw(_HOST_NETWORK)
    stack = draw(STACKS)
    node_name = None
    if host:
        node = draw(_NODE)
        ips = stack_addresses(stack, NODE_V4[node], NODE_V6[node])
        node_name = f"node-{node}"
    else:
        ips = stack_addresses(stack, draw(st.sampled_from(POD_V4)), draw(st.sampled_from(POD_V6)))
    namespace = draw(st.sampled_from(tuple(namespaces)))
    return Endpoint(namespace, name, "Pod", labels, ports, ips, host, node_name=node_name)


_NAMESPACE_LABELS = label_dicts(NS_KEYS, NS_VALUES)
_TEMPLATES = st.lists(st.tuples(POD_LABELS, CONTAINER_PORTS), min_size=1, max_size=3)


@st.composite
def clusters(
    draw: st.DrawFn,
    *,
    max_endpoints: int = 5,
    max_policies: int = 4,
    templated: bool = False,
    max_cluster_policies: int = 0,
    min_cluster_policies: int = 0,
) -> Cluster:
    """2-3 namespaces, 2-`max_endpoints` endpoints, 0-`max_policies` policies, and with
    `max_cluster_policies` `min_cluster_policies`-that many ClusterNetworkPolicies (and the
    Nodes).

    `templated`: endpoints share 1-3 (labels, ports) templates, so that endpoint classes
    with several members are common (what the class engine groups by).
    """
    assert 2 <= max_endpoints <= len(POD_V4), "pod addresses are unique: the pool is small"
    ns_names = NAMESPACE_NAMES[: draw(st.sampled_from((2, 3)))]
    namespaces = tuple(
        Namespace(n, frozen_labels({**draw(_NAMESPACE_LABELS), NAME_LABEL: n})) for n in ns_names
    )
    templates = draw(_TEMPLATES) if templated else None
    v4 = draw(st.permutations(POD_V4))
    v6 = draw(st.permutations(POD_V6))
    eps = []
    for i in range(draw(st.integers(2, max_endpoints))):
        ep = draw(endpoints(f"p{i}", templates, ns_names))
        if not ep.host_network:  # unique pod addresses, in the endpoint's stack
            stack = tuple(ip.version for ip in ep.ips)
            ips = tuple(v4[i] if version == 4 else v6[i] for version in stack)
            ep = Endpoint(ep.namespace, ep.name, ep.kind, ep.labels, ep.ports, ips, False)
        eps.append(ep)
    pols = [
        draw(policies(draw(st.sampled_from(ns_names)), f"pol{i}"))
        for i in range(draw(st.integers(0, max_policies)))
    ]
    cnps = (
        [
            draw(cluster_policies(f"cnp{i}"))
            for i in range(draw(st.integers(min_cluster_policies, max_cluster_policies)))
        ]
        if max_cluster_policies
        else []
    )
    return Cluster(
        namespaces=namespaces,
        endpoints=tuple(sorted(eps, key=lambda e: e.id)),
        policies=tuple(sorted(pols, key=lambda p: (p.namespace, p.name))),
        nodes=NODES if max_cluster_policies else (),
        cluster_policies=tuple(cnps),
    )


def externals() -> st.SearchStrategy[list[External]]:
    """0-2 addresses outside the cluster, of either family (one may equal a pod's IP)."""
    return st.lists(st.sampled_from(EXTERNAL_POOL).map(External), max_size=2, unique=True)

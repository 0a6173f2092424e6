"""The last stage: linked, valid objects -> the frozen model `Cluster`.

Runs only when no error was found (fail closed), so it may assume valid input.
"""

from __future__ import annotations

from collections.abc import Iterable

from podfence.load.cnp import build_cluster_policy, build_node
from podfence.load.convert import (
    to_container_ports,
    to_host_network,
    to_labels,
    to_pod_ips,
    to_rule,
    to_selector,
)
from podfence.load.link import Linked
from podfence.load.objects import Obj
from podfence.load.tree import get_at, get_list, get_map, get_str, line_of
from podfence.model import (
    NAME_LABEL,
    Cluster,
    CustomResource,
    Direction,
    Endpoint,
    Location,
    Namespace,
    NetworkPolicy,
    ObjectRef,
)

__all__ = [
    "build_cluster",
    "build_endpoint",
    "build_implicit_namespace",
    "build_namespace",
    "build_policy",
]


def _name(obj: Obj) -> str:
    assert obj.name, obj  # validated
    return obj.name


def _namespace(obj: Obj) -> str:
    assert obj.namespace, obj  # defaulted and validated
    return obj.namespace


def build_policy(obj: Obj) -> NetworkPolicy:
    spec = get_map(obj.body, "spec") or {}
    types = [t for t in get_list(spec, "policyTypes") or [] if isinstance(t, str)]
    rules = {
        d: tuple(
            to_rule(r, d.peers_field)
            for r in get_list(spec, d.rules_field) or []
            if isinstance(r, dict)
        )
        for d in Direction
    }
    return NetworkPolicy(
        namespace=_namespace(obj),
        name=_name(obj),
        pod_selector=to_selector(get_map(spec, "podSelector") or {}),
        policy_types=frozenset(Direction(t) for t in types),
        ingress=rules[Direction.INGRESS],
        egress=rules[Direction.EGRESS],
        policy_types_defaulted="spec.policyTypes" in obj.defaulted,
        annotations=to_labels(get_map(obj.meta, "annotations")),
        location=obj.location,
    )


def build_namespace(obj: Obj) -> Namespace:
    return Namespace(
        name=_name(obj),
        labels=to_labels(get_map(obj.meta, "labels")),
        annotations=to_labels(get_map(obj.meta, "annotations")),
        location=obj.location,
    )


def build_implicit_namespace(name: str, referrer: Obj) -> Namespace:
    """A namespace only referred to: just the name label, located at its first referrer."""
    line = line_of(referrer.lines, "metadata.namespace")
    return Namespace(
        name=name,
        labels=((NAME_LABEL, name),),
        implicit=True,
        location=Location(referrer.file, line),
    )


def build_endpoint(obj: Obj) -> Endpoint:
    """A Pod, or a workload standing for its pods (the pod template's labels and ports)."""
    if obj.kind.template is None:
        pod, ips = obj.body, to_pod_ips(get_map(obj.body, "status"))
    else:
        pod, ips = get_at(obj.body, obj.kind.template) or {}, ()
    spec = get_map(pod, "spec")
    return Endpoint(
        namespace=_namespace(obj),
        name=_name(obj),
        kind=obj.kind.name,
        labels=to_labels(get_map(get_map(pod, "metadata"), "labels")),
        ports=to_container_ports(spec),
        ips=ips,
        host_network=to_host_network(spec),
        location=obj.location,
        node_name=get_str(spec, "nodeName") or None,
    )


def _positions(objs: Iterable[Obj]) -> dict[tuple[ObjectRef, str], int]:
    positions: dict[tuple[ObjectRef, str], int] = {}
    for obj in objs:
        ref = obj.ref
        for path, line in obj.lines.items():
            positions[(ref, path)] = line
    return positions


def build_cluster(linked: Linked, custom: tuple[CustomResource, ...] = ()) -> Cluster:
    """The cluster of `linked` objects, with the custom resources met on the way."""
    namespaces = [build_namespace(o) for o in linked.namespaces]
    namespaces += [build_implicit_namespace(n, o) for n, o in linked.implicit]
    endpoints = [build_endpoint(o) for o in linked.endpoints]
    policies = [build_policy(o) for o in linked.policies]
    nodes = [build_node(o) for o in linked.nodes]
    cluster_policies = [build_cluster_policy(o) for o in linked.cluster_policies]
    everything = (
        *linked.namespaces,
        *linked.endpoints,
        *linked.policies,
        *linked.nodes,
        *linked.cluster_policies,
    )
    return Cluster(
        namespaces=tuple(sorted(namespaces, key=lambda n: n.name)),
        endpoints=tuple(sorted(endpoints, key=lambda e: e.id)),
        policies=tuple(sorted(policies, key=lambda p: (p.namespace, p.name))),
        nodes=tuple(sorted(nodes, key=lambda n: n.name)),
        cluster_policies=tuple(sorted(cluster_policies, key=lambda p: p.name)),
        custom_resources=custom,
        positions=_positions(everything),
    )

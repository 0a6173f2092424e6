"""The store -> the cluster the agent enforces, and what it must fail closed on.

Every object goes through the loader (`objects.ObjectCache`). What the loader rejects is
never ignored:

- a NetworkPolicy podfence rejects: the local pods it selects are quarantined (no new
  connection at all) in the directions it governs (its `policyTypes`, both when those are
  unreadable); the pods are those its `podSelector` selects, or every pod of its namespace
  when the selector itself is what is wrong;
- a Pod podfence rejects, or any pod of a Namespace it rejects: left out of every peer set
  (so no rule allows it by selector), and quarantined in both directions when it is local.

- a ClusterNetworkPolicy podfence rejects: the local pods its subject selects (every local pod
  when the subject itself is unreadable) are quarantined in the directions it has rules for
  (both when those are unreadable). Whatever its rules, its tier or its priority, no guess
  can be in favour of traffic, so none is made.

Pods that are finished (phase Succeeded or Failed) hold no address any more (the address
may already be another pod's): they are left out, as the kubelet releases their IPs.
Nodes are loaded for the `nodes` peers of ClusterNetworkPolicies (their addresses); a Node
podfence rejects is left out and logged. A `nodes` peer then misses its addresses, which an
Accept can bear (it allows less) but a Deny or a Pass cannot (it would let through what it
stops): while a Node is rejected, each ClusterNetworkPolicy with a Deny or Pass rule on a
`nodes` peer fails closed on its subjects' local pods, in those rules' directions
(`node_stand_ins`).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from podfence.agent.objects import Accepted, ObjectCache, Rejected
from podfence.agent.store import Store
from podfence.engine import Engine
from podfence.engine.resolve import Resolver
from podfence.engine.universe import Universe
from podfence.load.convert import ConversionError, to_selector
from podfence.model import (
    NAME_LABEL,
    Action,
    Cluster,
    ClusterNetworkPolicy,
    ClusterRule,
    Direction,
    Endpoint,
    IPAddress,
    LabelSelector,
    Namespace,
    NamespacesPeer,
    NamespacesSubject,
    NetworkPolicy,
    Node,
    NodesPeer,
    PodsSubject,
    Subject,
    Tier,
)

__all__ = [
    "Quarantine",
    "Snapshot",
    "build_snapshot",
    "quarantine_cluster_policy",
    "quarantine_policy",
]

_FINISHED = ("Succeeded", "Failed")


@dataclass(frozen=True, slots=True)
class Quarantine:
    """Local addresses that get no new connection, per direction, and why."""

    addresses: dict[Direction, frozenset[IPAddress]] = field(default_factory=dict)
    reasons: tuple[str, ...] = ()
    pods: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """The local pods each rejected object (`kind ns/name`) quarantines."""

    def __bool__(self) -> bool:
        return any(self.addresses.values())


@dataclass(frozen=True, slots=True)
class Snapshot:
    cluster: Cluster
    """Every valid namespace, running pod and valid NetworkPolicy."""
    local: tuple[Endpoint, ...]
    """The valid pods of this node (`spec.nodeName`)."""
    quarantine: Quarantine
    rejected: tuple[Rejected, ...]
    cluster_network_policies: int
    node_known: bool
    """The node's own Node object exists."""


def _meta(obj: dict[str, Any]) -> dict[str, Any]:
    meta = obj.get("metadata")
    return meta if isinstance(meta, dict) else {}


def _spec(obj: dict[str, Any]) -> dict[str, Any]:
    spec = obj.get("spec")
    return spec if isinstance(spec, dict) else {}


def _pod_addresses(obj: dict[str, Any]) -> frozenset[IPAddress]:
    """The status addresses of a raw pod that parse (for quarantining a rejected pod)."""
    status = obj.get("status")
    status = status if isinstance(status, dict) else {}
    texts = [status.get("podIP")]
    for item in status.get("podIPs") or []:
        if isinstance(item, dict):
            texts.append(item.get("ip"))
    found = set()
    for text in texts:
        if isinstance(text, str):
            try:
                found.add(ipaddress.ip_address(text))
            except ValueError:
                continue
    return frozenset(found)


def _directions(spec: dict[str, Any], errors: Iterable[str]) -> frozenset[Direction]:
    types = spec.get("policyTypes")
    if any(f.startswith("spec.policyTypes") for f in errors) or not isinstance(types, list):
        return frozenset(Direction)
    found = {Direction(t) for t in types if t in ("Ingress", "Egress")}
    return frozenset(found) if len(found) == len(types) and found else frozenset(Direction)


def quarantine_policy(rejected: Rejected) -> NetworkPolicy:
    """A rule-less policy standing for a rejected one: it selects the same pods (all of its
    namespace when its podSelector is unusable) for the directions it governs."""
    spec = _spec(rejected.raw)
    fields = [d.field or "" for d in rejected.errors]
    selector = LabelSelector()
    raw_selector = spec.get("podSelector")
    if isinstance(raw_selector, dict) and not any(f.startswith("spec.podSelector") for f in fields):
        try:
            selector = to_selector(raw_selector)
        except (ConversionError, ValueError, TypeError):
            selector = LabelSelector()
    return NetworkPolicy(
        namespace=rejected.namespace or "default",
        name=rejected.name or "unnamed",
        pod_selector=selector,
        policy_types=_directions(spec, fields),
    )


def _selector(tree: object) -> LabelSelector | None:
    if not isinstance(tree, dict):
        return None
    try:
        return to_selector(tree)
    except (ConversionError, ValueError, TypeError):
        return None


def _cluster_subject(spec: dict[str, Any]) -> Subject:
    """The subject of a rejected CNP as far as it can be read; every pod when it cannot."""
    every = NamespacesSubject(LabelSelector())
    subject = spec.get("subject")
    if not isinstance(subject, dict) or len(subject) != 1:
        return every
    if "namespaces" in subject:
        namespaces = _selector(subject["namespaces"])
        return every if namespaces is None else NamespacesSubject(namespaces)
    pods = subject.get("pods")
    if isinstance(pods, dict):
        namespaces = _selector(pods.get("namespaceSelector", {}))
        labels = _selector(pods.get("podSelector", {}))
        if namespaces is not None and labels is not None:
            return PodsSubject(namespaces, labels)
    return every


def quarantine_cluster_policy(rejected: Rejected) -> ClusterNetworkPolicy:
    """A stand-in for a rejected ClusterNetworkPolicy: its subject (every pod when unreadable)
    and a Deny of everything in each direction it has rules for (both when unreadable)."""
    spec = _spec(rejected.raw)
    deny = (ClusterRule(Action.DENY, (NamespacesPeer(LabelSelector()),)),)
    found = {d: spec.get(d.rules_field.lower()) for d in Direction}
    readable = all(v is None or isinstance(v, list) for v in found.values())
    has = {d for d, v in found.items() if isinstance(v, list) and v}
    directions = has if readable and has else set(Direction)
    return ClusterNetworkPolicy(
        rejected.name or "unnamed",
        Tier.ADMIN,
        0,
        _cluster_subject(spec),
        ingress=deny if Direction.INGRESS in directions else (),
        egress=deny if Direction.EGRESS in directions else (),
    )


def node_stand_ins(
    cnps: Iterable[ClusterNetworkPolicy],
) -> list[ClusterNetworkPolicy]:
    """While a Node is rejected: a stand-in (Deny of everything, same subject) for each CNP
    whose Deny or Pass rules have a `nodes` peer, in those rules' directions only."""
    deny = (ClusterRule(Action.DENY, (NamespacesPeer(LabelSelector()),)),)
    out = []
    for cnp in cnps:
        directions = {
            d
            for d in Direction
            for rule in cnp.rules(d)
            if rule.action is not Action.ACCEPT
            and any(isinstance(p, NodesPeer) for p in rule.peers)
        }
        if directions:
            out.append(
                ClusterNetworkPolicy(
                    cnp.name,
                    Tier.ADMIN,
                    0,
                    cnp.subject,
                    ingress=deny if Direction.INGRESS in directions else (),
                    egress=deny if Direction.EGRESS in directions else (),
                )
            )
    return out


def _implicit(names: Iterable[str], defined: set[str]) -> list[Namespace]:
    return [
        Namespace(name, ((NAME_LABEL, name),), implicit=True)
        for name in sorted(set(names) - defined)
    ]


def build_snapshot(store: Store, cache: ObjectCache, node: str) -> Snapshot:
    rejected: list[Rejected] = []

    def load(plural: str) -> list[tuple[dict[str, Any], Accepted | Rejected]]:
        c = store.collections.get(plural)
        if c is None:
            return []
        w = c.watched
        out = [(obj, cache.get(plural, w.kind, w.api_version, obj)) for obj in c.objects.values()]
        cache.forget(plural, set(c.objects))
        return out

    namespaces: list[Namespace] = []
    bad_namespaces: set[str] = set()
    for _, loaded in load("namespaces"):
        if isinstance(loaded, Accepted):
            assert isinstance(loaded.value, Namespace)
            namespaces.append(loaded.value)
        else:
            rejected.append(loaded)
            bad_namespaces.add(loaded.name)
    endpoints: list[Endpoint] = []
    local: list[Endpoint] = []
    drop_both: set[IPAddress] = set()
    reasons: list[str] = []
    pods_of: dict[str, list[str]] = {}
    for obj, loaded in load("pods"):
        status = obj.get("status")
        if isinstance(status, dict) and status.get("phase") in _FINISHED:
            continue
        here = _spec(obj).get("nodeName") == node
        namespace = str(_meta(obj).get("namespace") or "")
        if isinstance(loaded, Rejected) or namespace in bad_namespaces:
            if isinstance(loaded, Rejected):
                rejected.append(loaded)
            if here:
                drop_both |= _pod_addresses(obj)
                ident = f"{namespace}/{_meta(obj).get('name')}"
                reasons.append(f"pod {ident} rejected: isolated")
                culprit = loaded if isinstance(loaded, Rejected) else None
                key = f"Pod {ident}" if culprit else f"Namespace {namespace}"
                pods_of.setdefault(key, []).append(ident)
            continue
        assert isinstance(loaded.value, Endpoint)
        endpoints.append(loaded.value)
        if here:
            local.append(loaded.value)
    policies: list[NetworkPolicy] = []
    stand_ins: list[NetworkPolicy] = []
    for _, loaded in load("networkpolicies"):
        if isinstance(loaded, Accepted):
            assert isinstance(loaded.value, NetworkPolicy)
            policies.append(loaded.value)
        else:
            rejected.append(loaded)
            stand_ins.append(quarantine_policy(loaded))
            reasons.append(f"NetworkPolicy {loaded.key} rejected: its pods are isolated")
    nodes: list[Node] = []
    bad_nodes: list[str] = []
    for _, loaded in load("nodes"):
        if isinstance(loaded, Accepted):
            assert isinstance(loaded.value, Node)
            nodes.append(loaded.value)
        else:
            rejected.append(loaded)
            bad_nodes.append(loaded.key)
    cnps: list[ClusterNetworkPolicy] = []
    cnp_stand_ins: list[ClusterNetworkPolicy] = []
    for _, loaded in load("clusternetworkpolicies"):
        if isinstance(loaded, Accepted):
            assert isinstance(loaded.value, ClusterNetworkPolicy)
            cnps.append(loaded.value)
        else:
            rejected.append(loaded)
            cnp_stand_ins.append(quarantine_cluster_policy(loaded))
            reasons.append(f"ClusterNetworkPolicy {loaded.key} rejected: its pods are isolated")
    if bad_nodes:
        for node_cut in node_stand_ins(cnps):
            cnp_stand_ins.append(node_cut)
            reasons.append(
                f"ClusterNetworkPolicy {node_cut.name} denies or passes on `nodes` peers and "
                f"Node {', '.join(sorted(bad_nodes))} is rejected: its pods are isolated"
            )
    defined = {ns.name for ns in namespaces}
    used = [ep.namespace for ep in endpoints] + [p.namespace for p in policies]
    namespaces += _implicit(used, defined | bad_namespaces)
    namespaces.sort(key=lambda ns: ns.name)
    cluster = Cluster(
        namespaces=tuple(namespaces),
        endpoints=tuple(sorted(endpoints, key=lambda e: e.id)),
        policies=tuple(sorted(policies, key=lambda p: (p.namespace, p.name))),
        nodes=tuple(sorted(nodes, key=lambda n: n.name)),
        cluster_policies=tuple(sorted(cnps, key=lambda p: p.name)),
    )
    local.sort(key=lambda e: e.id)
    addresses = {d: set(drop_both) for d in Direction}
    if stand_ins and local:
        engine = Engine(Cluster(cluster.namespaces, tuple(local), tuple(stand_ins)))
        for ep in local:
            for d in Direction:
                for stand_in in engine.selecting(ep, d):
                    addresses[d].update(ep.ips)
                    found = pods_of.setdefault(f"NetworkPolicy {stand_in.key}", [])
                    if ep.id not in found:
                        found.append(ep.id)
    if cnp_stand_ins and local:
        labels = {ns.name: ns.labels for ns in cluster.namespaces}
        resolver = Resolver(Universe.of((), cnp_stand_ins), labels)
        for i, cut in enumerate(cnp_stand_ins):
            for ep in resolver.cluster_subjects(local, i):
                for d in Direction:
                    if cut.rules(d):
                        addresses[d].update(ep.ips)
                found = pods_of.setdefault(f"ClusterNetworkPolicy {cut.name}", [])
                if ep.id not in found:
                    found.append(ep.id)
    quarantine = Quarantine(
        {d: frozenset(a) for d, a in addresses.items()},
        tuple(reasons),
        {key: tuple(sorted(ids)) for key, ids in pods_of.items()},
    )
    watched_nodes = store.collections.get("nodes")
    node_known = watched_nodes is not None and ("", node) in watched_nodes.objects
    cnp = store.collections.get("clusternetworkpolicies")
    return Snapshot(
        cluster,
        tuple(local),
        quarantine,
        tuple(rejected),
        len(cnp.objects) if cnp is not None else 0,
        node_known,
    )

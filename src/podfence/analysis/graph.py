"""The connectivity graph as data: nodes (pods, classes of look-alike pods, CIDRs, policies)
and edges (allowed with their ports and rules, denied, selects). Rendering is elsewhere.

Endpoints whose rows and columns of the connectivity matrix are identical (on every probed
port), and that the same policies select, are merged into one class node when at least
`merge_min` of them look alike. Port spans are exact (see analysis.samples), so an edge's
ports are all the ports on which the connection is allowed.

Above `GraphOptions.collapse_above` endpoints the graph is drawn over the class engine's
classes instead (see analysis.graph_classes): one node per class, never pods x pods. A
denied edge says what denies it: the policies isolating the denying side, and whether they
only deny (no rule for that direction) or have rules of which none allows it.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Sequence
from dataclasses import dataclass

from podfence.analysis.classes import Conn, merge_classes
from podfence.analysis.graph_classes import COLLAPSE_ABOVE, ClassView
from podfence.analysis.samples import (
    PortSpan,
    address_atoms,
    address_blocks,
    policy_port_sets,
    port_spans,
)
from podfence.analysis.scale import class_engine_of
from podfence.engine import DirectionVerdict, Engine, TierRule
from podfence.engine.classes import ClassEngine
from podfence.model import Cluster, Connection, Direction, Endpoint, External, Party, ProtocolPort

__all__ = [
    "NodeKind",
    "EdgeKind",
    "Node",
    "Edge",
    "Graph",
    "GraphOptions",
    "build_graph",
    "is_hacker_like",
]

_HACKER = re.compile(r"hack|attack|evil|rogue|malicious|untrusted|intruder|compromis", re.I)


class NodeKind(enum.Enum):
    ENDPOINT = "endpoint"
    CLASS = "class"
    EXTERNAL = "external"
    POLICY = "policy"


class EdgeKind(enum.Enum):
    ALLOWED = "allowed"
    DENIED = "denied"
    SELECTS = "selects"


@dataclass(frozen=True, slots=True)
class Node:
    key: str
    kind: NodeKind
    label: str
    namespace: str | None = None
    """The namespace it is drawn in; None for addresses outside the cluster."""
    members: tuple[str, ...] = ()
    """Endpoint ids it stands for (one for an endpoint node)."""
    isolated: frozenset[Direction] = frozenset()


@dataclass(frozen=True, slots=True)
class Edge:
    source: str
    target: str
    kind: EdgeKind
    ports: tuple[PortSpan, ...] = ()
    """ALLOWED: the probes on which the connection is allowed."""
    via: tuple[str, ...] = ()
    """ALLOWED: the rules (`ns/name ingress[0]`) of isolated sides that allow it; with
    ClusterNetworkPolicies, each with its tier (`Admin Accept cnp/guard ingress[0]`,
    `NetworkPolicy shop/web ingress[0]`, `Admin Pass cnp/owners ingress[1]`)."""
    denied_by: frozenset[Direction] = frozenset()
    """DENIED: the sides that deny it (egress of the source, ingress of the target)."""
    denied_via: tuple[str, ...] = ()
    """DENIED, with ClusterNetworkPolicies: the Admin or Baseline rules that deny it."""
    isolated_by: tuple[str, ...] = ()
    """DENIED: the NetworkPolicies (`ns/name`) isolating the sides that deny it."""
    deny_only: bool = False
    """DENIED: each of those policies has no rule for the denying direction (a deny-all);
    otherwise some have rules, and none of them allows the connection."""


@dataclass(frozen=True, slots=True)
class Graph:
    namespaces: tuple[str, ...]
    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]
    probes: tuple[PortSpan, ...]
    """The port universe the edges' ports are drawn from."""
    collapsed: bool = False
    """Drawn over classes of endpoints (a large cluster), not endpoint by endpoint."""
    pods: int = 0
    """How many endpoints the cluster has."""

    def node(self, key: str) -> Node:
        for n in self.nodes:
            if n.key == key:
                return n
        raise KeyError(key)


@dataclass(frozen=True, slots=True)
class GraphOptions:
    ports: tuple[PortSpan, ...] = ()
    """Probe only these (from `--port`); empty: every port that matters."""
    show_denied: bool = False
    show_policies: bool = False
    merge_min: int = 3
    """Merge look-alike endpoints when at least this many are alike (0: never merge)."""
    max_denied: int = 12
    collapse_above: int = COLLAPSE_ABOVE
    """Draw classes, not endpoints, above this many endpoints (0: never)."""


def is_hacker_like(endpoint: Endpoint) -> bool:
    """A pod someone would try to keep out (its name or a label value says so)."""
    return bool(_HACKER.search(endpoint.name)) or any(_HACKER.search(v) for _, v in endpoint.labels)


def _rule_text(policy: str, direction: Direction, rule: int | None) -> str:
    field = f" {direction.rules_field}[{rule}]" if rule is not None else ""
    return f"{policy}{field}"


def _tier_text(rule: TierRule) -> str:
    """`Admin Accept cnp/guard ingress[0]`."""
    ref = rule.ref
    return f"{rule.tier} {rule.action} {_rule_text(ref.key, ref.direction, ref.rule)}"


def _tiered_via(side: DirectionVerdict) -> list[str]:
    """What let one side through, tier by tier: Pass rules on the way, then the Admin or
    Baseline Accept, or the NetworkPolicy rules."""
    found = [_tier_text(p) for p in side.passed]
    if side.decided_by is not None:
        found.append(_tier_text(side.decided_by))
    found += [f"NetworkPolicy {_rule_text(r.policy, r.direction, r.rule)}" for r in side.allowed_by]
    return found


class _Builder:
    def __init__(self, cluster: Cluster, options: GraphOptions, engine: Engine) -> None:
        self.cluster = cluster
        self.options = options
        self.engine = engine
        self.probes = options.ports or port_spans(policy_port_sets(engine))
        self.endpoints = {ep.id: ep for ep in cluster.endpoints}
        self.parties: dict[str, Party] = dict(self.endpoints)
        self.externals: list[Node] = []
        atoms = address_atoms([engine], every_other=False)
        for block in address_blocks(engine):
            inside = [a for a in atoms if block in a.inside]
            # the region of the block that no narrower block takes
            atom = min(inside, key=lambda a: len(a.inside)) if inside else None
            if atom is None:  # no outside address is in the block: it stands for no node
                continue
            key = f"cidr:{block}"
            self.parties[key] = atom.party
            self.externals.append(Node(key, NodeKind.EXTERNAL, str(block)))
        # Two different endpoints are reached alike when their classes are the same (no policy
        # or ClusterNetworkPolicy can tell the members of a class apart; tests/classes prove
        # the class engine exact, tiers included), so each pair of classes is asked once.
        klass = {m: c.id for c in ClassEngine(cluster).classes for m in c.members}
        by_class: dict[tuple[int, int], frozenset[PortSpan]] = {}
        self.conn: Conn = {}
        for a, pa in self.parties.items():
            for b, pb in self.parties.items():
                if a == b or (isinstance(pa, External) and isinstance(pb, External)):
                    continue
                pair = (klass[a], klass[b]) if a in klass and b in klass else None
                found = by_class.get(pair) if pair is not None else None
                if found is None:
                    found = frozenset(
                        p
                        for p in self.probes
                        if engine.allowed(Connection(pa, pb, p.port, p.protocol))
                    )
                    if pair is not None:
                        by_class[pair] = found
                self.conn[a, b] = found

    def selecting(self, ep: Endpoint) -> tuple[tuple[str, ...], ...]:
        return tuple(tuple(p.key for p in self.engine.selecting(ep, d)) for d in Direction)

    def cluster_selecting(self, ep: Endpoint) -> tuple[str, ...]:
        """Keys of the ClusterNetworkPolicies whose subject selects `ep`."""
        return tuple(
            cnp.key
            for cnp in self.cluster.cluster_policies
            if self.engine.cluster_selects(cnp.key, ep)
        )

    def _look(self, ident: str) -> tuple[object, ...]:
        """Endpoints only merge within a namespace, selected by the same policies and
        ClusterNetworkPolicies (a merged node's Selects edges hold for every member); a
        hacker-like pod stays on its own (it is the one to watch)."""
        ep = self._ep(ident)
        hacker = ident if is_hacker_like(ep) else None
        return (ep.namespace, self.selecting(ep), self.cluster_selecting(ep), hacker)

    def nodes(self) -> list[Node]:
        classes = merge_classes(
            [ep.id for ep in self.cluster.endpoints],
            self.conn,
            group=self._look,
            others=list(self.parties),
        )
        merge = self.options.merge_min
        out: list[Node] = []
        for members in classes:
            first = self._ep(members[0])
            iso = frozenset(d for d in Direction if self.engine.is_isolated(first, d))
            if merge and len(members) >= max(merge, 2):
                label = self._class_label(members)
                key = f"class:{members[0]}"
                out.append(Node(key, NodeKind.CLASS, label, first.namespace, members, iso))
                continue
            for m in members:
                ep = self._ep(m)
                label = ep.name if ep.kind == "Pod" else f"{ep.name} ({ep.kind})"
                out.append(Node(m, NodeKind.ENDPOINT, label, ep.namespace, (m,), iso))
        return out

    def _class_label(self, members: Sequence[str]) -> str:
        eps = [self._ep(m) for m in members]
        common = set(eps[0].labels)
        for ep in eps[1:]:
            common &= set(ep.labels)
        what = "pods" if all(ep.kind == "Pod" for ep in eps) else "workloads"
        labels = ",".join(f"{k}={v}" for k, v in sorted(common))
        return f"{labels} ({len(members)} {what})" if labels else f"{len(members)} {what}"

    def allowed_edges(self, nodes: Sequence[Node]) -> list[Edge]:
        edges: list[Edge] = []
        for u in nodes:
            for v in nodes:
                if u.kind is NodeKind.POLICY or v.kind is NodeKind.POLICY:
                    continue
                if u.key == v.key:
                    if len(u.members) < 2:
                        continue
                    a, b = u.members[0], u.members[1]
                else:
                    a = u.members[0] if u.members else u.key
                    b = v.members[0] if v.members else v.key
                ports = self.conn.get((a, b), frozenset())
                if ports:
                    edges.append(
                        Edge(
                            u.key,
                            v.key,
                            EdgeKind.ALLOWED,
                            self._sorted(ports),
                            self._via(a, b, ports),
                        )
                    )
        return edges

    @staticmethod
    def _sorted(ports: frozenset[PortSpan]) -> tuple[PortSpan, ...]:
        return tuple(sorted(ports, key=lambda p: p.sort_key))

    def _via(self, a: str, b: str, ports: frozenset[PortSpan]) -> tuple[str, ...]:
        found: dict[str, None] = {}
        for p in self._sorted(ports):
            v = self.engine.evaluate(
                Connection(self.parties[a], self.parties[b], p.port, p.protocol)
            )
            for side in (v.egress, v.ingress):
                if side.tiers:
                    found.update(dict.fromkeys(_tiered_via(side)))
                    continue
                for ref in side.allowed_by:
                    found.setdefault(_rule_text(ref.policy, ref.direction, ref.rule), None)
        return tuple(sorted(found))

    def denied_edges(self, nodes: Sequence[Node]) -> list[Edge]:
        pods = [n for n in nodes if n.kind in (NodeKind.ENDPOINT, NodeKind.CLASS)]
        by_target: dict[str, list[tuple[tuple[object, ...], Node]]] = {}
        for v in pods:
            for u in pods:
                if u.key == v.key or self.conn[u.members[0], v.members[0]]:
                    continue
                isolated = Direction.INGRESS in v.isolated or Direction.EGRESS in u.isolated
                if not isolated and not self.engine.tiered:
                    continue
                hacker = any(is_hacker_like(self._ep(m)) for m in u.members)
                by_target.setdefault(v.key, []).append(((not hacker, u.key), u))
        order = sorted(
            by_target,
            key=lambda k: (Direction.INGRESS not in self._node(nodes, k).isolated, k),
        )
        queues = {k: [u for _, u in sorted(by_target[k], key=lambda t: t[0])] for k in order}
        chosen: list[tuple[Node, Node]] = []
        while len(chosen) < self.options.max_denied and any(queues.values()):
            for k in order:
                if queues[k] and len(chosen) < self.options.max_denied:
                    chosen.append((queues[k].pop(0), self._node(nodes, k)))
        return [self._denied(u, v) for u, v in chosen]

    def _denied(self, u: Node, v: Node) -> Edge:
        src, dst = self._ep(u.members[0]), self._ep(v.members[0])
        probe = self.probes[0]
        if dst.ports:
            declared = ProtocolPort(dst.ports[0].port, dst.ports[0].protocol)
            probe = next((p for p in self.probes if declared in p), probe)
        verdict = self.engine.evaluate(Connection(src, dst, probe.port, probe.protocol))
        denying = [s for s in (verdict.egress, verdict.ingress) if not s.allowed]
        sides = frozenset(s.direction for s in denying)
        via = tuple(_tier_text(s.decided_by) for s in denying if s.decided_by is not None)
        by = tuple(dict.fromkeys(k for s in denying for k in s.selected_by))
        deny_only = all(
            not self.engine.compiled(k).rules(s.direction) for s in denying for k in s.selected_by
        )
        return Edge(
            u.key,
            v.key,
            EdgeKind.DENIED,
            denied_by=sides,
            denied_via=via,
            isolated_by=by,
            deny_only=deny_only,
        )

    def policy_nodes(self, nodes: Sequence[Node]) -> tuple[list[Node], list[Edge]]:
        out: list[Node] = []
        edges: list[Edge] = []
        for pol in self.cluster.policies:
            key = f"policy:{pol.key}"
            out.append(Node(key, NodeKind.POLICY, f"NetworkPolicy {pol.name}", pol.namespace))
            for n in nodes:
                if n.kind not in (NodeKind.ENDPOINT, NodeKind.CLASS):
                    continue
                ep = self._ep(n.members[0])
                if any(pol.key in sel for sel in self.selecting(ep)):
                    edges.append(Edge(key, n.key, EdgeKind.SELECTS))
        for cnp in self.cluster.cluster_policies:  # cluster-scoped: in no namespace
            key = f"policy:{cnp.key}"
            label = f"{cnp.tier.value} ClusterNetworkPolicy {cnp.name} (priority {cnp.priority})"
            out.append(Node(key, NodeKind.POLICY, label, None))
            for n in nodes:
                if n.kind not in (NodeKind.ENDPOINT, NodeKind.CLASS):
                    continue
                if self.engine.cluster_selects(cnp.key, self._ep(n.members[0])):
                    edges.append(Edge(key, n.key, EdgeKind.SELECTS))
        return out, edges

    def _ep(self, ident: str) -> Endpoint:
        return self.endpoints[ident]

    @staticmethod
    def _node(nodes: Sequence[Node], key: str) -> Node:
        return next(n for n in nodes if n.key == key)


def build_graph(
    cluster: Cluster,
    options: GraphOptions | None = None,
    *,
    engine: Engine | None = None,
    classes: ClassEngine | None = None,
) -> Graph:
    """The graph; `engine` and `classes`: engines of this cluster already built."""
    options = options or GraphOptions()
    engine = engine or Engine(cluster)
    big = options.collapse_above and len(cluster.endpoints) > options.collapse_above
    if big:
        return _collapsed(cluster, options, engine, classes or class_engine_of(cluster))
    b = _Builder(cluster, options, engine)
    nodes = b.nodes()
    nodes += b.externals
    edges = b.allowed_edges(nodes)
    if options.show_denied:
        edges += b.denied_edges(nodes)
    if options.show_policies:
        pol_nodes, pol_edges = b.policy_nodes(nodes)
        nodes += pol_nodes
        edges += pol_edges
    kinds = list(NodeKind)
    nodes.sort(key=lambda n: (n.namespace is None, n.namespace or "", kinds.index(n.kind), n.key))
    edge_kinds = list(EdgeKind)
    edges.sort(key=lambda e: (edge_kinds.index(e.kind), e.source, e.target))
    namespaces = tuple(sorted({n.namespace for n in nodes if n.namespace is not None}))
    return Graph(namespaces, tuple(nodes), tuple(edges), b.probes, pods=len(cluster.endpoints))


def _collapsed(
    cluster: Cluster, options: GraphOptions, engine: Engine, classes: ClassEngine
) -> Graph:
    """One node per class of endpoints, one edge per pair of classes with anything allowed
    (ports only: the rules are the per-pair graph's detail)."""
    probes = options.ports or port_spans(policy_port_sets(engine))
    view = ClassView(engine, classes, probes)
    nodes: list[Node] = []
    for g in view.groups:
        first = view.member(g.id)
        iso = frozenset(d for d in Direction if engine.is_isolated(first, d))
        n = len(g.members)
        what = "hostNetwork pods" if g.host_network else "pods"
        namespace = g.namespace or g.selector.partition(",")[0].removeprefix("ns ")
        label = f"{g.selector.partition(', ')[2] or g.selector} ({n} {what})"
        nodes.append(Node(f"class:{g.id}", NodeKind.CLASS, label, namespace, g.members, iso))
    edges = [
        Edge(f"class:{s}", f"class:{d}", EdgeKind.ALLOWED, tuple(sorted(p, key=_sort_key)))
        for (s, d), p in sorted(view.pairs.items())
    ]
    atoms = address_atoms([engine], every_other=False)
    for block in engine.resolver.universe.blocks:
        atom = next((a for a in atoms if block in a.inside), None)
        if atom is None:
            continue
        key = f"cidr:{block}"
        nodes.append(Node(key, NodeKind.EXTERNAL, str(block)))
        for g in view.groups:
            for outbound in (True, False):
                found = view.with_outside(g.id, atom.party, probes, outbound=outbound)
                if found:
                    ends = (f"class:{g.id}", key) if outbound else (key, f"class:{g.id}")
                    ports = tuple(sorted(found, key=_sort_key))
                    edges.append(Edge(*ends, EdgeKind.ALLOWED, ports))
    kinds = list(NodeKind)
    nodes.sort(key=lambda n: (n.namespace is None, n.namespace or "", kinds.index(n.kind), n.key))
    namespaces = tuple(sorted({n.namespace for n in nodes if n.namespace is not None}))
    return Graph(
        namespaces, tuple(nodes), tuple(edges), tuple(probes), True, len(cluster.endpoints)
    )


def _sort_key(p: PortSpan) -> tuple[object, ...]:
    return p.sort_key

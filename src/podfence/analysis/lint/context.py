"""What every lint check shares: the cluster, the engine, lookups and finding locations."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from podfence.analysis.lint.catalogue import rule_info
from podfence.analysis.lint.finding import Finding, Level
from podfence.analysis.operators import OperatorPod, operator_pods, unknown_resources
from podfence.engine import Engine
from podfence.engine.compiled import CompiledPolicy, CompiledRule
from podfence.engine.match import PeerMatcher, PodPeer
from podfence.model import (
    NAME_LABEL,
    WELL_KNOWN_NAMESPACES,
    Cluster,
    ClusterNetworkPolicy,
    CustomResource,
    Direction,
    Endpoint,
    LabelSelector,
    Location,
    Namespace,
    NetworkPolicy,
    Peer,
    Rule,
    RuleRef,
)

__all__ = ["LintContext", "RuleSite", "PeerSite"]

_WELL_KNOWN = Location("<every cluster>")
"""Where a well-known namespace that the input does not define comes from."""


@dataclass(frozen=True, slots=True)
class RuleSite:
    """One rule of a direction the policy's policyTypes lists (rules that take effect)."""

    policy: NetworkPolicy
    direction: Direction
    index: int
    rule: Rule

    @property
    def field(self) -> str:
        return f"spec.{self.direction.rules_field}[{self.index}]"

    @property
    def ref(self) -> RuleRef:
        return RuleRef(self.policy.key, self.direction, self.index)

    @property
    def label(self) -> str:
        """`shop/web ingress[0]`."""
        return str(self.ref)


@dataclass(frozen=True, slots=True)
class PeerSite:
    """One `from`/`to` item of an effective rule."""

    site: RuleSite
    index: int
    peer: Peer

    @property
    def field(self) -> str:
        return f"{self.site.field}.{self.site.direction.peers_field}[{self.index}]"

    @property
    def policy(self) -> NetworkPolicy:
        return self.site.policy


class LintContext:
    """The cluster as given, its engine, and cached lookups for the checks."""

    def __init__(self, cluster: Cluster, engine: Engine | None = None) -> None:
        self.cluster = cluster
        self.engine = engine if engine is not None else Engine(cluster)
        self.namespace_labels = {ns.name: dict(ns.labels) for ns in cluster.namespaces}
        by_ns: dict[str, list[Endpoint]] = {}
        for ep in cluster.endpoints:
            by_ns.setdefault(ep.namespace, []).append(ep)
        self._by_ns = {k: tuple(v) for k, v in by_ns.items()}
        universe = self.engine.resolver.universe
        self._peer_ids = {peer: i for i, peer in enumerate(universe.pod_peers)}
        self._peers: dict[object, tuple[Endpoint, ...]] = {}
        self._matchers: dict[tuple[str, Peer], PeerMatcher] | None = None
        self._namespaces: dict[tuple[LabelSelector, bool], tuple[Namespace, ...]] = {}
        given = {ns.name for ns in cluster.namespaces}
        self.known_namespaces = cluster.namespaces + tuple(
            Namespace(name, ((NAME_LABEL, name),), implicit=True, location=_WELL_KNOWN)
            for name in WELL_KNOWN_NAMESPACES
            if name not in given
        )
        """The namespaces of the input and those every cluster has (`WELL_KNOWN_NAMESPACES`),
        the latter, when the input does not define them, with only their name label known."""
        self._operator_pods = operator_pods(cluster)

    # -- lookups ----------------------------------------------------------------------

    def endpoints_in(self, namespace: str) -> tuple[Endpoint, ...]:
        return self._by_ns.get(namespace, ())

    @property
    def operator_pods(self) -> tuple[OperatorPod, ...]:
        """The pods operators create from the custom resources of the input (as endpoints
        with the labels the operator gives them)."""
        return self._operator_pods

    def operator_pods_in(self, namespaces: Iterable[str]) -> tuple[OperatorPod, ...]:
        """The pods operators create from the custom resources of these namespaces."""
        wanted = set(namespaces)
        return tuple(p for p in self._operator_pods if p.endpoint.namespace in wanted)

    def unknown_resources(self, namespace: str) -> tuple[CustomResource, ...]:
        """Custom resources of `namespace` that may create pods podfence cannot foresee."""
        return tuple(unknown_resources(self.cluster, namespace))

    def compiled(self, policy: NetworkPolicy) -> CompiledPolicy:
        return self.engine.compiled(policy.key)

    def compiled_rule(self, site: RuleSite) -> CompiledRule:
        """The rule as the engine compiled it (its peers and ports in the written order)."""
        return self.compiled(site.policy).rules(site.direction)[site.index]

    def label_selected(self, policy: NetworkPolicy) -> tuple[Endpoint, ...]:
        """Endpoints of the policy's namespace whose labels its podSelector matches
        (hostNetwork pods included, although the policy does not apply to them)."""
        return tuple(
            ep
            for ep in self.endpoints_in(policy.namespace)
            if self.engine.label_selects(policy.key, ep)
        )

    def selected(
        self, policy: NetworkPolicy, direction: Direction | None = None
    ) -> tuple[Endpoint, ...]:
        """Endpoints the policy isolates (for `direction`, or for any of its directions)."""
        return tuple(
            ep
            for ep in self.endpoints_in(policy.namespace)
            if self.engine.policy_selects(policy.key, ep, direction)
        )

    def peer_endpoints(self, policy: NetworkPolicy, peer: Peer) -> tuple[Endpoint, ...]:
        """Endpoints a `from`/`to` item matches, by the engine's own matcher: the resolver's
        members of a pod peer (found for every peer in one pass over the endpoints), or
        `peer_matches` endpoint by endpoint for the others; once per compiled item."""
        matcher = self._matcher(policy, peer)
        found = self._peers.get(matcher if matcher is not None else (policy.key, peer))
        if found is None:
            endpoints = self.cluster.endpoints
            pid = self._peer_ids.get(matcher) if isinstance(matcher, PodPeer) else None
            if pid is not None:
                members = self.engine.resolver.members(endpoints, pid)
                found = tuple(endpoints[i] for i in members)
            else:
                found = tuple(ep for ep in endpoints if self.engine.peer_matches(policy, peer, ep))
            self._peers[matcher if matcher is not None else (policy.key, peer)] = found
        return found

    def _matcher(self, policy: NetworkPolicy, peer: Peer) -> PeerMatcher | None:
        """The engine's compiled form of a `from`/`to` item of a live rule (None if not)."""
        if self._matchers is None:
            self._matchers = {}
            for p in self.cluster.policies:
                compiled = self.compiled(p)
                for d in Direction:
                    written, rules = p.rules(d), compiled.rules(d)
                    if len(written) != len(rules):
                        continue
                    for rule, done in zip(written, rules, strict=True):
                        if len(rule.peers) == len(done.peers):
                            for item, matcher in zip(rule.peers, done.peers, strict=True):
                                self._matchers[(p.key, item)] = matcher
        return self._matchers.get((policy.key, peer))

    def would_match(self, peer: Peer, policy_namespace: str) -> tuple[Endpoint, ...]:
        """What-if: the endpoints a `from`/`to` item would match, written in a policy of
        `policy_namespace` (by the engine, whether or not a policy has that item)."""
        return self.engine.would_match(
            peer, policy_namespace=policy_namespace, endpoints=self.cluster.endpoints
        )

    def namespaces_matching(
        self, selector: LabelSelector, *, well_known: bool = False
    ) -> tuple[Namespace, ...]:
        """The namespaces of the input a namespaceSelector selects (and, with `well_known`,
        the namespaces every cluster has, by their name label); once per selector."""
        key = (selector, well_known)
        found = self._namespaces.get(key)
        if found is None:
            candidates = self.known_namespaces if well_known else self.cluster.namespaces
            found = self._namespaces[key] = tuple(
                ns for ns in candidates if self.engine.namespace_matches(selector, ns.name)
            )
        return found

    def known_namespace(self, name: str) -> Namespace | None:
        """A namespace of the input, or one every cluster has."""
        return next((ns for ns in self.known_namespaces if ns.name == name), None)

    @staticmethod
    def labels_unknown(namespace: Namespace) -> bool:
        """Whether the input does not say the namespace's labels: it was only referred to
        (a policy or pod in it), or it is a well-known namespace the input does not define."""
        return namespace.implicit

    @staticmethod
    def is_well_known_absent(namespace: Namespace) -> bool:
        return namespace.location == _WELL_KNOWN

    def isolated(self, endpoint: Endpoint, direction: Direction) -> bool:
        return self.engine.is_isolated(endpoint, direction)

    def rule_sites(self) -> Iterator[RuleSite]:
        """Every rule that takes effect (its direction is in policyTypes)."""
        for policy in self.cluster.policies:
            for direction in Direction:
                if not policy.affects(direction):
                    continue
                for i, rule in enumerate(policy.rules(direction)):
                    yield RuleSite(policy, direction, i, rule)

    def peer_sites(self) -> Iterator[PeerSite]:
        for site in self.rule_sites():
            for j, peer in enumerate(site.rule.peers):
                yield PeerSite(site, j, peer)

    # -- findings -----------------------------------------------------------------------

    def policy_finding(
        self,
        rule: str,
        policy: NetworkPolicy,
        field: str | None,
        *,
        message: str,
        consequence: str,
        fix: str,
        level: Level | None = None,
    ) -> Finding:
        return self._object_finding(
            rule, policy, field, message, consequence, fix, level, policy.namespace
        )

    def cluster_policy_finding(
        self,
        rule: str,
        policy: ClusterNetworkPolicy,
        field: str | None,
        *,
        message: str,
        consequence: str,
        fix: str,
        level: Level | None = None,
    ) -> Finding:
        """A finding about a ClusterNetworkPolicy (cluster-scoped: no namespace)."""
        return self._object_finding(rule, policy, field, message, consequence, fix, level, None)

    def _object_finding(
        self,
        rule: str,
        policy: NetworkPolicy | ClusterNetworkPolicy,
        field: str | None,
        message: str,
        consequence: str,
        fix: str,
        level: Level | None,
        namespace: str | None,
    ) -> Finding:
        """A finding at `field` of a policy object (its own line when the field has none)."""
        line = self.cluster.line_of(policy.ref, field) if field else 0
        if not line:
            line = policy.location.line or self.cluster.line_of(policy.ref, "")
        info = rule_info(rule)
        return Finding(
            rule=info.id,
            slug=info.slug,
            level=level or info.level,
            file=policy.location.file,
            line=line,
            obj=str(policy.ref),
            field=field,
            message=message,
            consequence=consequence,
            fix=fix,
            namespace=namespace,
        )

    def namespace_finding(
        self,
        rule: str,
        namespace: str,
        *,
        message: str,
        consequence: str,
        fix: str,
        level: Level | None = None,
    ) -> Finding:
        file, line = self.namespace_location(namespace)
        info = rule_info(rule)
        return Finding(
            rule=info.id,
            slug=info.slug,
            level=level or info.level,
            file=file,
            line=line,
            obj=f"Namespace {namespace}",
            field=None,
            message=message,
            consequence=consequence,
            fix=fix,
            namespace=namespace,
        )

    def namespace_location(self, namespace: str) -> tuple[str, int]:
        """The Namespace object if it was given, else the first object in that namespace."""
        ns = self.cluster.namespace(namespace)
        if ns is not None and not ns.implicit:
            return ns.location.file, ns.location.line or self.cluster.line_of(ns.ref, "")
        places = [ep.location for ep in self.endpoints_in(namespace)]
        places += [p.location for p in self.cluster.policies if p.namespace == namespace]
        if not places:
            return "<unknown>", 0
        first = min(places, key=lambda loc: (loc.file, loc.line))
        return first.file, first.line

"""Evaluate a connection into a verdict with its reasons. Pure, given the resolved core.

Per side (egress of the source, ingress of the destination), the tiers in order (network-
policy-api v1alpha2, ClusterNetworkPolicySpec.tier): Admin ClusterNetworkPolicies (Accept
and Deny final, Pass to the next tier), then the NetworkPolicy tier (the v1 semantics: a pod
some NetworkPolicy isolates is allowed only what one of them allows, and that is final),
then Baseline ClusterNetworkPolicies, then allowed. A connection needs both sides.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from podfence.engine.compiled import CompiledPolicy, CompiledRule
from podfence.engine.match import NamedPortMatcher, PeerMatcher, PodPeer, compile_peer
from podfence.engine.resolve import Resolver, connection_families, named_numbers
from podfence.engine.tier_walk import Step, TierWalk
from podfence.engine.tiers import CompiledClusterPolicy, NetworksMatcher, NodesMatcher
from podfence.engine.universe import Universe
from podfence.engine.verdict import (
    DirectionVerdict,
    DnsNote,
    Miss,
    NearMiss,
    Reason,
    TierRule,
    Verdict,
)
from podfence.model import (
    Action,
    Cluster,
    Connection,
    Direction,
    Endpoint,
    External,
    LabelSelector,
    NetworkPolicy,
    Party,
    Peer,
    RuleRef,
    Tier,
)

__all__ = ["Engine"]

_FINAL = (Action.ACCEPT, Action.DENY)
_ACCEPTED = frozenset({Action.ACCEPT})


class Engine:
    """The exact NetworkPolicy and ClusterNetworkPolicy semantics over one cluster snapshot.

    The policies are compiled once into a `Universe`; the `Resolver` is the only place their
    selectors, ipBlocks, networks, nodes and named ports meet the cluster's endpoints.
    """

    def __init__(self, cluster: Cluster, *, resolver: Resolver | None = None) -> None:
        self.cluster = cluster
        if resolver is None:
            universe = Universe.of(cluster.policies, cluster.cluster_policies)
            resolver = Resolver(
                universe, {ns.name: ns.labels for ns in cluster.namespaces}, cluster.nodes
            )
        self.resolver = resolver
        self.policies: tuple[CompiledPolicy, ...] = tuple(p for _, p in resolver.universe.live())
        self._ids = {p.key: i for i, p in resolver.universe.live()}
        self.tiered = bool(resolver.universe.cluster_policies)
        """True when the cluster has ClusterNetworkPolicies (the Admin and Baseline tiers)."""
        self.tiers = TierWalk(resolver)
        self._np_isolated: dict[tuple[Direction, str], bool] = {}
        self._has_blocks = bool(resolver.universe.blocks) or any(
            isinstance(m, NetworksMatcher | NodesMatcher)
            for p in resolver.universe.cluster_policies
            for r in p.egress
            for m in r.peers
        )
        self._pod_peers = frozenset(resolver.universe.pod_peers)
        self._what_if: dict[PodPeer, Resolver] = {}
        self._admitting: dict[tuple[Direction, str, str, int | None], tuple[CompiledRule, ...]] = {}

    def selecting(self, endpoint: Endpoint, direction: Direction) -> tuple[CompiledPolicy, ...]:
        """The policies that select `endpoint` for `direction` (empty: not isolated)."""
        return tuple(self.resolver.policy(i) for i in self.resolver.selecting(endpoint, direction))

    def is_isolated(self, endpoint: Endpoint, direction: Direction) -> bool:
        return bool(self.resolver.selecting(endpoint, direction))

    def compiled(self, key: str) -> CompiledPolicy:
        """The compiled policy `ns/name`."""
        return self.resolver.policy(self._ids[key])

    def policy_selects(
        self, key: str, endpoint: Endpoint, direction: Direction | None = None
    ) -> bool:
        """Does policy `key` isolate `endpoint` (for `direction`, or for any direction)?"""
        pid = self._ids[key]
        if direction is None:
            return any(pid in self.resolver.selecting(endpoint, d) for d in Direction)
        return pid in self.resolver.selecting(endpoint, direction)

    def peer_matches(
        self, policy: NetworkPolicy, peer: Peer, party: Party, family: int | None = None
    ) -> bool:
        """Does a `from`/`to` item of `policy` match `party` (over `family`)?"""
        matcher = compile_peer(peer, policy_namespace=policy.namespace)
        return self._resolver_for(matcher).peer_matches(matcher, party, family)

    def _resolver_for(self, matcher: PeerMatcher) -> Resolver:
        """The engine's resolver for the pod peers of its live policies; for any other pod
        peer (of a rule policyTypes ignores, or a what-if), a resolver of its own, built
        once, so the engine's universe and its caches stay as they are."""
        if not isinstance(matcher, PodPeer) or matcher in self._pod_peers:
            return self.resolver
        found = self._what_if.get(matcher)
        if found is None:
            universe = Universe()
            universe.peer_id(matcher)
            found = self._what_if[matcher] = Resolver(universe, self.resolver.namespace_labels)
        return found

    def namespace_matches(self, selector: LabelSelector, namespace: str) -> bool:
        """Does a namespaceSelector select the namespace (by its labels)?"""
        return self.resolver.namespace_matches(selector, namespace)

    def label_selects(self, key: str, endpoint: Endpoint) -> bool:
        """Does policy `key`'s podSelector match `endpoint` (its namespace and labels), even
        a hostNetwork pod, which the policy then does not isolate? (Lint tells people when a
        policy was written for pods it cannot fence.)"""
        group = self.resolver.group(endpoint.namespace, endpoint.labels)
        return self._ids[key] in group.policies

    def would_match(
        self, peer: Peer, *, policy_namespace: str, endpoints: Iterable[Endpoint]
    ) -> tuple[Endpoint, ...]:
        """What-if: the `endpoints` a `from`/`to` item would match in a policy of
        `policy_namespace`, whether or not a policy has it (lint weighs peers as they could
        have been written). Resolved as `peer_matches` does (any IP family)."""
        matcher = compile_peer(peer, policy_namespace=policy_namespace)
        resolver = self._resolver_for(matcher)
        return tuple(ep for ep in endpoints if resolver.peer_matches(matcher, ep, None))

    # -- ClusterNetworkPolicies, for the analyses ----------------------------------------

    def cluster_compiled(self, key: str) -> CompiledClusterPolicy:
        """The compiled ClusterNetworkPolicy `cnp/NAME`."""
        for policy in self.resolver.universe.cluster_policies:
            if policy.key == key:
                return policy
        raise KeyError(key)

    def cluster_selecting(
        self, endpoint: Endpoint, direction: Direction, tier: Tier
    ) -> tuple[str, ...]:
        """Keys of the CNPs of `tier` that apply to `endpoint` for `direction`, in
        evaluation order (none for a hostNetwork pod)."""
        return self.tiers.selecting(endpoint, direction, tier)

    def cluster_selects(self, key: str, endpoint: Endpoint) -> bool:
        """Does CNP `key`'s subject select `endpoint` (never a hostNetwork pod)?"""
        policy = self.cluster_compiled(key)
        return not endpoint.host_network and bool(
            self.resolver.pod_peer_matches(policy.subject, endpoint)
        )

    def cluster_peer_matches(
        self, key: str, direction: Direction, rule: int, peer: int, party: Party
    ) -> bool | None:
        """Does peer `peer` of rule `rule` of CNP `key` match `party` (any IP family)? None:
        only DNS can tell at run time. A rule that fails closed has no peers to ask about."""
        compiled = self.cluster_compiled(key).rules(direction)[rule]
        assert not compiled.unknown, "a fail-closed rule has no peers of its own"
        return self.resolver.cluster_peer_matches(compiled.peers[peer], party, None)

    def cluster_rule_matches(
        self,
        key: str,
        direction: Direction,
        rule: int,
        *,
        subject: Party,
        peer: Party,
        c: Connection,
        family: int | None,
    ) -> bool:
        """Would rule `rule` of CNP `key` match this side of the connection on its own:
        its subject selects `subject`, a peer matches `peer` (an unresolvable domain name
        does not) and a protocol entry the port? A fail-closed Deny or Pass matches
        everything its subject sends or receives; a fail-closed Accept nothing."""
        if isinstance(subject, External) or not self.cluster_selects(key, subject):
            return False
        compiled = self.cluster_compiled(key).rules(direction)[rule]
        r = self.resolver
        if not any(r.cluster_peer_matches(m, peer, family) is True for m in compiled.peers):
            return False
        return any(
            r.cluster_port_matches(m, destination=c.destination, port=c.port, protocol=c.protocol)
            for m in compiled.ports
        )

    def network_policy_allows(
        self,
        direction: Direction,
        *,
        subject: Endpoint,
        peer: Party,
        c: Connection,
        family: int | None,
    ) -> bool:
        """The NetworkPolicy tier alone for one side (allowed when no policy isolates it):
        what the namespace's policies say, whatever the Admin and Baseline tiers decide."""
        if subject.host_network:
            return True
        return self._np_allows(direction, subject=subject, peer=peer, c=c, family=family)

    def families(self, connection: Connection) -> tuple[int | None, ...]:
        """The families to answer for: the connection's own, or every family the two parties
        can use when the answer could depend on it (some ipBlock exists)."""
        if connection.family is not None:
            return (connection.family,)
        if not self._has_blocks:
            return (None,)
        return connection_families(connection.source, connection.destination)

    def evaluate(self, connection: Connection) -> Verdict:
        families = self.families(connection)
        if len(families) == 1:
            return self._evaluate(connection, families[0])
        verdicts = tuple(self._evaluate(_with_family(connection, f), f) for f in families)
        if len({v.allowed for v in verdicts}) == 1:
            first = verdicts[0]
            return Verdict(connection, first.egress, first.ingress)
        denied = next(v for v in verdicts if not v.allowed)
        return Verdict(connection, denied.egress, denied.ingress, by_family=verdicts)

    def allowed(self, connection: Connection) -> bool:
        """The verdict's answer alone (same semantics, no reasons collected)."""
        src, dst = connection.source, connection.destination
        if isinstance(src, Endpoint) and src == dst:
            return True
        return all(
            self._side_allows(Direction.EGRESS, subject=src, peer=dst, c=connection, family=f)
            and self._side_allows(Direction.INGRESS, subject=dst, peer=src, c=connection, family=f)
            for f in self.families(connection)
        )

    def _evaluate(self, connection: Connection, family: int | None) -> Verdict:
        src, dst = connection.source, connection.destination
        if isinstance(src, Endpoint) and src == dst:
            return Verdict(
                connection,
                egress=DirectionVerdict(
                    Direction.EGRESS, src.id, True, Reason.SELF, tiers=self.tiered
                ),
                ingress=DirectionVerdict(
                    Direction.INGRESS, src.id, True, Reason.SELF, tiers=self.tiered
                ),
            )
        return Verdict(
            connection,
            egress=self._side(Direction.EGRESS, subject=src, peer=dst, c=connection, family=family),
            ingress=self._side(
                Direction.INGRESS, subject=dst, peer=src, c=connection, family=family
            ),
        )

    # -- one side -------------------------------------------------------------------------

    def _side(
        self,
        direction: Direction,
        *,
        subject: Party,
        peer: Party,
        c: Connection,
        family: int | None,
    ) -> DirectionVerdict:
        if isinstance(subject, External):
            return DirectionVerdict(direction, subject.id, True, Reason.OUTSIDE, tiers=self.tiered)
        if subject.host_network:
            return DirectionVerdict(
                direction, subject.id, True, Reason.HOST_NETWORK, tiers=self.tiered
            )
        if self.tiered:
            return self._tiered_side(direction, subject=subject, peer=peer, c=c, family=family)
        return self._np_side(direction, subject=subject, peer=peer, c=c, family=family)

    def _np_side(
        self,
        direction: Direction,
        *,
        subject: Endpoint,
        peer: Party,
        c: Connection,
        family: int | None,
    ) -> DirectionVerdict:
        """The NetworkPolicy tier alone (the v1 semantics)."""
        policies = self.selecting(subject, direction)
        if not policies:
            return DirectionVerdict(direction, subject.id, True, Reason.NOT_ISOLATED)
        allowed_by: list[RuleRef] = []
        misses: list[NearMiss] = []
        for policy in policies:
            rules = policy.rules(direction)
            if not rules:
                misses.append(NearMiss(RuleRef(policy.key, direction), Miss.NO_RULES))
            for rule in rules:
                ref, miss = self._rule(rule, peer=peer, c=c, family=family)
                if ref is not None:
                    allowed_by.append(ref)
                elif miss is not None:
                    misses.append(miss)
        return DirectionVerdict(
            direction,
            subject.id,
            allowed=bool(allowed_by),
            reason=Reason.ALLOWED_BY_RULE if allowed_by else Reason.DENIED,
            isolated=True,
            selected_by=tuple(p.key for p in policies),
            allowed_by=tuple(allowed_by),
            near_misses=() if allowed_by else tuple(misses),
        )

    def _side_allows(
        self,
        direction: Direction,
        *,
        subject: Party,
        peer: Party,
        c: Connection,
        family: int | None,
    ) -> bool:
        if isinstance(subject, External) or subject.host_network:
            return True
        if self.tiered:
            return self._tiered_allows(direction, subject=subject, peer=peer, c=c, family=family)
        return self._np_allows(direction, subject=subject, peer=peer, c=c, family=family)

    def _np_allows(
        self,
        direction: Direction,
        *,
        subject: Endpoint,
        peer: Party,
        c: Connection,
        family: int | None,
    ) -> bool:
        if not self.resolver.selecting(subject, direction):
            return True
        return any(
            self._first_port(rule, c) is not None
            for rule in self._rules_admitting(direction, subject, peer, family)
        )

    # -- the tiers ------------------------------------------------------------------------

    def _tiered_allows(
        self,
        direction: Direction,
        *,
        subject: Endpoint,
        peer: Party,
        c: Connection,
        family: int | None,
    ) -> bool:
        """Allowed whatever order equal priorities are taken in."""
        walk = self.tiers
        isolated = self._np_isolated.get((direction, subject.id))
        if isolated is None:
            isolated = self._np_isolated[direction, subject.id] = bool(
                self.resolver.selecting(subject, direction)
            )
        admin = walk.effects(Tier.ADMIN, direction, subject=subject, peer=peer, c=c, family=family)
        if Action.DENY in admin:
            return False
        if admin == _ACCEPTED:
            return True
        if isolated:
            return self._np_allows(direction, subject=subject, peer=peer, c=c, family=family)
        baseline = walk.effects(
            Tier.BASELINE, direction, subject=subject, peer=peer, c=c, family=family
        )
        return Action.DENY not in baseline

    def _tiered_side(
        self,
        direction: Direction,
        *,
        subject: Endpoint,
        peer: Party,
        c: Connection,
        family: int | None,
    ) -> DirectionVerdict:
        walk = self.tiers
        admin, notes = walk.steps(
            Tier.ADMIN, direction, subject=subject, peer=peer, c=c, family=family
        )
        dns: list[DnsNote] = list(notes)
        np: DirectionVerdict | None = None
        baseline: tuple[Step, ...] | None = None
        outcomes: list[DirectionVerdict] = []
        for a in admin:
            if a.rule is not None and a.effect in _FINAL:
                outcomes.append(self._decided(direction, subject, a, ()))
                continue
            passed = (a.rule,) if a.rule is not None else ()
            if np is None:
                np = self._np_side(direction, subject=subject, peer=peer, c=c, family=family)
            if np.isolated:
                outcomes.append(replace(np, passed=passed))
                continue
            if baseline is None:
                baseline, notes = walk.steps(
                    Tier.BASELINE, direction, subject=subject, peer=peer, c=c, family=family
                )
                dns += notes
            for b in baseline:
                if b.rule is not None and b.effect in _FINAL:
                    outcomes.append(self._decided(direction, subject, b, passed))
                else:
                    more = (b.rule,) if b.rule is not None else ()
                    outcomes.append(replace(np, passed=passed + more))
        unique = list(dict.fromkeys(outcomes))
        primary = next((o for o in unique if not o.allowed), unique[0])
        selected = walk.selecting(subject, direction, Tier.ADMIN) + walk.selecting(
            subject, direction, Tier.BASELINE
        )
        notes_seen = tuple(dict.fromkeys(dns))

        def complete(o: DirectionVerdict) -> DirectionVerdict:
            return replace(o, tiers=True, cluster_selected_by=selected, dns=notes_seen)

        others = tuple(complete(o) for o in unique if o is not primary)
        return replace(complete(primary), alternatives=others)

    def _decided(
        self, direction: Direction, subject: Endpoint, step: Step, passed: tuple[TierRule, ...]
    ) -> DirectionVerdict:
        """A side an Admin or Baseline rule accepted or denied (no NetworkPolicy consulted
        for Admin; `isolated`/`selected_by` still say which NetworkPolicies select it)."""
        assert step.rule is not None
        accept = step.effect is Action.ACCEPT
        np = self.selecting(subject, direction)
        return DirectionVerdict(
            direction,
            subject.id,
            allowed=accept,
            reason=Reason.CLUSTER_ACCEPT if accept else Reason.CLUSTER_DENY,
            isolated=bool(np),
            selected_by=tuple(p.key for p in np),
            decided_by=step.rule,
            passed=passed,
        )

    def _rules_admitting(
        self, direction: Direction, subject: Endpoint, peer: Party, family: int | None
    ) -> tuple[CompiledRule, ...]:
        """The rules of `subject`'s policies whose peers match `peer` (cached per pair, so a
        pair asked about on many ports matches its selectors once)."""
        key = (direction, subject.id, peer.id, family)
        found = self._admitting.get(key)
        if found is None:
            found = tuple(
                rule
                for policy in self.selecting(subject, direction)
                for rule in policy.rules(direction)
                if self._first_peer(rule, peer, family) is not None
            )
            self._admitting[key] = found
        return found

    def _first_peer(self, rule: CompiledRule, peer: Party, family: int | None) -> int | None:
        for i, matcher in enumerate(rule.peers):
            if self.resolver.peer_matches(matcher, peer, family):
                return i
        return None

    def _first_port(self, rule: CompiledRule, c: Connection) -> int | None:
        for i, matcher in enumerate(rule.ports):
            if self.resolver.port_matches(
                matcher, destination=c.destination, port=c.port, protocol=c.protocol
            ):
                return i
        return None

    def _rule(
        self, rule: CompiledRule, *, peer: Party, c: Connection, family: int | None
    ) -> tuple[RuleRef | None, NearMiss | None]:
        peer_i = self._first_peer(rule, peer, family)
        port_i = self._first_port(rule, c)
        base = RuleRef(rule.policy, rule.direction, rule.index)
        if peer_i is not None and port_i is not None:
            return (
                RuleRef(
                    rule.policy,
                    rule.direction,
                    rule.index,
                    peer=peer_i if rule.peers_listed else None,
                    port=port_i if rule.ports_listed else None,
                ),
                None,
            )
        if peer_i is not None:
            unresolved = any(
                isinstance(m, NamedPortMatcher)
                and m.protocol is c.protocol
                and not named_numbers(c.destination, m.name, m.protocol)
                for m in rule.ports
            )
            return None, NearMiss(base, Miss.NAMED_PORT if unresolved else Miss.PORT)
        if port_i is not None:
            misses = tuple(self.resolver.peer_miss(m, peer, family) for m in rule.peers)
            return None, NearMiss(base, Miss.PEER, tuple(m for m in misses if m is not None))
        return None, None


def _with_family(connection: Connection, family: int | None) -> Connection:
    return Connection(
        connection.source, connection.destination, connection.port, connection.protocol, family
    )

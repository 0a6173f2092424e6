"""The rule sets of PF011 at cluster scale: side by side, subject by subject kind, class by
class of peers, instead of every pair of parties.

A side of a connection (the egress of the source, the ingress of the destination) is allowed
only by rules of the policies isolating its subject for that direction, and only when one of
their peers matches the other party. So, per direction:

- subjects are grouped by what decides that side's answer on their end: the policies that
  isolate them, their addresses' families, and (for ingress, where named ports resolve on the
  subject) the ports they declare;
- the peers worth asking are the endpoint classes (and the outside samples) that some peer of
  those rules matches, found in bulk by the resolver; within a class, every endpoint is
  answered alike (`engine.classes`);
- for one representative pair per (subject group, peer class), the rules that allow that
  side are those with a peer that matches the peer party (the resolver's answer, above) and
  a `ports` item that matches the port (`resolver.port_matches`, named ports resolved on
  the destination), on one port per span those items cut: the sets of `allowed_by` that the
  per-pair engine gives that side.

With ClusterNetworkPolicies, a NetworkPolicy rule allows a side only where the Admin tier
passes the connection on to the NetworkPolicy tier (no Admin Accept or Deny decides it: a
Pass, or no Admin rule matches); the Baseline tier is consulted only for a side no
NetworkPolicy isolates, so it never changes which rules allow. So subjects are grouped by
the Admin ClusterNetworkPolicies that apply to them too (all of a group then meet the same
Admin tier; the class engine's classes already tell apart every peer any
ClusterNetworkPolicy does, named ports on the destination included), and for a group with
Admin ClusterNetworkPolicies the sets are read from the per-pair engine's verdict for the
representative pair (the side's `allowed_by`), on one port per span that the candidate
rules, the Admin `protocols` entries and the destination's declared ports cut.

The sets are the ones the pair-by-pair collection finds, asking the per-pair engine about
every pair (a property test compares them).
"""

from __future__ import annotations

from collections.abc import Sequence

from podfence.analysis.lint.context import LintContext
from podfence.analysis.samples import (
    cluster_rule_port_sets,
    outside_samples,
    port_samples,
    rule_port_sets,
)
from podfence.analysis.scale import class_engine_of
from podfence.engine.compiled import CompiledRule
from podfence.engine.match import AnyPeer, IPPeer, PodPeer
from podfence.engine.resolve import Resolver, declared_ports
from podfence.model import (
    Connection,
    Direction,
    Endpoint,
    External,
    Party,
    Protocol,
    ProtocolPort,
    Tier,
)

__all__ = ["collect_by_class"]

_Key = tuple[str, Direction, int]
_Sets = set[frozenset[_Key]]
_Side = tuple[Direction, Party, Party, tuple[CompiledRule, ...], tuple[str, ...]]
"""(direction, source, destination, the candidate rules, the Admin ClusterNetworkPolicies
of the subject for that direction)."""


class _Peers:
    """Which endpoint classes and outside samples each peer of a rule matches (memoised)."""

    def __init__(self, ctx: LintContext, classes: dict[str, int], outside: Sequence[External]):
        self.ctx = ctx
        self.endpoints = ctx.cluster.endpoints
        self.classes = classes
        self.outside = outside
        resolver = ctx.engine.resolver
        self.resolver = resolver
        self.peer_ids = {peer: i for i, peer in enumerate(resolver.universe.pod_peers)}
        self._found: dict[object, tuple[frozenset[int], frozenset[int]]] = {}
        self._rules: dict[int, tuple[frozenset[int], frozenset[int]]] = {}
        """By the rule's identity (the compiled policies live as long as the engine)."""
        self.every = (frozenset(classes.values()), frozenset(range(len(outside))))

    def of(self, rule: CompiledRule) -> tuple[frozenset[int], frozenset[int]]:
        """(classes, outside sample indexes) some peer of `rule` matches."""
        found = self._rules.get(id(rule))
        if found is None:
            found = self._rules[id(rule)] = self._of(rule)
        return found

    def _of(self, rule: CompiledRule) -> tuple[frozenset[int], frozenset[int]]:
        groups: set[int] = set()
        outside: set[int] = set()
        for matcher in rule.peers:
            found = self._found.get(matcher)
            if found is None:
                found = self._found[matcher] = self._matching(matcher)
            groups |= found[0]
            outside |= found[1]
        return frozenset(groups), frozenset(outside)

    def _matching(self, matcher: object) -> tuple[frozenset[int], frozenset[int]]:
        if isinstance(matcher, AnyPeer):
            return self.every
        if isinstance(matcher, PodPeer):
            pid = self.peer_ids[matcher]
            members = self.resolver.members(self.endpoints, pid)
            return frozenset(self.classes[self.endpoints[i].id] for i in members), frozenset()
        assert isinstance(matcher, IPPeer)
        groups = frozenset(
            self.classes[ep.id]
            for ep in self.endpoints
            if self.resolver.peer_matches(matcher, ep, None)
        )
        outside = frozenset(
            i for i, x in enumerate(self.outside) if self.resolver.peer_matches(matcher, x, None)
        )
        return groups, outside


def _families(party: Party) -> frozenset[int]:
    if isinstance(party, External):
        return frozenset((party.ip.version,))
    return frozenset(ip.version for ip in party.ips)


def collect_by_class(ctx: LintContext, limit: int) -> _Sets | int:
    """The distinct sets of rules that allow some side; the work count when over `limit`."""
    engine = ctx.engine
    endpoints = ctx.cluster.endpoints
    outside = outside_samples(engine)
    classes = {m: g.id for g in class_engine_of(ctx.cluster).classes for m in g.members}
    members: dict[int, list[Endpoint]] = {}
    for ep in endpoints:
        members.setdefault(classes[ep.id], []).append(ep)
    peers = _Peers(ctx, classes, outside)
    plan: list[_Side] = []
    for direction in (Direction.EGRESS, Direction.INGRESS):
        subjects: dict[tuple[object, ...], list[Endpoint]] = {}
        rules_of: dict[tuple[object, ...], tuple[CompiledRule, ...]] = {}
        admin_of: dict[tuple[object, ...], tuple[str, ...]] = {}
        for ep in endpoints:
            policies = engine.selecting(ep, direction)
            if not policies:
                continue
            named = ep.ports if direction is Direction.INGRESS else ()
            admin = engine.cluster_selecting(ep, direction, Tier.ADMIN) if engine.tiered else ()
            kind = (tuple(p.key for p in policies), _families(ep), named, admin)
            admin_of[kind] = admin
            found = subjects.setdefault(kind, [])
            if len(found) < 2:
                found.append(ep)
            if kind not in rules_of:
                rules_of[kind] = tuple(r for p in policies for r in p.rules(direction))
        for each, chosen in subjects.items():
            rules = rules_of[each]
            admin = admin_of[each]
            groups: set[int] = set()
            samples: set[int] = set()
            for rule in rules:
                found_groups, found_outside = peers.of(rule)
                groups |= found_groups
                samples |= found_outside
            for group in sorted(groups):
                pick = _pair(chosen, members[group])
                if pick is not None:
                    allowing = tuple(r for r in rules if group in peers.of(r)[0])
                    plan.append(_oriented(direction, pick[0], pick[1], allowing, admin))
            for i in sorted(samples):
                allowing = tuple(r for r in rules if i in peers.of(r)[1])
                plan.append(_oriented(direction, chosen[0], outside[i], allowing, admin))
    return _sets(ctx, plan, limit)


def _pair(
    subjects: Sequence[Endpoint], peers: Sequence[Endpoint]
) -> tuple[Endpoint, Endpoint] | None:
    """A subject and a peer that are two different endpoints, if there are."""
    for s in subjects:
        for p in peers[:2]:
            if s.id != p.id:
                return s, p
    return None


def _oriented(
    direction: Direction,
    subject: Party,
    peer: Party,
    rules: tuple[CompiledRule, ...],
    admin: tuple[str, ...],
) -> _Side:
    if direction is Direction.EGRESS:
        return direction, subject, peer, rules, admin
    return direction, peer, subject, rules, admin


def _sets(ctx: LintContext, plan: list[_Side], limit: int) -> _Sets | int:
    """Per planned side, over each IP family the pair can use: the rules with a peer that
    matches the peer party over that family, and of those, the distinct sets that allow one
    port, over the spans their `ports` items cut (for a subject under Admin
    ClusterNetworkPolicies, the side's `allowed_by` in the per-pair verdict, over the spans
    `_admin_sets` samples). The work is one per side, family and sampled port (there, one
    per-pair evaluation each); above `limit`, that count instead."""
    engine = ctx.engine
    resolver = engine.resolver
    cache: dict[tuple[object, ...], tuple[int, frozenset[frozenset[_Key]]]] = {}
    by_address = {
        id(r)
        for _, _, _, rules, _ in plan
        for r in rules
        if any(isinstance(m, IPPeer | AnyPeer) for m in r.peers)
    }
    sets: _Sets = set()
    work = 0
    # Sides under Admin CNPs are asked of the per-pair engine, after the whole plan is
    # counted: past `limit` the check is skipped, and nothing is evaluated for nothing.
    asks: list[tuple[Direction, Party, Party, tuple[ProtocolPort, ...], tuple[int | None, ...]]]
    asks = []
    for direction, src, dst, candidates, admin in plan:
        peer = dst if direction is Direction.EGRESS else src
        # named ports resolve on the destination, by the ports it declares
        declared = dst.ports if isinstance(dst, Endpoint) else ()
        if admin:
            samples, families = _admin_samples(ctx, direction, src, dst, candidates, admin)
            work += len(samples) * len(families)
            asks.append((direction, src, dst, samples, families))
            continue
        for family in engine.families(Connection(src, dst, 0, Protocol.TCP)):
            # a pod peer matches whatever the family (the candidates' classes say it does);
            # an ipBlock matches an address of the family
            rules = tuple(
                r
                for r in candidates
                if id(r) not in by_address
                or any(resolver.peer_matches(m, peer, family) for m in r.peers)
            )
            if not rules:
                continue
            key = (tuple(id(r) for r in rules), declared)
            found = cache.get(key)
            if found is None:
                found = cache[key] = _port_sets(resolver, rules, dst)
            work += found[0]
            sets.update(s for s in found[1] if s)
    if work > limit:
        return work
    for direction, src, dst, samples, families in asks:
        sets.update(_admin_sets(ctx, direction, src, dst, samples, families))
    return sets


def _admin_samples(
    ctx: LintContext,
    direction: Direction,
    src: Party,
    dst: Party,
    candidates: tuple[CompiledRule, ...],
    admin: tuple[str, ...],
) -> tuple[tuple[ProtocolPort, ...], tuple[int | None, ...]]:
    """The ports to ask about `direction`'s side of `src` -> `dst`: one per span that the
    candidates' `ports`, the Admin CNPs' `protocols` (both resolved on `dst`) and `dst`'s
    declared ports cut; and the IP families the pair can use. Within a span the Admin tier
    and every candidate answer alike, and no other rule has a peer that matches."""
    engine = ctx.engine
    allowing = rule_port_sets(engine, candidates, dst) | {declared_ports(dst)}
    allowing |= cluster_rule_port_sets(engine, admin, direction, dst)
    families = engine.families(Connection(src, dst, 0, Protocol.TCP))
    return tuple(port_samples(allowing)), tuple(families)


def _admin_sets(
    ctx: LintContext,
    direction: Direction,
    src: Party,
    dst: Party,
    samples: Sequence[ProtocolPort],
    families: Sequence[int | None],
) -> _Sets:
    """The distinct non-empty sets of rules that allow `direction`'s side of `src` -> `dst`
    (its `allowed_by` in the per-pair verdict), on `samples` over `families`."""
    engine = ctx.engine
    found: _Sets = set()
    for port in samples:
        for family in families:
            verdict = engine.evaluate(Connection(src, dst, port.port, port.protocol, family))
            side = verdict.egress if direction is Direction.EGRESS else verdict.ingress
            keys = frozenset(
                (r.policy, r.direction, r.rule) for r in side.allowed_by if r.rule is not None
            )
            if keys:
                found.add(keys)
    return found


def _port_sets(
    resolver: Resolver, rules: tuple[CompiledRule, ...], dst: Party
) -> tuple[int, frozenset[frozenset[_Key]]]:
    """(how many sampled ports, the distinct sets of `rules` that allow one of them)."""
    samples = port_samples(resolver.ports(m, dst) for r in rules for m in r.ports)
    return len(samples), frozenset(
        frozenset(
            (r.policy, r.direction, r.index)
            for r in rules
            if any(
                resolver.port_matches(m, destination=dst, port=port.port, protocol=port.protocol)
                for m in r.ports
            )
        )
        for port in samples
    )

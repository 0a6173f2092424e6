"""One tier of ClusterNetworkPolicies, for one side of a connection: what it decides.

Upstream (kubernetes-sigs/network-policy-api, apis/v1alpha2, ClusterNetworkPolicySpec and
ClusterNetworkPolicyRuleAction; site-src/api-overview.md):

- the CNPs of the tier whose subject selects the pod and that have rules for the direction
  are checked lower `priority` first; within one, rules "in the order in which the rule is
  written"; the first rule whose peers (any of them) and protocols (any of them; absent:
  every port) match decides;
- Accept and Deny are final; Pass "skips all further ClusterNetworkPolicy rules in the
  current tier ... and passes evaluation to the next tier" (in Baseline the next is the
  default, allow: NPEP-285 allows Pass there "to make the API more uniform");
- "If two (or more) policies in the same tier with the same priority could match a
  connection, then the implementation can apply any of the matching policies": when the
  CNPs of one priority that match disagree, every outcome is returned (`Step`s), each with
  the rule that gives it (the first matching CNP by name when several agree).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from podfence.engine.resolve import Resolver
from podfence.engine.tiers import CompiledClusterPolicy, CompiledClusterRule, DomainsMatcher
from podfence.engine.verdict import DnsDependence, DnsNote, TierRule
from podfence.model import Action, Connection, Direction, Endpoint, Party, Tier

__all__ = ["Step", "TierWalk"]


@dataclass(frozen=True, slots=True)
class Step:
    """What a tier did for a connection: `rule` decided (Accept, Deny) or passed (Pass);
    None: no rule of the tier matched."""

    rule: TierRule | None = None

    @property
    def effect(self) -> Action | None:
        return None if self.rule is None else self.rule.effect


_NOTHING = (Step(),)
_NONE: frozenset[Action | None] = frozenset({None})


class _Candidate:
    """A rule whose peers match the other party (`peer` the first that does), or whose
    match depends on DNS (`peer` None); the `TierRule` it gives per protocol entry, made
    once."""

    __slots__ = ("rule", "peer", "note", "_hits")

    def __init__(self, rule: CompiledClusterRule, peer: int | None, dns: DnsDependence | None):
        self.rule = rule
        self.peer = peer
        self.note = DnsNote(rule.ref, dns) if dns is not None else None
        self._hits: dict[int, TierRule] = {}

    def hit(self, port: int) -> TierRule:
        found = self._hits.get(port)
        if found is None:
            rule = self.rule
            ref = replace(
                rule.ref,
                peer=self.peer if not rule.unknown else None,
                protocol=port if rule.ports_listed else None,
            )
            found = TierRule(ref, rule.tier, rule.priority, rule.action, rule.unknown)
            self._hits[port] = found
        return found


_Policies = tuple[tuple[int, tuple[_Candidate, ...]], ...]
"""(priority, candidates) of the CNPs of a tier that apply and have a candidate, in order."""
_Key = tuple[bool, str, str, int | None]
"""(ingress?, subject, peer, family)."""


class TierWalk:
    """The Admin and Baseline tiers over one resolver (peer matches cached per pair, so a
    pair asked about on many ports matches its peers once)."""

    def __init__(self, resolver: Resolver) -> None:
        self.resolver = resolver
        self._candidates: dict[Tier, dict[_Key, _Policies]] = {t: {} for t in Tier}

    def selecting(self, endpoint: Endpoint, direction: Direction, tier: Tier) -> tuple[str, ...]:
        """Keys of the CNPs of `tier` that apply to `endpoint` for `direction`, in order."""
        r = self.resolver
        return tuple(
            r.cluster_policy(i).key for i in r.cluster_selecting(endpoint, direction, tier)
        )

    def steps(
        self,
        tier: Tier,
        direction: Direction,
        *,
        subject: Endpoint,
        peer: Party,
        c: Connection,
        family: int | None,
    ) -> tuple[tuple[Step, ...], tuple[DnsNote, ...]]:
        """What `tier` does to the connection on `subject`'s side (`peer` the other party):
        one step, or several when equal priorities disagree; and the DNS notes of the
        rules it looked at."""
        policies = self._of(tier, direction, subject, peer, family)
        if not policies:
            return _NOTHING, ()
        notes: list[DnsNote] = []
        hits: list[TierRule] = []
        for priority, candidates in policies:
            if hits and priority != hits[0].priority:
                break
            hit = self._first(candidates, c, notes)
            if hit is not None:
                hits.append(hit)
        if not hits:
            return _NOTHING, tuple(notes)
        if len(hits) == 1:
            return (Step(hits[0]),), tuple(notes)
        distinct: dict[Action, TierRule] = {}
        for hit in hits:
            distinct.setdefault(hit.effect, hit)
        return tuple(Step(r) for r in distinct.values()), tuple(notes)

    def effects(
        self,
        tier: Tier,
        direction: Direction,
        *,
        subject: Endpoint,
        peer: Party,
        c: Connection,
        family: int | None,
    ) -> frozenset[Action | None]:
        """What `steps` decides, without the reasons: the effects it may have (None: no rule
        of the tier matched). For `Engine.allowed`, asked on every port."""
        effects: set[Action | None] = set()
        decided: int | None = None
        for priority, candidates in self._of(tier, direction, subject, peer, family):
            if decided is not None and priority != decided:
                break
            for cand in candidates:
                if cand.peer is not None and self._first_port(cand.rule, c) is not None:
                    effects.add(cand.rule.effect)
                    decided = priority
                    break
        return frozenset(effects) if effects else _NONE

    def _first(
        self, candidates: tuple[_Candidate, ...], c: Connection, notes: list[DnsNote]
    ) -> TierRule | None:
        """The first rule of one CNP that matches the connection's port too."""
        for cand in candidates:
            port = self._first_port(cand.rule, c)
            if port is None:
                continue
            if cand.note is not None:
                notes.append(cand.note)
            if cand.peer is None:
                continue
            return cand.hit(port)
        return None

    def _first_port(self, rule: CompiledClusterRule, c: Connection) -> int | None:
        for i, matcher in enumerate(rule.ports):
            if self.resolver.cluster_port_matches(
                matcher, destination=c.destination, port=c.port, protocol=c.protocol
            ):
                return i
        return None

    def _of(
        self, tier: Tier, direction: Direction, subject: Endpoint, peer: Party, family: int | None
    ) -> _Policies:
        cache = self._candidates[tier]
        ingress = direction is Direction.INGRESS
        key = (ingress, subject.id, peer.id if not _named(peer) else str(peer), family)
        found = cache.get(key)
        if found is None:
            r = self.resolver
            every = (
                (p.priority, self._candidates_of(p, direction, peer, family))
                for p in map(r.cluster_policy, r.cluster_selecting(subject, direction, tier))
            )
            found = cache[key] = tuple((prio, cands) for prio, cands in every if cands)
        return found

    def _candidates_of(
        self, policy: CompiledClusterPolicy, direction: Direction, peer: Party, family: int | None
    ) -> tuple[_Candidate, ...]:
        out: list[_Candidate] = []
        for rule in policy.rules(direction):
            unknown = False
            for i, matcher in enumerate(rule.peers):
                found = self.resolver.cluster_peer_matches(matcher, peer, family)
                if found:
                    by_name = isinstance(matcher, DomainsMatcher)
                    out.append(_Candidate(rule, i, DnsDependence.MATCHED if by_name else None))
                    break
                unknown = unknown or found is None
            else:
                if unknown:
                    out.append(_Candidate(rule, None, DnsDependence.UNKNOWN))
        return tuple(out)


def _named(party: Party) -> bool:
    """An outside address known by names (its verdict may differ from the bare address)."""
    return not isinstance(party, Endpoint) and bool(party.names)

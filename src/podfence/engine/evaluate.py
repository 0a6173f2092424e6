"""Evaluate a connection into a verdict with its reasons. Pure, given a compiled cluster."""

from __future__ import annotations

from podfence.engine.compiled import (
    CompiledPolicy,
    CompiledRule,
    compile_policy,
    namespace_label_map,
    selects,
)
from podfence.engine.match import NamedPortMatcher, peer_matches, port_matches, resolve_named_port
from podfence.engine.verdict import DirectionVerdict, Miss, NearMiss, Reason, Verdict
from podfence.model import (
    Cluster,
    Connection,
    Direction,
    Endpoint,
    External,
    Party,
    RuleRef,
)

__all__ = ["Engine"]


class Engine:
    """The exact NetworkPolicy semantics over one cluster snapshot.

    The policies are compiled once; which policies select which endpoint is cached.
    """

    def __init__(self, cluster: Cluster) -> None:
        self.cluster = cluster
        self.policies: tuple[CompiledPolicy, ...] = tuple(
            compile_policy(p) for p in cluster.policies
        )
        self.namespace_labels = namespace_label_map(cluster)
        self._selecting: dict[tuple[str, Direction], tuple[CompiledPolicy, ...]] = {}
        self._admitting: dict[tuple[Direction, str, str], tuple[CompiledRule, ...]] = {}

    def selecting(self, endpoint: Endpoint, direction: Direction) -> tuple[CompiledPolicy, ...]:
        """The policies that select `endpoint` for `direction` (empty: not isolated)."""
        key = (endpoint.id, direction)
        found = self._selecting.get(key)
        if found is None:
            found = tuple(p for p in self.policies if selects(p, endpoint, direction))
            self._selecting[key] = found
        return found

    def is_isolated(self, endpoint: Endpoint, direction: Direction) -> bool:
        return bool(self.selecting(endpoint, direction))

    def evaluate(self, connection: Connection) -> Verdict:
        src, dst = connection.source, connection.destination
        if isinstance(src, Endpoint) and src == dst:
            return Verdict(
                connection,
                egress=DirectionVerdict(Direction.EGRESS, src.id, True, Reason.SELF),
                ingress=DirectionVerdict(Direction.INGRESS, src.id, True, Reason.SELF),
            )
        return Verdict(
            connection,
            egress=self._side(Direction.EGRESS, subject=src, peer=dst, connection=connection),
            ingress=self._side(Direction.INGRESS, subject=dst, peer=src, connection=connection),
        )

    def allowed(self, connection: Connection) -> bool:
        """The verdict's answer alone (same semantics, no reasons collected)."""
        src, dst = connection.source, connection.destination
        if isinstance(src, Endpoint) and src == dst:
            return True
        return self._side_allows(
            Direction.EGRESS, subject=src, peer=dst, connection=connection
        ) and self._side_allows(Direction.INGRESS, subject=dst, peer=src, connection=connection)

    # -- one side -------------------------------------------------------------------------

    def _side(
        self, direction: Direction, *, subject: Party, peer: Party, connection: Connection
    ) -> DirectionVerdict:
        if isinstance(subject, External):
            return DirectionVerdict(direction, subject.id, True, Reason.OUTSIDE)
        if subject.host_network:
            return DirectionVerdict(direction, subject.id, True, Reason.HOST_NETWORK)
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
                ref, miss = self._rule(rule, peer=peer, connection=connection)
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
        self, direction: Direction, *, subject: Party, peer: Party, connection: Connection
    ) -> bool:
        if isinstance(subject, External) or subject.host_network:
            return True
        policies = self.selecting(subject, direction)
        if not policies:
            return True
        return any(
            self._first_port(rule, connection) is not None
            for rule in self._rules_admitting(direction, subject, peer, policies)
        )

    def _rules_admitting(
        self,
        direction: Direction,
        subject: Endpoint,
        peer: Party,
        policies: tuple[CompiledPolicy, ...],
    ) -> tuple[CompiledRule, ...]:
        """The rules of `subject`'s policies whose peers match `peer` (cached per pair, so a
        pair asked about on many ports matches its selectors once)."""
        key = (direction, subject.id, peer.id)
        found = self._admitting.get(key)
        if found is None:
            found = tuple(
                rule
                for policy in policies
                for rule in policy.rules(direction)
                if self._first_peer(rule, peer) is not None
            )
            self._admitting[key] = found
        return found

    def _first_peer(self, rule: CompiledRule, peer: Party) -> int | None:
        for i, matcher in enumerate(rule.peers):
            if peer_matches(matcher, peer, self.namespace_labels):
                return i
        return None

    @staticmethod
    def _first_port(rule: CompiledRule, connection: Connection) -> int | None:
        for i, matcher in enumerate(rule.ports):
            if port_matches(
                matcher,
                destination=connection.destination,
                port=connection.port,
                protocol=connection.protocol,
            ):
                return i
        return None

    def _rule(
        self, rule: CompiledRule, *, peer: Party, connection: Connection
    ) -> tuple[RuleRef | None, NearMiss | None]:
        peer_i = self._first_peer(rule, peer)
        port_i = self._first_port(rule, connection)
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
                and m.protocol is connection.protocol
                and resolve_named_port(connection.destination, m.name, m.protocol) is None
                for m in rule.ports
            )
            return None, NearMiss(base, Miss.NAMED_PORT if unresolved else Miss.PORT)
        if port_i is not None:
            return None, NearMiss(base, Miss.PEER)
        return None, None

"""The connections the ClusterNetworkPolicy checks ask the engine about, and how to read a
side's outcomes tier by tier.

Every pod and sampled outside address to every other (a pair only when a CNP applies to the
source's egress or the destination's ingress), on one port per span the rules cut
(`analysis.samples`), over each IP family the pair can use; outside addresses are also asked
by a name each `domainNames` entry matches. Each side's outcomes are the verdict's side and
its `alternatives` (when equal priorities disagree).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace

from podfence.analysis.lint.context import LintContext
from podfence.analysis.samples import outside_samples, policy_port_sets, port_samples
from podfence.engine import DirectionVerdict, Reason, TierRule
from podfence.model import (
    Connection,
    Direction,
    DomainNamesPeer,
    Endpoint,
    External,
    Party,
    Protocol,
    Tier,
)

__all__ = ["Sample", "decider", "outcomes", "reached", "tier_samples"]


@dataclass(frozen=True, slots=True)
class Sample:
    """One side of one asked connection: `subject` is the pod whose side it is."""

    direction: Direction
    subject: Endpoint
    peer: Party
    connection: Connection
    side: DirectionVerdict

    @property
    def family(self) -> int | None:
        return self.connection.family


def _names(ctx: LintContext) -> tuple[str, ...]:
    """One name each `domainNames` entry matches (`*.x.io` -> `sample.x.io`)."""
    found: dict[str, None] = {}
    for cnp in ctx.cluster.cluster_policies:
        for rule in cnp.egress:
            for peer in rule.peers:
                if isinstance(peer, DomainNamesPeer):
                    for name in peer.names:
                        found.setdefault("sample." + name[2:] if name.startswith("*.") else name)
    return tuple(found)


def _parties(ctx: LintContext) -> list[Party]:
    outside = outside_samples(ctx.engine)
    named = [External(x.ip, (name,)) for name in _names(ctx) for x in outside]
    return [*ctx.cluster.endpoints, *outside, *named]


def _applies(ctx: LintContext, party: Party, direction: Direction) -> bool:
    if not isinstance(party, Endpoint):
        return False
    engine = ctx.engine
    return any(engine.cluster_selecting(party, direction, tier) for tier in Tier)


def _least_work(out: list[bool], into: list[bool], ports: int) -> int:
    """The connections to ask counting one IP family per pair (a lower bound, in O(n)): a
    pair is asked when a CNP applies to the source's egress or the destination's ingress."""
    n, targets = len(out), sum(into)
    pairs = sum(n - 1 if o else targets - (1 if i else 0) for o, i in zip(out, into, strict=True))
    return pairs * ports


def tier_samples(ctx: LintContext, limit: int) -> list[Sample] | int:
    """Every side a CNP applies to, asked; the work count instead when over `limit` (at
    least that many: with one IP family per pair when even that is over the limit)."""
    engine = ctx.engine
    parties = _parties(ctx)
    ports = port_samples(policy_port_sets(engine))
    plan: list[tuple[Party, Party, tuple[int | None, ...]]] = []
    work = 0
    out = [_applies(ctx, p, Direction.EGRESS) for p in parties]
    into = [_applies(ctx, p, Direction.INGRESS) for p in parties]
    least = _least_work(out, into, len(ports))
    if least > limit:  # counted without asking each pair its families: at least one each
        return least
    for i, src in enumerate(parties):
        for j, dst in enumerate(parties):
            if i == j or not (out[i] or into[j]):
                continue
            families = engine.families(Connection(src, dst, 0, Protocol.TCP))
            plan.append((src, dst, families))
            work += len(ports) * len(families)
    if work > limit:
        return work
    found: list[Sample] = []
    for (src, dst, families), port in ((p, q) for p in plan for q in ports):
        for family in families:
            conn = Connection(src, dst, port.port, port.protocol, family)
            verdict = engine.evaluate(conn)
            if isinstance(src, Endpoint) and verdict.egress.cluster_selected_by:
                found.append(Sample(Direction.EGRESS, src, dst, conn, verdict.egress))
            if isinstance(dst, Endpoint) and verdict.ingress.cluster_selected_by:
                found.append(Sample(Direction.INGRESS, dst, src, conn, verdict.ingress))
    return found


def outcomes(side: DirectionVerdict) -> Iterator[DirectionVerdict]:
    """The side and every other outcome equal priorities allow."""
    yield replace(side, alternatives=())
    yield from side.alternatives


def reached(outcome: DirectionVerdict, tier: Tier) -> bool:
    """Was `tier` consulted for this outcome? Admin always; Baseline when neither the Admin
    tier nor a NetworkPolicy decided."""
    if tier is Tier.ADMIN:
        return True
    if outcome.reason in (Reason.ALLOWED_BY_RULE, Reason.DENIED):
        return False
    return outcome.decided_by is None or outcome.decided_by.tier is Tier.BASELINE


def decider(outcome: DirectionVerdict, tier: Tier) -> TierRule | None:
    """The rule of `tier` that decided or passed in this outcome (None: none matched)."""
    if outcome.decided_by is not None and outcome.decided_by.tier is tier:
        return outcome.decided_by
    return next((p for p in outcome.passed if p.tier is tier), None)

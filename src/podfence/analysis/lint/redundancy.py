"""PF011 redundant: rules (or whole policies) whose removal changes no verdict; PF015 when the
check is skipped for size.

Removing a rule only changes its own side (the egress of the pods its policy selects, or their
ingress); isolation stays. Each allowed side of a connection yields the set of rules that
allow it (`allowed_by` lists them all; with ClusterNetworkPolicies, only where the Admin
tier passes the connection on); only the distinct sets are kept. They are collected class
by class (`redundancy_classes.collect_by_class`), with or without ClusterNetworkPolicies.
`_collect` is the pair-by-pair definition they are tested against: the engine asked about
every pod and sampled outside address to every other (skipping pairs where neither side is
isolated), on every sampled port and protocol (see `analysis.samples`), over each IP family
the pair can use: O(pairs x ports x families x rules).

Then, from the last rule back to the first, a rule is removed when every set it belongs to
still holds another rule that has not been removed. Everything reported can therefore be
removed together without changing any verdict, the first of identical rules is kept, and a
narrow rule goes before the broad one that covers it. A policy whose rules all go, and whose
pods are all isolated by another policy too, is reported once as a whole. A policy with no
rules (a default deny) is never reported.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from podfence.analysis.lint.catalogue import rule_info
from podfence.analysis.lint.context import LintContext
from podfence.analysis.lint.finding import Finding
from podfence.analysis.lint.redundancy_classes import collect_by_class
from podfence.analysis.lint.words import and_join, who
from podfence.analysis.samples import (
    cluster_rule_port_sets,
    outside_samples,
    port_samples,
    rule_port_sets,
)
from podfence.engine.resolve import declared_ports
from podfence.model import (
    Connection,
    Direction,
    Endpoint,
    External,
    NetworkPolicy,
    Protocol,
    ProtocolPort,
    RuleRef,
    Tier,
)

__all__ = ["DEFAULT_WORK_LIMIT", "check_redundancy", "prune"]

DEFAULT_WORK_LIMIT = 200_000
"""Most work the redundancy check does: sides of connections x IP families x sampled ports,
class by class (for subjects under Admin ClusterNetworkPolicies, each of those a per-pair
evaluation of the representative pair)."""

_Key = tuple[str, Direction, int]
_Sets = set[frozenset[_Key]]
_Pair = tuple[
    Endpoint | External, Endpoint | External, tuple[ProtocolPort, ...], tuple[int | None, ...]
]
"""(source, destination, the ports to ask, the IP families to ask them over)."""


def _collect(ctx: LintContext, limit: int) -> _Sets | int:
    """The distinct sets of rules that allow some side; the work count when over `limit`.

    For a pair, only the rules of the policies isolating the source (egress) and the
    destination (ingress) can allow, and only on the ports the Admin tier passes on for
    that side; named ports resolve on the destination only: the ports sampled for the pair
    come from those rules, the `protocols` of the Admin ClusterNetworkPolicies of either
    side and the destination's declared ports.
    A pair that can connect over IPv4 and IPv6 is asked once per family (an ipBlock may
    allow one family and not the other), so a rule is redundant only if it is for both.
    """
    engine = ctx.engine
    outside = outside_samples(engine)
    parties: list[Endpoint | External] = [*ctx.cluster.endpoints, *outside]
    cache: dict[tuple[object, ...], tuple[ProtocolPort, ...]] = {}
    plan: list[_Pair] = []
    work = 0
    selecting = {
        d: [_selecting(ctx, party, d) for party in parties]
        for d in (Direction.EGRESS, Direction.INGRESS)
    }
    admin = {
        d: [_admin(ctx, party, d) for party in parties]
        for d in (Direction.EGRESS, Direction.INGRESS)
    }
    for i, src in enumerate(parties):
        out = selecting[Direction.EGRESS][i]
        out_admin = admin[Direction.EGRESS][i]
        for j, dst in enumerate(parties):
            if i == j or (isinstance(src, External) and isinstance(dst, External)):
                continue
            into = selecting[Direction.INGRESS][j]
            if not out and not into:
                continue
            into_admin = admin[Direction.INGRESS][j]
            declared = dst.ports if isinstance(dst, Endpoint) else ()
            key = (out, into, out_admin, into_admin, declared)
            ports = cache.get(key)
            if ports is None:
                rules = [r for k in out for r in engine.compiled(k).egress]
                rules += [r for k in into for r in engine.compiled(k).ingress]
                allowing = rule_port_sets(engine, rules, dst) | {declared_ports(dst)}
                allowing |= cluster_rule_port_sets(engine, out_admin, Direction.EGRESS, dst)
                allowing |= cluster_rule_port_sets(engine, into_admin, Direction.INGRESS, dst)
                ports = cache[key] = port_samples(allowing)
            families = engine.families(Connection(src, dst, 0, Protocol.TCP))
            plan.append((src, dst, ports, families))
            work += len(ports) * len(families)
    if work > limit:
        return work
    sets: _Sets = set()
    for src, dst, ports, families in plan:
        for port in ports:
            for family in families:
                verdict = engine.evaluate(Connection(src, dst, port.port, port.protocol, family))
                for side in (verdict.egress, verdict.ingress):
                    keys = frozenset(
                        (r.policy, r.direction, r.rule)
                        for r in side.allowed_by
                        if r.rule is not None
                    )
                    if keys:
                        sets.add(keys)
    return sets


def _selecting(
    ctx: LintContext, party: Endpoint | External, direction: Direction
) -> tuple[str, ...]:
    if isinstance(party, External):
        return ()
    return tuple(p.key for p in ctx.engine.selecting(party, direction))


def _admin(ctx: LintContext, party: Endpoint | External, direction: Direction) -> tuple[str, ...]:
    """The Admin ClusterNetworkPolicies that apply to `party` for `direction`."""
    if isinstance(party, External) or not ctx.engine.tiered:
        return ()
    return ctx.engine.cluster_selecting(party, direction, Tier.ADMIN)


def prune(sets: _Sets, order: Sequence[_Key]) -> tuple[list[_Key], set[_Key]]:
    """Remove rules from the last to the first while every set keeps a rule: (removed, kept)."""
    containing = _containing(sets)
    active = set(order) | set(containing)
    removed: list[_Key] = []
    for key in reversed(order):
        mine = containing.get(key)
        if not mine:
            continue  # allows nothing at all: the peer and port checks say why
        if all((s & active) - {key} for s in mine):
            active.discard(key)
            removed.append(key)
    return removed, active


def _containing(sets: _Sets) -> dict[_Key, list[frozenset[_Key]]]:
    """The sets each rule is in."""
    found: dict[_Key, list[frozenset[_Key]]] = {}
    for s in sets:
        for key in s:
            found.setdefault(key, []).append(s)
    return found


def _coverers(
    key: _Key, containing: dict[_Key, list[frozenset[_Key]]], active: set[_Key]
) -> tuple[list[_Key], bool]:
    """The kept rules that cover `key`: one or more that each cover it alone, else all that
    cover it together (second value True)."""
    mine = [s & active for s in containing.get(key, ())]
    each = set.intersection(*(set(s) for s in mine))
    if each:
        return sorted(each), False
    return sorted(set().union(*mine)), True


def _label(key: _Key) -> str:
    return str(RuleRef(key[0], key[1], key[2]))


def _skipped(ctx: LintContext, work: int, limit: int) -> Finding:
    info = rule_info("PF015")
    first = min(ctx.cluster.policies, key=lambda p: (p.location.file, p.location.line))
    return Finding(
        rule=info.id,
        slug=info.slug,
        level=info.level,
        file=first.location.file,
        line=first.location.line or 1,
        obj="Cluster",
        field=None,
        message=f"redundancy check (PF011) skipped: {work} evaluations exceed the limit {limit}",
        consequence="redundant rules and policies, if any, are not reported",
        fix="lint a smaller set of namespaces, or raise the limit with --max-work",
    )


def _isolation_duplicated(ctx: LintContext, policy: NetworkPolicy) -> bool:
    return all(
        any(p.key != policy.key for p in ctx.engine.selecting(ep, d))
        for d in Direction
        if policy.affects(d)
        for ep in ctx.selected(policy, d)
    )


def check_redundancy(ctx: LintContext, limit: int = DEFAULT_WORK_LIMIT) -> Iterator[Finding]:
    if not ctx.cluster.policies:
        return
    sets = collect_by_class(ctx, limit)
    if isinstance(sets, int):
        yield _skipped(ctx, sets, limit)
        return
    order = [(s.policy.key, s.direction, s.index) for s in ctx.rule_sites()]
    removed, active = prune(sets, order)
    containing = _containing(sets)
    by_policy: dict[str, list[_Key]] = {}
    for k in order:
        by_policy.setdefault(k[0], []).append(k)
    gone = set(removed)
    for policy in ctx.cluster.policies:
        mine = by_policy.get(policy.key, [])
        if not mine or not set(mine) <= gone:
            continue
        if _isolation_duplicated(ctx, policy):
            by: set[str] = set()
            for key in mine:
                by.update(k[0] for k in _coverers(key, containing, active)[0])
            yield ctx.policy_finding(
                "PF011",
                policy,
                None,
                message=f"policy {policy.key} is redundant: removing it changes no verdict",
                consequence=(
                    f"everything it allows is also allowed by {and_join(sorted(by))}, and every "
                    "pod it isolates is isolated by another policy too"
                ),
                fix="remove the policy (or keep it and remove what duplicates it)",
            )
            gone -= set(mine)  # reported as a whole
    for site in ctx.rule_sites():
        key = (site.policy.key, site.direction, site.index)
        if key not in gone:
            continue
        by_rules, together = _coverers(key, containing, active)
        suffix = " together" if together else ""
        subjects = ctx.selected(site.policy, site.direction)
        yield ctx.policy_finding(
            "PF011",
            site.policy,
            site.field,
            message=(
                f"{site.direction.rules_field}[{site.index}] is redundant: everything it "
                f"allows is also allowed by {and_join([_label(k) for k in by_rules])}{suffix}"
            ),
            consequence=f"removing it changes no verdict for {who(subjects)}",
            fix="remove the rule (or keep it and remove the rule that covers it)",
        )

"""Text for the tiers: one side of a verdict in a cluster with ClusterNetworkPolicies, and
the answer to a question about a destination given by DNS name."""

from __future__ import annotations

from collections.abc import Callable

from podfence.analysis.by_name import NameQuery
from podfence.analysis.named_ports import Query
from podfence.engine import DirectionVerdict, DnsDependence, Reason, TierRule
from podfence.model import Action, Direction, Tier

__all__ = ["rule_phrase", "tiered_side", "render_name_query"]

_NEXT = {Tier.ADMIN: "the NetworkPolicy tier", Tier.BASELINE: "the default (allow)"}


def rule_phrase(rule: TierRule) -> str:
    """`cnp/NAME ingress[0].from[1] "name" (Admin Deny, priority 10)`."""
    return str(rule)


def _verb(rule: TierRule) -> str:
    match rule.effect:
        case Action.ACCEPT:
            return "accepts it"
        case Action.DENY:
            return "denies it"
        case Action.PASS:
            return f"passes it to {_NEXT[rule.tier]}"


def _head(v: DirectionVerdict) -> str:
    match v.reason:
        case Reason.SELF:
            return "allowed: a pod may always reach itself (ClusterNetworkPolicies included)"
        case Reason.OUTSIDE:
            return "allowed: outside the cluster, no policy applies"
        case Reason.HOST_NETWORK:
            return (
                "allowed: hostNetwork pod, neither NetworkPolicies nor ClusterNetworkPolicies "
                "apply to it"
            )
        case Reason.CLUSTER_ACCEPT:
            return f"allowed by the {v.tier} tier"
        case Reason.CLUSTER_DENY:
            return f"DENIED by the {v.tier} tier"
        case Reason.ALLOWED_BY_RULE:
            return f"allowed by the NetworkPolicy tier (isolated by {', '.join(v.selected_by)})"
        case Reason.DENIED:
            return (
                f"DENIED by the NetworkPolicy tier: isolated by {', '.join(v.selected_by)}, "
                "no rule allows it"
            )
        case Reason.NOT_ISOLATED:
            return "allowed: no tier decides, so the default allows it"
    raise AssertionError(v.reason)  # pragma: no cover


def _body(
    v: DirectionVerdict, pad: str, misses: Callable[[DirectionVerdict], list[str]]
) -> list[str]:
    lines = [f"{pad}{p.tier}: {rule_phrase(p)} {_verb(p)}" for p in v.passed]
    if v.decided_by is not None:
        rule = v.decided_by
        lines.append(f"{pad}{rule.tier}: {rule_phrase(rule)} {_verb(rule)}")
        if rule.unknown:
            lines.append(
                f"{pad}  it fails closed: podfence does not know {'; '.join(rule.unknown)} "
                f"(a newer CRD?), and a {rule.action} rule with such a field denies "
                "everything (network-policy-api)"
            )
        if rule.tier is Tier.ADMIN and v.selected_by:
            lines.append(
                f"{pad}NetworkPolicy: not consulted ({', '.join(v.selected_by)} "
                f"{'selects' if len(v.selected_by) == 1 else 'select'} it): the Admin tier "
                "decides first"
            )
    elif v.reason is Reason.ALLOWED_BY_RULE:
        lines += [f"{pad}allowed by {ref}" for ref in v.allowed_by]
    elif v.reason is Reason.DENIED:
        lines += misses(v)
    elif v.reason is Reason.NOT_ISOLATED:
        lines.append(f"{pad}NetworkPolicy: none selects it for {v.direction}")
        if not v.cluster_selected_by:
            lines.append(f"{pad}no ClusterNetworkPolicy applies to it for {v.direction}")
        elif not v.passed:
            lines.append(f"{pad}Admin and Baseline: no rule matches")
        elif v.passed[-1].tier is Tier.ADMIN:
            lines.append(f"{pad}Baseline: no rule matches")
    for note in v.dns:
        lines.append(pad + _dns(note.ref, note.dependence))
    return lines


def _dns(ref: object, dependence: DnsDependence) -> str:
    if dependence is DnsDependence.MATCHED:
        return (
            f"DNS: {ref} matches the destination by name: at run time only if the pod looks "
            "the name up (through the cluster's DNS) and gets this address"
        )
    return (
        f"DNS: whether {ref} (domainNames) matches this address depends on DNS at run time; "
        "taken as not matching (ask by name, or give --dns NAME=IP)"
    )


def tiered_side(v: DirectionVerdict, misses: Callable[[DirectionVerdict], list[str]]) -> list[str]:
    """The lines of one side (`misses`: the near-miss lines of a NetworkPolicy denial)."""
    what = "egress of" if v.direction is Direction.EGRESS else "ingress of"
    lines = [f"  {what} {v.party}: {_head(v)}"]
    lines += _body(v, "    ", misses)
    if v.alternatives:
        lines.append(
            "    AMBIGUOUS: ClusterNetworkPolicies of equal priority disagree, and upstream "
            "leaves their order undefined; allowed only if every order allows. Also possible:"
        )
        for alt in v.alternatives:
            lines.append(f"      or {_head(alt)}")
            lines += _body(alt, "        ", misses)
    return lines


def render_name_query(query: NameQuery, verdicts: Callable[[Query], str]) -> str:
    """`can POD NAME`: the answer for each address the name resolves to (--dns), or for each
    region of addresses the policies tell apart; then the verdicts."""
    head = f"{query.source} -> {query.name} {query.port}"
    word = "ALLOWED" if query.allowed else "DENIED"
    lines: list[str] = []
    if query.resolved:
        addresses = ", ".join(c.label for c in query.cases)
        lines.append(f"{head}: {word} ({query.name} is {addresses}, as --dns says)")
    elif not query.depends_on_dns:
        lines.append(
            f"{head}: {word} whatever address {query.name} resolves to (outside the pods); "
            "give --dns NAME=IP to ask about one"
        )
    else:
        lines.append(
            f"{head}: DEPENDS ON DNS: the address {query.name} resolves to at run time decides"
        )
        for case in query.cases:
            lines.append(f"  {case.label}: {'ALLOWED' if case.query.allowed else 'DENIED'}")
    cases = query.cases if query.resolved or query.depends_on_dns else query.cases[:1]
    body = "".join(verdicts(case.query) for case in cases)
    return "\n".join(lines) + "\n" + body

"""policyTypes surprises: PF012 (defaulted: egress-only policy also denies ingress) and
PF013 (rules of a direction that policyTypes does not list are ignored)."""

from __future__ import annotations

from collections.abc import Iterator

from podfence.analysis.lint.context import LintContext
from podfence.analysis.lint.finding import Finding
from podfence.analysis.lint.words import agree, who
from podfence.model import Direction, NetworkPolicy

__all__ = ["check_policy_types"]


def _types(policy: NetworkPolicy) -> str:
    return ", ".join(d.value for d in Direction if policy.affects(d))


def _implicit_ingress(ctx: LintContext, policy: NetworkPolicy) -> Finding | None:
    if not (
        policy.policy_types_defaulted
        and policy.egress
        and not policy.ingress
        and policy.affects(Direction.INGRESS)
    ):
        return None
    alone = [
        ep
        for ep in ctx.selected(policy, Direction.INGRESS)
        if all(p.key == policy.key for p in ctx.engine.selecting(ep, Direction.INGRESS))
    ]
    if not alone:
        return None  # other policies isolate these pods for ingress anyway
    return ctx.policy_finding(
        "PF012",
        policy,
        "spec.policyTypes",
        message=(
            "policyTypes is not set, so it defaults to [Ingress, Egress]: this egress-only "
            "policy also denies all ingress"
        ),
        consequence=(
            f"{who(alone)} {agree(alone, 'accepts', 'accept')} no connection at all: the "
            "policy isolates them for Ingress and has no ingress rule"
        ),
        fix="state the direction it is meant for:\nspec:\n  policyTypes: [Egress]",
    )


def _ignored(ctx: LintContext, policy: NetworkPolicy) -> Iterator[Finding]:
    if policy.policy_types_defaulted:
        return
    for direction in Direction:
        rules = policy.rules(direction)
        if policy.affects(direction) or not rules:
            continue
        field = direction.rules_field
        listed = _types(policy)
        wanted = ", ".join(d.value for d in Direction if policy.affects(d) or d is direction)
        yield ctx.policy_finding(
            "PF013",
            policy,
            f"spec.{field}",
            message=(
                f"the {len(rules)} {field} {agree(rules, 'rule is', 'rules are')} ignored: "
                f"policyTypes [{listed}] does not list {direction.value}"
            ),
            consequence=(
                f"the pods it selects are not isolated for {direction.value} by this policy and "
                f"none of its {field} rules takes effect"
            ),
            fix=f"add the direction:\nspec:\n  policyTypes: [{wanted}]",
        )


def check_policy_types(ctx: LintContext) -> Iterator[Finding]:
    for policy in ctx.cluster.policies:
        found = _implicit_ingress(ctx, policy)
        if found is not None:
            yield found
        yield from _ignored(ctx, policy)

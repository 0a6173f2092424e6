"""What a policy's podSelector selects: PF006 (nothing) and PF014 (hostNetwork pods).

PF014 is reported on each policy whose non-empty podSelector matches hostNetwork pods (it was
written for them); pods matched only by namespace-wide `podSelector: {}` policies are reported
once per namespace, on the first such policy.
"""

from __future__ import annotations

from collections.abc import Iterator

from podfence.analysis.lint.context import LintContext
from podfence.analysis.lint.finding import Finding, Level
from podfence.analysis.lint.words import (
    agree,
    made_by_operators,
    operator_note,
    selector_text,
    unknown_resources_note,
    who,
)

__all__ = ["check_selection"]


def check_selection(ctx: LintContext) -> Iterator[Finding]:
    wide_reported: set[str] = set()
    for policy in ctx.cluster.policies:
        pods = ctx.endpoints_in(policy.namespace)
        if not pods:
            continue  # nothing of this namespace was given: cannot judge
        matched = ctx.label_selected(policy)
        selector = selector_text(policy.pod_selector)
        if not matched:
            made = [
                p
                for p in ctx.operator_pods_in([policy.namespace])
                if ctx.engine.label_selects(policy.key, p.endpoint)
            ]
            if made:
                yield ctx.policy_finding(
                    "PF006",
                    policy,
                    "spec.podSelector",
                    message=(
                        f"podSelector {selector} selects no pod of namespace {policy.namespace} "
                        f"in the input, but it selects {made_by_operators(made)}"
                    ),
                    consequence=(
                        f"the policy applies to those pods once the operator runs them: "
                        f"{operator_note()}"
                    ),
                    fix=(
                        "nothing to fix if these are the pods meant; to check them like any "
                        f"pod, add them to the input (kubectl get pods -n {policy.namespace} "
                        "-o yaml)"
                    ),
                    level=Level.INFO,
                )
                continue
            keys = sorted(policy.pod_selector.keys)
            seen = []
            for key in keys:
                values = sorted({dict(ep.labels)[key] for ep in pods if key in dict(ep.labels)})
                seen.append(f"{key}: {', '.join(values)}" if values else f"no {key} label")
            yield ctx.policy_finding(
                "PF006",
                policy,
                "spec.podSelector",
                message=f"podSelector {selector} selects no pod in namespace {policy.namespace}",
                consequence=(
                    "the policy isolates nothing and its rules apply to no pod: the pods it was "
                    "written for stay as open as before"
                    + unknown_resources_note(
                        ctx.unknown_resources(policy.namespace), policy.namespace
                    )
                ),
                fix=(
                    "fix the selector or the pods' labels; pods of "
                    f"{policy.namespace} have {'; '.join(seen)}"
                ),
            )
            continue
        host = [ep for ep in matched if ep.host_network]
        if host and policy.pod_selector.is_empty:
            if policy.namespace in wide_reported:
                continue
            wide_reported.add(policy.namespace)
        if host:
            yield ctx.policy_finding(
                "PF014",
                policy,
                "spec.podSelector",
                message=(
                    f"podSelector {selector} matches hostNetwork pods, which policies do not "
                    "apply to"
                ),
                consequence=(
                    f"{who(host)} {agree(host, 'uses', 'use')} the node's network: this "
                    "policy neither isolates them nor restricts their traffic, and pod or "
                    "namespace selectors never match them as peers"
                ),
                fix=(
                    "run them without hostNetwork if they must be fenced, or protect them with "
                    "host firewall rules; exclude them from the selector to make the intent "
                    "clear"
                ),
            )

"""Run the checks, then drop what is disabled (globally or by annotation) and sort."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from podfence.analysis.lint.and_or import check_and_or
from podfence.analysis.lint.broad import check_broad
from podfence.analysis.lint.catalogue import RULES, resolve_rule
from podfence.analysis.lint.context import LintContext
from podfence.analysis.lint.dns import check_dns
from podfence.analysis.lint.finding import Finding
from podfence.analysis.lint.metadata import check_metadata
from podfence.analysis.lint.open_network import check_open_namespaces
from podfence.analysis.lint.peers import check_peers
from podfence.analysis.lint.policy_types import check_policy_types
from podfence.analysis.lint.ports import check_ports
from podfence.analysis.lint.redundancy import DEFAULT_WORK_LIMIT, check_redundancy
from podfence.analysis.lint.selection import check_selection
from podfence.analysis.lint.sensitive import check_sensitive_ports
from podfence.analysis.lint.tiers import TIER_RULES, check_tiers
from podfence.engine import Engine
from podfence.model import Cluster, Labels

__all__ = ["IGNORE_ANNOTATION", "LintResult", "lint", "parse_rule_list"]

IGNORE_ANNOTATION = "podfence.io/ignore"
"""On a NetworkPolicy, a ClusterNetworkPolicy or a Namespace: rule IDs or slugs,
comma-separated (`*` for all)."""

_Check = Callable[[LintContext], Iterable[Finding]]


@dataclass(frozen=True, slots=True)
class LintResult:
    findings: tuple[Finding, ...]
    """Sorted by file, line, rule."""
    suppressed: int
    """Findings dropped by a `podfence.io/ignore` annotation."""


def parse_rule_list(text: str) -> frozenset[str]:
    """Rule IDs from `PF001, dns-trap`; `*` means every rule. Unknown names raise KeyError."""
    ids: set[str] = set()
    for part in re.split(r"[,\s]+", text.strip()):
        if not part:
            continue
        if part == "*":
            return frozenset(r.id for r in RULES)
        info = resolve_rule(part)
        if info is None:
            raise KeyError(part)
        ids.add(info.id)
    return frozenset(ids)


def _annotated(annotations: Labels) -> frozenset[str]:
    value = dict(annotations).get(IGNORE_ANNOTATION)
    if value is None:
        return frozenset()
    ids: set[str] = set()
    for part in re.split(r"[,\s]+", value):
        try:
            ids |= parse_rule_list(part)
        except KeyError:
            continue  # an unknown name ignores nothing
    return frozenset(ids)


def lint(
    cluster: Cluster,
    *,
    disabled: Iterable[str] = (),
    max_work: int = DEFAULT_WORK_LIMIT,
    engine: Engine | None = None,
) -> LintResult:
    """Every finding about the cluster as given. `disabled`: rule IDs or slugs to skip
    (unknown ones raise KeyError). `max_work`: the redundancy check's size limit."""
    off: set[str] = set()
    for key in disabled:
        off |= parse_rule_list(key)
    ctx = LintContext(cluster, engine)
    checks: list[tuple[frozenset[str], _Check]] = [
        (frozenset({"PF001"}), check_open_namespaces),
        (frozenset({"PF002"}), check_dns),
        (frozenset({"PF003", "PF004", "PF007"}), check_peers),
        (frozenset({"PF005"}), check_and_or),
        (frozenset({"PF006", "PF014"}), check_selection),
        (frozenset({"PF008", "PF009"}), check_ports),
        (frozenset({"PF010"}), check_broad),
        (frozenset({"PF011", "PF015"}), lambda c: check_redundancy(c, max_work)),
        (frozenset({"PF012", "PF013"}), check_policy_types),
        (frozenset({"PF016"}), check_metadata),
        (frozenset({"PF017"}), check_sensitive_ports),
        (TIER_RULES, lambda c: check_tiers(c, max_work)),
    ]
    by_policy = {str(p.ref): _annotated(p.annotations) for p in cluster.policies}
    by_policy |= {str(p.ref): _annotated(p.annotations) for p in cluster.cluster_policies}
    by_namespace = {ns.name: _annotated(ns.annotations) for ns in cluster.namespaces}
    kept: dict[Finding, None] = {}
    suppressed = 0
    for ids, check in checks:
        if ids <= off:
            continue
        for finding in check(ctx):
            if finding.rule in off:
                continue
            ignored = by_policy.get(finding.obj, frozenset())
            if finding.namespace is not None:
                ignored |= by_namespace.get(finding.namespace, frozenset())
            if finding.rule in ignored:
                suppressed += 1
                continue
            kept[finding] = None
    return LintResult(tuple(sorted(kept, key=lambda f: f.sort_key)), suppressed)

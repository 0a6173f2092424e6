"""Per namespace and direction: how many endpoints are isolated; lint findings by level."""

from __future__ import annotations

import enum
from collections import Counter
from dataclasses import dataclass

from podfence.engine import Engine
from podfence.model import Cluster, Direction, Endpoint

__all__ = ["Openness", "NamespaceSummary", "LintSummary", "summarize", "lint_summary"]


class Openness(enum.Enum):
    ISOLATED = "isolated"
    """Every endpoint of the namespace is isolated for the direction."""
    PARTIAL = "partial"
    OPEN = "open"
    """No endpoint is isolated: everything is allowed in that direction."""
    EMPTY = "empty"
    """No endpoints at all."""


@dataclass(frozen=True, slots=True)
class NamespaceSummary:
    namespace: str
    endpoints: int
    isolated_ingress: int
    isolated_egress: int
    policies: int

    def isolated(self, direction: Direction) -> int:
        if direction is Direction.INGRESS:
            return self.isolated_ingress
        return self.isolated_egress

    def openness(self, direction: Direction) -> Openness:
        n = self.isolated(direction)
        if not self.endpoints:
            return Openness.EMPTY
        if n == self.endpoints:
            return Openness.ISOLATED
        return Openness.OPEN if n == 0 else Openness.PARTIAL


@dataclass(frozen=True, slots=True)
class LintSummary:
    """Findings counted by level (`error`, `warning`, `info`), and the findings' lines."""

    counts: tuple[tuple[str, int], ...]
    findings: tuple[tuple[str, str, str, str], ...]
    """(level, rule, object, message) of each finding."""


def summarize(cluster: Cluster, engine: Engine | None = None) -> tuple[NamespaceSummary, ...]:
    engine = engine or Engine(cluster)
    names = sorted(
        {ns.name for ns in cluster.namespaces} | {e.namespace for e in cluster.endpoints}
    )
    by_namespace: dict[str, list[Endpoint]] = {}
    for e in cluster.endpoints:
        by_namespace.setdefault(e.namespace, []).append(e)
    policies = Counter(p.namespace for p in cluster.policies)
    out = []
    for name in names:
        eps = by_namespace.get(name, [])
        out.append(
            NamespaceSummary(
                name,
                len(eps),
                sum(engine.is_isolated(e, Direction.INGRESS) for e in eps),
                sum(engine.is_isolated(e, Direction.EGRESS) for e in eps),
                policies[name],
            )
        )
    return tuple(out)


def lint_summary(cluster: Cluster, engine: Engine | None = None) -> LintSummary | None:
    """Lint's findings when the lint package is installed; None when it is not."""
    try:
        from podfence.analysis.lint import lint
    except ImportError:
        return None
    result = lint(cluster, engine=engine)
    counts: dict[str, int] = {}
    for f in result.findings:
        counts[f.level.value] = counts.get(f.level.value, 0) + 1
    order = ["error", "warning", "info"]
    return LintSummary(
        tuple(sorted(counts.items(), key=lambda kv: order.index(kv[0]) if kv[0] in order else 9)),
        tuple((f.level.value, f.rule, f.obj, f.message) for f in result.findings),
    )

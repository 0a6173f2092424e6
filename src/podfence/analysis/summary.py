"""The posture, per namespace: how many endpoints are isolated per direction, and which
can be reached from outside the cluster; lint findings by level.

"Reachable from outside" is asked of the engine: an endpoint is when some address outside
the cluster (one per region the ipBlocks tell apart, `samples.address_atoms`) may open a
connection to it on some port (one per span its own ingress rules tell apart). An endpoint
that nothing isolates for ingress, or a hostNetwork pod, is reachable by definition.
"""

from __future__ import annotations

import enum
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from podfence.analysis.samples import AddressAtom, address_atoms, port_samples, rule_port_sets
from podfence.analysis.scale import NOTE_ABOVE, class_engine_of
from podfence.engine import Engine
from podfence.engine.resolve import party_families
from podfence.model import Cluster, Connection, Direction, Endpoint

__all__ = [
    "Openness",
    "NamespaceSummary",
    "LintSummary",
    "summarize",
    "lint_summary",
    "reachable_from_outside",
]


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
    reachable_from_outside: tuple[str, ...] = ()
    """Ids of the endpoints some address outside the cluster can reach, in order."""

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


def reachable_from_outside(
    engine: Engine, endpoint: Endpoint, atoms: Sequence[AddressAtom]
) -> bool:
    """Whether some outside address of `atoms` may connect to `endpoint` on some port."""
    if endpoint.host_network or not engine.is_isolated(endpoint, Direction.INGRESS):
        return True
    rules = [r for p in engine.selecting(endpoint, Direction.INGRESS) for r in p.ingress]
    ports = port_samples(rule_port_sets(engine, rules, endpoint))
    families = party_families(endpoint)
    return any(
        engine.allowed(Connection(atom.party, endpoint, port.port, port.protocol, atom.version))
        for atom in atoms
        if families is None or atom.version in families
        for port in ports
    )


def _reachable(
    cluster: Cluster, engine: Engine, atoms: Sequence[AddressAtom]
) -> Callable[[Endpoint], bool]:
    """`reachable_from_outside`, asked once per class of endpoints (and IP families) when the
    class engine covers the cluster: no policy tells the members of a class apart."""
    if len(cluster.endpoints) <= NOTE_ABOVE:
        return lambda e: reachable_from_outside(engine, e, atoms)
    klass = {m: g.id for g in class_engine_of(cluster).classes for m in g.members}
    known: dict[tuple[int, frozenset[int] | None], bool] = {}

    def reachable(e: Endpoint) -> bool:
        key = (klass[e.id], party_families(e))
        found = known.get(key)
        if found is None:
            found = known[key] = reachable_from_outside(engine, e, atoms)
        return found

    return reachable


def summarize(cluster: Cluster, engine: Engine | None = None) -> tuple[NamespaceSummary, ...]:
    engine = engine or Engine(cluster)
    atoms = address_atoms([engine])
    names = sorted(
        {ns.name for ns in cluster.namespaces} | {e.namespace for e in cluster.endpoints}
    )
    by_namespace: dict[str, list[Endpoint]] = {}
    for e in cluster.endpoints:
        by_namespace.setdefault(e.namespace, []).append(e)
    policies = Counter(p.namespace for p in cluster.policies)
    reachable = _reachable(cluster, engine, atoms)
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
                tuple(e.id for e in eps if reachable(e)),
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

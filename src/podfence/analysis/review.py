"""Everything the HTML report shows, as data: summary, lint, matrix with verdicts, graph and
policy accounts. Computed once here; podfence.render.html only lays it out.

Above `OVERVIEW_ABOVE` endpoints the report is an overview instead (a cell per pair of pods
and port class would not fit a page, nor be read): a namespace x namespace heatmap that
drills down into classes of endpoints and their pods (analysis.heatmap), the graph over
classes, and the policies explained when there are at most `MAX_ACCOUNTS` of them.
"""

from __future__ import annotations

from dataclasses import dataclass

from podfence.analysis.explain import PolicyAccount, account_policy
from podfence.analysis.explain_cnp import ClusterPolicyAccount, account_cluster_policy
from podfence.analysis.graph import Graph, GraphOptions, build_graph
from podfence.analysis.heatmap import Heatmap, heatmap
from podfence.analysis.samples import (
    PortSpan,
    mentioned_protocols,
    policy_port_sets,
    port_spans,
    rules_port_sets,
)
from podfence.analysis.scale import class_engine_of
from podfence.analysis.summary import LintSummary, NamespaceSummary, lint_summary, summarize
from podfence.engine import Engine, Verdict
from podfence.model import Cluster, Connection, Protocol

__all__ = ["MAX_ACCOUNTS", "OVERVIEW_ABOVE", "PortClass", "Review", "build_review"]

OVERVIEW_ABOVE = 300
"""Reports of more endpoints than this show the namespace heatmap, not every pair of pods."""
MAX_ACCOUNTS = 2000
"""An overview explains its policies only up to this many (`podfence explain` does any)."""


@dataclass(frozen=True, slots=True)
class PortClass:
    """Port intervals of one protocol on which the whole matrix is the same."""

    protocol: Protocol
    probes: tuple[PortSpan, ...]
    allowed: tuple[tuple[bool, ...], ...]
    verdicts: tuple[tuple[Verdict, ...], ...]
    """verdicts[i][j]: endpoints[i] -> endpoints[j] on the first probe's port."""
    same_reasons: bool = True
    """Whether every port of the class gets the verdicts' very reasons, not only their
    answers: no rule tells its ports apart (declared ports may cut it, rules do not)."""


@dataclass(frozen=True, slots=True)
class Review:
    title: str
    cluster: Cluster
    summary: tuple[NamespaceSummary, ...]
    lint: LintSummary | None
    endpoints: tuple[str, ...]
    ports: tuple[PortClass, ...]
    graph: Graph
    accounts: tuple[PolicyAccount, ...]
    cluster_accounts: tuple[ClusterPolicyAccount, ...] = ()
    """The ClusterNetworkPolicies, Admin then Baseline, in evaluation order."""
    heatmap: Heatmap | None = None
    """The overview of a large cluster (then `ports` is empty)."""


def _port_classes(cluster: Cluster, engine: Engine) -> tuple[PortClass, ...]:
    eps = cluster.endpoints
    sets = policy_port_sets(engine)
    protocols = {Protocol.TCP, *mentioned_protocols(sets)}
    probes = port_spans(sets, tuple(protocols))
    by_rules = port_spans(rules_port_sets(engine), tuple(protocols))
    merged: dict[tuple[Protocol, tuple[tuple[bool, ...], ...]], list[PortSpan]] = {}
    for probe in probes:
        allowed = tuple(
            tuple(engine.allowed(Connection(s, d, probe.port, probe.protocol)) for d in eps)
            for s in eps
        )
        merged.setdefault((probe.protocol, allowed), []).append(probe)
    classes = []
    for (protocol, allowed), members in merged.items():
        first = members[0]
        verdicts = tuple(
            tuple(engine.evaluate(Connection(s, d, first.port, protocol)) for d in eps) for s in eps
        )
        rule_spans = {next(i for i, r in enumerate(by_rules) if m.sample in r) for m in members}
        classes.append(PortClass(protocol, tuple(members), allowed, verdicts, len(rule_spans) == 1))
    # single ports someone named first, then the wide "every other port" classes
    classes.sort(
        key=lambda c: (
            list(Protocol).index(c.protocol),
            len(c.probes) > 1 or not c.probes[0].is_single,
            c.probes[0].port,
        )
    )
    return tuple(classes)


def _overview(cluster: Cluster, engine: Engine, title: str) -> Review:
    classes = class_engine_of(cluster)
    sets = policy_port_sets(engine)
    probes = port_spans(sets, tuple({Protocol.TCP, *mentioned_protocols(sets)}))
    graph = build_graph(cluster, GraphOptions(collapse_above=1), engine=engine, classes=classes)
    accounts: tuple[PolicyAccount, ...] = ()
    if len(cluster.policies) <= MAX_ACCOUNTS:
        accounts = tuple(account_policy(engine, p) for p in cluster.policies)
    return Review(
        title=title,
        cluster=cluster,
        summary=summarize(cluster, engine),
        lint=lint_summary(cluster, engine),
        endpoints=tuple(ep.id for ep in cluster.endpoints),
        ports=(),
        graph=graph,
        accounts=accounts,
        heatmap=heatmap(classes, probes),
    )


def build_review(cluster: Cluster, *, title: str) -> Review:
    engine = Engine(cluster)
    if len(cluster.endpoints) > OVERVIEW_ABOVE:
        return _overview(cluster, engine, title)
    graph = build_graph(cluster, GraphOptions(show_denied=True, show_policies=True), engine=engine)
    return Review(
        title=title,
        cluster=cluster,
        summary=summarize(cluster, engine),
        lint=lint_summary(cluster, engine),
        endpoints=tuple(ep.id for ep in cluster.endpoints),
        ports=_port_classes(cluster, engine),
        graph=graph,
        accounts=tuple(account_policy(engine, p) for p in cluster.policies),
        cluster_accounts=tuple(
            account_cluster_policy(engine, p)
            for p in sorted(cluster.cluster_policies, key=lambda p: (p.tier, p.priority, p.name))
        ),
    )

"""Results as plain data (dicts and lists) for `-o json` and `-o yaml`; contracts live here."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from podfence.analysis.by_name import NameQuery
from podfence.analysis.explain import DirectionAccount, PodAccount, PodDirection, PolicyAccount
from podfence.analysis.matrix import Matrix, PortMatrix
from podfence.analysis.named_ports import NamedPort, NamedPortMatrix, Query, QueryMatrix
from podfence.analysis.summary import NamespaceSummary
from podfence.engine import DirectionVerdict, TierRule, Verdict
from podfence.model import Cluster, Diagnostic, Direction, External, Party, PolicyPort
from podfence.render.phrases import peer_phrase

__all__ = [
    "verdict_data",
    "matrix_data",
    "account_data",
    "pod_account_data",
    "diagnostics_data",
    "validated_data",
    "query_data",
    "summary_data",
    "name_query_data",
    "tier_rule_data",
]


def tier_rule_data(rule: TierRule) -> dict[str, Any]:
    """A ClusterNetworkPolicy rule that matched: `policy` (`cnp/NAME`), `tier`, `priority`,
    `rule` (its index), `name` (null when it has none), `action` (as written), `effect`
    (Deny when a Deny or Pass rule failed closed), `peer` and `protocol` (the first matching
    entries' indexes, null for every peer / absent protocols), `ref` (as text) and
    `failClosed` (the fields podfence does not know)."""
    ref = rule.ref
    return {
        "policy": ref.key,
        "tier": rule.tier.value,
        "priority": rule.priority,
        "rule": ref.rule,
        "name": ref.name or None,
        "action": rule.action.value,
        "effect": rule.effect.value,
        "peer": ref.peer,
        "protocol": ref.protocol,
        "ref": str(ref),
        "failClosed": list(rule.unknown),
    }


def _tiers(v: DirectionVerdict) -> dict[str, Any]:
    """With ClusterNetworkPolicies: `tier` (Admin, NetworkPolicy, Baseline; null: none
    decided), `decidedBy` (the Admin or Baseline rule, or null), `passed` (the Pass rules on
    the way), `clusterSelectedBy`, `dns` (`{"rule", "dependence": matched|unknown}`) and
    `alternatives` (the other outcomes when equal priorities disagree: `ambiguous`)."""
    return {
        "tier": v.tier,
        "decidedBy": tier_rule_data(v.decided_by) if v.decided_by is not None else None,
        "passed": [tier_rule_data(p) for p in v.passed],
        "clusterSelectedBy": list(v.cluster_selected_by),
        "dns": [{"rule": str(n.ref), "dependence": n.dependence.value} for n in v.dns],
        "ambiguous": v.ambiguous,
        "alternatives": [_side(a) for a in v.alternatives],
    }


def _side(v: DirectionVerdict) -> dict[str, Any]:
    """One side; the tier keys (`_tiers`) only when the cluster has ClusterNetworkPolicies."""
    out = {
        "party": v.party,
        "allowed": v.allowed,
        "reason": v.reason.value,
        "isolated": v.isolated,
        "selectedBy": list(v.selected_by),
        "allowedBy": [str(r) for r in v.allowed_by],
        "nearMisses": [
            {"rule": str(m.ref), "miss": m.miss.value, "peers": [p.value for p in m.peers]}
            for m in v.near_misses
        ],
    }
    if v.tiers:
        out |= _tiers(v)
    return out


def verdict_data(verdict: Verdict) -> dict[str, Any]:
    """`family`: the connection's IP family (4, 6; null when asked by name). `byFamily`: when
    the answer differs between the IP families the parties can use, one verdict per family
    (`allowed` is then true only if every family allows; `egress`/`ingress` are those of the
    first family that denies); empty otherwise."""
    c = verdict.connection
    return {
        "source": c.source.id,
        "destination": c.destination.id,
        "port": c.port,
        "protocol": c.protocol.value,
        "family": c.family,
        "allowed": verdict.allowed,
        "egress": _side(verdict.egress),
        "ingress": _side(verdict.ingress),
        "byFamily": [verdict_data(v) for v in verdict.by_family],
    } | _names(c.destination)


def _names(party: Party) -> dict[str, Any]:
    """`destinationNames`: the DNS names an outside destination was asked by (only then)."""
    if isinstance(party, External) and party.names:
        return {"destinationNames": list(party.names)}
    return {}


def query_data(query: Query) -> dict[str, Any]:
    """`can -o json`: the verdict for a number; for a named port, the numbers it means on
    the destination and the verdict on each (`allowed`: every one is allowed)."""
    if not isinstance(query.port, NamedPort):
        return verdict_data(query.verdicts[0])
    return {
        "source": query.source.id,
        "destination": query.destination.id,
        "port": query.port.name,
        "protocol": query.port.protocol.value,
        "allowed": query.allowed,
        "resolved": list(query.numbers),
        "verdicts": [verdict_data(v) for v in query.verdicts],
    }


def name_query_data(query: NameQuery) -> dict[str, Any]:
    """`can POD NAME -o json`: `name`, `resolved` (true: the addresses came from --dns),
    `dependsOnDns` (unresolved and the regions' answers differ), `allowed` (every case
    allows), and `cases`: `{"addresses", "answer"}` with `answer` as `can` gives it for that
    address."""
    return {
        "source": query.source.id,
        "name": query.name,
        "resolved": query.resolved,
        "dependsOnDns": query.depends_on_dns,
        "allowed": query.allowed,
        "cases": [{"addresses": c.label, "answer": query_data(c.query)} for c in query.cases],
    }


def _grid_data(grid: PortMatrix | NamedPortMatrix) -> dict[str, Any]:
    if isinstance(grid, PortMatrix):
        return {
            "port": grid.port,
            "protocol": grid.protocol.value,
            "allowed": [list(row) for row in grid.allowed],
        }
    return {
        "port": grid.port.name,
        "protocol": grid.port.protocol.value,
        "allowed": [list(row) for row in grid.allowed],
        "resolved": [list(numbers) for numbers in grid.resolved],
    }


def matrix_data(matrix: Matrix | QueryMatrix) -> dict[str, Any]:
    """The matrix contract: endpoints sorted, allowed[i][j] = endpoints[i] -> endpoints[j];
    for a named port, `port` is its name and `resolved[j]` the numbers it means on
    endpoints[j] (empty: not defined there, and that column is denied)."""
    return {
        "endpoints": list(matrix.endpoints),
        "matrices": [_grid_data(grid) for grid in matrix.matrices],
    }


def _port(p: PolicyPort) -> dict[str, Any]:
    out: dict[str, Any] = {"protocol": p.protocol.value}
    if p.port is not None:
        out["port"] = p.port
    if p.end_port is not None:
        out["endPort"] = p.end_port
    return out


def _direction(acc: DirectionAccount, ns: str) -> dict[str, Any]:
    return {
        "isolates": acc.isolates,
        "ignoredRules": acc.ignored_rules,
        "rules": [
            {
                "rule": str(r.ref),
                "peers": [
                    {
                        "peer": str(p.ref),
                        "text": peer_phrase(p.peer, ns),
                        "matches": list(p.matched),
                    }
                    for p in r.peers
                ],
                "ports": [_port(p) for p in r.ports],
            }
            for r in acc.rules
        ],
    }


def account_data(acc: PolicyAccount) -> dict[str, Any]:
    pol = acc.policy
    return {
        "policy": pol.key,
        "file": pol.location.file,
        "line": pol.location.line,
        "podSelector": str(pol.pod_selector),
        "selected": list(acc.selected),
        "policyTypes": sorted(d.value for d in pol.policy_types),
        "policyTypesDefaulted": pol.policy_types_defaulted,
        "ingress": _direction(acc.ingress, pol.namespace),
        "egress": _direction(acc.egress, pol.namespace),
    }


def _pod_direction(side: PodDirection) -> dict[str, Any]:
    return {
        "isolated": side.isolated,
        "state": side.isolation.value,
        "selectedBy": list(side.selected_by),
    }


def pod_account_data(acc: PodAccount) -> dict[str, Any]:
    """`{"pod": {"id", "kind", "hostNetwork", "ingress", "egress"}, "policies": [...]}` where
    each direction is `{"isolated", "state" (isolated, not-isolated, host-network),
    "selectedBy"}` and `policies` are the accounts of the policies selecting the pod."""
    ep = acc.endpoint
    return {
        "pod": {
            "id": ep.id,
            "kind": ep.kind,
            "hostNetwork": ep.host_network,
            "ingress": _pod_direction(acc.ingress),
            "egress": _pod_direction(acc.egress),
        },
        "policies": [account_data(a) for a in acc.policies],
    }


def diagnostics_data(diagnostics: tuple[Diagnostic, ...]) -> dict[str, Any]:
    return {
        "diagnostics": [
            {
                "severity": d.severity.value,
                "file": d.file,
                "line": d.line,
                "object": d.obj,
                "field": d.field,
                "message": d.message,
            }
            for d in diagnostics
        ]
    }


def validated_data(cluster: Cluster) -> dict[str, Any]:
    """What a valid input holds (`validate -o json`'s `summary`): counts of namespaces,
    endpoints (pods and workloads), policies (NetworkPolicies), clusterNetworkPolicies and
    nodes."""
    return {
        "namespaces": len(cluster.namespaces),
        "endpoints": len(cluster.endpoints),
        "policies": len(cluster.policies),
        "clusterNetworkPolicies": len(cluster.cluster_policies),
        "nodes": len(cluster.nodes),
    }


def summary_data(summaries: Sequence[NamespaceSummary]) -> list[dict[str, Any]]:
    """The posture per namespace: endpoints, policies, each direction's openness (isolated,
    partial, open, empty) with its count of isolated endpoints, and the endpoints reachable
    from outside the cluster."""
    return [
        {
            "namespace": s.namespace,
            "endpoints": s.endpoints,
            "policies": s.policies,
            **{d.value.lower(): s.openness(d).value for d in Direction},
            "isolatedIngress": s.isolated_ingress,
            "isolatedEgress": s.isolated_egress,
            "reachableFromOutside": list(s.reachable_from_outside),
        }
        for s in summaries
    ]

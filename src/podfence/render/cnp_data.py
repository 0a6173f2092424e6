"""ClusterNetworkPolicy accounts as plain data for `-o json` and `-o yaml`."""

from __future__ import annotations

from typing import Any

from podfence.analysis.explain_cnp import (
    ClusterDirectionAccount,
    ClusterPolicyAccount,
    PodTiers,
    TierSide,
)
from podfence.model import EveryPort, Protocols
from podfence.render.cnp_text import cluster_peer_phrase, protocols_phrase, subject_phrase

__all__ = ["cluster_account_data", "pod_tiers_data"]


def _protocols(protocols: Protocols) -> list[str] | None:
    """null: every port (the field is absent); else each entry as text."""
    if isinstance(protocols, EveryPort):
        return None
    return [protocols_phrase((e,)).removeprefix("on ") for e in protocols]


def _direction(acc: ClusterDirectionAccount) -> list[dict[str, Any]]:
    return [
        {
            "rule": str(r.ref),
            "index": r.ref.rule,
            "name": r.ref.name or None,
            "action": r.action.value,
            "failClosed": list(r.unknown),
            "peers": [
                {
                    "peer": str(p.ref),
                    "text": cluster_peer_phrase(p.peer),
                    "matches": list(p.matched),
                    "nodes": [n.name for n in p.nodes],
                }
                for p in r.peers
            ],
            "protocols": _protocols(r.protocols),
        }
        for r in acc.rules
    ]


def cluster_account_data(acc: ClusterPolicyAccount) -> dict[str, Any]:
    """`{"policy": "cnp/NAME", "kind", "tier", "priority", "subject", "selected",
    "hostNetworkNotSelected", "samePriority", "ingress": [RULE], "egress": [RULE]}`, rules in
    evaluation order."""
    pol = acc.policy
    return {
        "policy": pol.key,
        "kind": "ClusterNetworkPolicy",
        "file": pol.location.file,
        "line": pol.location.line,
        "tier": pol.tier.value,
        "priority": pol.priority,
        "subject": subject_phrase(pol.subject),
        "selected": list(acc.selected),
        "hostNetworkNotSelected": list(acc.host_network),
        "samePriority": list(acc.same_priority),
        "ingress": _direction(acc.ingress),
        "egress": _direction(acc.egress),
    }


def _side(side: TierSide) -> dict[str, Any]:
    return {
        "admin": list(side.admin),
        "networkPolicies": list(side.network_policies),
        "baseline": list(side.baseline),
    }


def pod_tiers_data(acc: PodTiers) -> dict[str, Any]:
    """`{"ingress": SIDE, "egress": SIDE, "clusterPolicies": [ACCOUNT]}`, SIDE being the
    policies of each tier that apply, in evaluation order."""
    return {
        "ingress": _side(acc.ingress),
        "egress": _side(acc.egress),
        "clusterPolicies": [cluster_account_data(a) for a in acc.policies],
    }

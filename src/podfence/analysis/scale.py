"""When the class engine may answer for every pair at once, and why not when it may not.

Analyses that ask about every pair of endpoints (diff, graph, the report) read the class
engine's answers, which equal the per-pair engine's except where the class engine does not
follow the core yet: ClusterNetworkPolicies (tiers), ipBlocks matched per IP family of a
dual-stack pod, and a named port that a pod defines more than once (a set of numbers). On
such input an analysis asks the per-pair engine about every pair instead, and says so: the
reason returned here is shown to the user.
"""

from __future__ import annotations

from podfence.model import Cluster

__all__ = ["NOTE_ABOVE", "class_engine_gap"]

NOTE_ABOVE = 200
"""Commands say that they ask every pair one by one only above this many endpoints (below,
it takes no time worth a note)."""


def class_engine_gap(cluster: Cluster) -> str | None:
    """Why the class engine's answers may differ from the per-pair engine's on `cluster`
    (a phrase for a note), or None when they are the same."""
    if cluster.cluster_policies:
        return "it has ClusterNetworkPolicies"
    blocks = any(
        peer.ip_block is not None
        for policy in cluster.policies
        for rule in (*policy.ingress, *policy.egress)
        for peer in rule.peers
    )
    if blocks and any(len({ip.version for ip in ep.ips}) > 1 for ep in cluster.endpoints):
        return "it has dual-stack pods and ipBlocks"
    for ep in cluster.endpoints:
        named = [(p.name, p.protocol) for p in ep.ports if p.name]
        if len(named) != len(set(named)):
            return f"{ep.id} defines a port name twice"
    return None

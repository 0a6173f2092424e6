"""When the class engine may answer for every pair at once, and why not when it may not.

Analyses that ask about every pair of endpoints (diff, graph, lint's redundancy, the
report) read the class engine's answers, which equal the per-pair engine's except where the
class engine does not follow the core yet: ClusterNetworkPolicies (tiers). On such input an
analysis asks the per-pair engine about every pair instead, and says so: the reason returned
here is shown to the user.
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
        return "it has ClusterNetworkPolicies (the class engine has no tiers yet)"
    return None

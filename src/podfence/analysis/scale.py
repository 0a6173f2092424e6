"""When the class engine may answer for every pair at once, and why not when it may not.

Analyses that ask about every pair of endpoints (diff, graph, lint's redundancy, the
report) read the class engine's answers, which equal the per-pair engine's except where the
class engine does not follow the core yet: ClusterNetworkPolicies (tiers). On such input an
analysis asks the per-pair engine about every pair instead, and says so: the reason returned
here is shown to the user.
"""

from __future__ import annotations

from podfence.engine.classes import ClassEngine
from podfence.model import Cluster

__all__ = ["NOTE_ABOVE", "class_engine_gap", "class_engine_of"]

NOTE_ABOVE = 200
"""Commands say that they ask every pair one by one only above this many endpoints (below,
it takes no time worth a note)."""


def class_engine_gap(cluster: Cluster) -> str | None:
    """Why the class engine's answers may differ from the per-pair engine's on `cluster`
    (a phrase for a note), or None when they are the same."""
    if cluster.cluster_policies:
        return "it has ClusterNetworkPolicies (the class engine has no tiers yet)"
    return None


_LAST: list[tuple[Cluster, ClassEngine]] = []


def class_engine_of(cluster: Cluster) -> ClassEngine:
    """The class engine of `cluster`, built once for the cluster last asked about (by
    identity): a command's analyses (the report's heatmap, graph and lint) share it. Never
    to be changed in place (`ClassEngine.update`): build one of your own for that."""
    if _LAST and _LAST[0][0] is cluster:
        return _LAST[0][1]
    engine = ClassEngine(cluster)
    _LAST[:] = [(cluster, engine)]
    return engine

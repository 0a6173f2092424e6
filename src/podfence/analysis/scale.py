"""The class engine shared by the analyses of one command.

Analyses that ask about every pair of endpoints (diff, graph, lint's redundancy, the
report) read the class engine's answers, which equal the per-pair engine's (NetworkPolicies
and the Admin and Baseline tiers of ClusterNetworkPolicies alike).
"""

from __future__ import annotations

from podfence.engine.classes import ClassEngine
from podfence.model import Cluster

__all__ = ["NOTE_ABOVE", "class_engine_of"]

NOTE_ABOVE = 200
"""Commands say that they ask every pair one by one only above this many endpoints (below,
it takes no time worth a note)."""


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

"""Cluster scale: whole-cluster analysis over equivalence classes of endpoints.

`ClassEngine(cluster)` answers what `podfence.engine.Engine` answers, for every pair of
endpoints at once, by grouping endpoints that no policy can tell apart and port numbers that
no rule splits. `load_fast` reads large JSON/YAML dumps quickly, falling back to the exact
loader on any problem.
"""

from podfence.scale.engine import ClassEngine
from podfence.scale.fastload import load_fast
from podfence.scale.groups import (
    EndpointClass,
    GroupedMatrix,
    GroupedPorts,
    GroupPortMatrix,
    PairPorts,
)
from podfence.scale.ports import PortAtoms
from podfence.scale.update import Change

__all__ = [
    "Change",
    "ClassEngine",
    "EndpointClass",
    "GroupPortMatrix",
    "GroupedMatrix",
    "GroupedPorts",
    "PairPorts",
    "PortAtoms",
    "load_fast",
]

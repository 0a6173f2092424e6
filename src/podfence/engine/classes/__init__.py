"""The class engine: whole-cluster answers over equivalence classes of endpoints.

`ClassEngine(cluster)` answers what `podfence.engine.Engine` answers, for every pair of
endpoints at once, by grouping endpoints that no policy can tell apart and port numbers that
no rule splits. It reads the same compiled, resolved core as the per-pair engine: every
selector, ipBlock and named port is resolved by `podfence.engine.resolve.Resolver`.
"""

from podfence.engine.classes.changes import (
    Applied,
    Change,
    ClusterPolicyChanged,
    ClusterPolicyRemoved,
    EndpointChanged,
    EndpointRemoved,
    PolicyChanged,
    PolicyRemoved,
)
from podfence.engine.classes.engine import ClassEngine
from podfence.engine.classes.groups import (
    EndpointClass,
    GroupedMatrix,
    GroupedPorts,
    GroupPortMatrix,
    PairPorts,
)
from podfence.engine.classes.ports import PortAtoms

__all__ = [
    "Applied",
    "Change",
    "ClassEngine",
    "ClusterPolicyChanged",
    "ClusterPolicyRemoved",
    "EndpointChanged",
    "EndpointClass",
    "EndpointRemoved",
    "GroupPortMatrix",
    "GroupedMatrix",
    "GroupedPorts",
    "PairPorts",
    "PolicyChanged",
    "PolicyRemoved",
    "PortAtoms",
]

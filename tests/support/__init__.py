"""The one test-support package: random clusters for every property test (hypothesis
strategies over tiny vocabularies) and the questions asked of them.

Import it from any test package as `support` (pytest puts `tests/` on `sys.path`, as for
`reference.naive` and `engine.builders`):

    from support import clusters, externals, connections, PROBE_PORTS

- `support.vocabulary`: the names, numbers, addresses and CIDRs drawn from;
- `support.policies`: selectors, peers, ports, rules, policies;
- `support.clusters`: container ports, endpoints (every IP stack, hostNetwork), clusters;
- `support.cluster_policies`: ClusterNetworkPolicies of both tiers, Nodes, outside addresses
  asked by DNS name;
- `support.probes`: connections per family, boundary ports, a cluster's description.

Hypothesis runs without deadlines everywhere (tests/conftest.py): a property must never
depend on wall-clock speed.
"""

from .cluster_policies import NODES, cluster_policies, named_externals
from .clusters import CONTAINER_PORTS, POD_LABELS, Template, clusters, endpoints, externals
from .policies import (
    IP_BLOCKS,
    NAMESPACE_SELECTORS,
    PEERS,
    POD_SELECTORS,
    POLICY_PORTS,
    policies,
    rules,
    selectors,
)
from .probes import boundary_ports, connections, describe
from .vocabulary import FAMILIES, NAMESPACE_NAMES, PROBE_PORTS

__all__ = [
    "CONTAINER_PORTS",
    "FAMILIES",
    "IP_BLOCKS",
    "NAMESPACE_NAMES",
    "NAMESPACE_SELECTORS",
    "NODES",
    "PEERS",
    "POD_LABELS",
    "POD_SELECTORS",
    "POLICY_PORTS",
    "PROBE_PORTS",
    "Template",
    "boundary_ports",
    "cluster_policies",
    "clusters",
    "connections",
    "describe",
    "endpoints",
    "externals",
    "named_externals",
    "policies",
    "rules",
    "selectors",
]

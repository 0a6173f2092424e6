"""Random small clusters for the class engine: the shared generator (tests/support) with
endpoints drawn from a few label/port templates, so that classes with several members are
common. Kept as a thin re-export so the class-engine tests keep their imports.
"""

from __future__ import annotations

from collections.abc import Sequence

from hypothesis import strategies as st

from podfence.model import Cluster, Endpoint
from support import NAMESPACE_NAMES, Template, boundary_ports, policies
from support import clusters as _clusters
from support import endpoints as _endpoints

__all__ = ["NAMESPACES", "clusters", "endpoints", "policies", "probe_ports"]

NAMESPACES = NAMESPACE_NAMES
probe_ports = boundary_ports


def clusters(max_endpoints: int = 8, max_policies: int = 4) -> st.SearchStrategy[Cluster]:
    return _clusters(max_endpoints=max_endpoints, max_policies=max_policies, templated=True)


def endpoints(name: str, templates: Sequence[Template]) -> st.SearchStrategy[Endpoint]:
    return _endpoints(name, templates)

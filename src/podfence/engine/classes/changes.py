"""Changes to a cluster, as a closed type: one policy, one ClusterNetworkPolicy or one
endpoint, changed or removed.

`ClassEngine.update` takes one of these; `changed_cluster` is what the cluster becomes.
"""

from __future__ import annotations

import bisect
import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar, assert_never

from podfence.model import Cluster, ClusterNetworkPolicy, Endpoint, NetworkPolicy

__all__ = [
    "Applied",
    "Change",
    "ClusterPolicyChanged",
    "ClusterPolicyRemoved",
    "EndpointChanged",
    "EndpointRemoved",
    "PolicyChanged",
    "PolicyRemoved",
    "changed_cluster",
]

_T = TypeVar("_T")


@dataclass(frozen=True, slots=True)
class PolicyChanged:
    """A policy added, or replacing the one with its key."""

    policy: NetworkPolicy


@dataclass(frozen=True, slots=True)
class PolicyRemoved:
    key: str
    """`namespace/name`."""


@dataclass(frozen=True, slots=True)
class EndpointChanged:
    """An endpoint added, or replacing the one with its id."""

    endpoint: Endpoint


@dataclass(frozen=True, slots=True)
class EndpointRemoved:
    id: str
    """`namespace/name`."""


@dataclass(frozen=True, slots=True)
class ClusterPolicyChanged:
    """A ClusterNetworkPolicy added, or replacing the one with its name (the class engine
    rebuilds: the tiers are computed with everything else)."""

    policy: ClusterNetworkPolicy


@dataclass(frozen=True, slots=True)
class ClusterPolicyRemoved:
    name: str
    """The ClusterNetworkPolicy's name (without `cnp/`)."""


Change = (
    PolicyChanged
    | PolicyRemoved
    | EndpointChanged
    | EndpointRemoved
    | ClusterPolicyChanged
    | ClusterPolicyRemoved
)


@dataclass(frozen=True, slots=True)
class Applied:
    """What an update did."""

    rebuilt: bool
    """True when everything was recomputed (`reason` says why)."""
    reason: str = ""
    classes: tuple[int, ...] = ()
    """Classes whose answers may have changed (incremental updates only)."""


def _policy_key(policy: NetworkPolicy) -> str:
    return f"{policy.namespace}\0{policy.name}"


def _sort_key(key: str) -> str:
    """`ns/name` as `_policy_key` spells it (policies are sorted by namespace, then name)."""
    return key.replace("/", "\0", 1)


def _cnp_key(policy: ClusterNetworkPolicy) -> str:
    return policy.name


def _endpoint_key(endpoint: Endpoint) -> str:
    return endpoint.id


def _replace_sorted(
    items: tuple[_T, ...], key: Callable[[_T], str], new: _T | None, old_key: str | None
) -> tuple[_T, ...]:
    """`items` (sorted by `key`) without the one keyed `old_key`, with `new` in its place."""
    out = list(items)
    if old_key is not None:
        i = bisect.bisect_left(out, old_key, key=key)
        if i < len(out) and key(out[i]) == old_key:
            del out[i]
    if new is not None:
        k = key(new)
        i = bisect.bisect_left(out, k, key=key)
        if i < len(out) and key(out[i]) == k:
            out[i] = new
        else:
            out.insert(i, new)
    return tuple(out)


def changed_cluster(cluster: Cluster, change: Change) -> Cluster:
    """`cluster` with `change` applied (policies, ClusterNetworkPolicies and endpoints stay
    sorted)."""
    policies, endpoints = cluster.policies, cluster.endpoints
    cnps = cluster.cluster_policies
    match change:
        case PolicyChanged(policy):
            policies = _replace_sorted(policies, _policy_key, policy, _sort_key(policy.key))
        case PolicyRemoved(key):
            policies = _replace_sorted(policies, _policy_key, None, _sort_key(key))
        case EndpointChanged(endpoint):
            endpoints = _replace_sorted(endpoints, _endpoint_key, endpoint, endpoint.id)
        case EndpointRemoved(ident):
            endpoints = _replace_sorted(endpoints, _endpoint_key, None, ident)
        case ClusterPolicyChanged(cnp):
            cnps = _replace_sorted(cnps, _cnp_key, cnp, cnp.name)
        case ClusterPolicyRemoved(name):
            cnps = _replace_sorted(cnps, _cnp_key, None, name)
        case _:
            assert_never(change)
    return dataclasses.replace(
        cluster, policies=policies, endpoints=endpoints, cluster_policies=cnps
    )

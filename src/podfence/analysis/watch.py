"""A watch round as data: apply what changed in the input to the class engine, and say which
pairs of endpoints became allowed or denied on the watched ports.

`Watch` holds the class engine and the last snapshot; each `advance` takes the new cluster,
applies the changed objects incrementally (or recomputes everything when the namespaces
changed or too many objects did), and returns the round. Polling files, timing and printing
are the command's (cli/scale_watch.py).

ClusterNetworkPolicies: the class engine does not model the Admin and Baseline tiers yet, so
while the input has any, every round asks the exact per-pair engine (`engine.Engine`, tiers
included) for every pair of endpoints on every watched port, from scratch (`WatchRound.
per_pair`); the pairs whose answer changed are found the same way. A change to a
ClusterNetworkPolicy or a Node (what `nodes` peers match) counts as a changed object.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from podfence.analysis.snapshots import (
    PairChange,
    Snapshot,
    object_changes,
    pair_changes,
    snapshot,
)
from podfence.engine import Engine
from podfence.engine.classes import ClassEngine
from podfence.model import Cluster, Connection, Location, ProtocolPort

__all__ = ["MAX_UPDATES", "Watch", "WatchRound", "pair_snapshot", "tier_object_changes"]

MAX_UPDATES = 25
"""More changed objects than this in one round: recompute everything instead."""

_NOWHERE = Location("")


@dataclass(frozen=True, slots=True)
class WatchRound:
    objects: int | None
    """Objects that changed; None when the namespaces changed (everything is recomputed)."""
    incremental: bool
    """False when the round recomputed everything."""
    changes: tuple[PairChange, ...]
    """Endpoint pairs (grouped) whose answer changed on a watched port."""
    per_pair: bool = False
    """True when the input has ClusterNetworkPolicies: every pair was asked of the per-pair
    engine (with the tiers), not of the class engine."""


def pair_snapshot(cluster: Cluster, ports: Sequence[ProtocolPort]) -> Snapshot:
    """A `Snapshot` from the per-pair engine (tiers included): every endpoint a class of its
    own, every pair asked on every port."""
    engine = Engine(cluster)
    endpoints = cluster.endpoints
    n = len(endpoints)
    matrices = []
    for spec in ports:
        bits = np.zeros((n, n), dtype=bool)
        for i, source in enumerate(endpoints):
            for j, destination in enumerate(endpoints):
                asked = Connection(source, destination, spec.port, spec.protocol)
                bits[i, j] = engine.allowed(asked)
        matrices.append(np.packbits(bits, axis=1))
    ids = {ep.id: i for i, ep in enumerate(endpoints)}
    labels = {i: ep.id for i, ep in enumerate(endpoints)}
    return Snapshot(tuple(ports), ids, n, tuple(matrices), labels)


def tier_object_changes(old: Cluster, new: Cluster) -> int:
    """How many ClusterNetworkPolicies and Nodes were added, removed or changed (where they
    are written aside)."""

    before: dict[tuple[str, str], object] = {}
    after: dict[tuple[str, str], object] = {}
    for cluster, out in ((old, before), (new, after)):
        for policy in cluster.cluster_policies:
            out["cnp", policy.name] = dataclasses.replace(policy, location=_NOWHERE)
        for node in cluster.nodes:
            out["node", node.name] = dataclasses.replace(node, location=_NOWHERE)
    return sum(before.get(k) != after.get(k) for k in before.keys() | after.keys())


class Watch:
    """The class engine of the watched input and what it allowed at the last round."""

    def __init__(self, cluster: Cluster, ports: Sequence[ProtocolPort]) -> None:
        self.ports = tuple(ports)
        self.engine = ClassEngine(cluster)
        self.cluster = cluster
        self._before = self._snapshot(cluster)

    @property
    def per_pair(self) -> bool:
        """Whether the last input had ClusterNetworkPolicies (asked pair by pair)."""
        return bool(self.cluster.cluster_policies)

    def _snapshot(self, cluster: Cluster) -> Snapshot:
        if cluster.cluster_policies:
            return pair_snapshot(cluster, self.ports)
        return snapshot(self.engine, self.ports)

    def advance(self, cluster: Cluster, *, max_updates: int = MAX_UPDATES) -> WatchRound:
        """Bring the engine to `cluster`; what changed since the last round."""
        updates = object_changes(self.engine.cluster, cluster)
        incremental = updates is not None and len(updates) <= max_updates
        if updates is None or not incremental:
            self.engine.rebuild(cluster)
        else:
            for update in updates:
                if self.engine.update(update).rebuilt:
                    incremental = False
        tiered = tier_object_changes(self.cluster, cluster)
        per_pair = bool(cluster.cluster_policies)
        if per_pair or self.cluster.cluster_policies:
            incremental = False
        after = self._snapshot(cluster)
        changes = pair_changes(self._before, after)
        self._before = after
        self.cluster = cluster
        objects = None if updates is None else len(updates) + tiered
        return WatchRound(objects, incremental, tuple(changes), per_pair)

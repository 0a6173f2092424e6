"""`ClassEngine`: the engine's answers for a whole cluster, computed over equivalence classes.

Endpoints are grouped into classes that no policy can tell apart (see `classify`: the
signature is read from the resolver), port numbers into atoms that no rule splits (see
`ports`), and reachability between classes is kept per direction as per-class masks, shared
peer vectors and sparse pairs (see `reach`), per IP-family view (see `views`), then through
the Admin and Baseline tiers of the ClusterNetworkPolicies (see `tiered`). Answers equal
`podfence.engine.Engine.allowed` exactly; a pod may always reach itself, which is the only
thing classes do not decide. The state lives in one `ClassState`; `update` takes a `Change`
(a ClusterNetworkPolicy change rebuilds).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Literal, overload

import numpy as np
import numpy.typing as npt

from podfence.engine.classes.changes import Applied, Change, changed_cluster
from podfence.engine.classes.groups import (
    EndpointClass,
    GroupedMatrix,
    GroupedPorts,
    GroupPortMatrix,
)
from podfence.engine.classes.ports import MAX_PORT, PortAtoms
from podfence.engine.classes.state import ClassState
from podfence.engine.classes.summary import summarise
from podfence.engine.classes.update import Rebuild
from podfence.engine.evaluate import Engine
from podfence.model import Cluster, Connection, Endpoint, Party, Protocol, ProtocolPort

__all__ = ["ClassEngine"]

_Idx = npt.NDArray[np.intp]


class ClassEngine:
    """Whole-cluster reachability over equivalence classes of endpoints."""

    def __init__(self, cluster: Cluster, *, big_peer_set: int = 256) -> None:
        """`big_peer_set`: peer sets of at least this many classes (and 1/16 of all) are
        kept as shared vectors rather than explicit pairs (a tuning knob; answers are equal).
        """
        self.big_peer_set = big_peer_set
        self._state = ClassState.build(cluster, big_peer_set=big_peer_set)
        self._classes: tuple[EndpointClass, ...] | None = None
        self._exact: Engine | None = None

    @property
    def state(self) -> ClassState:
        """The engine's state (read it; change it only through `update`)."""
        return self._state

    @property
    def cluster(self) -> Cluster:
        return self._state.cluster

    @property
    def class_by_id(self) -> Mapping[str, int]:
        """The (internal) class of each endpoint, by id."""
        return self._state.class_by_id

    @property
    def class_count(self) -> int:
        """The number of internal classes (some may have no member left after updates)."""
        return len(self._state.signatures)

    def rebuild(self, cluster: Cluster) -> None:
        """Recompute everything for `cluster`."""
        self._state = ClassState.build(cluster, big_peer_set=self.big_peer_set)
        self._forget()

    def update(self, change: Change) -> Applied:
        """Apply one change in place, reusing what it does not touch (see `state`);
        rebuild when that cannot be done. Namespaces cannot change this way: rebuild."""
        cluster = changed_cluster(self._state.cluster, change)
        try:
            classes = self._state.apply(change, cluster)
        except Rebuild as exc:
            self.rebuild(cluster)
            return Applied(True, str(exc))
        self._forget()
        return Applied(False, "", classes)

    def _forget(self) -> None:
        """Forget what is derived from the cluster (after a change)."""
        self._classes = None
        self._exact = None

    # -- classes -----------------------------------------------------------------------

    @property
    def atoms(self) -> PortAtoms:
        return self._state.atoms

    @property
    def classes(self) -> tuple[EndpointClass, ...]:
        """The non-empty classes, numbered 0.. in the order of their first member."""
        if self._classes is None:
            state = self._state
            self._classes = summarise(
                state.cluster.endpoints, state.class_by_id, state.signatures, state.universe
            )
        return self._classes

    def class_of(self, endpoint: Endpoint) -> int | None:
        """The (internal) class of an endpoint of this cluster; None if it is not one."""
        stored = self._state.endpoints.get(endpoint.id)
        if stored is None or (stored is not endpoint and stored != endpoint):
            return None
        return self._state.class_by_id[endpoint.id]

    def _positions(self) -> _Idx:
        """The internal class of each group of `classes`."""
        by_id = self._state.class_by_id
        return np.asarray([by_id[g.members[0]] for g in self.classes], dtype=np.intp)

    # -- answers -----------------------------------------------------------------------

    def exact(self) -> Engine:
        """The per-connection engine on the same cluster (for parties outside the classes)."""
        if self._exact is None:
            self._exact = Engine(self._state.cluster)
        return self._exact

    def allowed(
        self,
        source: Party,
        destination: Party,
        port: int,
        protocol: Protocol,
        family: int | None = None,
    ) -> bool:
        """May `source` open a connection to `destination` on port/protocol over IP family
        `family` (None: over every family the two can use, as `Engine.allowed`)? O(1) for
        pods.

        Parties that are not endpoints of this cluster (outside addresses, other objects) and
        port numbers outside 1-65535 are answered by the exact engine.
        """
        if isinstance(source, Endpoint) and source == destination:
            return True
        s = self.class_of(source) if isinstance(source, Endpoint) else None
        d = self.class_of(destination) if isinstance(destination, Endpoint) else None
        if s is None or d is None or not 1 <= port <= MAX_PORT:
            return self.exact().allowed(Connection(source, destination, port, protocol, family))
        bit = self.atoms.atom(port, protocol)
        return bool(int(self._state.views.pair(s, d, family)[bit // 64]) >> (bit % 64) & 1)

    def class_bits(
        self,
        spec: ProtocolPort,
        sources: _Idx,
        destinations: _Idx,
        family: int | None = None,
    ) -> npt.NDArray[np.bool_]:
        """allowed[s, d] between (internal) classes on one port over `family` (None: every
        family the two can use), for two distinct members."""
        views = self._state.views
        bit = self.atoms.atom(spec.port, spec.protocol)
        out = np.zeros((len(sources), len(destinations)), dtype=np.bool_)
        step = views.chunk_rows()
        for first in range(0, len(sources), step):
            block = views.rows_of(sources[first : first + step], destinations, family)
            out[first : first + step] = (block[..., bit // 64] >> np.uint64(bit % 64)) & 1
        return out

    @overload
    def grouped(self, ports: Sequence[ProtocolPort]) -> GroupedMatrix: ...

    @overload
    def grouped(self, *, all_ports: Literal[True]) -> GroupedPorts: ...

    def grouped(
        self, ports: Sequence[ProtocolPort] = (), *, all_ports: bool = False
    ) -> GroupedMatrix | GroupedPorts:
        """Per port, allowed[i][j] between groups: for two different members, except that a
        group of one pod reaches itself (a pod may always reach itself)."""
        if all_ports:
            return self.grouped_ports()
        pos = self._positions()
        single = np.flatnonzero([len(g.members) == 1 for g in self.classes])
        matrices = []
        for spec in ports:
            bits = self.class_bits(spec, pos, pos)
            bits[single, single] = True  # the only pair is a pod and itself
            matrices.append(GroupPortMatrix(spec.port, spec.protocol, bits))
        return GroupedMatrix(self.classes, tuple(matrices))

    def grouped_ports(self) -> GroupedPorts:
        """Every allowed port and protocol, per pair of groups."""
        return GroupedPorts(self.classes, self.atoms, self._state.views, self._positions())

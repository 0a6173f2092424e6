"""`ClassEngine`: the engine's answers for a whole cluster, computed over equivalence classes.

Endpoints are grouped into classes that no policy can tell apart (see `classify`), port
numbers into atoms that no rule splits (see `ports`), and reachability between classes is
kept per direction as per-class masks, shared peer vectors and sparse pairs (see `reach`).
Answers equal `podfence.engine.Engine.allowed` exactly; a pod may always reach itself,
which is the only thing classes do not decide.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal, overload

import numpy as np
import numpy.typing as npt

from podfence.analysis.matrix import Matrix, PortMatrix
from podfence.engine import Engine
from podfence.engine.classes.classify import Classifier, Signature
from podfence.engine.classes.groups import (
    EndpointClass,
    GroupedMatrix,
    GroupedPorts,
    GroupPortMatrix,
)
from podfence.engine.classes.ports import MAX_PORT, PortAtoms, build_atoms
from podfence.engine.classes.reach import Reach
from podfence.engine.classes.rules import ClassRule, class_rules, port_cuts
from podfence.engine.classes.summary import summarise
from podfence.engine.classes.update import Change, Members, apply_update
from podfence.engine.universe import Universe
from podfence.model import (
    Cluster,
    Connection,
    Direction,
    Endpoint,
    NetworkPolicy,
    Party,
    Protocol,
    ProtocolPort,
)

__all__ = ["ClassEngine"]

_Idx = npt.NDArray[np.intp]


class ClassEngine:
    """Whole-cluster reachability over equivalence classes of endpoints."""

    def __init__(self, cluster: Cluster, *, big_peer_set: int = 256) -> None:
        """`big_peer_set`: peer sets of at least this many classes (and 1/16 of all) are
        kept as shared vectors rather than explicit pairs (a tuning knob; answers are equal).
        """
        self.big_peer_set = big_peer_set
        self._build(cluster)

    def _build(self, cluster: Cluster) -> None:
        self.cluster = cluster
        self.universe = Universe.of(cluster.policies)
        self.classifier = Classifier(
            self.universe, {ns.name: ns.labels for ns in cluster.namespaces}
        )
        self.policy_ids: dict[str, int] = {p.key: i for i, p in enumerate(cluster.policies)}
        self.rules: dict[int, dict[Direction, tuple[ClassRule, ...]]] = {
            pid: class_rules(self.universe, pid) for pid, _ in self.universe.live()
        }
        signatures = self.classifier.signatures(cluster.endpoints)
        index: dict[Signature, int] = {}
        self.class_by_id: dict[str, int] = {}
        slots: dict[str, int] = {}
        by_ns: dict[str, dict[int, None]] = {}
        of_slot: list[int] = []
        for i, (ep, sig) in enumerate(zip(cluster.endpoints, signatures, strict=True)):
            ident = ep.id
            c = self.class_by_id[ident] = index.setdefault(sig, len(index))
            of_slot.append(c)
            slots[ident] = i
            by_ns.setdefault(ep.namespace, {})[i] = None
        classes = np.asarray(of_slot, dtype=np.intp)
        self.members = Members(slots, list(cluster.endpoints), classes, by_ns)
        self.endpoints: dict[str, Endpoint] = {ep.id: ep for ep in cluster.endpoints}
        self.index = index
        self.reach = Reach(
            list(index),
            self.universe,
            self._atoms(index),
            self.rules,
            big_peer_set=self.big_peer_set,
        )
        self.classifier_stale = False
        self.invalidate()

    def invalidate(self) -> None:
        """Forget what is derived from the cluster (after an update)."""
        self._classes: tuple[EndpointClass, ...] | None = None
        self._exact: Engine | None = None

    def rebuild(self, cluster: Cluster) -> None:
        """Recompute everything for `cluster`."""
        self._build(cluster)

    def update(
        self,
        *,
        changed_policy: NetworkPolicy | None = None,
        removed_policy: str | None = None,
        changed_endpoint: Endpoint | None = None,
        removed_endpoint: str | None = None,
    ) -> Change:
        """Apply one change in place, reusing what it does not touch (see `update`).

        `changed_policy` adds or replaces the policy with its key; `removed_policy` is a key
        `ns/name`; `changed_endpoint` adds or replaces the endpoint with its id;
        `removed_endpoint` is an id. Namespaces cannot change this way: rebuild instead.
        """
        return apply_update(
            self,
            changed_policy=changed_policy,
            removed_policy=removed_policy,
            changed_endpoint=changed_endpoint,
            removed_endpoint=removed_endpoint,
        )

    def _atoms(self, signatures: Sequence[Signature] | dict[Signature, int]) -> PortAtoms:
        cuts = port_cuts(self.universe)
        for sig in signatures:
            for nid, number in enumerate(sig.named):
                if number is not None:
                    cuts[self.universe.named[nid][1]].update((number, number + 1))
        return build_atoms(cuts)

    # -- classes -----------------------------------------------------------------------

    @property
    def atoms(self) -> PortAtoms:
        return self.reach.atoms

    @property
    def classes(self) -> tuple[EndpointClass, ...]:
        """The non-empty classes, numbered 0.. in the order of their first member."""
        if self._classes is None:
            self._classes = summarise(
                self.cluster.endpoints, self.class_by_id, self.reach.signatures, self.universe
            )
        return self._classes

    def class_of(self, endpoint: Endpoint) -> int | None:
        """The (internal) class of an endpoint of this cluster; None if it is not one."""
        stored = self.endpoints.get(endpoint.id)
        if stored is None or (stored is not endpoint and stored != endpoint):
            return None
        return self.class_by_id[endpoint.id]

    def _positions(self) -> _Idx:
        """The internal class of each group of `classes`."""
        return np.asarray([self.class_by_id[g.members[0]] for g in self.classes], dtype=np.intp)

    # -- answers -----------------------------------------------------------------------

    def exact(self) -> Engine:
        """The per-connection engine on the same cluster (for parties outside the classes)."""
        if self._exact is None:
            self._exact = Engine(self.cluster)
        return self._exact

    def allowed(self, source: Party, destination: Party, port: int, protocol: Protocol) -> bool:
        """May `source` open a connection to `destination` on port/protocol? O(1) for pods.

        Parties that are not endpoints of this cluster (outside addresses, other objects) and
        port numbers outside 1-65535 are answered by the exact engine.
        """
        if isinstance(source, Endpoint) and source == destination:
            return True
        s = self.class_of(source) if isinstance(source, Endpoint) else None
        d = self.class_of(destination) if isinstance(destination, Endpoint) else None
        if s is None or d is None or not 1 <= port <= MAX_PORT:
            return self.exact().allowed(Connection(source, destination, port, protocol))
        bit = self.atoms.atom(port, protocol)
        return bool(int(self.reach.pair(s, d)[bit // 64]) >> (bit % 64) & 1)

    def class_bits(
        self, spec: ProtocolPort, sources: _Idx, destinations: _Idx
    ) -> npt.NDArray[np.bool_]:
        """allowed[s, d] between (internal) classes on one port, for two distinct members."""
        bit = self.atoms.atom(spec.port, spec.protocol)
        out = np.zeros((len(sources), len(destinations)), dtype=np.bool_)
        step = self.reach.chunk_rows()
        for first in range(0, len(sources), step):
            block = self.reach.rows_of(sources[first : first + step], destinations)
            out[first : first + step] = (block[..., bit // 64] >> np.uint64(bit % 64)) & 1
        return out

    def matrix(self, ports: Sequence[ProtocolPort]) -> Matrix:
        """The dense endpoint x endpoint matrix (`compute_matrix`'s contract), from classes."""
        eps = self.cluster.endpoints
        cls = np.asarray([self.class_by_id[ep.id] for ep in eps], dtype=np.intp)
        used, inverse = np.unique(cls, return_inverse=True)
        matrices = []
        for spec in ports:
            per_class = self.class_bits(spec, used, used)
            full = per_class[np.ix_(inverse, inverse)]
            np.fill_diagonal(full, True)
            matrices.append(PortMatrix(spec.port, spec.protocol, tuple(map(tuple, full.tolist()))))
        return Matrix(tuple(ep.id for ep in eps), tuple(matrices))

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
        return GroupedPorts(self.classes, self.atoms, self.reach, self._positions())

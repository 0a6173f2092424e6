"""What changed between two analyses: objects (for incremental updates) and allowed pairs."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from podfence.engine.classes import (
    Change,
    ClassEngine,
    ClusterPolicyChanged,
    ClusterPolicyRemoved,
    EndpointChanged,
    EndpointRemoved,
    PolicyChanged,
    PolicyRemoved,
)
from podfence.model import (
    Cluster,
    ClusterNetworkPolicy,
    Endpoint,
    Location,
    NetworkPolicy,
    Node,
    ProtocolPort,
)

__all__ = [
    "Snapshot",
    "PairChange",
    "snapshot",
    "pair_changes",
    "nodes_changed",
    "object_changes",
    "same_but_location",
]

_NOWHERE = Location("")


@dataclass(frozen=True, slots=True)
class Snapshot:
    """Per port, the allowed class pairs (bits packed by row), and who is in which class."""

    ports: tuple[ProtocolPort, ...]
    class_by_id: dict[str, int]
    classes: int
    matrices: tuple[npt.NDArray[np.uint8], ...]
    labels: dict[int, str]


@dataclass(frozen=True, slots=True)
class PairChange:
    port: ProtocolPort
    allowed: bool
    """True: now allowed (was denied); False: now denied."""
    sources: tuple[str, ...]
    destinations: tuple[str, ...]
    source_label: str
    destination_label: str


def snapshot(engine: ClassEngine, ports: Sequence[ProtocolPort]) -> Snapshot:
    n = engine.class_count
    every = np.arange(n, dtype=np.intp)
    matrices = []
    for spec in ports:
        bits = engine.class_bits(spec, every, every)
        matrices.append(np.packbits(bits, axis=1))
    labels = {}
    for group in engine.classes:
        labels[engine.class_by_id[group.members[0]]] = group.selector
    return Snapshot(tuple(ports), dict(engine.class_by_id), n, tuple(matrices), labels)


def _rows(
    packed: npt.NDArray[np.uint8],
    rows: npt.NDArray[np.intp],
    count: int,
    cols: npt.NDArray[np.intp],
) -> npt.NDArray[np.bool_]:
    out: npt.NDArray[np.bool_] = np.unpackbits(packed[rows], axis=1, count=count)[:, cols] > 0
    return out


def pair_changes(old: Snapshot, new: Snapshot, *, block: int = 512) -> list[PairChange]:
    """Endpoint pairs (grouped) whose answer changed, for endpoints present in both."""
    joint: dict[tuple[int, int], list[str]] = {}
    for ident, c_new in new.class_by_id.items():
        c_old = old.class_by_id.get(ident)
        if c_old is not None:
            joint.setdefault((c_old, c_new), []).append(ident)
    keys = list(joint)
    jo = np.asarray([k[0] for k in keys], dtype=np.intp)
    jn = np.asarray([k[1] for k in keys], dtype=np.intp)
    out: list[PairChange] = []
    for p, spec in enumerate(new.ports):
        if spec not in old.ports:
            continue
        po = old.matrices[old.ports.index(spec)]
        pn = new.matrices[p]
        for first in range(0, len(keys), block):
            rows = slice(first, first + block)
            a = _rows(po, jo[rows], old.classes, jo)
            b = _rows(pn, jn[rows], new.classes, jn)
            for r, c in zip(*np.nonzero(a != b), strict=True):
                i, j = first + int(r), int(c)
                if i == j and len(joint[keys[i]]) == 1:
                    continue  # a pod and itself
                out.append(
                    PairChange(
                        spec,
                        bool(b[r, c]),
                        tuple(joint[keys[i]]),
                        tuple(joint[keys[j]]),
                        new.labels.get(int(jn[i]), "?"),
                        new.labels.get(int(jn[j]), "?"),
                    )
                )
    return out


_Located = NetworkPolicy | Endpoint | ClusterNetworkPolicy | Node


def same_but_location(a: _Located, b: _Located) -> bool:
    """Equal in every field but where they are written."""
    if a is b:
        return True
    if type(a) is not type(b):
        return False
    names = _FIELDS.get(type(a))
    if names is None:
        names = _FIELDS[type(a)] = tuple(
            f.name for f in dataclasses.fields(a) if f.name != "location"
        )
    return all(getattr(a, n) == getattr(b, n) for n in names)


_FIELDS: dict[type, tuple[str, ...]] = {}
_same = same_but_location


def nodes_changed(old: Cluster, new: Cluster) -> bool:
    """Do the two clusters' Nodes differ (but for where they are written)?"""
    return len(old.nodes) != len(new.nodes) or not all(
        _same(a, b) for a, b in zip(old.nodes, new.nodes, strict=True)
    )


def object_changes(old: Cluster, new: Cluster) -> list[Change] | None:
    """The changes that turn `old` into `new`; None when namespaces or Nodes changed
    (rebuild)."""
    strip = [dataclasses.replace(n, location=_NOWHERE) for n in old.namespaces]
    if strip != [dataclasses.replace(n, location=_NOWHERE) for n in new.namespaces]:
        return None
    if nodes_changed(old, new):
        return None
    updates: list[Change] = []
    cnps_before = {p.name: p for p in old.cluster_policies}
    cnps_after = {p.name: p for p in new.cluster_policies}
    updates += [ClusterPolicyRemoved(k) for k in cnps_before if k not in cnps_after]
    updates += [
        ClusterPolicyChanged(p)
        for k, p in cnps_after.items()
        if k not in cnps_before or not _same(cnps_before[k], p)
    ]
    before = {p.key: p for p in old.policies}
    after = {p.key: p for p in new.policies}
    updates += [PolicyRemoved(k) for k in before if k not in after]
    updates += [
        PolicyChanged(p) for k, p in after.items() if k not in before or not _same(before[k], p)
    ]
    eps_before = {e.id: e for e in old.endpoints}
    eps_after = {e.id: e for e in new.endpoints}
    updates += [EndpointRemoved(k) for k in eps_before if k not in eps_after]
    updates += [
        EndpointChanged(e)
        for k, e in eps_after.items()
        if k not in eps_before or not _same(eps_before[k], e)
    ]
    return updates

"""A watch round as data: apply what changed in the input to the class engine, and say which
pairs of endpoints became allowed or denied on the watched ports.

`Watch` holds the class engine and the last snapshot; each `advance` takes the new cluster,
applies the changed objects incrementally (or recomputes everything when the namespaces
changed or too many objects did), and returns the round. Polling files, timing and printing
are the command's (cli/scale_watch.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from podfence.analysis.snapshots import PairChange, object_changes, pair_changes, snapshot
from podfence.engine.classes import ClassEngine
from podfence.model import Cluster, ProtocolPort

__all__ = ["MAX_UPDATES", "Watch", "WatchRound"]

MAX_UPDATES = 25
"""More changed objects than this in one round: recompute everything instead."""


@dataclass(frozen=True, slots=True)
class WatchRound:
    objects: int | None
    """Objects that changed; None when the namespaces changed (everything is recomputed)."""
    incremental: bool
    """False when the round recomputed everything."""
    changes: tuple[PairChange, ...]
    """Endpoint pairs (grouped) whose answer changed on a watched port."""


class Watch:
    """The class engine of the watched input and what it allowed at the last round."""

    def __init__(self, cluster: Cluster, ports: Sequence[ProtocolPort]) -> None:
        self.ports = tuple(ports)
        self.engine = ClassEngine(cluster)
        self._before = snapshot(self.engine, self.ports)

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
        after = snapshot(self.engine, self.ports)
        changes = pair_changes(self._before, after)
        self._before = after
        return WatchRound(None if updates is None else len(updates), incremental, tuple(changes))

"""The loop behind `podfence watch`: poll modification times, update, print what changed."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from pathlib import Path

from podfence.analysis.snapshots import PairChange, Snapshot, object_changes, pair_changes, snapshot
from podfence.engine.classes import ClassEngine
from podfence.load.fast.load import load_fast
from podfence.load.sources import discover
from podfence.model import Cluster, ProtocolPort
from podfence.render.text import render_diagnostics

__all__ = ["Watcher", "MAX_LINES", "MAX_UPDATES"]

MAX_LINES = 50
"""Changed pairs printed per round (then a count of the rest)."""
MAX_UPDATES = 25
"""More changed objects than this in one round: recompute everything instead."""

Echo = Callable[..., None]
_Stamps = tuple[tuple[str, int, int], ...]


def _who(ids: Sequence[str], label: str) -> str:
    if len(ids) <= 3:
        return ", ".join(ids)
    return f"{label} ({len(ids)} pods)"


def _line(change: PairChange) -> str:
    sign = "+" if change.allowed else "-"
    src = _who(change.sources, change.source_label)
    dst = _who(change.destinations, change.destination_label)
    return f"  {sign} {change.port}  {src} -> {dst}"


class Watcher:
    def __init__(
        self, paths: list[str], ports: list[ProtocolPort], namespace: str, echo: Echo
    ) -> None:
        self.paths = paths
        self.ports = ports
        self.namespace = namespace
        self.echo = echo
        self.stamps: _Stamps = ()
        self.engine: ClassEngine | None = None
        self.before: Snapshot | None = None

    def _stamps(self) -> _Stamps:
        files: list[Path] = []
        for arg in self.paths:
            path = Path(arg)
            files += discover(path) if path.is_dir() else [path]
        out = []
        for f in files:
            try:
                st = f.stat()
            except OSError:
                out.append((str(f), -1, -1))
            else:
                out.append((str(f), st.st_mtime_ns, st.st_size))
        return tuple(out)

    def _load(self) -> Cluster | None:
        result = load_fast(self.paths, default_namespace=self.namespace)
        if result.diagnostics:
            self.echo(render_diagnostics(result.diagnostics), err=True, nl=False)
        if result.cluster is None:
            self.echo(f"not applied: {result.error_count} error(s) in the input", err=True)
        return result.cluster

    def start(self) -> None:
        self.stamps = self._stamps()
        cluster = self._load()
        if cluster is None:
            cluster = Cluster()
        self.engine = ClassEngine(cluster)
        self.before = snapshot(self.engine, self.ports)
        self.echo(
            f"watching {len(self.stamps)} file(s): {len(cluster.endpoints)} endpoints in "
            f"{len(self.engine.classes)} groups, {len(cluster.policies)} policies"
        )

    def check(self) -> bool:
        """One poll; True when the input changed (and was analysed again)."""
        stamps = self._stamps()
        if stamps == self.stamps:
            return False
        self.stamps = stamps
        cluster = self._load()
        if cluster is None or self.engine is None or self.before is None:
            return True
        started = time.perf_counter()
        updates = object_changes(self.engine.cluster, cluster)
        how = "incrementally"
        if updates is None or len(updates) > MAX_UPDATES:
            self.engine.rebuild(cluster)
            how = "from scratch"
        else:
            for update in updates:
                if self.engine.update(update).rebuilt:
                    how = "from scratch"
        after = snapshot(self.engine, self.ports)
        changes = pair_changes(self.before, after)
        self.before = after
        took = (time.perf_counter() - started) * 1000
        count = "?" if updates is None else str(len(updates))
        self.echo(
            f"{time.strftime('%H:%M:%S')} {count} object(s) changed, analysed {how} in "
            f"{took:.0f} ms: {len(changes)} change(s) in allowed pairs"
        )
        for change in changes[:MAX_LINES]:
            self.echo(_line(change))
        if len(changes) > MAX_LINES:
            self.echo(f"  ... and {len(changes) - MAX_LINES} more")
        return True

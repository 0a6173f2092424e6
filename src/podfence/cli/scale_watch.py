"""The loop behind `podfence watch`: poll modification times, load, run a watch round
(analysis.watch), print it (render.watch)."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from podfence.analysis.watch import MAX_UPDATES, Watch
from podfence.load import LoadOptions
from podfence.load.fast.load import load_fast
from podfence.load.options import DEFAULT_OPTIONS
from podfence.load.sources import discover
from podfence.model import Cluster, ProtocolPort
from podfence.render.text import render_diagnostics
from podfence.render.watch import MAX_LINES, render_round
from podfence.render.words import count

__all__ = ["Watcher", "MAX_LINES", "MAX_UPDATES"]

Echo = Callable[..., None]
_Stamps = tuple[tuple[str, int, int], ...]


class Watcher:
    def __init__(
        self,
        paths: list[str],
        ports: list[ProtocolPort],
        namespace: str,
        echo: Echo,
        options: LoadOptions = DEFAULT_OPTIONS,
    ) -> None:
        self.paths = paths
        self.ports = ports
        self.namespace = namespace
        self.options = options
        self.echo = echo
        self.stamps: _Stamps = ()
        self.watch: Watch | None = None

    def _stamps(self) -> _Stamps:
        files: list[Path] = []
        for arg in self.paths:
            path = Path(arg)
            files += discover(path, self.options.exclude) if path.is_dir() else [path]
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
        result = load_fast(self.paths, default_namespace=self.namespace, options=self.options)
        if result.diagnostics:
            self.echo(render_diagnostics(result.diagnostics), err=True, nl=False)
        if result.cluster is None:
            errors = count(result.error_count, "error")
            self.echo(f"not applied: {errors} in the input", err=True)
        return result.cluster

    def start(self) -> None:
        self.stamps = self._stamps()
        cluster = self._load()
        if cluster is None:
            cluster = Cluster()
        self.watch = Watch(cluster, self.ports)
        cnps = cluster.cluster_policies
        tiers = f", {count(len(cnps), 'ClusterNetworkPolicy', 'ClusterNetworkPolicies')}"
        self.echo(
            f"watching {count(len(self.stamps), 'file')}: "
            f"{count(len(cluster.endpoints), 'endpoint')} in "
            f"{count(len(self.watch.engine.classes), 'group')}, "
            f"{count(len(cluster.policies), 'policy')}{tiers if cnps else ''}"
        )

    def check(self) -> bool:
        """One poll; True when the input changed (and was analysed again)."""
        stamps = self._stamps()
        if stamps == self.stamps:
            return False
        self.stamps = stamps
        cluster = self._load()
        if cluster is None or self.watch is None:
            return True
        started = time.perf_counter()
        result = self.watch.advance(cluster)
        took = (time.perf_counter() - started) * 1000
        for line in render_round(result, clock=time.strftime("%H:%M:%S"), took_ms=took):
            self.echo(line)
        return True

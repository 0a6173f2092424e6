"""Prometheus metrics in the text exposition format (version 0.0.4), without a dependency.

Counters, gauges and one histogram, with labels; thread-safe; `render()` is what `/metrics`
serves. Names follow the Prometheus conventions (`_total`, `_seconds`).
"""

from __future__ import annotations

import math
import threading
from collections.abc import Sequence

__all__ = ["Metrics", "SYNC_BUCKETS"]

SYNC_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)

Labels = tuple[tuple[str, str], ...]

_HELP: dict[str, tuple[str, str]] = {
    "podfence_agent_sync_duration_seconds": (
        "histogram",
        "From the first unapplied change seen to the ruleset applied (or found unchanged).",
    ),
    "podfence_agent_rules": ("gauge", "Rules in the applied ruleset."),
    "podfence_agent_set_elements": ("gauge", "Elements of the applied ruleset's sets and maps."),
    "podfence_agent_local_pods": ("gauge", "Valid pods of this node."),
    "podfence_agent_applies_total": ("counter", "Rulesets applied, by mode."),
    "podfence_agent_apply_errors_total": ("counter", "Applies nft refused (old ruleset kept)."),
    "podfence_agent_watch_restarts_total": (
        "counter",
        "Lists and watches that ended, by collection and reason (timeout, expired, error).",
    ),
    "podfence_agent_relists_total": ("counter", "Complete lists received, by collection."),
    "podfence_agent_rejected_objects": (
        "gauge",
        "Objects podfence rejects (their pods are quarantined).",
    ),
    "podfence_agent_quarantined_addresses": (
        "gauge",
        "Local pod addresses with no new connection allowed, by direction.",
    ),
    "podfence_agent_cluster_network_policies": (
        "gauge",
        "ClusterNetworkPolicies seen (enforced, or failed closed when rejected).",
    ),
    "podfence_agent_ready": ("gauge", "1 when synced, connected and the last apply worked."),
}


def _labels(labels: Labels) -> str:
    parts = [f'{k}="{_escape(v)}"' for k, v in labels]
    return "{" + ",".join(parts) + "}" if parts else ""


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def _number(value: float) -> str:
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    return repr(float(value)) if not float(value).is_integer() else str(int(value))


class Metrics:
    def __init__(self, buckets: Sequence[float] = SYNC_BUCKETS) -> None:
        self.buckets = tuple(buckets)
        self._lock = threading.Lock()
        self._values: dict[tuple[str, Labels], float] = {}
        self._hist: dict[str, tuple[list[int], float, int]] = {}

    def inc(self, name: str, amount: float = 1.0, **labels: str) -> None:
        key = (name, tuple(sorted(labels.items())))
        with self._lock:
            self._values[key] = self._values.get(key, 0.0) + amount

    def set(self, name: str, value: float, **labels: str) -> None:
        with self._lock:
            self._values[(name, tuple(sorted(labels.items())))] = value

    def get(self, name: str, **labels: str) -> float:
        with self._lock:
            return self._values.get((name, tuple(sorted(labels.items()))), 0.0)

    def observe(self, name: str, value: float) -> None:
        with self._lock:
            counts, total, n = self._hist.get(name, ([0] * len(self.buckets), 0.0, 0))
            counts = [c + (value <= b) for c, b in zip(counts, self.buckets, strict=True)]
            self._hist[name] = (counts, total + value, n + 1)

    def count(self, name: str) -> int:
        """Observations of histogram `name`."""
        with self._lock:
            return self._hist.get(name, ([], 0.0, 0))[2]

    def render(self) -> str:
        with self._lock:
            values = dict(self._values)
            hist = dict(self._hist)
        names = sorted({n for n, _ in values} | set(hist))
        lines: list[str] = []
        for name in names:
            kind, text = _HELP.get(name, ("untyped", name))
            lines += [f"# HELP {name} {text}", f"# TYPE {name} {kind}"]
            if name in hist:
                counts, total, n = hist[name]
                for bucket, count in zip(self.buckets, counts, strict=True):
                    lines.append(f'{name}_bucket{{le="{_number(bucket)}"}} {count}')
                lines += [f'{name}_bucket{{le="+Inf"}} {n}', f"{name}_sum {total!r}"]
                lines.append(f"{name}_count {n}")
                continue
            for (metric, labels), value in sorted(values.items()):
                if metric == name:
                    lines.append(f"{name}{_labels(labels)} {_number(value)}")
        return "\n".join(lines) + "\n"

"""In-memory twins of the agent's I/O: a scripted ListWatch, a recording event sink."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from podfence.kube.events import EventReport
from podfence.kube.watch import Unavailable, Watched

__all__ = ["ScriptedListWatch", "RecordingEvents", "pod", "policy", "namespace", "node"]


@dataclass
class ScriptedListWatch:
    """Answers from scripts: `lists` (items, rv) or an exception, in order; `watches` a list
    of events (dicts) or an exception, in order. When a script runs out, `stop` is set."""

    lists: list[tuple[list[dict[str, Any]], str] | Exception]
    watches: list[list[dict[str, Any] | Exception] | Exception]
    stop: threading.Event = field(default_factory=threading.Event)
    calls: list[tuple[str, str]] = field(default_factory=list)

    def list(self, resource: Watched) -> tuple[list[dict[str, Any]], str]:
        self.calls.append(("list", ""))
        if not self.lists:
            self.stop.set()
            raise Unavailable("script over")
        item = self.lists.pop(0)
        if isinstance(item, Exception):
            raise item
        return item

    def watch(
        self, resource: Watched, resource_version: str, timeout_seconds: int
    ) -> Iterator[dict[str, Any]]:
        self.calls.append(("watch", resource_version))
        if not self.watches:
            self.stop.set()
            raise Unavailable("script over")
        item = self.watches.pop(0)
        if isinstance(item, Exception):
            raise item
        return self._events(item)

    @staticmethod
    def _events(items: list[dict[str, Any] | Exception]) -> Iterator[dict[str, Any]]:
        for item in items:
            if isinstance(item, Exception):
                raise item
            yield item

    def interrupt(self) -> None:
        return


@dataclass
class RecordingEvents:
    reports: list[EventReport] = field(default_factory=list)

    def warning(self, report: EventReport) -> None:
        self.reports.append(report)


def _meta(
    name: str, namespace: str | None, rv: str, labels: dict[str, str] | None
) -> dict[str, Any]:
    meta: dict[str, Any] = {"name": name, "resourceVersion": rv, "uid": f"uid-{name}"}
    if namespace is not None:
        meta["namespace"] = namespace
    if labels:
        meta["labels"] = labels
    return meta


def namespace(name: str, rv: str = "1", **labels: str) -> dict[str, Any]:
    return {"metadata": _meta(name, None, rv, {"kubernetes.io/metadata.name": name, **labels})}


def node(name: str, rv: str = "1") -> dict[str, Any]:
    return {"metadata": _meta(name, None, rv, None)}


def pod(
    ns: str,
    name: str,
    *,
    node: str,
    ip: str | None,
    rv: str = "1",
    phase: str = "Running",
    ports: list[dict[str, Any]] | None = None,
    **labels: str,
) -> dict[str, Any]:
    status: dict[str, Any] = {"phase": phase}
    if ip is not None:
        status |= {"podIP": ip, "podIPs": [{"ip": ip}]}
    return {
        "metadata": _meta(name, ns, rv, labels),
        "spec": {"nodeName": node, "containers": [{"name": "c", "ports": ports or []}]},
        "status": status,
    }


def policy(ns: str, name: str, spec: dict[str, Any], rv: str = "1") -> dict[str, Any]:
    return {"metadata": _meta(name, ns, rv, None), "spec": spec}

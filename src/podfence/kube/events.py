"""Kubernetes Events (core/v1) about objects, written by a background thread.

`KubeEvents.warning` never blocks the caller: the event is queued and created by a worker,
which retries a few times with backoff when the API server is unreachable and then gives up
(an Event is a report, not state). One name per (object, resourceVersion, reason, host),
so an agent that restarts does not write the same event twice (409 is ignored).
"""

from __future__ import annotations

import datetime
import hashlib
import queue
import threading
from dataclasses import dataclass
from typing import Any

from podfence.kube.client import _kubernetes

__all__ = ["EventReport", "KubeEvents"]

_ATTEMPTS = 5
_MESSAGE_MAX = 1024


@dataclass(frozen=True, slots=True)
class EventReport:
    """A Warning or Normal event about one object."""

    kind: str
    api_version: str
    namespace: str
    name: str
    uid: str
    resource_version: str
    reason: str
    message: str
    type: str = "Warning"

    @property
    def event_namespace(self) -> str:
        """Where the Event lives: the object's namespace; `default` for a cluster-scoped
        object (a ClusterNetworkPolicy), as client-go's recorder does."""
        return self.namespace or "default"

    def event_name(self, host: str) -> str:
        key = f"{self.uid}/{self.resource_version}/{self.reason}/{host}"
        return f"{self.name}.{hashlib.sha256(key.encode()).hexdigest()[:16]}"


class KubeEvents:
    """Creates events through the official client, from one daemon thread."""

    def __init__(self, api_client: Any, *, component: str, host: str) -> None:
        self.api_client = api_client
        self.component = component
        self.host = host
        self.created = 0
        self.failed = 0
        self._queue: queue.Queue[EventReport | None] = queue.Queue()
        self._thread = threading.Thread(target=self._run, name="events", daemon=True)
        self._thread.start()

    def warning(self, report: EventReport) -> None:
        self._queue.put(report)

    def close(self, timeout: float = 2.0) -> None:
        self._queue.put(None)
        self._thread.join(timeout)

    def _run(self) -> None:
        k8s = _kubernetes()
        api = k8s.client.CoreV1Api(self.api_client)
        stop = threading.Event()
        while True:
            report = self._queue.get()
            if report is None:
                return
            for attempt in range(_ATTEMPTS):
                try:
                    api.create_namespaced_event(report.event_namespace, self._body(k8s, report))
                    self.created += 1
                    break
                except k8s.client.exceptions.ApiException as exc:
                    if exc.status == 409:  # written before (by this agent, restarted)
                        break
                    if exc.status is not None and 400 <= exc.status < 500 and exc.status != 429:
                        self.failed += 1
                        break
                except Exception:  # noqa: BLE001 - unreachable: retry, then give up
                    pass
                if attempt == _ATTEMPTS - 1:
                    self.failed += 1
                else:
                    stop.wait(0.5 * 2**attempt)

    def _body(self, k8s: Any, report: EventReport) -> Any:
        now = datetime.datetime.now(datetime.UTC)
        message = report.message
        if len(message) > _MESSAGE_MAX:
            message = message[: _MESSAGE_MAX - 3] + "..."
        return k8s.client.CoreV1Event(
            metadata=k8s.client.V1ObjectMeta(
                name=report.event_name(self.host), namespace=report.event_namespace
            ),
            involved_object=k8s.client.V1ObjectReference(
                kind=report.kind,
                api_version=report.api_version,
                namespace=report.namespace or None,
                name=report.name,
                uid=report.uid or None,
                resource_version=report.resource_version or None,
            ),
            reason=report.reason,
            message=message,
            type=report.type,
            source=k8s.client.V1EventSource(component=self.component, host=self.host),
            reporting_component=self.component,
            reporting_instance=self.host,
            first_timestamp=now,
            last_timestamp=now,
            count=1,
        )

"""List and watch, as client-go's reflector does: the objects of a kind, kept current.

A `Reflector` lists a collection (page by page), then watches it from the list's
resourceVersion with bookmarks (`allowWatchBookmarks`); a watch that ends is resumed from the
last resourceVersion seen (an event's or a bookmark's); `410 Gone` (the version was compacted
away) means list again; any other failure waits with exponential backoff and jitter. What it
sees goes to a sink as small frozen events, so the consumer is a plain function.

I/O sits behind `ListWatch` (raw JSON dicts, never the client's model classes): `KubeListWatch`
uses the official client, tests can use an in-memory twin. Upstream: client-go
tools/cache/reflector.go (ListAndWatch, the 410 relist, watch bookmarks).
"""

from __future__ import annotations

import random
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol

import orjson

from podfence.kube.client import _kubernetes

__all__ = [
    "CLUSTER_NETWORK_POLICIES",
    "WATCHED",
    "Backoff",
    "Bookmarked",
    "Broken",
    "Changed",
    "Event",
    "Expired",
    "KubeListWatch",
    "ListWatch",
    "Listed",
    "NotServed",
    "Reflector",
    "Unavailable",
    "Watched",
    "Watching",
    "server_version",
]

_PAGE = 500
_CONNECT_TIMEOUT = 10.0


@dataclass(frozen=True, slots=True)
class Watched:
    """A collection the agent watches, across all namespaces."""

    plural: str
    kind: str
    api_version: str
    api: str
    """The client class (`CoreV1Api`, `CustomObjectsApi`...)."""
    method: str
    """Its list method (`list_pod_for_all_namespaces`...)."""
    args: tuple[str, ...] = ()
    """Positional arguments of the method (group, version, plural of a custom resource)."""
    optional: bool = False
    """A CustomResourceDefinition that may not be installed: a 404 is `NotServed`."""


WATCHED: tuple[Watched, ...] = (
    Watched("namespaces", "Namespace", "v1", "CoreV1Api", "list_namespace"),
    Watched("pods", "Pod", "v1", "CoreV1Api", "list_pod_for_all_namespaces"),
    Watched("nodes", "Node", "v1", "CoreV1Api", "list_node"),
    Watched(
        "networkpolicies",
        "NetworkPolicy",
        "networking.k8s.io/v1",
        "NetworkingV1Api",
        "list_network_policy_for_all_namespaces",
    ),
)
CLUSTER_NETWORK_POLICIES = Watched(
    "clusternetworkpolicies",
    "ClusterNetworkPolicy",
    "policy.networking.k8s.io/v1alpha2",
    "CustomObjectsApi",
    "list_cluster_custom_object",
    ("policy.networking.k8s.io", "v1alpha2", "clusternetworkpolicies"),
    optional=True,
)
"""The ClusterNetworkPolicy CRD (kubernetes-sigs/network-policy-api), watched when served."""


# --- what a reflector reports ------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Listed:
    """A complete list: the collection is exactly `items` (replaces what was known)."""

    resource: str
    items: tuple[dict[str, Any], ...]
    resource_version: str


@dataclass(frozen=True, slots=True)
class Changed:
    """One watch event: `ADDED`, `MODIFIED` or `DELETED`."""

    resource: str
    type: str
    obj: dict[str, Any]
    resource_version: str


@dataclass(frozen=True, slots=True)
class Bookmarked:
    """The server says the collection is current up to `resource_version`."""

    resource: str
    resource_version: str


@dataclass(frozen=True, slots=True)
class Watching:
    """A watch was established: the reflector is connected again."""

    resource: str
    resource_version: str


@dataclass(frozen=True, slots=True)
class Broken:
    """A list or watch ended: `reason` is `timeout` (the server's, normal), `expired` (410:
    list again), `closed` (the stream ended early) or `error`; `message` says more."""

    resource: str
    reason: str
    message: str = ""


@dataclass(frozen=True, slots=True)
class NotServed:
    """An optional collection the API server does not serve (its CRD is not installed)."""

    resource: str


Event = Listed | Changed | Bookmarked | Watching | Broken | NotServed
Sink = Callable[[Event], None]


class Expired(Exception):
    """410 Gone: the resourceVersion (or a list's continue token) is too old."""


class Unavailable(Exception):
    """The API server could not be reached or refused the request (message says why)."""

    def __init__(self, message: str, *, not_found: bool = False) -> None:
        super().__init__(message)
        self.not_found = not_found


class ListWatch(Protocol):
    """List (all pages) and watch one collection, as plain JSON dicts."""

    def list(self, resource: Watched) -> tuple[list[dict[str, Any]], str]: ...

    def watch(
        self, resource: Watched, resource_version: str, timeout_seconds: int
    ) -> Iterator[dict[str, Any]]:
        """Start a watch (raising `Expired` or `Unavailable` at once), then its events."""

    def interrupt(self) -> None:
        """Make a blocked watch return (for stopping)."""


# --- the official client --------------------------------------------------------------------


def _lines(response: Any) -> Iterator[bytes]:
    buffer = b""
    for chunk in response.stream(amt=None, decode_content=True):
        buffer += chunk
        *lines, buffer = buffer.split(b"\n")
        yield from (line for line in lines if line.strip())
    if buffer.strip():
        yield buffer


class KubeListWatch:
    """`ListWatch` through the official client (`_preload_content=False`: raw JSON)."""

    def __init__(self, api_client: Any) -> None:
        self.api_client = api_client
        self.k8s = _kubernetes()
        self._apis: dict[str, Any] = {}
        self._open: set[Any] = set()
        self._lock = threading.Lock()

    def _call(self, resource: Watched, **kwargs: Any) -> Any:
        api = self._apis.get(resource.api)
        if api is None:
            api = self._apis[resource.api] = getattr(self.k8s.client, resource.api)(self.api_client)
        method = getattr(api, resource.method)
        try:
            return method(*resource.args, _preload_content=False, **kwargs)
        except self.k8s.client.exceptions.ApiException as exc:
            if exc.status == 410:
                raise Expired(str(exc.reason or "Gone")) from None
            text = f"HTTP {exc.status} {(exc.reason or '').strip()}".rstrip()
            raise Unavailable(f"{resource.plural}: {text}", not_found=exc.status == 404) from None
        except Exception as exc:  # noqa: BLE001 - urllib3/socket errors: unreachable
            raise Unavailable(f"{resource.plural}: {_first_line(exc)}") from None

    def list(self, resource: Watched) -> tuple[list[dict[str, Any]], str]:
        items: list[dict[str, Any]] = []
        token: str | None = None
        while True:
            kwargs: dict[str, Any] = {"limit": _PAGE, "_request_timeout": (_CONNECT_TIMEOUT, 60)}
            if token:
                kwargs["_continue"] = token
            response = self._call(resource, **kwargs)
            try:
                page = orjson.loads(response.data)
            except (orjson.JSONDecodeError, OSError) as exc:
                raise Unavailable(f"{resource.plural}: bad list reply: {exc}") from None
            items += page.get("items") or []
            meta = page.get("metadata") or {}
            token = meta.get("continue")
            if not token:
                return items, str(meta.get("resourceVersion") or "")

    def watch(
        self, resource: Watched, resource_version: str, timeout_seconds: int
    ) -> Iterator[dict[str, Any]]:
        """Start the watch now (errors raise here), then iterate its events."""
        response = self._call(
            resource,
            watch=True,
            resource_version=resource_version,
            allow_watch_bookmarks=True,
            timeout_seconds=timeout_seconds,
            _request_timeout=(_CONNECT_TIMEOUT, timeout_seconds + 30),
        )
        with self._lock:
            self._open.add(response)
        return self._events(resource, response)

    def _events(self, resource: Watched, response: Any) -> Iterator[dict[str, Any]]:
        try:
            for line in _lines(response):
                yield orjson.loads(line)
        except orjson.JSONDecodeError as exc:
            raise Unavailable(f"{resource.plural}: bad watch event: {exc}") from None
        except Exception as exc:  # noqa: BLE001 - the connection broke mid-stream
            raise Unavailable(f"{resource.plural}: watch broken: {_first_line(exc)}") from None
        finally:
            with self._lock:
                self._open.discard(response)
            response.release_conn()

    def interrupt(self) -> None:
        with self._lock:
            responses = list(self._open)
        for response in responses:
            getattr(response, "shutdown", response.close)()


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def server_version(api_client: Any) -> tuple[int, int] | None:
    """The Kubernetes version the API server emulates (its `/version`), or None."""
    k8s = _kubernetes()
    try:
        info = k8s.client.VersionApi(api_client).get_code(_request_timeout=(_CONNECT_TIMEOUT, 30))
        raw = api_client.sanitize_for_serialization(info)
    except Exception:  # noqa: BLE001 - unknown: the caller uses its default
        return None
    major = raw.get("emulationMajor") or raw.get("major")
    minor = raw.get("emulationMinor") or raw.get("minor")
    try:
        return int(str(major)), int(str(minor).rstrip("+"))
    except ValueError:
        return None


# --- the reflector --------------------------------------------------------------------------


@dataclass(slots=True)
class Backoff:
    """Exponential backoff with jitter: attempt n waits between d/2 and d, d = min(cap,
    initial * 2**n); `reset()` after a success."""

    initial: float = 0.5
    cap: float = 30.0
    rng: random.Random = field(default_factory=random.Random)
    attempt: int = 0

    def next(self) -> float:
        delay = min(self.cap, self.initial * 2.0**self.attempt)
        self.attempt = min(self.attempt + 1, 30)
        return delay / 2 + self.rng.uniform(0, delay / 2)

    def reset(self) -> None:
        self.attempt = 0


def _resource_version(obj: dict[str, Any]) -> str:
    meta = obj.get("metadata")
    return str(meta.get("resourceVersion") or "") if isinstance(meta, dict) else ""


class Reflector:
    """Keeps one collection current for a sink, in its own thread, until `stop()`."""

    def __init__(
        self,
        listwatch: ListWatch,
        resource: Watched,
        sink: Sink,
        *,
        watch_timeout: int = 300,
        backoff: Backoff | None = None,
        resource_version: str | None = None,
        stop: threading.Event | None = None,
        recheck: float = 30.0,
    ) -> None:
        """`resource_version`: watch from there first instead of listing (410: list);
        `stop`: an event that ends the reflector when set (`stop()` sets it); `recheck`:
        seconds between two tries of a collection that is not served."""
        self.listwatch = listwatch
        self.resource = resource
        self.sink = sink
        self.watch_timeout = watch_timeout
        self.backoff = backoff or Backoff()
        self.resource_version = resource_version
        self.recheck = recheck
        self._stop = stop or threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        name = f"reflector-{self.resource.plural}"
        self._thread = threading.Thread(target=self.run, name=name, daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        self.listwatch.interrupt()
        if self._thread is not None:
            self._thread.join(timeout)

    @property
    def stopped(self) -> bool:
        return self._stop.is_set()

    def run(self) -> None:
        while not self._stop.is_set():
            if self.resource_version is None:
                self._list()
            else:
                self._watch(self.resource_version)

    def _fail(self, reason: str, message: str) -> None:
        if not self._stop.is_set():
            self.sink(Broken(self.resource.plural, reason, message))
            self._stop.wait(self.backoff.next())

    def _list(self) -> None:
        plural = self.resource.plural
        try:
            items, version = self.listwatch.list(self.resource)
        except Expired as exc:  # a continue token expired: list again from the start
            self.sink(Broken(plural, "expired", str(exc)))
            return
        except Unavailable as exc:
            if exc.not_found and self.resource.optional:
                self.sink(NotServed(plural))
                self._stop.wait(self.recheck)
                return
            self._fail("error", str(exc))
            return
        if self._stop.is_set():
            return
        self.sink(Listed(plural, tuple(items), version))
        self.backoff.reset()
        self.resource_version = version or None

    def _watch(self, version: str) -> None:
        plural = self.resource.plural
        try:
            stream = self.listwatch.watch(self.resource, version, self.watch_timeout)
            self.sink(Watching(plural, version))
            for event in stream:
                kind = event.get("type")
                obj = event.get("object")
                if not isinstance(obj, dict):
                    continue
                if kind == "ERROR":
                    code = obj.get("code")
                    message = str(obj.get("message") or obj.get("reason") or "")
                    if code == 410:
                        raise Expired(message)
                    raise Unavailable(f"{plural}: watch error {code}: {message}")
                if self._stop.is_set():
                    return
                version = _resource_version(obj) or version
                self.resource_version = version
                if kind == "BOOKMARK":
                    self.sink(Bookmarked(plural, version))
                elif kind in ("ADDED", "MODIFIED", "DELETED"):
                    self.sink(Changed(plural, kind, obj, version))
                self.backoff.reset()
        except Expired as exc:
            self.resource_version = None
            if not self._stop.is_set():
                self.sink(Broken(plural, "expired", str(exc)))
            return
        except Unavailable as exc:
            if exc.not_found and self.resource.optional:
                self.resource_version = None
            self._fail("error", str(exc))
            return
        if not self._stop.is_set():
            self.sink(Broken(plural, "timeout"))

"""One watched object through podfence's own loader: the model value, or why it is rejected.

Each object is loaded on its own, as the one item of a `List` named `cluster:<plural>` (as
`podfence --cluster` feeds list responses to the loader), so validation and defaults are the
loader's: the fast converter (`load.fast`) when the object is plain, the exact pipeline
otherwise; either way the value is located at `cluster:<plural>`. Only the object's own
errors count; what the loader says about the collection (a namespace it has not seen) does
not apply to one object. Results are cached by resourceVersion, so an unchanged object is
never loaded twice.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import orjson

from podfence.load import LoadOptions, load_texts
from podfence.load.fast.objects import Collected, Unsupported, collect_at
from podfence.model import (
    ClusterNetworkPolicy,
    Diagnostic,
    Endpoint,
    Location,
    Namespace,
    NetworkPolicy,
    Node,
    Severity,
)

__all__ = ["Accepted", "Loaded", "ObjectCache", "Rejected", "load_object", "slim"]

Value = Namespace | Endpoint | NetworkPolicy | Node | ClusterNetworkPolicy


@dataclass(frozen=True, slots=True)
class Accepted:
    value: Value


@dataclass(frozen=True, slots=True)
class Rejected:
    """An object the loader refuses: its errors, and the raw object (to fail closed)."""

    kind: str
    namespace: str
    name: str
    errors: tuple[Diagnostic, ...]
    raw: dict[str, Any]

    @property
    def key(self) -> str:
        return f"{self.namespace}/{self.name}" if self.namespace else self.name

    @property
    def message(self) -> str:
        """The errors, one per line, without the synthetic file name."""
        lines = []
        for d in self.errors:
            where = f"{d.field}: " if d.field else ""
            lines.append(f"{where}{d.message}")
        return "\n".join(lines)


Loaded = Accepted | Rejected


def slim(obj: dict[str, Any]) -> dict[str, Any]:
    """The object without `metadata.managedFields` (bookkeeping of the API server, large,
    irrelevant to NetworkPolicy; client-go informers drop it the same way)."""
    meta = obj.get("metadata")
    if isinstance(meta, dict) and "managedFields" in meta:
        meta = {k: v for k, v in meta.items() if k != "managedFields"}
        return {**obj, "metadata": meta}
    return obj


def _identity(obj: dict[str, Any]) -> tuple[str, str]:
    meta = obj.get("metadata")
    meta = meta if isinstance(meta, dict) else {}
    return str(meta.get("namespace") or ""), str(meta.get("name") or "")


def _only(found: Collected | None, kind: str) -> Value | None:
    if found is None:
        return None
    if kind == "Namespace" and found.namespaces:
        return found.namespaces[0]
    if kind == "Pod" and found.endpoints:
        return found.endpoints[0]
    if kind == "NetworkPolicy" and found.policies:
        return found.policies[0]
    return None


def load_object(
    plural: str, kind: str, api_version: str, obj: dict[str, Any], options: LoadOptions
) -> Loaded:
    """Load one object of `kind` (a list item from the API: kind/apiVersion may be absent)."""
    body = {**obj, "apiVersion": api_version, "kind": kind}
    source = f"cluster:{plural}"
    found = Collected()
    try:
        collect_at(body, source, 0, "default", found)
    except Unsupported:
        pass
    else:
        value = _only(found, kind)
        if value is not None:
            return Accepted(replace(value, location=Location(source)))
    text = orjson.dumps({"apiVersion": "v1", "kind": "List", "items": [body]}).decode()
    result = load_texts([(source, text)], options=options)
    namespace, name = _identity(obj)
    errors = tuple(d for d in result.diagnostics if d.severity is Severity.ERROR)
    if result.cluster is not None and not errors:
        cluster = result.cluster
        values: list[Value] = [ns for ns in cluster.namespaces if not ns.implicit]
        values += [*cluster.endpoints, *cluster.policies, *cluster.nodes]
        values += cluster.cluster_policies
        if len(values) == 1:
            return Accepted(replace(values[0], location=Location(source)))
    return Rejected(kind, namespace, name, errors, obj)


class ObjectCache:
    """Loaded objects by (plural, namespace, name), reloaded when the resourceVersion moves."""

    def __init__(self, options: LoadOptions) -> None:
        self.options = options
        self._cache: dict[tuple[str, str, str], tuple[str, Loaded]] = {}
        self.loads = 0

    def get(self, plural: str, kind: str, api_version: str, obj: dict[str, Any]) -> Loaded:
        namespace, name = _identity(obj)
        meta = obj.get("metadata")
        version = str(meta.get("resourceVersion") or "") if isinstance(meta, dict) else ""
        key = (plural, namespace, name)
        hit = self._cache.get(key)
        if hit is not None and version and hit[0] == version:
            return hit[1]
        self.loads += 1
        loaded = load_object(plural, kind, api_version, obj, self.options)
        self._cache[key] = (version, loaded)
        return loaded

    def forget(self, plural: str, keys: set[tuple[str, str]]) -> None:
        """Drop the entries of `plural` that are not in `keys` (deleted objects)."""
        stale = [k for k in self._cache if k[0] == plural and (k[1], k[2]) not in keys]
        for k in stale:
            del self._cache[k]

"""Listed objects -> loader input: one JSON `List` document per kind, named `cluster:<plural>`.

Pure: the lister is any callable, so tests (and other sources) can stand in for the API.
The objects go through the exact file loader, so a live object and a file behave the same.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from podfence.kube.resources import RESOURCES, Resource
from podfence.model import Diagnostic, Severity

__all__ = [
    "ClusterRead",
    "Lister",
    "ListError",
    "NotServed",
    "cluster_read",
    "cluster_texts",
    "list_document",
]

Lister = Callable[[Resource, str | None], list[dict[str, Any]]]
"""(resource, namespace or None for all) -> the items, as plain dicts."""


class ListError(Exception):
    """A resource could not be listed (the message says which and why)."""


class NotServed(Exception):
    """The API server does not serve the resource (HTTP 404: e.g. a CRD not installed)."""


@dataclass(frozen=True, slots=True)
class ClusterRead:
    """Loader input (one `List` text per kind) and notes about what was skipped."""

    texts: tuple[tuple[str, str], ...]
    notes: tuple[Diagnostic, ...] = ()


def list_document(resource: Resource, items: list[dict[str, Any]]) -> str:
    """A `List` as `kubectl get -o json` prints it; API list items lack kind/apiVersion."""
    objs = [{"apiVersion": resource.api_version, "kind": resource.kind, **item} for item in items]
    return json.dumps({"apiVersion": "v1", "kind": "List", "items": objs}, indent=2) + "\n"


def _not_served(resource: Resource) -> Diagnostic:
    message = (
        f"{resource.api_version} {resource.plural} are not served by this cluster (the "
        f"{resource.kind} CRD is not installed): there are none to read"
    )
    return Diagnostic(f"cluster:{resource.plural}", 0, Severity.INFO, message)


def cluster_read(lister: Lister, namespace: str | None) -> ClusterRead:
    """Every resource podfence reads, from all namespaces (`namespace` None) or one.

    Cluster-scoped kinds (namespaces, nodes, ClusterNetworkPolicies) are always listed whole:
    selectors match the labels of any namespace or node. An optional kind the cluster does
    not serve is skipped with an informational note.
    """
    texts = []
    notes = []
    for resource in RESOURCES:
        try:
            items = lister(resource, namespace if resource.namespaced else None)
        except NotServed:
            if not resource.optional:
                raise
            notes.append(_not_served(resource))
            continue
        texts.append((f"cluster:{resource.plural}", list_document(resource, items)))
    return ClusterRead(tuple(texts), tuple(notes))


def cluster_texts(lister: Lister, namespace: str | None) -> list[tuple[str, str]]:
    """The texts of `cluster_read` (what was not served is left out)."""
    return list(cluster_read(lister, namespace).texts)

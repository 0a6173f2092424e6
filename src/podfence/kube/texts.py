"""Listed objects -> loader input: one JSON `List` document per kind, named `cluster:<plural>`.

Pure: the lister is any callable, so tests (and other sources) can stand in for the API.
The objects go through the exact file loader, so a live object and a file behave the same.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from podfence.kube.resources import RESOURCES, Resource

__all__ = ["Lister", "ListError", "cluster_texts", "list_document"]

Lister = Callable[[Resource, str | None], list[dict[str, Any]]]
"""(resource, namespace or None for all) -> the items, as plain dicts."""


class ListError(Exception):
    """A resource could not be listed (the message says which and why)."""


def list_document(resource: Resource, items: list[dict[str, Any]]) -> str:
    """A `List` as `kubectl get -o json` prints it; API list items lack kind/apiVersion."""
    objs = [{"apiVersion": resource.api_version, "kind": resource.kind, **item} for item in items]
    return json.dumps({"apiVersion": "v1", "kind": "List", "items": objs}, indent=2) + "\n"


def cluster_texts(lister: Lister, namespace: str | None) -> list[tuple[str, str]]:
    """Every resource podfence reads, from all namespaces (`namespace` None) or one.

    Namespaces are always listed whole: selectors match namespace labels of any namespace.
    """
    texts = []
    for resource in RESOURCES:
        items = lister(resource, namespace if resource.namespaced else None)
        texts.append((f"cluster:{resource.plural}", list_document(resource, items)))
    return texts

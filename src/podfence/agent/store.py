"""What the agent knows of the cluster: the raw objects of each watched collection.

Fed by the reflectors' events (`podfence.kube.watch`): a `Listed` replaces a collection, a
`Changed` adds, replaces or deletes one object, a `Bookmarked` only moves its
resourceVersion. The store also knows, per collection, whether its first list since start has
completed (`synced`: nothing is enforced before every collection is synced) and whether its
watch is currently connected (`connected`: readiness).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from podfence.agent.objects import slim
from podfence.kube.watch import (
    Bookmarked,
    Broken,
    Changed,
    Event,
    Listed,
    NotServed,
    Watched,
    Watching,
)

__all__ = ["Collection", "Store"]

Key = tuple[str, str]
"""(namespace or "", name)."""


def _key(obj: dict[str, Any]) -> Key:
    meta = obj.get("metadata")
    meta = meta if isinstance(meta, dict) else {}
    return str(meta.get("namespace") or ""), str(meta.get("name") or "")


@dataclass(slots=True)
class Collection:
    watched: Watched
    objects: dict[Key, dict[str, Any]] = field(default_factory=dict)
    resource_version: str = ""
    listed: bool = False
    """A complete list arrived since the agent started."""
    served: bool = True
    connected: bool = False
    problem: str = ""
    """Why it is not connected (the last failure)."""
    revision: int = 0
    """Bumped at every change of `objects`."""


class Store:
    def __init__(self, watched: Iterable[Watched]) -> None:
        self.collections = {w.plural: Collection(w) for w in watched}

    def __getitem__(self, plural: str) -> Collection:
        return self.collections[plural]

    def apply(self, event: Event) -> bool:
        """Take one event; True when the objects changed."""
        c = self.collections.get(event.resource)
        if c is None:
            return False
        match event:
            case Listed(items=items, resource_version=version):
                objects = {_key(o): slim(o) for o in items}
                changed = objects != c.objects or not c.listed
                c.objects, c.resource_version, c.listed, c.served = objects, version, True, True
                c.connected, c.problem = True, ""
            case Changed(type=kind, obj=obj, resource_version=version):
                key = _key(obj)
                if kind == "DELETED":
                    changed = c.objects.pop(key, None) is not None
                else:
                    c.objects[key] = slim(obj)
                    changed = True
                c.resource_version, c.connected, c.problem = version, True, ""
            case Bookmarked(resource_version=version):
                c.resource_version, c.connected, c.problem, changed = version, True, "", False
            case Watching():
                c.connected, c.problem, changed = True, "", False
            case Broken(reason=reason, message=message):
                changed = False
                if reason != "timeout":
                    c.connected, c.problem = False, f"{reason}: {message}".rstrip(": ")
            case NotServed():
                changed = bool(c.objects) or not c.listed
                c.objects, c.listed, c.served, c.connected, c.problem = {}, True, False, True, ""
        if changed:
            c.revision += 1
        return changed

    @property
    def synced(self) -> bool:
        """Every collection has been listed completely since start."""
        return all(c.listed for c in self.collections.values())

    @property
    def connected(self) -> bool:
        return all(c.connected for c in self.collections.values())

    def problems(self) -> dict[str, str]:
        out = {}
        for plural, c in self.collections.items():
            if not c.listed:
                out[plural] = c.problem or "not listed yet"
            elif not c.connected:
                out[plural] = c.problem or "disconnected"
        return out

    def versions(self) -> dict[str, str]:
        return {p: c.resource_version for p, c in self.collections.items()}

    def revisions(self) -> tuple[int, ...]:
        return tuple(c.revision for c in self.collections.values())

"""One Kubernetes object on its way through the stages: kind, body, where it came from."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from podfence.load.kinds import Kind
from podfence.load.report import Reporter
from podfence.load.tree import Tree, get_map, get_str
from podfence.model import Diagnostic, Location, ObjectRef

__all__ = ["Obj", "describe"]

UNNAMED = "<unnamed>"


def describe(kind: str, body: Mapping[str, object], namespace: str | None) -> str:
    """`NetworkPolicy shop/web`: the object as messages name it (`shop/web-*` when it has only
    a generateName: the API server would make up the rest of the name).

    `namespace` is the namespace to show when the object sets none (None for cluster-scoped
    kinds).
    """
    meta = get_map(body, "metadata")
    generate_name = get_str(meta, "generateName")
    name = get_str(meta, "name") or (f"{generate_name}*" if generate_name else UNNAMED)
    if namespace is not None:
        namespace = get_str(meta, "namespace") or namespace
    return str(ObjectRef(kind, namespace, name))


@dataclass(frozen=True, slots=True)
class Obj:
    """A decoded object. `lines` maps field paths (relative to the object) to lines.

    `defaulted` lists the field paths the defaults stage filled in.
    """

    kind: Kind
    body: Tree
    file: str
    line: int
    lines: Mapping[str, int]
    label: str
    defaulted: frozenset[str] = frozenset()

    @property
    def meta(self) -> Tree | None:
        return get_map(self.body, "metadata")

    @property
    def name(self) -> str | None:
        return get_str(self.meta, "name")

    @property
    def namespace(self) -> str | None:
        """The namespace (after defaulting); None for a Namespace."""
        return get_str(self.meta, "namespace") if self.kind.namespaced else None

    @property
    def ref(self) -> ObjectRef:
        return ObjectRef(self.kind.name, self.namespace, self.name or "")

    @property
    def location(self) -> Location:
        return Location(self.file, self.line)

    def reporter(self, out: list[Diagnostic]) -> Reporter:
        return Reporter(self.file, self.lines, self.label, out)

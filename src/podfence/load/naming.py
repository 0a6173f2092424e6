"""Naming the object a problem is about, from a parsed document, before it is decoded.

Syntax-level problems (a duplicate key) are found while parsing, when no object exists yet;
the document is parsed all the same, so its kind, namespace and name can still be read and
put in the message, as every later stage does (`NetworkPolicy shop/web`).
"""

from __future__ import annotations

import dataclasses
import re

from podfence.load.kinds import KINDS
from podfence.load.nodes import Node
from podfence.load.objects import describe
from podfence.model import Diagnostic, ObjectRef

__all__ = ["label_of", "name_object", "name_only"]

_ITEM = re.compile(r"items\[(?P<index>[0-9]+)\]\.?")


def _scalar(fields: dict[str, Node], key: str) -> str | None:
    node = fields.get(key)
    value = node.value if node is not None else None
    return value if isinstance(value, str) and value else None


def _name_and_namespace(fields: dict[str, Node]) -> tuple[str | None, str | None]:
    meta = fields.get("metadata")
    if meta is None or not isinstance(meta.value, dict):
        return None, None
    return _scalar(meta.value, "name"), _scalar(meta.value, "namespace")


def name_only(fields: dict[str, Node]) -> str | None:
    """`object shop/web` for an object whose kind is missing but whose name is known."""
    name, namespace = _name_and_namespace(fields)
    return str(ObjectRef("object", namespace, name)) if name is not None else None


def label_of(node: Node, default_namespace: str) -> str | None:
    """`NetworkPolicy shop/web` for an object node, as the decode stage will name it; None
    when the node says neither kind nor name. A kind podfence does not read shows the
    namespace it sets, if any."""
    if not isinstance(node.value, dict):
        return None
    kind = _scalar(node.value, "kind")
    if kind is None:
        return name_only(node.value)
    name, namespace = _name_and_namespace(node.value)
    meta: dict[str, object] = {"metadata": {"name": name, "namespace": namespace}}
    info = KINDS.get(kind)
    if info is None:
        return describe(kind, meta, namespace)
    return describe(kind, meta, default_namespace if info.namespaced else None)


def name_object(diagnostic: Diagnostic, doc: Node, default_namespace: str) -> Diagnostic:
    """`diagnostic` (found in `doc`, its field path from the document's root) with the object
    it is about and the field path inside that object (a List item is its own object)."""
    if diagnostic.obj is not None or diagnostic.field is None:
        return diagnostic
    node, field = doc, diagnostic.field
    match = _ITEM.match(field)
    if match and isinstance(doc.value, dict) and "items" in doc.value:
        items = doc.value["items"].value
        index = int(match["index"])
        if isinstance(items, list) and index < len(items):
            node, field = items[index], field[match.end() :]
    label = label_of(node, default_namespace)
    if label is None:
        return diagnostic
    return dataclasses.replace(diagnostic, obj=label, field=field or None)

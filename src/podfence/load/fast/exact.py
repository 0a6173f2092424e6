"""Field lines for objects read by the fast path, found later and only for the objects asked
about: the object's own text is cut out of its file and read by the exact parser.

The fast path knows each object's line (its document, or its item of a `List`, from the
layout `kubectl get -o json|yaml` prints), not the lines of its fields. When a diagnostic or
a lint finding needs a field's line, `object_lines` reads just that object exactly: a YAML
item is its lines up to the next item (dedented), a JSON item its braces (found by the JSON
decoder), any other document its own lines; lines are then shifted back to the file's.
`LazyPositions` is `Cluster.positions` built this way, one object at a time, on demand.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

import yaml

from podfence.load.nodes import Node, to_plain
from podfence.load.parse import parse_text
from podfence.load.tree import child, index
from podfence.model import ObjectRef

__all__ = ["Document", "Place", "object_lines", "LazyPositions"]


@dataclass(slots=True, eq=False)
class Document:
    """One document of a file read by the fast path (shared by the objects in it)."""

    file: str
    text: str
    json: bool
    span: tuple[int, int]
    """Its lines in the file, [first, last) (0-based)."""
    items: tuple[int, ...] | None
    """The 1-based line of each item, for a List."""
    _lines: list[str] | None = field(default=None, repr=False)
    _offsets: list[int] | None = field(default=None, repr=False)
    _items: list[tuple[Node, int]] | None = field(default=None, repr=False)
    _shared: bool | None = field(default=None, repr=False)

    @property
    def shared_lines(self) -> bool:
        """Whether some items share a line, or a JSON item its line with the List (JSON on
        one line, even a single item): then they are cut out of the whole document."""
        if self._shared is None:
            items = self.items or ()
            alone = all(self.lines[line - 1].strip() == "{" for line in items[:1])
            self._shared = len(set(items)) != len(items) or (self.json and not alone)
        return self._shared

    @property
    def lines(self) -> list[str]:
        if self._lines is None:
            self._lines = self.text.split("\n")
        return self._lines

    def offset(self, line: int) -> int:
        """The character offset of a 0-based line."""
        if self._offsets is None:
            self._offsets = [0, *(m.end() for m in _NEWLINE.finditer(self.text))]
        return self._offsets[line]


@dataclass(frozen=True, slots=True)
class Place:
    """Where an object is: its document, and which item of it (None: the document itself)."""

    document: Document
    line: int
    """The object's own line."""
    item: int | None = None


def _parsed(file: str, snippet: str, shift: int) -> dict[str, int] | None:
    """The line of every field path of the one document in `snippet`, plus `shift`: from
    libyaml's composed nodes directly (the lines the exact parser gives: a map entry at its
    key, a list item at its start), or by the exact parser itself for anything unusual."""
    lines = _composed_lines(snippet)
    if lines is None:
        docs, problems = parse_text(file, snippet)
        if problems or len(docs) != 1:
            return None
        _, lines = to_plain(docs[0])
    return {path: line + shift for path, line in lines.items()}


_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_NEWLINE = re.compile("\n")


def _composed_lines(snippet: str) -> dict[str, int] | None:
    """Field path -> line, for plain documents only (no alias, merge, duplicate key or
    key that is not a scalar); None otherwise, or when libyaml rejects the text."""
    try:
        root = yaml.compose(snippet.removeprefix("\ufeff"), Loader=_LOADER)
    except yaml.YAMLError:
        return None
    if root is None:
        return None
    lines: dict[str, int] = {}
    seen: set[int] = set()
    stack: list[tuple[yaml.Node, str, int]] = [(root, "", root.start_mark.line + 1)]
    while stack:
        node, path, line = stack.pop()
        if id(node) in seen:
            return None  # an alias: the exact parser expands it
        seen.add(id(node))
        lines[path] = line
        if isinstance(node, yaml.MappingNode):
            keys: set[str] = set()
            for key, value in node.value:
                if not isinstance(key, yaml.ScalarNode) or key.tag.endswith(":merge"):
                    return None
                name = str(key.value)
                if name in keys:
                    return None
                keys.add(name)
                stack.append((value, child(path, name), key.start_mark.line + 1))
        elif isinstance(node, yaml.SequenceNode):
            for i, item in enumerate(node.value):
                stack.append((item, index(path, i), item.start_mark.line + 1))
    return lines


def _yaml_item(doc: Document, k: int) -> dict[str, int] | None:
    assert doc.items is not None
    lines = doc.lines
    start = doc.items[k] - 1
    first = lines[start]
    width = len(first) - len(first.lstrip(" ")) + 2  # the item's `- `
    end = doc.items[k + 1] - 1 if k + 1 < len(doc.items) else doc.span[1]
    if k + 1 == len(doc.items):  # the last item: up to the first line indented less
        for i in range(start + 1, doc.span[1]):
            text = lines[i]
            stripped = text.strip()
            if stripped and not stripped.startswith("#") and len(text) - len(text.lstrip()) < width:
                end = i
                break
    body = [first[width:]]
    for text in lines[start + 1 : end]:
        body.append(text[width:] if not text[:width].strip() else text.lstrip())
    return _parsed(doc.file, "\n".join(body) + "\n", start)


def _json_item(doc: Document, k: int) -> dict[str, int] | None:
    assert doc.items is not None
    line = doc.items[k] - 1
    begin = doc.offset(line)
    brace = doc.text.index("{", begin)
    try:
        _, end = json.JSONDecoder().raw_decode(doc.text, brace)
    except json.JSONDecodeError:
        return None
    return _parsed(doc.file, doc.text[begin:end], line)


def object_lines(place: Place) -> dict[str, int] | None:
    """The exact loader's line of every field path of the object at `place` (paths relative
    to the object, lines of the file); None when its text cannot be cut out alone."""
    doc = place.document
    if place.item is None:
        first, last = doc.span
        return _parsed(doc.file, "\n".join(doc.lines[first:last]), first)
    found = None if doc.shared_lines else (_json_item if doc.json else _yaml_item)(doc, place.item)
    return found if found is not None else _whole_item(doc, place.item)


def _whole_item(doc: Document, k: int) -> dict[str, int] | None:
    """An item's lines from its whole document read exactly (once per document)."""
    if doc._items is None:
        first, last = doc.span
        docs, problems = parse_text(doc.file, "\n".join(doc.lines[first:last]))
        root = docs[0].value if len(docs) == 1 and not problems else None
        items = root.get("items") if isinstance(root, dict) else None
        value = items.value if items is not None else None
        doc._items = [(n, first) for n in value] if isinstance(value, list) else []
    if k >= len(doc._items):
        return None
    node, shift = doc._items[k]
    _, lines = to_plain(node)
    return {path: line + shift for path, line in lines.items()}


class LazyPositions(dict[tuple[ObjectRef, str], int]):
    """`Cluster.positions` filled in one object at a time, when a line is asked for
    (`get`, `in`, `[]`): only the objects looked up are read again."""

    def __init__(self, places: Mapping[ObjectRef, Place]) -> None:
        super().__init__()
        self._places = dict(places)

    def _fill(self, ref: ObjectRef) -> None:
        place = self._places.pop(ref, None)
        if place is None:
            return
        for path, line in (object_lines(place) or {"": place.line}).items():
            super().__setitem__((ref, path), line)

    def get(self, key: tuple[ObjectRef, str], default: int | None = None) -> int | None:  # type: ignore[override]
        self._fill(key[0])
        return super().get(key, default)

    def __getitem__(self, key: tuple[ObjectRef, str]) -> int:
        self._fill(key[0])
        return super().__getitem__(key)

    def __contains__(self, key: object) -> bool:
        if isinstance(key, tuple) and key and isinstance(key[0], ObjectRef):
            self._fill(key[0])
        return super().__contains__(key)

    def fill_all(self) -> None:
        """Read every object (as the exact loader would have)."""
        for ref in list(self._places):
            self._fill(ref)

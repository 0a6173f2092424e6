"""Fast parsing for large dumps: JSON with orjson, YAML with rapidyaml (see `yaml_values`),
no field positions.

The exact loader records the line of every field; here only the line of each object is
recovered, from the layout `kubectl get -o json|yaml` prints (items of a `List` one per
indented brace, or per `- ` at the items' indentation). When the layout is anything else,
`FastParseError` says so and the caller falls back to the exact loader.

orjson and PyYAML let the last of two equal keys win, where the API server (and the exact
loader) rejects the object: a key that may be duplicated sends the input to the exact
loader too, so that the fast path never accepts what `validate` rejects (fail closed).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import orjson

from podfence.load.fast.yaml_values import FastParseError, json_value, yaml_value
from podfence.load.parse import node_limit

__all__ = ["FastParseError", "Located", "is_json", "parse_fast"]

_SEPARATOR = re.compile(r"^---[ \t]*(#.*)?$")


@dataclass(frozen=True, slots=True)
class Located:
    """A parsed document's root value, and the line of each object in it (items for a List)."""

    value: object
    line: int
    item_lines: tuple[int, ...] | None
    """For a List document, the line of each item; None otherwise."""
    span: tuple[int, int] = (0, 0)
    """The document's lines in its file: [first, last) (0-based), for a later exact look."""


def _is_list(value: object) -> bool:
    if not isinstance(value, dict):
        return False
    kind = value.get("kind")
    return isinstance(kind, str) and kind.endswith("List") and isinstance(value.get("items"), list)


def _first_content_line(lines: list[str], start: int, end: int, comment: str | None) -> int:
    for i in range(start, end):
        stripped = lines[i].strip()
        if stripped and not (comment and stripped.startswith(comment)):
            return i + 1
    raise FastParseError("empty document")


def _json(text: str) -> list[Located]:
    if "\t" in text:
        raise FastParseError("tabs in JSON")
    value = json_value(text)
    lines = text.split("\n")
    root = _first_content_line(lines, 0, len(lines), None)
    item_lines = None
    if _is_list(value):
        assert isinstance(value, dict)
        item_lines = _json_items(text, lines, len(value["items"]), root)
    return [Located(value, root, item_lines, (0, len(lines)))]


def _json_items(text: str, lines: list[str], count: int, root: int) -> tuple[int, ...]:
    if count == 0:
        return ()
    if "\n" not in text.strip():
        return (root,) * count  # everything on one line
    head = next((i for i, line in enumerate(lines) if line.lstrip().startswith('"items"')), None)
    if head is None:
        raise FastParseError("no items line")
    items_line = lines[head]
    indent = len(items_line) - len(items_line.lstrip())
    if not items_line.rstrip().endswith("[") or indent == 0:
        raise FastParseError("unexpected items layout")
    opener = re.compile("^" + " " * (2 * indent) + r"\{[ ]*$", re.M)
    found = []
    line, last = 1, 0
    for match in opener.finditer(text):
        line += text.count("\n", last, match.start())
        last = match.start()
        if line > head + 1:
            found.append(line)
    if len(found) != count:
        raise FastParseError("items not one per indented brace")
    return tuple(found)


_DOC_BREAK = re.compile(r"^---.*$", re.M)
_DIRECTIVE = re.compile(r"^(?:%|\.\.\.)", re.M)
_CONTENT = re.compile(r"^[ ]*[^\s#]", re.M)
"""The first line with content (not blank, not a comment)."""
_ITEMS = re.compile(r"^items:[ ]*$", re.M)
_NEXT_LINE = re.compile(r"\n([ ]*)(?=\S)")


def _yaml(text: str) -> list[Located]:
    """Each document of a YAML stream (split at `---` lines: regular expressions, in C)."""
    if "\t" in text or _DIRECTIVE.search(text):
        raise FastParseError("directives, document ends or tabs")
    pieces: list[tuple[int, int, int]] = []  # (first offset, end offset, first line)
    at, line = 0, 0
    for match in _DOC_BREAK.finditer(text):
        if not _SEPARATOR.match(match.group(0)):
            raise FastParseError("content after ---")
        pieces.append((at, match.start(), line))
        line += text.count("\n", at, match.start()) + 1
        at = match.end() + 1
    pieces.append((at, len(text), line))
    out = []
    for first, end, line in pieces:
        doc_text = text[first:end]
        content = _CONTENT.search(doc_text)
        if content is None:
            continue
        doc = yaml_value(doc_text)
        if doc is None:
            raise FastParseError("an empty document (null)")
        root = line + doc_text.count("\n", 0, content.start()) + 1
        last = line + doc_text.count("\n") + (1 if end == len(text) else 0)
        items = None
        if _is_list(doc):
            assert isinstance(doc, dict)
            items = _yaml_items(doc_text, line, len(doc["items"]))
        out.append(Located(doc, root, items, (line, last)))
    return out


def _yaml_items(doc_text: str, line: int, count: int) -> tuple[int, ...]:
    """The line of each item of the document's top-level `items:` (one per `- `)."""
    head = _ITEMS.search(doc_text)
    if head is None:
        raise FastParseError("no top-level items: line")
    first = _NEXT_LINE.search(doc_text, head.end())
    if first is None or not doc_text.startswith("- ", first.end()):
        raise FastParseError("unexpected items layout")
    dash = first.group(1) + "- "
    found = []
    at, number = 0, line + 1
    for match in re.finditer("^" + re.escape(dash), doc_text[head.end() :], re.M):
        start = head.end() + match.start()
        number += doc_text.count("\n", at, start)
        at = start
        after = doc_text[start + len(dash) : start + len(dash) + 1]
        if after in ("", " ", "#", "\n"):
            raise FastParseError("items not one per dash")
        found.append(number)
    if len(found) != count:
        raise FastParseError("items not one per dash")
    return tuple(found)


def is_json(name: str, text: str) -> bool:
    """Whether the fast path reads a file as JSON (by its name, or its first character)."""
    return name.endswith(".json") or text.removeprefix("\ufeff").lstrip()[:1] in ("{", "[")


def parse_fast(name: str, text: str) -> list[Located]:
    """The documents of a file (JSON when it looks like JSON, else YAML)."""
    text = text.removeprefix("\ufeff")
    if is_json(name, text):
        return _json(text)
    docs = _yaml(text)
    if "*" in text:  # an alias may repeat nodes: the file may pass the exact loader's limit
        _within_node_limit(docs, node_limit(text))
    return docs


def _within_node_limit(docs: list[Located], limit: int) -> None:
    """FastParseError when the file's documents hold more than `limit` nodes (maps, lists
    and scalars, aliases expanded, counted over the whole file), which the exact loader
    reports. A bound first, in C: written indented by orjson, a node starts a line."""
    bound = 0
    for doc in docs:
        bound += orjson.dumps(doc.value, option=orjson.OPT_INDENT_2).count(b"\n") + 1
    if bound <= limit:
        return
    count, stack = 0, [doc.value for doc in docs]
    while stack:
        item = stack.pop()
        count += 1
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    if count > limit:
        raise FastParseError(f"more than {limit} nodes (the exact loader reports it)")

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

from podfence.load.fast.yaml_values import FastParseError, json_value, yaml_value

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


def _yaml(text: str) -> list[Located]:
    lines = text.split("\n")
    if any(line.startswith(("%", "...")) for line in lines) or "\t" in text:
        raise FastParseError("directives, document ends or tabs")
    bounds = [i for i, line in enumerate(lines) if line.startswith("---")]
    if any(not _SEPARATOR.match(lines[i]) for i in bounds):
        raise FastParseError("content after ---")
    starts = [0, *(i + 1 for i in bounds)]
    ends = [*bounds, len(lines)]
    out = []
    for s, e in zip(starts, ends, strict=True):
        if not _has_content(lines, s, e):
            continue
        doc = yaml_value("\n".join(lines[s:e]))
        if doc is None:
            raise FastParseError("an empty document (null)")
        root = _first_content_line(lines, s, e, "#")
        items = None
        if _is_list(doc):
            assert isinstance(doc, dict)
            items = _yaml_items(lines, s, e, len(doc["items"]))
        out.append(Located(doc, root, items, (s, e)))
    return out


def _has_content(lines: list[str], start: int, end: int) -> bool:
    return any(line.strip() and not line.strip().startswith("#") for line in lines[start:end])


def _yaml_items(lines: list[str], start: int, end: int, count: int) -> tuple[int, ...]:
    head = next((i for i in range(start, end) if lines[i].rstrip() == "items:"), None)
    if head is None:
        raise FastParseError("no top-level items: line")
    first = next((i for i in range(head + 1, end) if lines[i].strip()), None)
    if first is None or not lines[first].lstrip().startswith("- "):
        raise FastParseError("unexpected items layout")
    dash = lines[first][: len(lines[first]) - len(lines[first].lstrip())] + "- "
    found = tuple(i + 1 for i in range(head + 1, end) if lines[i].startswith(dash))
    if len(found) != count or any(lines[i - 1][len(dash)] in " #" for i in found):
        raise FastParseError("items not one per dash")
    return found


def is_json(name: str, text: str) -> bool:
    """Whether the fast path reads a file as JSON (by its name, or its first character)."""
    return name.endswith(".json") or text.removeprefix("\ufeff").lstrip()[:1] in ("{", "[")


def parse_fast(name: str, text: str) -> list[Located]:
    """The documents of a file (JSON when it looks like JSON, else YAML)."""
    if is_json(name, text):
        return _json(text.removeprefix("\ufeff"))
    return _yaml(text.removeprefix("\ufeff"))

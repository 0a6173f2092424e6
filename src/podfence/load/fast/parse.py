"""Fast parsing for large dumps: JSON with orjson, YAML with libyaml, no field positions.

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
import yaml

__all__ = ["FastParseError", "Located", "parse_fast"]

_SEPARATOR = re.compile(r"^---[ \t]*(#.*)?$")
_KEY_END = re.compile(r'"\s*:')
"""The end of every key of a JSON text, and of some strings that contain `":`."""
_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"(\s*:)?')
"""Every string of a JSON text, in order; group 1 when it is a key."""


class FastParseError(Exception):
    """The fast path cannot read this input exactly; use the exact loader."""


@dataclass(frozen=True, slots=True)
class Located:
    """A parsed document's root value, and the line of each object in it (items for a List)."""

    value: object
    line: int
    item_lines: tuple[int, ...] | None
    """For a List document, the line of each item; None otherwise."""


def _unique_keys_loader() -> type | None:
    """libyaml's safe loader, refusing a map whose keys collapse (a duplicate, or a merge)."""
    base = getattr(yaml, "CSafeLoader", None)
    if base is None:
        return None

    class Loader(base):  # type: ignore[misc, valid-type]
        def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> object:
            mapping = super().construct_mapping(node, deep=deep)
            if len(mapping) != len(node.value):
                raise FastParseError("a duplicate key or a merge (the exact loader decides)")
            return mapping

    return Loader


_YAML_LOADER = _unique_keys_loader()


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


def _entries(value: object) -> int:
    """How many keys the maps of a parsed value hold (iterative: any depth is safe)."""
    entries, stack = 0, [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            entries += len(item)
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return entries


def _no_duplicate_keys(text: str, value: object) -> None:
    """Raise unless every key of the JSON text survived parsing (none was a duplicate).

    Cheap first: every key ends with `"` and `:`, so when that pattern occurs exactly as
    often as the parsed maps hold keys, no key was lost. Only when strings contain it too
    (an annotation holding JSON) are the keys counted exactly, string by string."""
    parsed = _entries(value)
    if len(_KEY_END.findall(text)) == parsed:
        return
    keys = sum(1 for match in _STRING.finditer(text) if match.group(1))
    if keys != parsed:
        raise FastParseError("a duplicate key (the exact loader reports it)")


def _json(text: str) -> list[Located]:
    try:
        value = orjson.loads(text)
    except orjson.JSONDecodeError as exc:
        raise FastParseError(f"invalid JSON: {exc}") from None
    if "\t" in text:
        raise FastParseError("tabs in JSON")
    _no_duplicate_keys(text, value)
    lines = text.split("\n")
    root = _first_content_line(lines, 0, len(lines), None)
    item_lines = None
    if _is_list(value):
        assert isinstance(value, dict)
        item_lines = _json_items(text, lines, len(value["items"]), root)
    return [Located(value, root, item_lines)]


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
    if _YAML_LOADER is None:
        raise FastParseError("no libyaml")
    try:
        docs = [d for d in yaml.load_all(text, Loader=_YAML_LOADER) if d is not None]
    except yaml.YAMLError as exc:
        raise FastParseError(f"invalid YAML: {exc}") from None
    except RecursionError:
        raise FastParseError("nested too deeply") from None
    lines = text.split("\n")
    if any(line.startswith(("%", "...")) for line in lines) or "\t" in text:
        raise FastParseError("directives, document ends or tabs")
    bounds = [i for i, line in enumerate(lines) if line.startswith("---")]
    if any(not _SEPARATOR.match(lines[i]) for i in bounds):
        raise FastParseError("content after ---")
    starts = [0, *(i + 1 for i in bounds)]
    ends = [*bounds, len(lines)]
    spans = [(s, e) for s, e in zip(starts, ends, strict=True) if _has_content(lines, s, e)]
    if len(spans) != len(docs):
        raise FastParseError("documents do not line up")
    out = []
    for doc, (s, e) in zip(docs, spans, strict=True):
        root = _first_content_line(lines, s, e, "#")
        items = None
        if _is_list(doc):
            assert isinstance(doc, dict)
            items = _yaml_items(lines, s, e, len(doc["items"]))
        out.append(Located(doc, root, items))
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


def parse_fast(name: str, text: str) -> list[Located]:
    """The documents of a file (JSON when it looks like JSON, else YAML)."""
    text = text.removeprefix("\ufeff")
    if name.endswith(".json") or text.lstrip()[:1] in ("{", "["):
        return _json(text)
    return _yaml(text)

"""Plain decoded trees: field paths, the `INVALID` marker and typed accessors.

After decoding, an object is a tree of dicts, lists and scalars in which every value either
has the type its field requires or is `INVALID` (a value of the wrong type, already reported).
Later stages read it through the accessors below, which treat `INVALID` like a missing value.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

__all__ = [
    "INVALID",
    "Invalid",
    "Tree",
    "child",
    "index",
    "get_at",
    "get_bool",
    "get_int",
    "get_list",
    "get_map",
    "get_str",
    "get_str_map",
    "line_of",
    "parent",
]

Tree = dict[str, object]
"""A decoded JSON object (mapping with string keys)."""


class Invalid:
    """The type of `INVALID`: a value whose type was wrong (the problem was reported)."""

    _instance: Invalid | None = None

    def __new__(cls) -> Invalid:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "INVALID"


INVALID: Final = Invalid()


def child(path: str, key: str) -> str:
    """`spec` + `ingress` -> `spec.ingress`; the root path is ``""``."""
    return f"{path}.{key}" if path else key


def index(path: str, i: int) -> str:
    """`spec.ingress` + 0 -> `spec.ingress[0]`."""
    return f"{path}[{i}]"


def parent(path: str) -> str:
    """The enclosing field path (`a.b[0]` -> `a.b` -> `a` -> ``""``)."""
    cut = max(path.rfind("."), path.rfind("["))
    return path[: max(cut, 0)]


def line_of(lines: Mapping[str, int], path: str) -> int:
    """The line of `path`, or of its nearest enclosing field that has one (0 if none)."""
    while True:
        line = lines.get(path)
        if line is not None:
            return line
        if not path:
            return 0
        path = parent(path)


def get_map(tree: Mapping[str, object] | None, key: str) -> Tree | None:
    value = tree.get(key) if tree is not None else None
    return value if isinstance(value, dict) else None


def get_list(tree: Mapping[str, object] | None, key: str) -> list[object] | None:
    value = tree.get(key) if tree is not None else None
    return value if isinstance(value, list) else None


def get_str(tree: Mapping[str, object] | None, key: str) -> str | None:
    value = tree.get(key) if tree is not None else None
    return value if isinstance(value, str) else None


def get_int(tree: Mapping[str, object] | None, key: str) -> int | None:
    value = tree.get(key) if tree is not None else None
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def get_bool(tree: Mapping[str, object] | None, key: str) -> bool | None:
    value = tree.get(key) if tree is not None else None
    return value if isinstance(value, bool) else None


def get_str_map(tree: Mapping[str, object] | None, key: str) -> dict[str, str]:
    """A string map such as `labels`, without entries whose value was invalid."""
    value = get_map(tree, key)
    if value is None:
        return {}
    return {k: v for k, v in value.items() if isinstance(v, str)}


def get_at(tree: Mapping[str, object] | None, dotted: str) -> Tree | None:
    """The map at a dotted path of map fields (`spec.template`), or None."""
    node: Tree | None = dict(tree) if tree is not None else None
    for key in dotted.split("."):
        node = get_map(node, key)
    return node

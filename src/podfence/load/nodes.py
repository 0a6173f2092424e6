"""Located documents: a YAML/JSON value tree in which every field knows its line.

The parser produces `Node` trees; `to_plain` turns one (an object, possibly an item of a
`List`) into plain Python values plus a map from field path to line, relative to that node.
"""

from __future__ import annotations

from dataclasses import dataclass

from podfence.load.tree import child, index

__all__ = ["Node", "Scalar", "to_plain", "from_plain"]

Scalar = str | int | float | bool | None


@dataclass(frozen=True, slots=True)
class Node:
    """A value and its 1-based line: for a mapping entry the line of its key."""

    line: int
    value: Scalar | list[Node] | dict[str, Node]


def to_plain(node: Node, base: str = "") -> tuple[object, dict[str, int]]:
    """The plain value of `node` and the line of every field path under it (`""` = `node`)."""
    lines: dict[str, int] = {}
    value = _plain(node, base, lines)
    return value, lines


def _plain(node: Node, path: str, lines: dict[str, int]) -> object:
    lines[path] = node.line
    value = node.value
    if isinstance(value, dict):
        return {key: _plain(item, child(path, key), lines) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item, index(path, i), lines) for i, item in enumerate(value)]
    return value


def from_plain(value: object, line: int) -> Node:
    """A node tree for a value without positions (all at `line`): the JSON fallback."""
    if isinstance(value, dict):
        return Node(line, {str(k): from_plain(v, line) for k, v in value.items()})
    if isinstance(value, list):
        return Node(line, [from_plain(v, line) for v in value])
    if value is None or isinstance(value, str | int | float | bool):
        return Node(line, value)
    return Node(line, str(value))

"""Text -> located documents. The only module that sees YAML or JSON syntax.

YAML is composed (not constructed) so that every node keeps its line; JSON is read the same
way (JSON is YAML), with `json` as a fallback for the rare JSON text YAML rejects.
Duplicate keys are errors, as with the API server's strict decoding (at the root of a
document, with a hint that two documents may lack their `---` separator); merge keys (`<<`)
and aliases are expanded; empty documents are skipped; nesting deeper than `MAX_DEPTH` is an
error at its line. Problems name their object (kind, namespace, name) when the document says.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field

import yaml

from podfence.load.naming import name_object
from podfence.load.nodes import Node, Scalar, from_plain
from podfence.load.tree import child, index
from podfence.model import Diagnostic, Severity

__all__ = ["parse_text", "scalar_value", "node_limit", "MAX_DEPTH", "MAX_NODES", "SEPARATOR_HINT"]

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_SCALARS = yaml.constructor.SafeConstructor()
_TAG = "tag:yaml.org,2002:"
MAX_NODES = 1_000_000
"""How many more nodes than characters one file may hold after alias expansion (a defence
against YAML bombs). A node written out takes at least one character, so only aliases can
pass it: a file's limit is `node_limit(text)`, and a 150,000-pod dump of 160 MB is read."""


def node_limit(text: str) -> int:
    """The most nodes `text` may expand to: one per character, and MAX_NODES more."""
    return MAX_NODES + len(text)


MAX_DEPTH = 200
"""Upper bound on nesting (maps and lists in one another): real objects stay far below it
(a CRD's schema reaches a few dozen), and deeper input would exhaust Python's stack."""
SEPARATOR_HINT = 'two documents without a "---" separator?'
_DOCUMENT_KEYS = ("apiVersion", "kind")
_TOO_DEEP = f"nested too deeply: more than {MAX_DEPTH} levels of maps and lists"


class _Problem(Exception):
    def __init__(self, line: int, message: str, path: str | None = None) -> None:
        super().__init__(message)
        self.line = line
        self.message = message
        self.path = path


@dataclass(slots=True)
class _Converter:
    """Turns composed YAML nodes into `Node` trees, reporting duplicate keys on the way."""

    file: str
    out: list[Diagnostic]
    limit: int
    count: int = 0
    active: set[int] = field(default_factory=set)

    def convert(self, node: yaml.Node, line: int, path: str, depth: int = 0) -> Node:
        self.count += 1
        if self.count > self.limit:
            message = f"document too large: more than {self.limit} nodes once aliases are expanded"
            raise _Problem(line, message, path)
        if depth > MAX_DEPTH:  # the line says where; a path 200 levels long would not help
            raise _Problem(node.start_mark.line + 1, _TOO_DEEP)
        if id(node) in self.active:
            raise _Problem(line, "recursive alias: a node may not contain itself", path)
        self.active.add(id(node))
        try:
            if isinstance(node, yaml.MappingNode):
                return Node(line, self._mapping(node, path, depth))
            if isinstance(node, yaml.SequenceNode):
                items = []
                for i, item in enumerate(node.value):
                    at = item.start_mark.line + 1
                    items.append(self.convert(item, at, index(path, i), depth + 1))
                return Node(line, items)
            assert isinstance(node, yaml.ScalarNode)
            return Node(line, _scalar(node))
        finally:
            self.active.discard(id(node))

    def _mapping(self, node: yaml.MappingNode, path: str, depth: int) -> dict[str, Node]:
        own: dict[str, Node] = {}
        merged: list[dict[str, Node]] = []
        for key_node, value_node in node.value:
            line = key_node.start_mark.line + 1
            if key_node.tag == _TAG + "merge":
                merged.extend(self._merge_sources(value_node, line, path, depth))
                continue
            if not isinstance(key_node, yaml.ScalarNode):
                raise _Problem(line, "mapping keys must be strings", path)
            key = str(key_node.value)
            if key in own:
                message = f'duplicate key "{key}" (first defined at line {own[key].line})'
                if not path and key in _DOCUMENT_KEYS:
                    message += f": {SEPARATOR_HINT}"
                self.out.append(
                    Diagnostic(self.file, line, Severity.ERROR, message, None, child(path, key))
                )
                continue
            own[key] = self.convert(value_node, line, child(path, key), depth + 1)
        for source in merged:  # YAML merge: explicit keys win, then earlier merges
            for key, value in source.items():
                own.setdefault(key, value)
        return own

    def _merge_sources(
        self, node: yaml.Node, line: int, path: str, depth: int
    ) -> list[dict[str, Node]]:
        nodes = node.value if isinstance(node, yaml.SequenceNode) else [node]
        sources = []
        for item in nodes:
            if not isinstance(item, yaml.MappingNode):
                raise _Problem(line, "a merge key (<<) needs a mapping or a list of mappings", path)
            if depth + 1 > MAX_DEPTH:
                raise _Problem(item.start_mark.line + 1, _TOO_DEEP)
            sources.append(self._mapping(item, path, depth + 1))
        return sources


def _scalar(node: yaml.ScalarNode) -> Scalar:
    tag = node.tag
    try:
        if tag == _TAG + "null":
            return None
        if tag == _TAG + "bool":
            return bool(_SCALARS.construct_yaml_bool(node))
        if tag == _TAG + "int":
            return int(_SCALARS.construct_yaml_int(node))
        if tag == _TAG + "float":
            return float(_SCALARS.construct_yaml_float(node))
    except (ValueError, yaml.YAMLError) as exc:
        line = node.start_mark.line + 1
        raise _Problem(line, f"cannot read {node.value!r} as {tag}") from exc
    return str(node.value)


def scalar_value(node: yaml.ScalarNode) -> Scalar:
    """A composed scalar's value as this loader reads it (YAML 1.1's null, bool, int and
    float; everything else its text); ValueError when it cannot be read as its tag."""
    try:
        return _scalar(node)
    except _Problem as problem:
        raise ValueError(problem.message) from None


def _compose(text: str) -> Iterator[yaml.Node]:
    loader = _Loader(text)
    try:
        while loader.check_node():
            node = loader.get_node()
            if node is not None:
                yield node
    finally:
        loader.dispose()


def _yaml_error(exc: yaml.YAMLError, text: str) -> tuple[int, str]:
    if isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        parts = [p for p in (exc.context, exc.problem) if p]
        return (mark.line + 1 if mark else 0), "; ".join(parts) or str(exc)
    if isinstance(exc, yaml.reader.ReaderError):
        line = text.count("\n", 0, exc.position) + 1
        return line, f"unacceptable character #x{exc.character:04x}: {exc.reason}"
    return 0, str(exc)


def _collect(
    file: str, text: str, namespace: str
) -> tuple[list[Node], list[Diagnostic], yaml.YAMLError | None]:
    """The documents up to the first syntax error, their problems, and that error if any."""
    docs: list[Node] = []
    out: list[Diagnostic] = []
    converter = _Converter(file, out, node_limit(text))
    try:
        for root in _compose(text):
            if isinstance(root, yaml.ScalarNode) and root.tag == _TAG + "null":
                continue  # an empty document
            start = len(out)
            try:
                doc = converter.convert(root, root.start_mark.line + 1, "")
            except _Problem as problem:  # this document is lost; the next ones are read
                message, path = problem.message, problem.path
                out.append(Diagnostic(file, problem.line, Severity.ERROR, message, None, path))
                continue
            docs.append(doc)
            out[start:] = [name_object(d, doc, namespace) for d in out[start:]]
    except yaml.YAMLError as exc:
        return docs, out, exc
    except RecursionError:  # only without libyaml: PyYAML's own composer recurses
        out.append(Diagnostic(file, 0, Severity.ERROR, _TOO_DEEP))
    return docs, out, None


def parse_text(
    file: str, text: str, *, default_namespace: str = "default"
) -> tuple[list[Node], list[Diagnostic]]:
    """The non-empty documents of `text`, and any syntax problems (never raises).

    `default_namespace` is only used to name objects in messages, as later stages will."""
    text = text.removeprefix("\ufeff")
    docs, out, error = _collect(file, text, default_namespace)
    if error is None:
        return docs, out
    if "nesting depth" in str(getattr(error, "problem", "")):  # libyaml >= 0.2.6 stops there
        out.append(Diagnostic(file, _yaml_error(error, text)[0], Severity.ERROR, _TOO_DEEP))
        return docs, out
    fallback = _json_fallback(file, text, default_namespace)
    if fallback is not None:
        return fallback
    if _looks_like_json(file, text):
        line, message = _json_problem(text)
        out.append(Diagnostic(file, line, Severity.ERROR, f"invalid JSON: {message}"))
    else:
        line, message = _yaml_error(error, text)
        out.append(Diagnostic(file, line, Severity.ERROR, f"invalid YAML: {message}"))
    return docs, out  # the documents before the error still get checked


def _looks_like_json(file: str, text: str) -> bool:
    return file.endswith(".json") or text.lstrip()[:1] in ("{", "[")


def _json_problem(text: str) -> tuple[int, str]:
    try:
        json.loads(text)
    except json.JSONDecodeError as exc:
        return exc.lineno, exc.msg
    except RecursionError:
        return 0, _TOO_DEEP
    return 0, "unreadable"


def _depth(value: object) -> int:
    """How deep maps and lists nest in a plain value (iterative: any depth is safe)."""
    deepest, stack = 0, [(value, 0)]
    while stack:
        item, depth = stack.pop()
        deepest = max(deepest, depth)
        if isinstance(item, dict | list):
            stack.extend(
                (v, depth + 1) for v in (item.values() if isinstance(item, dict) else item)
            )
    return deepest


def _json_fallback(
    file: str, text: str, namespace: str
) -> tuple[list[Node], list[Diagnostic]] | None:
    """JSON that YAML rejected: retry YAML without tabs (lines kept), else no positions."""
    try:
        value = json.loads(text)
    except (json.JSONDecodeError, RecursionError):
        return None
    # Outside strings, JSON tabs are only whitespace (inside strings they must be escaped).
    docs, out, error = _collect(file, text.replace("\t", " "), namespace)
    if error is None:
        return docs, out
    if _depth(value) > MAX_DEPTH:
        return [], [Diagnostic(file, 1, Severity.ERROR, _TOO_DEEP)]
    return ([] if value is None else [from_plain(value, 1)]), []

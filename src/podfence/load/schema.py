"""A small structural schema and the walker that checks a plain value against it.

Structural problems are what the API server's decoder rejects before validation: a value of
the wrong JSON type, and (under kubectl's default strict field validation) unknown fields.
The walker reports them and returns a cleaned copy in which each bad value is `INVALID`;
`null` counts as absent, as it does for the API server's Go structs.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import assert_never

from podfence.load.report import Reporter
from podfence.load.tree import INVALID, child, index

__all__ = [
    "ANY",
    "BOOL",
    "INT",
    "INT_OR_STR",
    "STR",
    "AnyValue",
    "ListOf",
    "MapOf",
    "Schema",
    "Struct",
    "Value",
    "conform",
    "type_name",
    "unknown_field_message",
]


@dataclass(frozen=True, slots=True)
class Value:
    """A scalar: `string`, `int`, `bool` or `int-or-string` (intstr.IntOrString)."""

    kind: str


@dataclass(frozen=True, slots=True)
class AnyValue:
    """Anything: a field podfence neither reads nor checks."""


@dataclass(frozen=True, slots=True)
class ListOf:
    item: Schema


@dataclass(frozen=True, slots=True)
class MapOf:
    """A map with arbitrary string keys (`labels`, `matchLabels`)."""

    value: Schema


@dataclass(frozen=True, slots=True)
class Struct:
    """An object with known fields. `strict`: unknown fields are errors, else dropped.

    `hints` suggests a field for a likely mistake difflib would not find (`to` in an
    ingress rule -> `from`).
    """

    fields: Mapping[str, Schema]
    strict: bool = True
    hints: Mapping[str, str] = field(default_factory=dict)


Schema = Value | AnyValue | ListOf | MapOf | Struct

STR = Value("string")
INT = Value("int")
BOOL = Value("bool")
INT_OR_STR = Value("int-or-string")
ANY = AnyValue()

_EXPECTED = {
    "string": "a string",
    "int": "an integer",
    "bool": "a boolean",
    "int-or-string": "an integer or a string",
}


def type_name(value: object) -> str:
    """The JSON-ish name of a plain value's type, for messages."""
    match value:
        case None:
            return "null"
        case bool():
            return "bool"
        case int():
            return "int"
        case float():
            return "float"
        case str():
            return "string"
        case list():
            return "list"
        case dict():
            return "map"
    return type(value).__name__


def unknown_field_message(key: str, known: Mapping[str, object], hints: Mapping[str, str]) -> str:
    guess = hints.get(key)
    if guess is None:
        close = difflib.get_close_matches(key, sorted(known), n=1)
        guess = close[0] if close else None
    if guess is None:
        return f'unknown field "{key}"'
    return f'unknown field "{key}" (did you mean "{guess}"?)'


def _zero(schema: Schema) -> object:
    """Go's zero value, which a `null` list item decodes to."""
    match schema:
        case Value(kind="string"):
            return ""
        case Value(kind="bool"):
            return False
        case Value():
            return 0
        case ListOf():
            return []
        case MapOf() | Struct():
            return {}
    return None


def _scalar_ok(kind: str, value: object) -> bool:
    is_int = isinstance(value, int) and not isinstance(value, bool)
    match kind:
        case "string":
            return isinstance(value, str)
        case "int":
            return is_int
        case "bool":
            return isinstance(value, bool)
    return is_int or isinstance(value, str)


def conform(value: object, schema: Schema, path: str, report: Reporter) -> object:
    """`value` checked against `schema`: the cleaned value, or `INVALID` (reported)."""
    match schema:
        case AnyValue():
            return value
        case Value(kind=kind):
            if _scalar_ok(kind, value):
                return value
            return _wrong(value, _EXPECTED[kind], path, report)
        case ListOf(item=item):
            if not isinstance(value, list):
                return _wrong(value, "a list", path, report)
            return [
                _zero(item) if v is None else conform(v, item, index(path, i), report)
                for i, v in enumerate(value)
            ]
        case MapOf(value=item):
            if not isinstance(value, dict):
                return _wrong(value, "a map", path, report)
            return {
                k: conform(v, item, child(path, k), report)
                for k, v in value.items()
                if v is not None
            }
        case Struct():
            return _struct(value, schema, path, report)
        case _:
            assert_never(schema)


def _struct(value: object, schema: Struct, path: str, report: Reporter) -> object:
    if not isinstance(value, dict):
        return _wrong(value, "a map", path, report)
    out: dict[str, object] = {}
    for key, item in value.items():
        sub = schema.fields.get(key)
        if sub is None:
            if schema.strict:
                message = unknown_field_message(key, schema.fields, schema.hints)
                report.error(child(path, key), message)
            continue
        if item is not None:
            out[key] = conform(item, sub, child(path, key), report)
    return out


def _wrong(value: object, expected: str, path: str, report: Reporter) -> object:
    report.error(path, f"expected {expected}, got {type_name(value)}")
    return INVALID

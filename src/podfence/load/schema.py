"""A small structural schema and the walker that checks a plain value against it.

Structural problems are what the API server's decoder rejects before validation: a value of
the wrong JSON type (a number out of its Go type's range, a time not in RFC 3339), and (under
kubectl's default strict field validation) unknown fields. The walker reports them and
returns a cleaned copy in which each bad value is `INVALID`. A `null` field counts as absent,
as it does for the API server's Go structs, and a `null` list item or map value becomes Go's
zero value (`""` for a string: `matchLabels: {app: null}` means `app: ""`).

The API server reports one type error, or else every unknown field: Go's JSON decoder stops
at the first error of a type with its own decoder (IntOrString, metav1.Time) and otherwise
keeps the first type error it met. podfence reports all of them, and `decode_rank` lets the
pipeline put first the one the API server would report.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import assert_never

from podfence.load.report import Reporter
from podfence.load.tree import INVALID, child, index

__all__ = [
    "ANY",
    "BOOL",
    "INT",
    "INT32",
    "INT64",
    "INT_OR_STR",
    "STR",
    "TIME",
    "AnyValue",
    "ListOf",
    "MapOf",
    "Schema",
    "Struct",
    "Value",
    "UNKNOWN_FIELD",
    "conform",
    "decode_rank",
    "is_type_error",
    "is_rfc3339",
    "type_name",
    "unknown_field_message",
]


@dataclass(frozen=True, slots=True)
class Value:
    """A scalar: `string`, `int32`, `int64`, `bool`, `int-or-string` (intstr.IntOrString, an
    int32 or a string) or `time` (metav1.Time: an RFC 3339 string)."""

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
INT32 = Value("int32")
INT64 = Value("int64")
INT = INT32
BOOL = Value("bool")
INT_OR_STR = Value("int-or-string")
TIME = Value("time")
ANY = AnyValue()
UNKNOWN_FIELD = "unknown field"

_EXPECTED = {
    "string": "a string",
    "int32": "an integer",
    "int64": "an integer",
    "bool": "a boolean",
    "int-or-string": "an integer or a string",
    "time": "a time in RFC 3339 format (like 2024-05-01T10:00:00Z)",
}
_RANGES = {"int32": 32, "int64": 64, "int-or-string": 32}
_RFC3339 = re.compile(
    r"([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{1,2}):([0-9]{2}):([0-9]{2})(?:[.,][0-9]+)?"
    r"(?:Z|[+-]([0-9]{2}):([0-9]{2}))"
)
_DAYS = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def is_rfc3339(text: str) -> bool:
    """What metav1.Time accepts: Go's time.Parse with layout RFC 3339 (fractional seconds
    allowed, an hour of one or two digits, every field in its range, the day in its month)."""
    match = _RFC3339.fullmatch(text)
    if match is None:
        return False
    year, month, day, hour, minute, second = (int(g) for g in match.groups()[:6])
    leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
    if not 1 <= month <= 12 or not 1 <= day <= _DAYS[month - 1]:
        return False
    if month == 2 and day == 29 and not leap:
        return False
    zone_hour, zone_minute = match[7], match[8]
    if zone_hour is not None and (int(zone_hour) > 24 or int(zone_minute) > 59):
        return False
    return hour < 24 and minute < 60 and second < 60


def is_type_error(message: str) -> bool:
    """Whether a decoding problem is a type error (the API server reports one and nothing
    else) rather than an unknown field or a duplicate key (it reports all of those)."""
    return message.startswith("expected ")


_ABORTING = tuple(f"expected {_EXPECTED[kind]}" for kind in ("int-or-string", "time"))


def decode_rank(message: str) -> int:
    """Which decoding problem the API server reports: the first with rank 0 (a value its own
    decoder refuses: decoding stops there), else the first with rank 1 (a type error), else
    every one with rank 2 (unknown fields, duplicate keys)."""
    if message.startswith(_ABORTING):
        return 0
    return 1 if is_type_error(message) else 2


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
        case Value(kind="time"):
            return None
        case Value():
            return 0
        case ListOf():
            return []
        case MapOf() | Struct():
            return {}
    return None


def _scalar_ok(kind: str, value: object) -> bool:
    is_int = isinstance(value, int) and not isinstance(value, bool)
    if is_int and kind in _RANGES:
        bits = _RANGES[kind]
        assert isinstance(value, int)
        is_int = -(2 ** (bits - 1)) <= value < 2 ** (bits - 1)
    match kind:
        case "string":
            return isinstance(value, str)
        case "int32" | "int64":
            return is_int
        case "bool":
            return isinstance(value, bool)
        case "time":
            return isinstance(value, str) and is_rfc3339(value)
    return is_int or isinstance(value, str)


def conform(value: object, schema: Schema, path: str, report: Reporter) -> object:
    """`value` checked against `schema`: the cleaned value, or `INVALID` (reported)."""
    match schema:
        case AnyValue():
            return value
        case Value(kind=kind):
            if _scalar_ok(kind, value):
                return value
            return _wrong(value, _EXPECTED[kind], path, report, _range_note(kind, value))
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
            return {k: _entry(k, v, item, path, report) for k, v in value.items()}
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


def _entry(key: str, value: object, schema: Schema, path: str, report: Reporter) -> object:
    """A map value: a problem is reported at the map's path (as the API server's decoder
    does), on the entry's line, naming the key."""
    if value is None:
        return _zero(schema)
    if isinstance(schema, Value) and not _scalar_ok(schema.kind, value):
        note = _range_note(schema.kind, value)
        expected = f'{_EXPECTED[schema.kind]} for key "{key}"'
        report.error(
            path, f"expected {expected}, got {type_name(value)}{note}", at=child(path, key)
        )
        return INVALID
    return conform(value, schema, child(path, key), report)


def _range_note(kind: str, value: object) -> str:
    """Why a value of the right JSON type is still wrong: out of range, or not a time."""
    if kind in _RANGES and isinstance(value, int) and not isinstance(value, bool):
        return f" {value} (out of range for {_RANGES[kind]}-bit integers)"
    if kind == "time" and isinstance(value, str):
        return f' "{value}"'
    return ""


def _wrong(value: object, expected: str, path: str, report: Reporter, note: str = "") -> object:
    report.error(path, f"expected {expected}, got {type_name(value)}{note}")
    return INVALID

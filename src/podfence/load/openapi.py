"""A CRD's OpenAPI v3 schema, checked as apiextensions-apiserver checks a custom resource.

The schema is the CRD's own `openAPIV3Schema` (a plain mapping), so the CRD stays the authority.
Upstream, and the wording of each message (checked against kube-apiserver v1.36):
- kube-openapi pkg/validation/validate (type, enum, minimum/maximum, minLength/maxLength,
  pattern, minItems/maxItems, minProperties/maxProperties, required), as converted to field
  errors by apiextensions-apiserver pkg/apiserver/validation (ValidateCustomResource);
- structurallisttype.ValidateListSetsAndMaps (`x-kubernetes-list-type: set`);
- the strict decoder's unknown fields (after pruning), and the pruning of `null` map values of
  fields that are not nullable;
- `x-kubernetes-validations` (CEL) are not evaluated here: each one met on a value of the right
  type is returned as a `RuleSite` for the caller, which knows the rules.

A value of the wrong type is reported once (and, as upstream, still checked against `enum`);
nothing below it is checked. Types are the JSON ones: a bool is not an integer, a float with an
integral value is one.
"""

from __future__ import annotations

import enum
import functools
import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from podfence.load.fielderr import duplicate, invalid, not_supported, required
from podfence.load.tree import child, index

__all__ = [
    "SUPPORTED_KEYWORDS",
    "Problem",
    "ProblemKind",
    "RuleSite",
    "SchemaError",
    "Walk",
    "check_schema",
    "too_many",
    "walk",
]

SUPPORTED_KEYWORDS = frozenset(
    (
        "type", "properties", "items", "additionalProperties", "required", "enum", "format",
        "minimum", "maximum", "minLength", "maxLength", "pattern", "minItems", "maxItems",
        "minProperties", "maxProperties", "description", "x-kubernetes-list-type",
        "x-kubernetes-list-map-keys", "x-kubernetes-map-type", "x-kubernetes-validations",
    )
)  # fmt: skip
"""Every keyword this module implements or may ignore (description, map-type, list-map-keys:
no effect on a create). `check_schema` rejects a schema with any other."""

Schema = Mapping[str, object]


class SchemaError(ValueError):
    """The schema uses something this module does not implement."""


class ProblemKind(enum.Enum):
    UNKNOWN_FIELD = "unknown field"
    """Rejected by the strict decoder, before validation."""
    SCHEMA = "schema"
    DUPLICATE = "duplicate"


@dataclass(frozen=True, slots=True)
class Problem:
    """One finding. `blocking`: upstream, any such error stops the CEL rules from running
    (hasBlockingErr: TypeInvalid, NotSupported, Required, TooLong, TooMany)."""

    kind: ProblemKind
    path: str
    message: str
    blocking: bool = False
    key: str = ""
    """For an unknown field: its name."""
    known: tuple[str, ...] = ()
    """For an unknown field: the fields its object may have."""
    siblings: int = 0
    """For an unknown field: how many known fields its object has (after pruning nulls)."""


@dataclass(frozen=True, slots=True)
class RuleSite:
    """An `x-kubernetes-validations` rule to evaluate on `value` (at `path`)."""

    path: str
    value: object
    rule: str
    message: str


@dataclass(slots=True)
class Walk:
    problems: list[Problem] = field(default_factory=list)
    rules: list[RuleSite] = field(default_factory=list)

    @property
    def blocked(self) -> bool:
        return any(p.blocking for p in self.problems)


def check_schema(schema: Schema, path: str = "") -> None:
    """Raise `SchemaError` if `schema` (recursively) uses a keyword not implemented here."""
    unknown = set(schema) - SUPPORTED_KEYWORDS
    if unknown:
        raise SchemaError(f"{path or '<root>'}: unsupported schema keywords {sorted(unknown)}")
    kind = schema.get("type")
    if kind not in (None, "object", "array", "string", "integer", "number", "boolean"):
        raise SchemaError(f"{path or '<root>'}: unsupported type {kind!r}")
    for name, sub in _mapping(schema.get("properties")).items():
        check_schema(_mapping(sub), child(path, name))
    for key in ("items", "additionalProperties"):
        sub = schema.get(key)
        if isinstance(sub, Mapping):
            check_schema(sub, f"{path}{'[]' if key == 'items' else '.*'}")


def _mapping(value: object) -> Schema:
    return value if isinstance(value, Mapping) else {}


def _json_type(value: object) -> tuple[str, str]:
    """kube-openapi's schemaInfoForType on a decoded JSON value: (type, format)."""
    if value is None:
        return "null", ""
    if isinstance(value, bool):
        return "boolean", ""
    if isinstance(value, int):
        return "integer", "int64"
    if isinstance(value, float):
        return "number", "float64"
    if isinstance(value, str):
        return "string", ""
    if isinstance(value, list):
        return "array", ""
    return "object", ""


def _type_error(value: object, schema: Schema) -> tuple[str, str] | None:
    """(wanted, got) for "must be of type WANTED: "GOT"" when `value` has the wrong type
    (kube-openapi's typeValidator: a format is checked first, for values that are neither
    strings nor lists)."""
    want = schema.get("type")
    if not isinstance(want, str):
        return None
    got, got_format = _json_type(value)
    if got == "null":
        return want, "null"
    fmt = schema.get("format")
    float_int = got == "number" and want == "integer" and _integral(value)
    int_float = got == "integer" and want == "number"
    if isinstance(fmt, str) and fmt:
        if got not in ("string", "array") and not (
            want == got or got_format == fmt or float_int or int_float
        ):
            return fmt, got_format
        if want not in ("integer", "number") and got in ("string", "array"):
            return None
    if want == got or float_int or int_float:
        return None
    return want, got


def _integral(value: object) -> bool:
    return isinstance(value, float) and math.isfinite(value) and value.is_integer()


def too_many(count: int, limit: int) -> str:
    """field.TooMany's message."""
    noun = "item" if limit == 1 else "items"
    return f"Too many: {count}: must have at most {limit} {noun}"


@functools.lru_cache(maxsize=64)
def _go_regex(pattern: str) -> re.Pattern[str]:
    """A Go (RE2) pattern for Python's `re.search`: RE2's `$` outside multi-line mode matches
    only at the very end (Python's also before a final newline)."""
    if pattern.endswith("$") and not pattern.endswith("\\$"):
        pattern = pattern[:-1] + r"\Z"
    return re.compile(pattern)


def walk(value: object, schema: Schema, path: str, out: Walk, *, values: bool = True) -> None:
    """Check `value` (present, possibly None) at `path`. `values` False: only unknown fields
    (a subtree the API server decodes strictly but does not validate, like `status`)."""
    wrong = _type_error(value, schema)
    if wrong is not None:
        if values:
            want, got = wrong
            message = f'Invalid value: "{got}": {path} in body must be of type {want}: "{got}"'
            out.problems.append(Problem(ProblemKind.SCHEMA, path, message, blocking=True))
            _enum(value, schema, path, out)
        return
    if values:
        _enum(value, schema, path, out)
        _scalar(value, schema, path, out)
    if isinstance(value, dict):
        _object(value, schema, path, out, values=values)
    elif isinstance(value, list):
        _array(value, schema, path, out, values=values)
    rules = schema.get("x-kubernetes-validations")
    if values and isinstance(rules, list):
        for rule in rules:
            if isinstance(rule, Mapping):
                text, message = str(rule.get("rule", "")), str(rule.get("message", ""))
                out.rules.append(RuleSite(path, value, text, message))


def _enum(value: object, schema: Schema, path: str, out: Walk) -> None:
    allowed = schema.get("enum")
    if not isinstance(allowed, list):
        return
    if any(type(value) is type(a) and value == a for a in allowed):
        return
    message = not_supported(value, [str(a) for a in allowed])
    out.problems.append(Problem(ProblemKind.SCHEMA, path, message, blocking=True))


def _add(out: Walk, path: str, message: str, *, blocking: bool = False) -> None:
    out.problems.append(Problem(ProblemKind.SCHEMA, path, message, blocking=blocking))


def _scalar(value: object, schema: Schema, path: str, out: Walk) -> None:
    if isinstance(value, str):
        longest, shortest = schema.get("maxLength"), schema.get("minLength")
        if isinstance(longest, int) and len(value) > longest:  # runes, as Go counts them
            _add(out, path, f"Too long: may not be more than {longest} bytes", blocking=True)
        if isinstance(shortest, int) and len(value) < shortest:
            detail = f"{path} in body should be at least {shortest} chars long"
            _add(out, path, invalid(value, detail))
        pattern = schema.get("pattern")
        if isinstance(pattern, str) and not _go_regex(pattern).search(value):
            _add(out, path, invalid(value, f"{path} in body should match '{pattern}'"))
    elif isinstance(value, int | float) and not isinstance(value, bool):
        low, high = schema.get("minimum"), schema.get("maximum")
        number = int(value) if _integral(value) else value
        if isinstance(low, int | float) and value < low:
            detail = f"{path} in body should be greater than or equal to {low}"
            _add(out, path, invalid(number, detail))
        if isinstance(high, int | float) and value > high:
            detail = f"{path} in body should be less than or equal to {high}"
            _add(out, path, invalid(number, detail))


def _object(
    value: dict[str, object], schema: Schema, path: str, out: Walk, *, values: bool
) -> None:
    properties = _mapping(schema.get("properties"))
    extra = schema.get("additionalProperties")
    extra_schema = extra if isinstance(extra, Mapping) else None
    present = {k: v for k, v in value.items() if v is not None}  # nulls are pruned
    if extra_schema is None:
        known = tuple(properties)
        unknown = [k for k in value if k not in properties]
        siblings = sum(1 for k in present if k in properties)
        for key in unknown:
            message = f'unknown field "{key}"'
            problem = Problem(
                ProblemKind.UNKNOWN_FIELD, child(path, key), message, True, key, known, siblings
            )
            out.problems.append(problem)
        present = {k: v for k, v in present.items() if k in properties}
    if values:
        _counts(len(present), schema, path, out)
        names = schema.get("required")
        for name in names if isinstance(names, list) else []:
            if isinstance(name, str) and name not in present:
                _add(out, child(path, name), required(), blocking=True)
    for key, item in present.items():
        sub = properties.get(key) if extra_schema is None else extra_schema
        walk(item, _mapping(sub), child(path, key), out, values=values)


def _counts(count: int, schema: Schema, path: str, out: Walk) -> None:
    fewest, most = schema.get("minProperties"), schema.get("maxProperties")
    if isinstance(fewest, int) and count < fewest:
        detail = f"{path} in body should have at least {fewest} properties"
        _add(out, path, invalid(count, detail))
    if isinstance(most, int) and count > most:
        _add(out, path, too_many(count, most), blocking=True)


def _array(value: list[object], schema: Schema, path: str, out: Walk, *, values: bool) -> None:
    if values:
        fewest, most = schema.get("minItems"), schema.get("maxItems")
        if isinstance(fewest, int) and len(value) < fewest:
            detail = f"{path} in body should have at least {fewest} items"
            _add(out, path, invalid(len(value), detail))
        if isinstance(most, int) and len(value) > most:
            _add(out, path, too_many(len(value), most), blocking=True)
        if schema.get("x-kubernetes-list-type") == "set":
            _set(value, path, out)
    item_schema = _mapping(schema.get("items"))
    for i, item in enumerate(value):
        walk(item, item_schema, index(path, i), out, values=values)


def _set(value: list[object], path: str, out: Walk) -> None:
    """Each repeated value once, at its first repeat (as kube-apiserver v1.36 reports it)."""
    seen: set[str] = set()
    reported: set[str] = set()
    for i, item in enumerate(value):
        marker = json.dumps(item, sort_keys=True)
        if marker in seen and marker not in reported:
            reported.add(marker)
            out.problems.append(Problem(ProblemKind.DUPLICATE, index(path, i), duplicate(item)))
        seen.add(marker)

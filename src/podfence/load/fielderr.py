"""Validation messages in the API server's words (k8s.io/apimachinery/.../field/errors.go).

The field path is not part of the message: a Diagnostic carries it separately.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

__all__ = [
    "duplicate",
    "forbidden",
    "invalid",
    "not_supported",
    "required",
    "show",
    "too_long",
]


def show(value: object) -> str:
    """A bad value as the API server prints it: strings quoted, numbers and booleans bare."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def invalid(value: object, detail: str) -> str:
    return f"Invalid value: {show(value)}: {detail}"


def required(detail: str = "") -> str:
    return f"Required value: {detail}" if detail else "Required value"


def forbidden(detail: str) -> str:
    return f"Forbidden: {detail}"


def duplicate(value: object) -> str:
    return f"Duplicate value: {show(value)}"


def too_long(limit: int) -> str:
    return f"Too long: may not be more than {limit} bytes"


def not_supported(value: object, supported: Iterable[str]) -> str:
    """`supported` in the order the API server lists them (each rule has its own order)."""
    values = ", ".join(f'"{v}"' for v in supported)
    return f"Unsupported value: {show(value)}: supported values: {values}"

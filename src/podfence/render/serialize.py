"""Data to JSON or YAML text."""

from __future__ import annotations

import json
from typing import Any

import yaml

__all__ = ["dump"]


def dump(data: Any, fmt: str) -> str:
    if fmt == "json":
        return json.dumps(data, indent=2) + "\n"
    if fmt == "yaml":
        return str(yaml.safe_dump(data, sort_keys=False))
    raise ValueError(f"unknown format {fmt!r}")

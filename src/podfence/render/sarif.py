"""Lint findings as SARIF 2.1.0, the format GitHub code scanning uploads.

One run; `tool.driver.rules` lists every rule (so IDs resolve even with no result); each
result has its rule, level (error / warning / note), message, and one physical location (a
relative URI and a 1-based start line) with the object as a logical location.
"""

from __future__ import annotations

import os
import posixpath
from collections.abc import Sequence
from pathlib import PurePath
from typing import Any
from urllib.parse import quote

from podfence import __version__
from podfence.analysis.lint import Finding, Level, LintResult, RuleInfo

__all__ = ["SARIF_SCHEMA", "artifact_uri", "render_sarif"]

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"

_LEVEL = {Level.ERROR: "error", Level.WARNING: "warning", Level.INFO: "note"}


def artifact_uri(file: str, root: str | None = None) -> str:
    """A relative URI for `file` (relative to `root` when it lies below it)."""
    path = file
    if root is not None and os.path.isabs(path):
        rel = os.path.relpath(path, root)
        if not rel.startswith(".."):
            path = rel
    if os.path.isabs(path):
        return PurePath(path).as_uri()
    posix = posixpath.normpath(path.replace(os.sep, "/"))
    return quote(posix, safe="/-._~")


def _rule(r: RuleInfo) -> dict[str, Any]:
    return {
        "id": r.id,
        "name": r.slug,
        "shortDescription": {"text": r.summary},
        "fullDescription": {"text": r.rationale},
        "defaultConfiguration": {"level": _LEVEL[r.level]},
        "help": {"text": f"{r.summary} {r.rationale}"},
        "properties": {"tags": ["kubernetes", "networkpolicy"]},
    }


def _result(f: Finding, index: dict[str, int], root: str | None) -> dict[str, Any]:
    text = f"{f.message}.\nConsequence: {f.consequence}.\nFix: {f.fix}"
    location: dict[str, Any] = {
        "physicalLocation": {
            "artifactLocation": {"uri": artifact_uri(f.file, root)},
            "region": {"startLine": max(f.line, 1)},
        },
        "logicalLocations": [
            {
                "fullyQualifiedName": f"{f.obj} {f.field}" if f.field else f.obj,
                "kind": "object",
            }
        ],
    }
    return {
        "ruleId": f.rule,
        "ruleIndex": index[f.rule],
        "level": _LEVEL[f.level],
        "message": {"text": text},
        "locations": [location],
        "properties": {
            key: value
            for key, value in (
                ("object", f.obj),
                ("field", f.field),
                ("consequence", f.consequence),
                ("fix", f.fix),
            )
            if value is not None
        },
    }


def render_sarif(
    result: LintResult, rules: Sequence[RuleInfo], *, root: str | None = None
) -> dict[str, Any]:
    index = {r.id: i for i, r in enumerate(rules)}
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "podfence",
                        "version": __version__,
                        "semanticVersion": __version__,
                        "rules": [_rule(r) for r in rules],
                    }
                },
                "results": [_result(f, index, root) for f in result.findings],
                "columnKind": "unicodeCodePoints",
            }
        ],
    }

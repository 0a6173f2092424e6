"""Files that are not Kubernetes manifests, and why: the tools around them use these files.

A repository holds more than manifests: a Helm chart (`Chart.yaml`, `values.yaml`, templates
with `{{ }}`), kustomize configurations, `package.json`, `tsconfig.json`. Such files are
skipped with one warning each, saying what they are and how to feed their output in instead.
Everything here is a pure function of a file's name, its place and its text; the sources
stage asks, and the load pipeline reports.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Callable
from pathlib import PurePath

__all__ = [
    "CHART_TEMPLATE",
    "HELM_HINT",
    "KUSTOMIZE_HINT",
    "KUSTOMIZATIONS",
    "KUSTOMIZE_PATCH",
    "NOT_AN_OBJECT",
    "PRUNED_DIRECTORIES",
    "TEMPLATE",
    "chart_of",
    "foreign_name",
    "kustomize_patches",
    "template_line",
    "unparsable",
]

HELM_HINT = "render it and pipe it in: helm template CHART | podfence COMMAND -"
KUSTOMIZE_HINT = "build it and pipe it in: kustomize build DIR | podfence COMMAND -"

_KUSTOMIZATION = (
    "a kustomize configuration, not a Kubernetes object; skipped (the files read are taken "
    f"as they are, without its patches and transformations; {KUSTOMIZE_HINT})"
)
_BY_NAME: tuple[tuple[str, str], ...] = (
    ("Chart.yaml", f"a Helm chart's Chart.yaml, not a Kubernetes object; skipped ({HELM_HINT})"),
    ("values.yaml", f"Helm chart values, not a Kubernetes object; skipped ({HELM_HINT})"),
    ("values.yml", f"Helm chart values, not a Kubernetes object; skipped ({HELM_HINT})"),
    ("values.schema.json", "a Helm values schema, not a Kubernetes object; skipped"),
    ("requirements.yaml", "a Helm chart's dependencies, not a Kubernetes object; skipped"),
    ("kustomization.yaml", _KUSTOMIZATION),
    ("kustomization.yml", _KUSTOMIZATION),
    ("package.json", "an npm package manifest, not a Kubernetes object; skipped"),
    ("package-lock.json", "an npm lock file, not a Kubernetes object; skipped"),
    ("tsconfig*.json", "a TypeScript configuration, not a Kubernetes object; skipped"),
    ("jsconfig*.json", "a JavaScript configuration, not a Kubernetes object; skipped"),
)
"""File names that their tools reserve: never a manifest (and `tsconfig.json` is not even
JSON: it may hold comments)."""

PRUNED_DIRECTORIES: dict[str, str] = {
    "node_modules": "npm packages, not Kubernetes manifests; skipped",
}
"""Directories not searched, with the warning that says so (once per directory)."""

CHART_TEMPLATE = (
    f"a Helm chart template (chart {{chart}}), not a Kubernetes object; skipped ({HELM_HINT})"
)
TEMPLATE = (
    "a Go template ({{{{ }}}} at line {line}), not a Kubernetes manifest: it does not parse; "
    f"skipped ({HELM_HINT})"
)
NOT_AN_OBJECT = "not a Kubernetes object ({what}); skipped"
KUSTOMIZATIONS = ("kustomization.yaml", "kustomization.yml")
KUSTOMIZE_PATCH = (
    "a kustomize patch (listed in {kustomization}), not a Kubernetes object; skipped "
    f"({KUSTOMIZE_HINT})"
)

_ACTION = re.compile(r"\{\{.*?\}\}")
_UNPARSABLE = ("invalid YAML: ", "invalid JSON: ", "mapping keys must be strings")
"""What template actions do to a YAML parser (`key: {{ .x }}` is a map used as a key)."""


def foreign_name(name: str) -> str | None:
    """The warning for a file whose name says it is not a manifest, or None."""
    base = PurePath(name).name
    for pattern, message in _BY_NAME:
        if fnmatch.fnmatchcase(base, pattern):
            return message
    return None


def chart_of(path: PurePath, is_chart: Callable[[PurePath], bool]) -> PurePath | None:
    """The chart whose `templates/` directory holds `path` (Helm renders every file under
    it), or None. `is_chart(directory)` says whether a directory holds a Chart.yaml."""
    for parent in path.parents:
        if parent.name == "templates" and is_chart(parent.parent):
            return parent.parent
    return None


def unparsable(message: str) -> bool:
    """Whether a parse error says the text is not YAML (a duplicate key does not: a manifest
    holding a Go template in a string, with a duplicate key, stays an error)."""
    return message.startswith(_UNPARSABLE)


def template_line(text: str) -> int | None:
    """The line of the first Go template action (`{{ ... }}` on one line), or None."""
    match = _ACTION.search(text)
    if match is None:
        return None
    return text.count("\n", 0, match.start()) + 1


def kustomize_patches(kustomization: object) -> list[str]:
    """The files a kustomization lists as patches (`patches[].path`,
    `patchesStrategicMerge[]`, `patchesJson6902[].path`), relative to its directory. They
    hold partial objects or JSON patches for kustomize to apply, not objects to read."""
    if not isinstance(kustomization, dict):
        return []
    found: list[str] = []
    for key in ("patches", "patchesJson6902", "patchesStrategicMerge"):
        entries = kustomization.get(key)
        for entry in entries if isinstance(entries, list) else []:
            path = entry.get("path") if isinstance(entry, dict) else entry
            if isinstance(path, str) and path and "\n" not in path:  # not an inline patch
                found.append(path)
    return found

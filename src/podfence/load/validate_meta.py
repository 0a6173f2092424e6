"""Validation shared by every kind: metadata, labels, annotations and label selectors.

Upstream: apimachinery pkg/api/validation/objectmeta.go (ValidateObjectMeta,
ValidateAnnotations) and pkg/apis/meta/v1/validation/validation.go (ValidateLabels,
ValidateLabelSelector, ValidateLabelSelectorRequirement).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from podfence.load.fielderr import forbidden, invalid, not_supported, required
from podfence.load.names import is_dns1123_label, is_label_value, is_qualified_name
from podfence.load.report import Reporter
from podfence.load.tree import INVALID, child, get_list, get_map, index

__all__ = [
    "OPERATORS",
    "validate_annotations",
    "validate_labels",
    "validate_metadata",
    "validate_selector",
]

OPERATORS = ("In", "NotIn", "Exists", "DoesNotExist")
TOTAL_ANNOTATION_SIZE_LIMIT = 256 * 1024
NameCheck = Callable[[str], list[str]]


def validate_labels(labels: Mapping[str, object] | None, path: str, report: Reporter) -> None:
    """Keys are qualified names, values label values (ValidateLabels)."""
    for key, value in (labels or {}).items():
        at = child(path, key)
        for message in is_qualified_name(key):
            report.error(at, invalid(key, message))
        if isinstance(value, str):
            for message in is_label_value(value):
                report.error(at, invalid(value, message))


def validate_annotations(
    annotations: Mapping[str, object] | None, path: str, report: Reporter
) -> None:
    """Keys are qualified names in any case; at most 256 KiB in all (ValidateAnnotations)."""
    total = 0
    for key, value in (annotations or {}).items():
        for message in is_qualified_name(key.lower()):
            report.error(child(path, key), invalid(key, message))
        total += len(key.encode()) + (len(value.encode()) if isinstance(value, str) else 0)
    if total > TOTAL_ANNOTATION_SIZE_LIMIT:
        report.error(path, f"Too long: must have at most {TOTAL_ANNOTATION_SIZE_LIMIT} bytes")


def validate_selector(selector: Mapping[str, object] | None, path: str, report: Reporter) -> None:
    """A metav1.LabelSelector: matchLabels as labels, then each requirement."""
    if selector is None:
        return
    validate_labels(get_map(selector, "matchLabels"), child(path, "matchLabels"), report)
    for i, requirement in enumerate(get_list(selector, "matchExpressions") or []):
        if isinstance(requirement, dict):
            _requirement(requirement, index(child(path, "matchExpressions"), i), report)


def _requirement(requirement: Mapping[str, object], path: str, report: Reporter) -> None:
    operator = requirement.get("operator", "")
    values = requirement.get("values", [])
    count = len(values) if isinstance(values, list) else None  # None: invalid, reported
    if operator in ("In", "NotIn"):
        if count == 0:
            detail = "must be specified when `operator` is 'In' or 'NotIn'"
            report.error(child(path, "values"), required(detail))
    elif operator in ("Exists", "DoesNotExist"):
        if count:
            detail = "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"
            report.error(child(path, "values"), forbidden(detail))
    elif operator is not INVALID:
        report.error(child(path, "operator"), not_supported(operator, OPERATORS))
    key = requirement.get("key", "")
    if isinstance(key, str):
        for message in is_qualified_name(key):
            report.error(child(path, "key"), invalid(key, message))
    for i, value in enumerate(values if isinstance(values, list) else []):
        if isinstance(value, str):
            for message in is_label_value(value):
                report.error(index(child(path, "values"), i), invalid(value, message))


def validate_metadata(
    body: Mapping[str, object], report: Reporter, *, namespaced: bool, name_check: NameCheck
) -> None:
    """ValidateObjectMeta: name (required, `name_check`), namespace, labels, annotations."""
    meta = get_map(body, "metadata")
    if meta is None:
        if "metadata" not in body:
            report.error("metadata.name", required("name or generateName is required"))
        return
    name = meta.get("name")
    if name is None or name == "":
        detail = "name or generateName is required"
        if "generateName" in meta:
            detail = "podfence needs a name (generateName is only turned into one on creation)"
        report.error("metadata.name", required(detail))
    elif isinstance(name, str):
        for message in name_check(name):
            report.error("metadata.name", invalid(name, message))
    namespace = meta.get("namespace")
    if namespaced and isinstance(namespace, str):
        for message in is_dns1123_label(namespace):
            report.error("metadata.namespace", invalid(namespace, message))
    validate_labels(get_map(meta, "labels"), "metadata.labels", report)
    validate_annotations(get_map(meta, "annotations"), "metadata.annotations", report)

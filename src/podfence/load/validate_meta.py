"""Validation shared by every kind: metadata, labels, annotations and label selectors.

Upstream: apimachinery pkg/api/validation/objectmeta.go (ValidateObjectMetaAccessor,
ValidateAnnotations, ValidateOwnerReferences, ValidateFinalizers), pkg/apis/core/validation
(ValidateObjectMeta: a finalizer name without '/' must be a standard one) and
pkg/apis/meta/v1/validation/validation.go (ValidateLabels, ValidateLabelSelector,
ValidateLabelSelectorRequirement).

A problem with a map entry (a label, an annotation, a `matchLabels` key or value) is reported
at the map's path, as the API server does (`metadata.labels: Invalid value: "a b": ...`): the
message names the key or the value; the line is the entry's own.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping

from podfence.load.fielderr import forbidden, invalid, required, too_long
from podfence.load.names import (
    is_dns1123_label,
    is_label_value,
    is_qualified_name,
    mask_trailing_dash,
)
from podfence.load.report import Reporter
from podfence.load.tree import INVALID, child, get_list, get_map, get_str, index

__all__ = [
    "GENERATED_SUFFIX",
    "OPERATORS",
    "STANDARD_FINALIZERS",
    "validate_annotations",
    "validate_finalizers",
    "validate_labels",
    "validate_metadata",
    "validate_owner_references",
    "validate_selector",
]

OPERATORS = ("In", "NotIn", "Exists", "DoesNotExist")
STANDARD_FINALIZERS = ("kubernetes", "orphan", "foregroundDeletion")
TOTAL_ANNOTATION_SIZE_LIMIT = 256 * 1024
MAX_GENERATED_BASE = 58
"""names.SimpleNameGenerator: generateName cut to 58 bytes, then 5 random characters."""
GENERATED_SUFFIX = "*"
"""podfence names an object that has only a generateName `<generateName>*`."""
NameCheck = Callable[[str], list[str]]


@functools.lru_cache(maxsize=65536)
def _key_errors(key: str) -> tuple[str, ...]:
    return tuple(is_qualified_name(key))


@functools.lru_cache(maxsize=65536)
def _value_errors(value: str) -> tuple[str, ...]:
    return tuple(is_label_value(value))


def validate_labels(labels: Mapping[str, object] | None, path: str, report: Reporter) -> None:
    """Keys are qualified names, values label values (ValidateLabels). Keys and values
    repeat across a cluster's objects: each distinct one is checked once."""
    for key, value in (labels or {}).items():
        key_errors = _key_errors(key)
        value_errors = _value_errors(value) if isinstance(value, str) else ()
        if key_errors or value_errors:
            at = child(path, key)
            for message in key_errors:
                report.error(path, invalid(key, message), at=at)
            for message in value_errors:
                report.error(path, invalid(value, message), at=at)


def validate_annotations(
    annotations: Mapping[str, object] | None, path: str, report: Reporter
) -> None:
    """Keys are qualified names in any case; at most 256 KiB in all (ValidateAnnotations)."""
    total = 0
    for key, value in (annotations or {}).items():
        for message in is_qualified_name(key.lower()):
            report.error(path, invalid(key, message), at=child(path, key))
        total += len(key.encode()) + (len(value.encode()) if isinstance(value, str) else 0)
    if total > TOTAL_ANNOTATION_SIZE_LIMIT:
        report.error(path, too_long(TOTAL_ANNOTATION_SIZE_LIMIT))


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
        report.error(child(path, "operator"), invalid(operator, "not a valid selector operator"))
    key = requirement.get("key", "")
    if isinstance(key, str):
        for message in is_qualified_name(key):
            report.error(child(path, "key"), invalid(key, message))
    for i, value in enumerate(values if isinstance(values, list) else []):
        if isinstance(value, str):
            for message in is_label_value(value):
                report.error(index(child(path, "values"), i), invalid(value, message))


def _group_version(api_version: str) -> tuple[str, str]:
    """schema.ParseGroupVersion, as FromAPIVersionAndKind uses it: ("", "") when unparsable."""
    if api_version in ("", "/"):
        return "", ""
    slashes = api_version.count("/")
    if slashes == 0:
        return "", api_version
    if slashes == 1:
        group, _, version = api_version.partition("/")
        return group, version
    return "", ""


def _owner_value(ref: Mapping[str, object]) -> dict[str, object]:
    """An OwnerReference as the API server prints it (its fields in Go's order)."""
    keys = ("apiVersion", "kind", "name", "uid", "controller", "blockOwnerDeletion")
    value: dict[str, object] = {k: ref.get(k, "") for k in keys[:4]}
    value.update({k: ref[k] for k in keys[4:] if isinstance(ref.get(k), bool)})
    return value


def validate_owner_references(refs: list[object] | None, path: str, report: Reporter) -> None:
    """ValidateOwnerReferences: each names its owner fully (reported at the list's path, as
    upstream does), an Event owns nothing, and at most one is the controller."""
    first_controller = ""
    for i, ref in enumerate(refs or []):
        if not isinstance(ref, dict):
            continue
        at = index(path, i)
        text = {k: v if isinstance(v, str) else "" for k, v in ref.items()}
        group, version = _group_version(text.get("apiVersion", ""))
        kind = text.get("kind", "")
        if not version:
            message = invalid(text.get("apiVersion", ""), "version must not be empty")
            report.error(child(path, "apiVersion"), message, at=child(at, "apiVersion"))
        for key in ("kind", "name", "uid"):
            if not text.get(key):
                report.error(child(path, key), invalid("", "must not be empty"), at=child(at, key))
        if (group, version, kind) == ("", "v1", "Event"):
            detail = "/v1, Kind=Event is disallowed from being an owner"
            report.error(path, invalid(_owner_value(ref), detail), at=at)
        if ref.get("controller") is True:
            name = f"{kind}/{text.get('name', '')}"
            if first_controller:
                detail = (
                    'Only one reference can have Controller set to true. Found "true" in '
                    f"references for {first_controller} and {name}"
                )
                every = [_owner_value(r) for r in refs or [] if isinstance(r, dict)]
                report.error(path, invalid(every, detail), at=at)
            else:
                first_controller = name


def validate_finalizers(finalizers: list[object] | None, path: str, report: Reporter) -> None:
    """ValidateFinalizers (qualified names, reported at the list's path; not both orphan and
    foregroundDeletion), then core's rule: a name without '/' must be a standard one."""
    names = [f for f in finalizers or [] if isinstance(f, str)]
    for i, name in enumerate(finalizers or []):
        if isinstance(name, str):
            for message in is_qualified_name(name):
                report.error(path, invalid(name, message), at=index(path, i))
    if "orphan" in names and "foregroundDeletion" in names:
        detail = "finalizer orphan and foregroundDeletion cannot be both set"
        report.error(path, invalid(names, detail))
    for i, name in enumerate(finalizers or []):
        if isinstance(name, str) and "/" not in name and name not in STANDARD_FINALIZERS:
            detail = "name is neither a standard finalizer name nor is it fully qualified"
            report.error(index(path, i), invalid(name, detail))


def _generated_name(generate_name: str) -> str:
    """The shape of the name the API server would generate (its last 5 characters random)."""
    base = generate_name.encode()[:MAX_GENERATED_BASE].decode(errors="ignore")
    return base + "xxxxx"


def _names(
    meta: Mapping[str, object], report: Reporter, *, name_check: NameCheck, generated: bool
) -> None:
    """generateName (as a prefix), then the name: required, or checked by `name_check`.

    `generated`: the defaults stage named the object from generateName; the API server would
    check the name it generates, which is generateName (cut to 58 bytes) and 5 characters.
    """
    generate_name = get_str(meta, "generateName")
    if generate_name:
        for message in name_check(mask_trailing_dash(generate_name)):
            report.error("metadata.generateName", invalid(generate_name, message))
    name = meta.get("name")
    if generated and generate_name:
        shown = generate_name.encode()[:MAX_GENERATED_BASE].decode(errors="ignore") + "*"
        for message in name_check(_generated_name(generate_name)):
            report.error("metadata.name", invalid(shown, message), at="metadata.generateName")
    elif name is None or name == "":
        report.error("metadata.name", required("name or generateName is required"))
    elif isinstance(name, str):
        for message in name_check(name):
            report.error("metadata.name", invalid(name, message))


def validate_metadata(
    body: Mapping[str, object],
    report: Reporter,
    *,
    namespaced: bool,
    namespace_dropped: bool = False,
    name_check: NameCheck,
    generated_name: bool = False,
) -> None:
    """ValidateObjectMeta on creation: names, namespace, labels, annotations, owner
    references and finalizers. (`generation`, `uid`, timestamps and `managedFields` are
    reset by the API server on creation: only their types are checked, when decoding.)"""
    meta = get_map(body, "metadata")
    if meta is None:
        if "metadata" not in body:
            report.error("metadata.name", required("name or generateName is required"))
        return
    _names(meta, report, name_check=name_check, generated=generated_name)
    namespace = meta.get("namespace")
    if namespaced and isinstance(namespace, str):
        for message in is_dns1123_label(namespace):
            report.error("metadata.namespace", invalid(namespace, message))
    elif not namespaced and namespace and not namespace_dropped:
        report.error("metadata.namespace", forbidden("not allowed on this type"))
    validate_labels(get_map(meta, "labels"), "metadata.labels", report)
    validate_annotations(get_map(meta, "annotations"), "metadata.annotations", report)
    validate_owner_references(get_list(meta, "ownerReferences"), "metadata.ownerReferences", report)
    validate_finalizers(get_list(meta, "finalizers"), "metadata.finalizers", report)

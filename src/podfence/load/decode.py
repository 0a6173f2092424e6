"""Documents -> objects: kinds and apiVersions, `List`s, structure (types, unknown fields).

Kinds podfence does not read (Service, ConfigMap, ...) are skipped without a word, unless the
kind looks like a misspelling of one it reads; objects of extension APIs are recorded on the
way as `CustomResource`s (podfence.load.custom). A `List` (or any `*List`, as `kubectl get -o
yaml` prints) contributes its `items`, each an object with field paths relative to itself.
"""

from __future__ import annotations

import difflib

from podfence.load.custom import custom_resource
from podfence.load.kinds import KINDS
from podfence.load.naming import name_only
from podfence.load.nodes import Node, to_plain
from podfence.load.objects import Obj, describe
from podfence.load.report import Reporter
from podfence.load.schema import conform, type_name
from podfence.load.tree import Tree, child, index
from podfence.model import CustomResource, Diagnostic, Location

__all__ = ["SUCCEEDED", "decode_document", "is_list_kind", "skipped_kind_warning"]

_KIND_TYPO_CUTOFF = 0.85


def is_list_kind(kind: str) -> bool:
    """`List`, `PodList`, `NetworkPolicyList`, ...: a wrapper whose `items` are the objects."""
    return kind.endswith("List") and kind not in KINDS


def decode_document(
    doc: Node,
    file: str,
    *,
    default_namespace: str,
    out: list[Diagnostic],
    custom: list[CustomResource] | None = None,
) -> list[Obj]:
    """The objects of one document (several for a List), with structural problems in `out`
    and the custom resources met in `custom` (when given)."""
    return _decode(doc, file, "", default_namespace, out, custom)


def _decode(
    node: Node,
    file: str,
    where: str,
    namespace: str,
    out: list[Diagnostic],
    custom: list[CustomResource] | None,
) -> list[Obj]:
    fields = node.value
    if not isinstance(fields, dict):
        report = Reporter(file, {where: node.line}, None, out)
        expected = "a Kubernetes object (a map with apiVersion and kind)"
        report.error(where, f"expected {expected}, got {type_name(to_plain(node)[0])}")
        return []
    lines = {where: node.line} | {child(where, k): v.line for k, v in fields.items()}
    kind = _header(fields, "kind", Reporter(file, lines, name_only(fields), out), where)
    known = KINDS.get(kind) if kind else None
    # cluster-scoped kinds show no namespace
    scoped = known.namespaced if known is not None else kind not in SUCCEEDED
    label = (
        describe(kind, _plain_meta(fields), namespace if scoped else None)
        if kind
        else name_only(fields)
    )
    report = Reporter(file, lines, label, out)
    api_version = _header(fields, "apiVersion", report, where)
    if kind is None or api_version is None:
        return []
    if is_list_kind(kind):
        return _items(fields, file, where, namespace, report, out, custom)
    info = KINDS.get(kind)
    if info is None:
        _maybe_typo(kind, child(where, "kind"), report)
        if custom is not None:
            found = custom_resource(
                _as_tree(to_plain(node)[0]), Location(file, node.line), default_namespace=namespace
            )
            if found is not None:
                custom.append(found)
        return []
    if api_version != info.api_version:
        message = (
            f'apiVersion "{api_version}" is not supported for {kind}: '
            f'podfence reads {kind} from "{info.api_version}"'
        )
        report.error(child(where, "apiVersion"), message)
        return []
    value, obj_lines = to_plain(node)
    label = describe(kind, _as_tree(value), namespace if info.namespaced else None)
    body = conform(value, info.schema, "", Reporter(file, obj_lines, label, out))
    assert isinstance(body, dict)  # `value` is a map, and so is every kind's schema
    return [Obj(info, body, file, node.line, obj_lines, label)]


def _header(fields: dict[str, Node], key: str, report: Reporter, where: str) -> str | None:
    node = fields.get(key)
    value = node.value if node is not None else None
    if value is None or value == "":
        report.error(child(where, key), f'missing required field "{key}"')
        return None
    if not isinstance(value, str):
        got = type_name(to_plain(node)[0]) if node is not None else "null"
        report.error(child(where, key), f"expected a string, got {got}")
        return None
    return value


def _plain_meta(fields: dict[str, Node]) -> Tree:
    meta = fields.get("metadata")
    return {"metadata": to_plain(meta)[0]} if meta is not None else {}


def _as_tree(value: object) -> Tree:
    return value if isinstance(value, dict) else {}


SUCCEEDED = ("AdminNetworkPolicy", "BaselineAdminNetworkPolicy")
"""policy.networking.k8s.io/v1alpha1 kinds that ClusterNetworkPolicy (v1alpha2) succeeds."""


def skipped_kind_warning(kind: str) -> str | None:
    """The warning for a kind podfence does not read, when it deserves one: a likely typo of
    a kind it reads, or a kind ClusterNetworkPolicy succeeds (its rules would be ignored)."""
    if kind in SUCCEEDED:
        return (
            f'kind "{kind}" (policy.networking.k8s.io/v1alpha1) is not read by podfence: '
            "ClusterNetworkPolicy (v1alpha2) succeeds it; skipped"
        )
    close = difflib.get_close_matches(kind, sorted(KINDS), n=1, cutoff=_KIND_TYPO_CUTOFF)
    if close:
        return f'kind "{kind}" is not read by podfence (did you mean "{close[0]}"?); skipped'
    return None


def _maybe_typo(kind: str, path: str, report: Reporter) -> None:
    warning = skipped_kind_warning(kind)
    if warning is not None:
        report.warning(path, warning)


def _items(
    fields: dict[str, Node],
    file: str,
    where: str,
    namespace: str,
    report: Reporter,
    out: list[Diagnostic],
    custom: list[CustomResource] | None,
) -> list[Obj]:
    items = fields.get("items")
    if items is None or items.value is None:
        return []
    if not isinstance(items.value, list):
        got = type_name(to_plain(items)[0])
        report.error(child(where, "items"), f"expected a list, got {got}")
        return []
    objs: list[Obj] = []
    for i, item in enumerate(items.value):
        objs.extend(_decode(item, file, index(child(where, "items"), i), namespace, out, custom))
    return objs

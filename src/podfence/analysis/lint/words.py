"""Small phrase and YAML helpers for finding texts (lists of pods, selectors, protocols)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence

from podfence.analysis.operators import OperatorPod
from podfence.model import CustomResource, Endpoint, LabelSelector, Operator

__all__ = [
    "agree",
    "and_join",
    "made_by_operators",
    "operator_note",
    "unknown_resources_note",
    "endpoint_name",
    "who",
    "selector_text",
    "selector_yaml",
    "yaml_scalar",
]

_PLAIN = re.compile(r"[A-Za-z_][A-Za-z0-9_./-]*")
_RESERVED = {"true", "false", "yes", "no", "on", "off", "null", "y", "n", "~"}


def yaml_scalar(value: str) -> str:
    """A YAML scalar that reads back as the same string."""
    if _PLAIN.fullmatch(value) and value.lower() not in _RESERVED:
        return value
    return json.dumps(value)


def and_join(items: Sequence[str]) -> str:
    """`a`, `a and b`, `a, b and c`."""
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} and {items[-1]}"


def endpoint_name(ep: Endpoint) -> str:
    """`shop/web`, or `shop/web (Deployment)` for a workload."""
    return ep.id if ep.kind == "Pod" else f"{ep.id} ({ep.kind})"


def who(endpoints: Iterable[Endpoint], limit: int = 6) -> str:
    """A list of endpoints for a message, cut after `limit` with `and N more`."""
    names = [endpoint_name(ep) for ep in endpoints]
    if len(names) <= limit:
        return and_join(names)
    return f"{', '.join(names[:limit])} and {len(names) - limit} more"


def selector_text(selector: LabelSelector) -> str:
    """kubectl's selector syntax; `{}` (everything) for the empty selector."""
    return str(selector)


def selector_yaml(selector: LabelSelector) -> str:
    """A selector as one-line YAML: `{matchLabels: {app: web}}`; `{}` when empty."""
    parts = []
    if selector.match_labels:
        labels = ", ".join(f"{yaml_scalar(k)}: {yaml_scalar(v)}" for k, v in selector.match_labels)
        parts.append(f"matchLabels: {{{labels}}}")
    if selector.match_expressions:
        exprs = []
        for req in selector.match_expressions:
            text = f"key: {yaml_scalar(req.key)}, operator: {req.operator.value}"
            if req.operator in (Operator.IN, Operator.NOT_IN):
                text += f", values: [{', '.join(yaml_scalar(v) for v in req.values)}]"
            exprs.append(f"{{{text}}}")
        parts.append(f"matchExpressions: [{', '.join(exprs)}]")
    return "{" + ", ".join(parts) + "}"


def agree(items: Sequence[object], singular: str, plural: str) -> str:
    """The verb form that agrees with the number of `items`."""
    return singular if len(items) == 1 else plural


def made_by_operators(pods: Sequence[OperatorPod]) -> str:
    """`the pods prometheus-operator creates for Prometheus monitoring/k8s`."""
    by_operator: dict[str, list[str]] = {}
    for p in pods:
        by_operator.setdefault(p.maker.operator, []).append(str(p.resource))
    return and_join(
        [f"the pods {op} creates for {and_join(refs)}" for op, refs in by_operator.items()]
    )


def operator_note() -> str:
    """What lint can and cannot say about pods an operator creates."""
    return (
        "podfence knows them by the labels the operator gives them; they are not in the input, "
        "so nothing else about them is checked"
    )


def unknown_resources_note(resources: Sequence[CustomResource], namespace: str) -> str:
    """`; namespace shop also holds custom resources (Widget shop/w) that podfence does not
    read: an operator may create pods from them`, or nothing."""
    if not resources:
        return ""
    listed = ", ".join(str(r) for r in resources[:4])
    if len(resources) > 4:
        listed += f" and {len(resources) - 4} more"
    return (
        f"; namespace {namespace} also holds custom resources ({listed}) that podfence does not "
        "read: if an operator creates pods from them, they may be the pods meant"
    )

"""Readable class descriptions: `ns shop, app=web` from what the members have in common."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from podfence.engine.classes.classify import Signature
from podfence.engine.classes.groups import EndpointClass
from podfence.engine.match import PodLabels
from podfence.engine.universe import Universe
from podfence.model import Endpoint, Labels

__all__ = ["summarise", "MAX_NAMESPACES"]

MAX_NAMESPACES = 3
"""Namespaces named in a summary before `+N` is used."""


def _keys(universe: Universe) -> frozenset[str]:
    """Every pod label key a policy or a peer looks at."""
    keys: set[str] = set()
    for _, policy in universe.live():
        keys |= policy.pod_selector.keys
    for peer in universe.pod_peers:
        if isinstance(peer.pod, PodLabels):
            keys |= peer.pod.selector.keys
    return frozenset(keys)


def _common(label_sets: set[Labels], keys: frozenset[str]) -> list[tuple[str, str]]:
    first, *rest = label_sets
    common = {kv for kv in first if kv[0] in keys}
    for labels in rest:
        common &= set(labels)
    return sorted(common)


def _text(
    namespaces: Sequence[str], labels: list[tuple[str, str]], sig: Signature, whole: bool
) -> str:
    if len(namespaces) <= MAX_NAMESPACES:
        ns = "ns " + "|".join(namespaces)
    else:
        more = len(namespaces) - MAX_NAMESPACES
        ns = "ns " + "|".join(namespaces[:MAX_NAMESPACES]) + f" (+{more})"
    if sig.host_network:
        what = "hostNetwork"
    elif labels:
        what = ",".join(f"{k}={v}" for k, v in labels)
    else:
        what = "all pods" if whole else "other pods"
    return f"{ns}, {what}"


def summarise(
    endpoints: Sequence[Endpoint],
    class_by_id: Mapping[str, int],
    signatures: Sequence[Signature],
    universe: Universe,
) -> tuple[EndpointClass, ...]:
    """The non-empty classes in order of their first member, numbered from 0."""
    members: dict[int, list[str]] = {}
    namespaces: dict[int, dict[str, None]] = {}
    labels: dict[int, set[Labels]] = {}
    per_namespace: dict[str, int] = {}
    for ep in endpoints:
        per_namespace[ep.namespace] = per_namespace.get(ep.namespace, 0) + 1
        c = class_by_id[ep.id]
        members.setdefault(c, []).append(ep.id)
        namespaces.setdefault(c, {})[ep.namespace] = None
        labels.setdefault(c, set()).add(ep.labels)
    keys = _keys(universe)
    out = []
    for gid, (c, ids) in enumerate(members.items()):
        ns = sorted(namespaces[c])
        sig = signatures[c]
        whole = sum(per_namespace[n] for n in ns) == len(ids)
        text = _text(ns, _common(labels[c], keys), sig, whole)
        out.append(EndpointClass(gid, tuple(ns), text, tuple(ids), sig.host_network))
    return tuple(out)

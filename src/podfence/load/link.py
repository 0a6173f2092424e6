"""Relations between objects: duplicates, workloads represented by their pods, namespaces.

- The same kind/namespace/name twice is a warning naming both places (an error with
  `strict`): identical definitions merge; different ones follow `kubectl apply -f`, where
  the later one wins.
- A workload is dropped when its pods are in the input (a Pod in its namespace that its
  selector matches, or that it owns, directly or through a ReplicaSet/Job), and a workload
  owned by another workload of the input (a Deployment's ReplicaSet, a CronJob's Job) is
  represented by its owner.
- Endpoint ids ("namespace/name") must be unique across pods and the remaining workloads.
- A namespace referred to but not defined exists implicitly, with one warning.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

from podfence.load.convert import ConversionError, to_labels, to_selector
from podfence.load.objects import Obj
from podfence.load.tree import get_at, get_list, get_map, get_str, get_str_map
from podfence.model import NAME_LABEL, Diagnostic, LabelSelector

__all__ = ["Linked", "PodView", "link", "pod_view", "represented"]

_Key = tuple[str, str | None, str]


@dataclass(frozen=True, slots=True)
class Linked:
    """What the cluster is made of; `implicit` pairs a namespace with its first referrer."""

    namespaces: tuple[Obj, ...]
    implicit: tuple[tuple[str, Obj], ...]
    endpoints: tuple[Obj, ...]
    policies: tuple[Obj, ...]
    nodes: tuple[Obj, ...] = ()
    cluster_policies: tuple[Obj, ...] = ()


def _key(obj: Obj) -> _Key:
    return (obj.kind.name, obj.namespace, obj.name or "")


def _unique(objs: Sequence[Obj], out: list[Diagnostic], *, strict: bool) -> list[Obj]:
    """One object per key: the later of two different definitions, as `kubectl apply -f`
    applies files in order; each duplicate is reported where it is, naming the other."""
    kept: dict[_Key, Obj] = {}
    for obj in objs:
        if not obj.name:
            continue  # reported by validation
        key = _key(obj)
        seen = kept.get(key)
        if seen is None:
            kept[key] = obj
            continue
        reporter = obj.reporter(out)
        report = reporter.error if strict else reporter.warning
        if seen.body == obj.body:
            outcome = "identical to the one at {where}; the two are merged"
        else:
            outcome = (
                "also defined, differently, at {where}; this later definition is used, "
                "as kubectl apply -f would"
            )
            kept[key] = obj  # in the first one's place: the order of objects is kept
        rule = " (--strict: duplicates are errors)" if strict else ""
        report("", f"defined twice: {outcome.format(where=seen.location)}{rule}")
    return list(kept.values())


def _owners(obj: Obj) -> Iterator[tuple[str, str]]:
    for ref in get_list(obj.meta, "ownerReferences") or []:
        kind = get_str(ref, "kind") if isinstance(ref, dict) else None
        name = get_str(ref, "name") if isinstance(ref, dict) else None
        if kind and name:
            yield kind, name


def _selector(workload: Obj) -> LabelSelector | None:
    """The selector that finds the workload's pods; None when it has none usable."""
    assert workload.kind.selector is not None
    parent, _, key = workload.kind.selector.rpartition(".")
    tree = get_map(get_at(workload.body, parent), key)
    if tree is None:
        return None
    try:
        if workload.kind.name == "ReplicationController":  # a plain label map
            selector = LabelSelector(match_labels=to_labels(tree))
        else:
            selector = to_selector(tree)
    except ConversionError:
        return None
    return None if selector.is_empty else selector  # an empty one is invalid for workloads


@dataclass(frozen=True, slots=True)
class PodView:
    """What linking needs of a pod: its namespace, labels and owners (kind, name)."""

    namespace: str | None
    labels: Mapping[str, str]
    owners: tuple[tuple[str, str], ...]


def pod_view(pod: Obj) -> PodView:
    return PodView(pod.namespace, get_str_map(pod.meta, "labels"), tuple(_owners(pod)))


def represented(workloads: Sequence[Obj], pods: Sequence[PodView]) -> set[_Key]:
    """Keys of the workloads that pods or an owning workload of the input stand for."""
    present = {_key(w): w for w in workloads}
    dropped: set[_Key] = set()
    for pod in pods:  # ownership, followed up the chain (Pod -> ReplicaSet -> Deployment)
        owners = list(pod.owners)
        while owners:
            kind, name = owners.pop()
            owner = present.get((kind, pod.namespace, name))
            if owner is not None and _key(owner) not in dropped:
                dropped.add(_key(owner))
                owners.extend(_owners(owner))
    by_namespace: dict[str | None, list[PodView]] = {}
    for pod in pods:
        by_namespace.setdefault(pod.namespace, []).append(pod)
    for workload in workloads:
        selector = _selector(workload)
        if selector is not None and any(
            selector.matches(pod.labels) for pod in by_namespace.get(workload.namespace, ())
        ):
            dropped.add(_key(workload))
        if any((k, workload.namespace, n) in present for k, n in _owners(workload)):
            dropped.add(_key(workload))
    return dropped


def _check_endpoint_ids(endpoints: Sequence[Obj], out: list[Diagnostic]) -> None:
    first: dict[tuple[str | None, str | None], Obj] = {}
    for obj in endpoints:
        seen = first.setdefault((obj.namespace, obj.name), obj)
        if seen is not obj:
            message = (
                f'endpoint "{obj.namespace}/{obj.name}" is defined twice: by {seen.label} '
                f"({seen.location}) and by {obj.label}; names of pods and workloads must be "
                "unique in a namespace"
            )
            obj.reporter(out).error("", message)


def _implicit(
    objs: Sequence[Obj], defined: set[str], out: list[Diagnostic]
) -> list[tuple[str, Obj]]:
    implicit: dict[str, Obj] = {}
    for obj in objs:
        namespace = obj.namespace
        if namespace and namespace not in defined and namespace not in implicit:
            implicit[namespace] = obj
            # At the object's `metadata.namespace`, or at the object when -n supplied it.
            path = "metadata.namespace" if "metadata.namespace" in obj.lines else ""
            obj.reporter(out).warning(
                path,
                f"namespace {namespace} is not defined in the input; assuming it exists "
                f"with only the label {NAME_LABEL}={namespace}",
            )
    return list(implicit.items())


def link(objs: Sequence[Obj], out: list[Diagnostic], *, strict: bool = False) -> Linked:
    """Relate the objects (in input order); problems go to `out`. `strict`: an object
    defined twice is an error."""
    unique = _unique(objs, out, strict=strict)
    namespaces = [o for o in unique if o.kind.name == "Namespace"]
    pods = [o for o in unique if o.kind.name == "Pod"]
    workloads = [o for o in unique if o.kind.template is not None]
    dropped = represented(workloads, [pod_view(p) for p in pods])
    endpoints = pods + [w for w in workloads if _key(w) not in dropped]
    _check_endpoint_ids(endpoints, out)
    defined = {o.name for o in namespaces if o.name}
    return Linked(
        namespaces=tuple(namespaces),
        implicit=tuple(_implicit(unique, defined, out)),
        endpoints=tuple(endpoints),
        policies=tuple(o for o in unique if o.kind.name == "NetworkPolicy"),
        nodes=tuple(o for o in unique if o.kind.name == "Node"),
        cluster_policies=tuple(o for o in unique if o.kind.name == "ClusterNetworkPolicy"),
    )

"""Custom resources: objects of extension APIs, recorded (not read) for the analyses.

podfence reads the kinds that decide connectivity; everything else is skipped. Objects of an
extension API (a CustomResourceDefinition's kind, such as prometheus-operator's `Prometheus`)
may make an operator create pods, though, so they are kept as `CustomResource` data: kind,
apiVersion, namespace, name and labels, and `spec.podMetadata.labels`. They are neither
validated nor analysed: an object that does not have the shape (no name, labels that are not
strings) is left out without a word, as any other skipped kind.

An extension API is an apiVersion `GROUP/VERSION` whose group has a dot and is not a
Kubernetes group (`k8s.io` or a subgroup of it): CRD groups must contain a dot, and the
built-in groups either have none (`apps`, `batch`) or end in `.k8s.io`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from podfence.model import CustomResource, Location, frozen_labels

__all__ = ["custom_resource", "is_extension_api", "unique_resources"]


def is_extension_api(api_version: str) -> bool:
    """Whether `api_version` belongs to an extension API (see the module's docstring)."""
    group, slash, _ = api_version.rpartition("/")
    if not slash or "." not in group:
        return False
    return not (group == "k8s.io" or group.endswith(".k8s.io"))


def _labels(tree: object) -> dict[str, str] | None:
    """A label map, or None when it is not one (a map of strings to strings)."""
    if tree is None:
        return {}
    if not isinstance(tree, Mapping):
        return None
    if not all(isinstance(k, str) and isinstance(v, str) for k, v in tree.items()):
        return None
    return dict(tree)


def _map(tree: object, key: str) -> object:
    return tree.get(key) if isinstance(tree, Mapping) else None


def custom_resource(
    body: Mapping[str, object], location: Location, *, default_namespace: str
) -> CustomResource | None:
    """The record of an object of an extension API; None for any other object, or one
    without a name or with labels that are not strings."""
    kind, api_version = body.get("kind"), body.get("apiVersion")
    if not isinstance(kind, str) or not isinstance(api_version, str):
        return None
    if not kind or not is_extension_api(api_version):
        return None
    meta = body.get("metadata")
    name = _map(meta, "name")
    namespace = _map(meta, "namespace")
    if not isinstance(name, str) or not name:
        return None
    if namespace is not None and not isinstance(namespace, str):
        return None
    labels = _labels(_map(meta, "labels"))
    pod_labels = _labels(_map(_map(_map(body, "spec"), "podMetadata"), "labels"))
    if labels is None or pod_labels is None:
        return None
    return CustomResource(
        api_version=api_version,
        kind=kind,
        namespace=namespace or default_namespace,
        name=name,
        labels=frozen_labels(labels),
        pod_metadata_labels=frozen_labels(pod_labels),
        location=location,
    )


def unique_resources(found: Iterable[CustomResource]) -> tuple[CustomResource, ...]:
    """One record per group, kind, namespace and name (the later one, as `kubectl apply -f`
    would leave it), sorted by namespace, kind and name."""
    kept: dict[tuple[str, str, str, str], CustomResource] = {}
    for resource in found:
        kept[(resource.group, resource.kind, resource.namespace, resource.name)] = resource
    return tuple(sorted(kept.values(), key=lambda r: (r.namespace, r.kind, r.name, r.api_version)))

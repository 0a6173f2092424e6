"""The API server's defaults, applied explicitly so that a file and a live object agree.

Pure functions over decoded trees; each returns new data and never changes its input.
Upstream sources:
- pkg/apis/networking/v1/defaults.go: SetDefaults_NetworkPolicyPort (`protocol` nil -> TCP;
  an explicit `""` stays and fails validation), SetDefaults_NetworkPolicy (`policyTypes`
  empty -> ["Ingress"], plus "Egress" when `egress` has at least one rule);
- pkg/apis/core/v1/defaults.go: SetDefaults_ContainerPort (`protocol` "" -> TCP),
  SetDefaults_Namespace (label kubernetes.io/metadata.name = name),
  SetDefaults_ReplicationController (empty `selector` -> the template's labels);
- a NetworkPolicy's `spec.podSelector` is a struct, not a pointer: missing means `{}`;
- kubectl fills in an unset `metadata.namespace` with the current namespace (`-n`);
- the API server names an object that has only a `generateName` (names.SimpleNameGenerator:
  the prefix and 5 random characters); podfence calls it `<generateName>*`, with a warning.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from podfence.load.kinds import Kind
from podfence.load.tree import Tree, child, get_at, get_list, get_map, get_str, index
from podfence.model import NAME_LABEL

__all__ = [
    "Defaulted",
    "apply_defaults",
    "GENERATED_NAME_WARNING",
    "default_container_port",
    "default_generated_name",
    "generated_name",
    "default_metadata_namespace",
    "default_namespace_labels",
    "default_network_policy",
    "default_policy_port",
    "default_policy_types",
    "default_rc_selector",
    "POD_SELECTOR_WARNING",
]

POD_SELECTOR_WARNING = (
    "spec.podSelector is missing: as on the API server it defaults to the empty selector {{}}, "
    "which selects every pod in namespace {namespace}"
)


GENERATED_NAME_WARNING = (
    'no metadata.name: the API server would make one up from generateName "{prefix}" and 5 '
    "random characters; podfence calls this object {name}"
)


@dataclass(frozen=True, slots=True)
class Defaulted:
    """A defaulted tree, the field paths filled in, and warnings as (path, message)."""

    body: Tree
    paths: frozenset[str] = frozenset()
    warnings: tuple[tuple[str, str], ...] = ()


def _copied(body: Tree) -> Tree:
    """A copy of a decoded body to default in place: its maps and lists are new, its
    scalars (immutable) shared. Decoded bodies hold only maps, lists and scalars; this is
    `copy.deepcopy` without its memo, 4x faster on workloads."""
    copied = _copy_value(body)
    assert isinstance(copied, dict)
    return copied


def _copy_value(value: object) -> object:
    if isinstance(value, dict):
        return {key: _copy_value(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_copy_value(item) for item in value]
    return value


def default_policy_port(port: Tree) -> Tree:
    """A NetworkPolicyPort with `protocol` defaulted to TCP when absent."""
    return port if "protocol" in port else {**port, "protocol": "TCP"}


def default_policy_types(spec: Tree) -> list[str] | None:
    """The defaulted `policyTypes`, or None when the spec sets a non-empty list."""
    if "policyTypes" in spec and get_list(spec, "policyTypes") != []:
        return None  # set (or of the wrong type, already reported)
    egress = spec.get("egress")
    has_egress = egress is not None and egress != []  # an invalid value counts as present
    return ["Ingress", "Egress"] if has_egress else ["Ingress"]


def default_network_policy(body: Tree) -> Defaulted:
    body = _copied(body)
    if "spec" not in body:
        body["spec"] = {}
    spec = get_map(body, "spec")
    if spec is None:
        return Defaulted(body)  # a wrong type, already reported
    paths: list[str] = []
    warnings: list[tuple[str, str]] = []
    for path, port in _policy_ports(spec):
        if "protocol" not in port:
            port["protocol"] = "TCP"
            paths.append(child(path, "protocol"))
    policy_types = default_policy_types(spec)
    if policy_types is not None:
        spec["policyTypes"] = policy_types
        paths.append("spec.policyTypes")
    if "podSelector" not in spec:
        spec["podSelector"] = {}
        paths.append("spec.podSelector")
        namespace = get_str(get_map(body, "metadata"), "namespace") or "?"
        warnings.append(("spec.podSelector", POD_SELECTOR_WARNING.format(namespace=namespace)))
    return Defaulted(body, frozenset(paths), tuple(warnings))


def _policy_ports(spec: Tree) -> Iterator[tuple[str, Tree]]:
    for direction in ("ingress", "egress"):
        for i, rule in enumerate(get_list(spec, direction) or []):
            if not isinstance(rule, dict):
                continue
            rule_path = index(f"spec.{direction}", i)
            for j, port in enumerate(get_list(rule, "ports") or []):
                if isinstance(port, dict):
                    yield index(child(rule_path, "ports"), j), port


def default_container_port(port: Tree) -> Tree:
    """A ContainerPort with `protocol` defaulted to TCP when absent or empty."""
    return port if port.get("protocol") else {**port, "protocol": "TCP"}


def _default_pod_spec(spec: Tree | None, path: str) -> list[str]:
    """Default the container ports of a pod spec in place; the paths filled in."""
    filled = []
    for i, container in enumerate(get_list(spec, "containers") or []):
        if not isinstance(container, dict):
            continue
        ports = get_list(container, "ports") or []
        for j, port in enumerate(ports):
            if isinstance(port, dict) and not port.get("protocol"):
                ports[j] = default_container_port(port)
                filled.append(f"{path}.containers[{i}].ports[{j}].protocol")
    return filled


def default_metadata_namespace(body: Tree, namespace: str) -> Tree:
    """The object with `metadata.namespace` set to `namespace` when absent or empty."""
    meta = get_map(body, "metadata")
    if meta is not None and get_str(meta, "namespace"):
        return body
    if meta is None and "metadata" in body:
        return body  # a wrong type, already reported
    return {**body, "metadata": {**(meta or {}), "namespace": namespace}}


def default_namespace_labels(body: Tree) -> Tree:
    """A Namespace with the label kubernetes.io/metadata.name=<name>, overriding any value."""
    meta = get_map(body, "metadata")
    name = get_str(meta, "name")
    if meta is None or not name:
        return body
    labels = get_map(meta, "labels") or {}
    return {**body, "metadata": {**meta, "labels": {**labels, NAME_LABEL: name}}}


def default_rc_selector(body: Tree) -> Tree:
    """A ReplicationController whose empty `spec.selector` became the template's labels."""
    spec = get_map(body, "spec")
    labels = get_map(get_at(body, "spec.template.metadata"), "labels")
    if spec is None or not labels or spec.get("selector") not in (None, {}):
        return body  # nothing to copy, or a selector is set (or invalid, already reported)
    return {**body, "spec": {**spec, "selector": dict(labels)}}


def generated_name(body: Tree) -> str | None:
    """The generateName of an object without a name (None when it has a name, or neither)."""
    meta = get_map(body, "metadata")
    if meta is None or meta.get("name") not in (None, ""):
        return None
    return get_str(meta, "generateName") or None


def default_generated_name(body: Tree, number: int = 1) -> Tree:
    """The object named `<generateName>*` when it has a generateName and no name; the n-th
    such object of its kind, namespace and generateName `<generateName>*<n>` (the API server
    would give each its own random suffix)."""
    meta = get_map(body, "metadata")
    prefix = generated_name(body)
    if meta is None or prefix is None:
        return body
    name = f"{prefix}*" if number == 1 else f"{prefix}*{number}"
    return {**body, "metadata": {**meta, "name": name}}


def apply_defaults(
    kind: Kind, body: Tree, *, default_namespace: str, generated_number: int = 1
) -> Defaulted:
    """Every default for an object of `kind` (the input is not changed). `generated_number`
    counts the objects named from the same generateName so far (see default_generated_name)."""
    paths: list[str] = []
    warnings: list[tuple[str, str]] = []
    named = default_generated_name(body, generated_number)
    if named is not body:
        paths.append("metadata.name")
        name = get_str(get_map(named, "metadata"), "name")
        warning = GENERATED_NAME_WARNING.format(prefix=generated_name(body), name=name)
        warnings.append(("metadata.generateName", warning))
        body = named
    if kind.namespaced:
        defaulted = default_metadata_namespace(body, default_namespace)
        if defaulted is not body:
            paths.append("metadata.namespace")
        body = defaulted
    if kind.name == "Namespace":
        defaulted = default_namespace_labels(body)
        if defaulted is not body:
            paths.append(f"metadata.labels.{NAME_LABEL}")
        return Defaulted(defaulted, frozenset(paths), tuple(warnings))
    if kind.name == "NetworkPolicy":
        result = default_network_policy(body)
        return Defaulted(result.body, result.paths | set(paths), (*warnings, *result.warnings))
    if kind.name == "ReplicationController":
        defaulted = default_rc_selector(body)
        if defaulted is not body:
            paths.append("spec.selector")
        body = defaulted
    body = _copied(body)
    spec_path = kind.template + ".spec" if kind.template else "spec"
    paths += _default_pod_spec(get_at(body, spec_path), spec_path)
    return Defaulted(body, frozenset(paths), tuple(warnings))

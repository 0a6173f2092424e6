"""Plain objects straight to the model, for the common case only, or `Unsupported`.

Namespaces, Pods and NetworkPolicies that the exact loader would accept without a single
diagnostic are converted with the loader's own converters (`podfence.load.convert`) and
checked with its own validators. Workloads (Deployments, StatefulSets, DaemonSets, ...),
ClusterNetworkPolicies and Nodes go through the exact loader's own stages (decode, defaults,
validate with the caller's `LoadOptions`: Kubernetes version, CNP CRD channel) one object at
a time, from their plain value; workloads keep their decoded object for linking. Anything
else (another kind the loader reads, an unknown field, a value of the wrong type, anything
that would be an error or a warning) raises `Unsupported`, and the caller uses the exact
loader instead.
"""

from __future__ import annotations

import dataclasses
import functools
import ipaddress
import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field

import orjson

from podfence.load.build import build_endpoint
from podfence.load.cidrs import cidr_errors, cidr_warnings, parse_cidr
from podfence.load.cnp import build_cluster_policy, build_node
from podfence.load.cnp_crd import CNP_API_VERSION
from podfence.load.convert import (
    to_container_ports,
    to_host_network,
    to_labels,
    to_rule,
    to_selector,
)
from podfence.load.custom import custom_resource
from podfence.load.decode import skipped_kind_warning
from podfence.load.defaults import apply_defaults, generated_name
from podfence.load.fast.exact import Document, Place
from podfence.load.kinds import KINDS, NETWORK_POLICY_API
from podfence.load.names import (
    is_dns1123_label,
    is_dns1123_subdomain,
    is_label_value,
    is_qualified_name,
)
from podfence.load.objects import Obj, describe
from podfence.load.options import DEFAULT_OPTIONS, LoadOptions
from podfence.load.report import Reporter
from podfence.load.schema import conform, is_rfc3339
from podfence.load.validate import validate_object
from podfence.load.validate_meta import (
    validate_annotations,
    validate_finalizers,
    validate_owner_references,
)
from podfence.load.validate_pods import validate_container_ports
from podfence.load.validate_policy import validate_policy_spec
from podfence.model import (
    NAME_LABEL,
    WORKLOAD_KINDS,
    ClusterNetworkPolicy,
    ContainerPort,
    CustomResource,
    Diagnostic,
    Direction,
    Endpoint,
    IPAddress,
    LabelSelector,
    Location,
    Namespace,
    NetworkPolicy,
    Node,
    ObjectRef,
    Rule,
)

__all__ = [
    "Unsupported",
    "Collected",
    "claim",
    "collect",
    "collect_at",
    "owner_pairs",
    "workload_endpoint",
]

_Tree = dict[str, object]
_META_FIELDS = frozenset(
    (
        "name", "namespace", "labels", "annotations", "uid", "resourceVersion", "generation",
        "creationTimestamp", "managedFields", "selfLink", "ownerReferences", "finalizers",
        "generateName", "deletionTimestamp", "deletionGracePeriodSeconds",
    )
)  # fmt: skip
_SELECTOR = frozenset(("matchLabels", "matchExpressions"))
_REQUIREMENT = frozenset(("key", "operator", "values"))
_PORT = frozenset(("protocol", "port", "endPort"))
_PEER = frozenset(("podSelector", "namespaceSelector", "ipBlock"))
_IP_BLOCK = frozenset(("cidr", "except"))
_SPEC = frozenset(("podSelector", "policyTypes", "ingress", "egress"))
_TOP = frozenset(("apiVersion", "kind", "metadata", "spec"))
_META_STRINGS = ("uid", "resourceVersion", "selfLink")
_META_INTS = ("generation", "deletionGracePeriodSeconds")
_META_TIMES = ("creationTimestamp", "deletionTimestamp")


class Unsupported(Exception):
    """Not for the fast path (the exact loader decides, with file and line)."""


@dataclass(slots=True)
class Collected:
    namespaces: list[Namespace] = field(default_factory=list)
    endpoints: list[Endpoint] = field(default_factory=list)
    policies: list[NetworkPolicy] = field(default_factory=list)
    cluster_policies: list[ClusterNetworkPolicy] = field(default_factory=list)
    nodes: list[Node] = field(default_factory=list)
    custom_resources: list[CustomResource] = field(default_factory=list)
    seen: set[tuple[str, str | None, str]] = field(default_factory=set)
    workloads: list[Obj] = field(default_factory=list)
    """Workloads, decoded, defaulted and validated (linked once every object is read)."""
    owned: list[tuple[str, tuple[tuple[str, str], ...]]] = field(default_factory=list)
    """(pod id, owners) of each pod that has owner references."""
    options: LoadOptions = DEFAULT_OPTIONS
    """How objects are judged (the exact loader's `LoadOptions`)."""
    referrers: dict[str, tuple[ObjectRef, Place, bool]] = field(default_factory=dict)
    """The first object in each namespace: its ref, place, and whether it says
    `metadata.namespace` (or -n gave it)."""
    places: dict[ObjectRef, Place] | None = None
    """Where each object is, when positions are wanted."""
    warnings: list[tuple[int, int, int, Diagnostic]] = field(default_factory=list)
    """The warnings of objects read exactly (see `podfence.load.fast.warned`), each as
    (stage, object number, the object's line, warning): the order the exact loader finds
    them in is by stage, then object."""
    generated: Counter[tuple[str, ...]] = field(default_factory=Counter)
    """Objects named from each generateName so far (as the exact loader counts them)."""
    count: int = 0
    """Objects met so far."""


def _need(cond: bool, why: str) -> None:
    if not cond:
        raise Unsupported(why)


@functools.lru_cache(maxsize=65536)
def _label_ok(key: str, value: str) -> bool:
    return not is_qualified_name(key) and not is_label_value(value)


def _labels(meta: _Tree, key: str) -> dict[str, str]:
    labels = meta.get(key, {})
    _need(isinstance(labels, dict), f"{key} not a map")
    assert isinstance(labels, dict)
    for k, v in labels.items():
        _need(isinstance(v, str), f"{key} value not a string")
        if key == "labels":
            _need(_label_ok(k, v), "invalid label")
    if key == "annotations" and labels:
        out: list[Diagnostic] = []
        validate_annotations(labels, "metadata.annotations", Reporter("", {}, None, out))
        _need(not out, "invalid annotations")
    return labels


def _meta(body: _Tree, *, namespaced: bool, default_namespace: str) -> tuple[_Tree, str]:
    meta = body.get("metadata")
    _need(isinstance(meta, dict), "metadata not a map")
    assert isinstance(meta, dict)
    name = meta.get("name")
    _need(isinstance(name, str) and bool(name), "no name")
    assert isinstance(name, str)
    _need(isinstance(meta.get("namespace", ""), str), "namespace")
    _need(not meta.get("generateName"), "generateName (checked, or a warning)")
    _meta_types(meta)
    namespace = default_namespace
    if namespaced:
        _need(not is_dns1123_subdomain(name), "invalid name")
        namespace = str(meta.get("namespace") or default_namespace)
        _need(not is_dns1123_label(namespace), "invalid namespace")
    else:
        _need(not is_dns1123_label(name), "invalid namespace name")
    owners = meta.get("ownerReferences", [])
    _need(isinstance(owners, list), "ownerReferences")
    assert isinstance(owners, list)
    for ref in owners:
        _need(isinstance(ref, dict), "owner reference")
        assert isinstance(ref, dict)
        keys = ("apiVersion", "kind", "name", "uid")
        _need(all(isinstance(ref.get(k, ""), str) for k in keys), "owner reference field")
        _need(all(isinstance(ref.get(k, False), bool) for k in ("controller",)), "controller")
    finalizers = meta.get("finalizers", [])
    _need(isinstance(finalizers, list) and all(isinstance(f, str) for f in finalizers), "fin")
    problems: list[Diagnostic] = []
    report = Reporter("", {}, None, problems)
    if owners:
        validate_owner_references(owners, "metadata.ownerReferences", report)
    if finalizers:
        validate_finalizers(finalizers, "metadata.finalizers", report)
    _need(not problems, "invalid owner references or finalizers")
    return meta, namespace


def _meta_types(meta: _Tree) -> None:
    """The metadata fields the exact loader checks only for their type."""
    for key in _META_STRINGS:
        _need(isinstance(meta.get(key, ""), str), key)
    for key in _META_INTS:
        value = meta.get(key, 0)
        _need(type(value) is int and -(2**63) <= value < 2**63, key)
    for key in _META_TIMES:
        value = meta.get(key)
        _need(value is None or (isinstance(value, str) and is_rfc3339(value)), key)
    _need(not meta.get("managedFields"), "managedFields (their types are checked)")


def _namespace(body: _Tree, place: Place, out: Collected) -> None:
    location = Location(place.document.file, place.line)
    meta, _ = _meta(body, namespaced=False, default_namespace="")
    name = str(meta["name"])
    labels = {**_labels(meta, "labels"), NAME_LABEL: name}
    annotations = _labels(meta, "annotations")
    claim(out, ObjectRef("Namespace", None, name), place, meta)
    out.namespaces.append(
        Namespace(name, to_labels(labels), to_labels(annotations), False, location)
    )


def _pod(body: _Tree, place: Place, default_ns: str, out: Collected) -> None:
    location = Location(place.document.file, place.line)
    meta, namespace = _meta(body, namespaced=True, default_namespace=default_ns)
    labels = _labels(meta, "labels")
    _labels(meta, "annotations")
    spec = body.get("spec", {})
    _need(isinstance(spec, dict), "spec")
    assert isinstance(spec, dict)
    _need(isinstance(spec.get("hostNetwork", False), bool), "hostNetwork")
    node_name = spec.get("nodeName")
    _need(node_name is None or isinstance(node_name, str), "nodeName")
    _need(not node_name or not is_dns1123_subdomain(str(node_name)), "nodeName (an error)")
    ports = _pod_ports(orjson.dumps(spec.get("containers", [])))
    _need(ports is not None, "containers")
    status = body.get("status", {})
    _need(isinstance(status, dict), "status")
    assert isinstance(status, dict)
    ips = _pod_ips(status)
    name = str(meta["name"])
    claim(out, ObjectRef("Pod", namespace, name), place, meta)
    owners = owner_pairs(meta)
    if owners:
        out.owned.append((f"{namespace}/{name}", owners))
    out.endpoints.append(
        Endpoint(
            namespace=namespace,
            name=name,
            kind="Pod",
            labels=to_labels(labels),
            ports=ports,  # type: ignore[arg-type]
            ips=ips,
            host_network=to_host_network(spec),
            location=location,
            node_name=str(node_name) if node_name else None,
        )
    )


@functools.lru_cache(maxsize=65536)
def _pod_ports(containers_json: bytes) -> tuple[ContainerPort, ...] | None:
    """The container ports of a pod spec's `containers`, None if not for the fast path."""
    containers = orjson.loads(containers_json)
    try:
        _need(isinstance(containers, list), "containers")
        for container in containers:
            _need(isinstance(container, dict), "container")
            ports = container.get("ports", [])
            _need(isinstance(ports, list), "ports")
            for port in ports:
                _container_port(port)
        defaulted = _defaulted_ports(containers)
        for container in defaulted["containers"]:  # type: ignore[attr-defined]
            if container["ports"]:
                problems: list[Diagnostic] = []
                validate_container_ports(
                    container["ports"], "ports", Reporter("", {}, None, problems)
                )
                _need(not problems, "invalid container ports")
    except Unsupported:
        return None
    return to_container_ports(defaulted)


_IPV4 = re.compile(
    r"(?:(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\.){3}"
    r"(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
)


def _ip(text: str) -> IPAddress:
    """`ipaddress.ip_address`, quicker for plain dotted quads (the ones it accepts)."""
    if _IPV4.fullmatch(text):
        a, b, c, d = text.split(".")
        return ipaddress.IPv4Address((int(a) << 24) | (int(b) << 16) | (int(c) << 8) | int(d))
    try:
        ip = ipaddress.ip_address(text)
    except ValueError:
        raise Unsupported("invalid pod IP (an error)") from None
    _need("%" not in text, "an IPv6 zone (an error)")
    _need(not (isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped), "IPv4-mapped (a problem)")
    return ip


def _pod_ips(status: _Tree) -> tuple[IPAddress, ...]:
    """`to_pod_ips` with `validate_pod_ips`: podIP then podIPs[].ip, parsed, no repeats."""
    first = status.get("podIP", "")
    _need(isinstance(first, str), "podIP")
    items = status.get("podIPs", [])
    _need(isinstance(items, list), "podIPs")
    assert isinstance(items, list)
    texts = [first]
    for item in items:
        _need(isinstance(item, dict) and isinstance(item.get("ip", ""), str), "podIPs item")
        texts.append(item.get("ip", ""))
    ips: list[IPAddress] = []
    for text in texts:
        if text:
            ip = _ip(str(text))
            if ip not in ips:
                ips.append(ip)
    return tuple(ips)


def _container_port(port: object) -> None:
    _need(isinstance(port, dict), "container port")
    assert isinstance(port, dict)
    for key, kind in (("name", str), ("containerPort", int), ("protocol", str), ("hostPort", int)):
        if key in port:
            _need(type(port[key]) is kind, f"container port {key}")
    _need("containerPort" in port, "containerPort")
    _need(isinstance(port.get("hostIP", ""), str), "hostIP")


def _defaulted_ports(containers: list[object]) -> dict[str, object]:
    """The containers with each port's empty protocol defaulted to TCP (as the loader does)."""
    fixed = []
    for c in containers:
        assert isinstance(c, dict)
        ports = [p if p.get("protocol") else {**p, "protocol": "TCP"} for p in c.get("ports", [])]
        fixed.append({"ports": ports})
    return {"containers": fixed}


def _strict(tree: object, allowed: frozenset[str], what: str) -> _Tree:
    _need(isinstance(tree, dict), what)
    assert isinstance(tree, dict)
    _need(set(tree) <= allowed, f"unknown field in {what}")
    _need(all(v is not None for v in tree.values()), f"null in {what}")
    return tree


def _strict_list(tree: _Tree, key: str) -> list[object]:
    value = tree.get(key, [])
    _need(isinstance(value, list), key)
    assert isinstance(value, list)
    return value


def _selector_shape(tree: object) -> None:
    sel = _strict(tree, _SELECTOR, "selector")
    labels = sel.get("matchLabels", {})
    _need(isinstance(labels, dict) and all(isinstance(v, str) for v in labels.values()), "ml")
    for req in _strict_list(sel, "matchExpressions"):
        r = _strict(req, _REQUIREMENT, "requirement")
        _need(isinstance(r.get("key", ""), str) and isinstance(r.get("operator", ""), str), "r")
        values = _strict_list(r, "values")
        _need(all(isinstance(v, str) for v in values), "requirement values")


def _policy_spec_shape(tree: object) -> None:
    spec = _strict(tree, _SPEC, "spec")
    _need("podSelector" in spec, "podSelector missing (a warning)")
    _selector_shape(spec["podSelector"])
    types = _strict_list(spec, "policyTypes")
    _need(all(isinstance(t, str) for t in types), "policyTypes")
    for direction, peers_key in (("ingress", "from"), ("egress", "to")):
        for rule in _strict_list(spec, direction):
            r = _strict(rule, frozenset((peers_key, "ports")), "rule")
            for port in _strict_list(r, "ports"):
                p = _strict(port, _PORT, "port")
                _need(type(p.get("port", 0)) in (int, str), "port")
                _need(type(p.get("endPort", 0)) is int, "endPort")
                _need(isinstance(p.get("protocol", ""), str), "protocol")
            for peer in _strict_list(r, peers_key):
                pe = _strict(peer, _PEER, "peer")
                for key in ("podSelector", "namespaceSelector"):
                    if key in pe:
                        _selector_shape(pe[key])
                if "ipBlock" in pe:
                    _ip_block(_strict(pe["ipBlock"], _IP_BLOCK, "ipBlock"))


def _ip_block(block: _Tree) -> None:
    texts = [block.get("cidr", ""), *_strict_list(block, "except")]
    for text in texts:
        _need(isinstance(text, str), "cidr")
        cidr = parse_cidr(str(text))
        _need(cidr is None or not (cidr_warnings(cidr) or cidr_errors(cidr)), "a CIDR problem")


@dataclass(frozen=True, slots=True)
class _Spec:
    """A NetworkPolicy spec, defaulted, validated and converted (shared by equal specs)."""

    pod_selector: LabelSelector
    policy_types: frozenset[Direction]
    ingress: tuple[Rule, ...]
    egress: tuple[Rule, ...]
    defaulted: bool


@functools.lru_cache(maxsize=65536)
def _spec(spec_json: bytes) -> _Spec | None:
    """The converted spec, or None when it is not for the fast path."""
    spec = orjson.loads(spec_json)
    try:
        _policy_spec_shape(spec)
    except Unsupported:
        return None
    defaulted = {**spec}
    types_defaulted = not defaulted.get("policyTypes")
    if types_defaulted:
        has_egress = defaulted.get("egress") not in (None, [])
        defaulted["policyTypes"] = ["Ingress", "Egress"] if has_egress else ["Ingress"]
    for direction in ("ingress", "egress"):
        defaulted[direction] = [_default_rule(r) for r in _strict_list(defaulted, direction)]
    problems: list[Diagnostic] = []
    # Any odd CIDR took the exact loader's path already, so the version does not matter here.
    validate_policy_spec(defaulted, Reporter("", {}, None, problems), strict_cidrs=True)
    if problems:
        return None
    return _Spec(
        to_selector(defaulted["podSelector"]),
        frozenset(Direction(str(t)) for t in _strict_list(defaulted, "policyTypes")),
        tuple(to_rule(r, "from") for r in defaulted["ingress"]),
        tuple(to_rule(r, "to") for r in defaulted["egress"]),
        types_defaulted,
    )


def _policy(body: _Tree, place: Place, default_ns: str, out: Collected) -> None:
    location = Location(place.document.file, place.line)
    _strict(body, _TOP, "NetworkPolicy")
    meta = body.get("metadata")
    _need(isinstance(meta, dict) and set(meta) <= _META_FIELDS, "policy metadata")
    spec = _spec(orjson.dumps(body.get("spec"), option=orjson.OPT_SORT_KEYS))
    _need(spec is not None, "spec")
    assert spec is not None
    meta, namespace = _meta(body, namespaced=True, default_namespace=default_ns)
    _labels(meta, "labels")
    annotations = _labels(meta, "annotations")
    name = str(meta["name"])
    claim(out, ObjectRef("NetworkPolicy", namespace, name), place, meta)
    out.policies.append(
        NetworkPolicy(
            namespace=namespace,
            name=name,
            pod_selector=spec.pod_selector,
            policy_types=spec.policy_types,
            ingress=spec.ingress,
            egress=spec.egress,
            policy_types_defaulted=spec.defaulted,
            annotations=to_labels(annotations),
            location=location,
        )
    )


def _default_rule(rule: object) -> object:
    """A rule whose ports without `protocol` get TCP (shapes were checked already)."""
    assert isinstance(rule, dict)
    ports = rule.get("ports")
    if not isinstance(ports, list):
        return rule
    fixed = [p if "protocol" in p else {**p, "protocol": "TCP"} for p in ports]
    return {**rule, "ports": fixed}


def owner_pairs(meta: _Tree) -> tuple[tuple[str, str], ...]:
    """(kind, name) of each owner reference (their shapes were checked)."""
    refs = meta.get("ownerReferences") or []
    assert isinstance(refs, list)
    pairs = ((ref.get("kind"), ref.get("name")) for ref in refs if isinstance(ref, dict))
    return tuple((k, n) for k, n in pairs if isinstance(k, str) and k and isinstance(n, str) and n)


def claim(out: Collected, ref: ObjectRef, place: Place, meta: _Tree) -> None:
    key = (ref.kind, ref.namespace, ref.name)
    _need(key not in out.seen, "duplicate object")
    out.seen.add(key)
    if ref.namespace is not None and ref.namespace not in out.referrers:
        out.referrers[ref.namespace] = (ref, place, "namespace" in meta)
    if out.places is not None:
        out.places[ref] = place


def _exact_stages(body: _Tree, place: Place, default_ns: str, out: Collected) -> Obj:
    """One object through the exact loader's own stages (decode, defaults, validate as
    `out.options` say), from its plain value; `Unsupported` on any diagnostic."""
    meta = body.get("metadata")
    _need(isinstance(meta, dict), "metadata not a map")
    assert isinstance(meta, dict)
    _need(generated_name(body) is None and isinstance(meta.get("name"), str), "generateName")
    problems: list[Diagnostic] = []
    file = place.document.file
    # The decode stage's own steps for an object whose kind and apiVersion `collect` has
    # checked: the structure against the kind's schema. Every field at the object's line,
    # as the exact loader places a value read without positions (the lines of findings are
    # read again lazily, see `Cluster.positions`).
    info = KINDS[str(body["kind"])]
    lines = {"": place.line}
    label = describe(info.name, body, default_ns if info.namespaced else None)
    conformed = conform(body, info.schema, "", Reporter(file, lines, label, problems))
    _need(not problems and isinstance(conformed, dict), "an object the exact loader reports on")
    assert isinstance(conformed, dict)
    obj = Obj(info, conformed, file, place.line, lines, label)
    defaulted = apply_defaults(obj.kind, obj.body, default_namespace=default_ns)
    _need(not defaulted.warnings, "a warning while defaulting")
    obj = dataclasses.replace(obj, body=defaulted.body, defaulted=defaulted.paths)
    validate_object(obj, problems, out.options)
    _need(not problems, "an object the exact loader reports on")
    return obj


def _cluster_scoped(body: _Tree, place: Place, default_ns: str, out: Collected) -> Obj:
    """A cluster-scoped object through the exact loader's stages, claimed by its name."""
    obj = _exact_stages(body, place, default_ns, out)
    meta = body["metadata"]
    assert isinstance(meta, dict)
    claim(out, ObjectRef(obj.kind.name, None, str(obj.name)), place, meta)
    return obj


def _cluster_policy(body: _Tree, place: Place, default_ns: str, out: Collected) -> None:
    """A ClusterNetworkPolicy, judged against the CRD of `out.options.cnp_channel`."""
    out.cluster_policies.append(build_cluster_policy(_cluster_scoped(body, place, default_ns, out)))


def _node(body: _Tree, place: Place, default_ns: str, out: Collected) -> None:
    """A Node (what CNP `nodes` peers match: its labels and addresses)."""
    out.nodes.append(build_node(_cluster_scoped(body, place, default_ns, out)))


def _workload(body: _Tree, place: Place, default_ns: str, out: Collected) -> None:
    """A workload through the exact loader's own stages, from its plain value."""
    obj = _exact_stages(body, place, default_ns, out)
    meta = body["metadata"]
    assert isinstance(meta, dict)
    namespace = obj.namespace
    _need(isinstance(namespace, str) and bool(namespace), "namespace")
    claim(out, ObjectRef(obj.kind.name, namespace, str(obj.name)), place, meta)
    out.workloads.append(obj)


def workload_endpoint(obj: Obj) -> Endpoint:
    """The endpoint of a workload kept by linking (the exact loader's own builder)."""
    return build_endpoint(obj)


def collect(body: object, place: Place, default_namespace: str, out: Collected) -> None:
    """Convert one object (not a List) into `out`, or raise `Unsupported`."""
    _need(isinstance(body, dict), "not an object")
    assert isinstance(body, dict)
    kind, api = body.get("kind"), body.get("apiVersion")
    _need(isinstance(kind, str) and bool(kind), "kind")
    _need(isinstance(api, str) and bool(api), "apiVersion")
    if kind == "Namespace" and api == "v1":
        _namespace(body, place, out)
    elif kind == "Pod" and api == "v1":
        _pod(body, place, default_namespace, out)
    elif kind == "NetworkPolicy" and api == NETWORK_POLICY_API:
        _policy(body, place, default_namespace, out)
    elif kind in WORKLOAD_KINDS and KINDS[kind].api_version == api:
        _workload(body, place, default_namespace, out)
    elif kind == "ClusterNetworkPolicy" and api == CNP_API_VERSION:
        _cluster_policy(body, place, default_namespace, out)
    elif kind == "Node" and api == "v1":
        _node(body, place, default_namespace, out)
    else:
        assert isinstance(kind, str)
        _need(kind not in KINDS and not kind.endswith("List"), f"kind {kind}")
        _need(skipped_kind_warning(kind) is None, "a kind skipped with a warning")
        location = Location(place.document.file, place.line)
        found = custom_resource(body, location, default_namespace=default_namespace)
        if found is not None:
            out.custom_resources.append(found)


def collect_at(body: object, file: str, line: int, default_namespace: str, out: Collected) -> None:
    """`collect` for an object that is not part of a file read by the fast path (its field
    lines cannot be looked up later)."""
    document = Document(file, "", False, (0, 0), None)
    collect(body, Place(document, line), default_namespace, out)


def _tree(value: Mapping[str, object]) -> _Tree:
    return dict(value)

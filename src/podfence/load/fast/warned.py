"""Objects the quick checks of `objects` turn down, read again exactly, one at a time: an
object with warnings stays on the fast path, with the exact loader's own warnings.

When `objects.collect` raises `Unsupported` for an object (anything unusual: a warning, an
unknown field, a generateName, managedFields, ...), `collect_any` cuts the object's own text
out of its file (`exact.object_lines`, libyaml) for the line of every field, and runs the
exact loader's per-object stages on it: decode (the kind's schema), defaults, validate (as
`LoadOptions` say), with the exact loader's readers and reporters. If that finds an error,
`Unsupported` still sends the whole input to the exact loader (an input with errors is not
analysed anyway, and its diagnostics are best found in one place); if it finds only
warnings, they are kept, by stage and object, for `load` to order as the exact loader does,
and the object joins the cluster through the exact loader's own builders.

Also kept on the fast path: a kind skipped with a warning (a likely misspelling, or a kind
ClusterNetworkPolicy succeeds), and a document that is not a Kubernetes object at all.

Still sent to the exact loader (see `objects.claim`, `load`): an object defined twice (a
warning, an error with `strict`: which definition wins and the order of objects are the link
stage's, and the fast path keeps no bodies to compare), a pod and a workload of the same
name (an error), and an object whose text cannot be cut out alone (`object_lines` is None,
or its object is elsewhere: a YAML alias of a whole item). Linking makes no other warning
(workloads represented by their pods are dropped without a word), and `strict` changes
duplicates only, so the warnings kept here are the same under any `LoadOptions`.
"""

from __future__ import annotations

from podfence.load.build import build_endpoint, build_namespace, build_policy
from podfence.load.cnp import build_cluster_policy, build_node
from podfence.load.custom import custom_resource
from podfence.load.decode import SUCCEEDED, is_list_kind, skipped_kind_warning
from podfence.load.fast.exact import Place, object_lines
from podfence.load.fast.objects import Collected, Unsupported, claim, collect, owner_pairs
from podfence.load.foreign import NOT_AN_OBJECT
from podfence.load.kinds import KINDS
from podfence.load.objects import Obj, describe
from podfence.load.pipeline import default_object
from podfence.load.report import Reporter, has_errors
from podfence.load.schema import conform
from podfence.load.tree import child, index
from podfence.load.validate import validate_object
from podfence.model import Diagnostic, Location, ObjectRef, Severity

__all__ = ["DECODE", "DEFAULTS", "VALIDATE", "LINK", "collect_any"]

DECODE, DEFAULTS, VALIDATE, LINK = range(4)
"""The exact loader's stages, in the order it reports what they find."""


def collect_any(body: object, place: Place, default_namespace: str, out: Collected) -> None:
    """`collect`, or the object read exactly when it has warnings; `Unsupported` when the
    exact loader must decide (an error, or a relation between objects the fast path does
    not make)."""
    out.count += 1
    try:
        collect(body, place, default_namespace, out)
    except Unsupported:
        _exactly(body, place, default_namespace, out)


def _warn(out: Collected, stage: int, place: Place, found: list[Diagnostic]) -> None:
    if has_errors(found):
        raise Unsupported("an error (the exact loader reports it)")
    out.warnings.extend((stage, out.count, place.line, d) for d in found)


def _exactly(body: object, place: Place, default_ns: str, out: Collected) -> None:
    file = place.document.file
    if place.item is None and (not isinstance(body, dict) or not _claims(body)):
        # `pipeline._not_an_object`: skipped with one warning, at the document
        what = "a list" if isinstance(body, list) else "a plain value"
        why = (
            "no apiVersion and kind"
            if isinstance(body, dict)
            else f"{what}, with no apiVersion and kind"
        )
        message = NOT_AN_OBJECT.format(what=why)
        _warn(out, DECODE, place, [Diagnostic(file, place.line, Severity.WARNING, message)])
        return
    if not isinstance(body, dict):
        raise Unsupported("an item that is not an object (an error)")
    kind, api = body.get("kind"), body.get("apiVersion")
    if not (isinstance(kind, str) and kind and isinstance(api, str) and api):
        raise Unsupported("no kind or apiVersion (an error)")
    info = KINDS.get(kind)
    if info is None:
        _skipped(body, kind, place, default_ns, out)
        return
    if info.api_version != api:
        raise Unsupported("an apiVersion podfence does not read (an error)")
    lines = object_lines(place)
    if lines is None or lines.get("") != place.line:  # an alias of another object, say
        raise Unsupported("an object whose text cannot be read alone")
    label = describe(kind, body, default_ns if info.namespaced else None)
    decoding: list[Diagnostic] = []
    conformed = conform(body, info.schema, "", Reporter(file, lines, label, decoding))
    _warn(out, DECODE, place, decoding)
    assert isinstance(conformed, dict)  # a map, as every kind's schema
    obj = Obj(info, conformed, file, place.line, lines, label)
    defaulting: list[Diagnostic] = []
    obj = default_object(obj, default_ns, defaulting, out.generated)
    validating: list[Diagnostic] = []
    validate_object(obj, validating, out.options)
    if has_errors(defaulting) or has_errors(validating):
        raise Unsupported("an error (the exact loader reports it)")
    meta = body.get("metadata")
    if not obj.name or not isinstance(meta, dict):
        raise Unsupported("no name (an error)")
    claim(out, ObjectRef(kind, obj.namespace, obj.name), place, meta)
    _warn(out, DEFAULTS, place, defaulting)
    _warn(out, VALIDATE, place, validating)
    _add(obj, out)


def _claims(body: dict[object, object]) -> bool:
    """Whether a document claims to be an object (then anything wrong with it is an error)."""
    return "apiVersion" in body or "kind" in body


def _skipped(
    body: dict[str, object], kind: str, place: Place, default_ns: str, out: Collected
) -> None:
    """A kind podfence does not read: skipped, with the decoder's warning when it deserves
    one, and recorded when it is a custom resource."""
    if is_list_kind(kind):
        raise Unsupported("a List inside a List")
    warning = skipped_kind_warning(kind)
    if warning is not None:
        where = "" if place.item is None else index("items", place.item)
        path = child(where, "kind")
        lines = object_lines(place)
        if lines is None:
            raise Unsupported("an object whose text cannot be read alone")
        scoped = kind not in SUCCEEDED  # as the decoder names it
        meta = {"metadata": body["metadata"]} if "metadata" in body else {}
        label = describe(kind, meta, default_ns if scoped else None)
        found: list[Diagnostic] = []
        Reporter(place.document.file, {path: lines.get("kind", place.line)}, label, found).warning(
            path, warning
        )
        _warn(out, DECODE, place, found)
    location = Location(place.document.file, place.line)
    resource = custom_resource(body, location, default_namespace=default_ns)
    if resource is not None:
        out.custom_resources.append(resource)


def _add(obj: Obj, out: Collected) -> None:
    """The object into the cluster being collected, by the exact loader's builders."""
    kind = obj.kind.name
    if kind == "Namespace":
        out.namespaces.append(build_namespace(obj))
    elif kind == "Pod":
        owners = owner_pairs(obj.meta or {})
        if owners:
            out.owned.append((f"{obj.namespace}/{obj.name}", owners))
        out.endpoints.append(build_endpoint(obj))
    elif kind == "NetworkPolicy":
        out.policies.append(build_policy(obj))
    elif kind == "ClusterNetworkPolicy":
        out.cluster_policies.append(build_cluster_policy(obj))
    elif kind == "Node":
        out.nodes.append(build_node(obj))
    else:
        assert obj.kind.template is not None, kind  # a workload: linked once all are read
        out.workloads.append(obj)

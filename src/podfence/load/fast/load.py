"""`load_fast`: large dumps to a `LoadResult` in seconds, or the exact loader's answer.

JSON is parsed with orjson and YAML with rapidyaml (checked to read every scalar as the
exact loader does; libyaml where it cannot), and objects go straight to the model through
the loader's own converters and validators. The fast path is taken when the whole input has
no error: Namespaces, Pods, NetworkPolicies, workloads, ClusterNetworkPolicies and Nodes
(other kinds the loader skips are skipped too), in the layout `kubectl get -o json|yaml`
prints or as documents of a file. Plain objects are checked quickly (`objects`); an object
with anything unusual is read again exactly, alone, with its field lines, through the exact
loader's stages (`warned`), so that its warnings are the exact loader's. A namespace that is
referred to and not defined gets its warning here, at the exact loader's line. Warnings are
ordered as the exact loader orders them (`_ordered`). On an error, a duplicate, an unusual
layout, it falls back to the exact `podfence.load.load_paths` for the input, so that
problems keep their file:line.

A key that may be duplicated inside an object sends the input to the exact loader too (which
rejects it, as the API server does), so the fast path accepts exactly what `validate` accepts.
`Cluster.positions` (the line of every field, which lint reports) is filled in lazily when
asked for (`positions=True`): only the objects looked up are read again, exactly.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TextIO

from podfence.load import LoadOptions, LoadResult, load_sources
from podfence.load.custom import unique_resources
from podfence.load.fast.exact import Document, LazyPositions, Place, object_lines
from podfence.load.fast.objects import Collected, Unsupported, workload_endpoint
from podfence.load.fast.parse import FastParseError, is_json, parse_fast
from podfence.load.fast.warned import LINK, collect_any
from podfence.load.link import PodView, represented
from podfence.load.options import DEFAULT_OPTIONS
from podfence.load.report import has_errors
from podfence.load.sources import Source, read_sources
from podfence.load.tree import line_of
from podfence.model import (
    NAME_LABEL,
    Cluster,
    Diagnostic,
    Endpoint,
    Location,
    Namespace,
    ObjectRef,
    Severity,
)

__all__ = ["load_fast", "load_sources_fast", "Progress"]

Progress = Callable[[int, int], None]
"""Called with (bytes done, bytes in all) as files are read."""


_IMPLICIT = (
    "namespace {namespace} is not defined in the input; assuming it exists with only the label "
    f"{NAME_LABEL}={{namespace}}"
)


def load_sources_fast(
    sources: Sequence[Source],
    *,
    default_namespace: str = "default",
    progress: Progress | None = None,
    positions: bool = False,
    options: LoadOptions = DEFAULT_OPTIONS,
    problems: Sequence[Diagnostic] = (),
) -> LoadResult:
    """The cluster of `sources` and its diagnostics, or raise `Unsupported` /
    `FastParseError`. `options` judge objects as the exact loader's `options` do (the
    Kubernetes version, the ClusterNetworkPolicy CRD channel). `problems`: warnings met
    reading the sources (an empty directory), reported first as the exact loader does."""
    if has_errors(problems):
        raise Unsupported("a problem reading the input (an error)")
    out = Collected(places={} if positions else None, options=options)
    total = sum(len(s.text) for s in sources)
    done = 0
    for source in sources:
        json = is_json(source.name, source.text)
        for doc in parse_fast(source.name, source.text):
            document = Document(source.name, source.text, json, doc.span, doc.item_lines)
            value = doc.value
            if doc.item_lines is None:
                collect_any(value, Place(document, doc.line), default_namespace, out)
                continue
            assert isinstance(value, dict)
            api = value.get("apiVersion")
            if not isinstance(api, str) or not api:
                raise Unsupported("List without apiVersion")
            for i, (item, line) in enumerate(zip(value["items"], doc.item_lines, strict=True)):
                collect_any(item, Place(document, line, i), default_namespace, out)
        done += len(source.text)
        if progress is not None:
            progress(done, total)
    endpoints = out.endpoints + _workload_endpoints(out)
    if len({ep.id for ep in endpoints}) != len(endpoints):
        raise Unsupported("a pod and a workload of the same name (an error)")
    implicit, warnings = _implicit(out)
    cluster = Cluster(
        namespaces=tuple(sorted(out.namespaces + implicit, key=lambda n: n.name)),
        endpoints=tuple(sorted(endpoints, key=lambda e: e.id)),
        policies=tuple(sorted(out.policies, key=lambda p: (p.namespace, p.name))),
        nodes=tuple(sorted(out.nodes, key=lambda n: n.name)),
        cluster_policies=tuple(sorted(out.cluster_policies, key=lambda p: p.name)),
        custom_resources=unique_resources(out.custom_resources),
        positions=LazyPositions(out.places) if out.places is not None else {},
    )
    read = [(-1, 0, 0, d) for d in problems]  # at line 0 of their file or argument
    return LoadResult(cluster, _ordered([*read, *out.warnings, *warnings]))


def _ordered(warnings: Sequence[tuple[int, int, int, Diagnostic]]) -> tuple[Diagnostic, ...]:
    """The warnings as the exact loader orders its diagnostics (`pipeline._ordered`, where
    warnings all rank alike): found by stage, then object; sorted by file, then object (its
    first line), then line."""
    found = sorted(warnings, key=lambda w: (w[0], w[1]))
    return tuple(w[3] for w in sorted(found, key=lambda w: (w[3].file, w[2], w[3].line)))


def _workload_endpoints(out: Collected) -> list[Endpoint]:
    """The workloads that no pod (or owning workload) of the input stands for."""
    if not out.workloads:
        return []
    owned = dict(out.owned)
    views = [PodView(ep.namespace, dict(ep.labels), owned.get(ep.id, ())) for ep in out.endpoints]
    dropped = represented(out.workloads, views)
    if out.places is not None:  # as the exact loader's: positions of the cluster's objects
        for kind, namespace, name in dropped:
            out.places.pop(ObjectRef(kind, namespace, name), None)
    return [
        workload_endpoint(w)
        for w in out.workloads
        if (w.kind.name, w.namespace, w.name or "") not in dropped
    ]


def _implicit(
    out: Collected,
) -> tuple[list[Namespace], list[tuple[int, int, int, Diagnostic]]]:
    """Namespaces referred to and not defined, each with the exact loader's warning at its
    first referrer (read again exactly for the line of its `metadata.namespace`), found by
    the link stage in the order of the objects."""
    defined = {ns.name for ns in out.namespaces}
    found: list[tuple[tuple[str, int, int], tuple[int, int, int, Diagnostic], Namespace]] = []
    for number, (namespace, (ref, place, says)) in enumerate(out.referrers.items()):
        if namespace in defined:
            continue
        lines = object_lines(place)
        if lines is None:
            raise Unsupported("the line of an implicit namespace's referrer")
        file = place.document.file
        path = "metadata.namespace" if says else ""
        message = _IMPLICIT.format(namespace=namespace)
        line = line_of(lines, path)
        warning = Diagnostic(file, line, Severity.WARNING, message, str(ref), path or None)
        where = Location(file, line_of(lines, "metadata.namespace"))
        ns = Namespace(namespace, ((NAME_LABEL, namespace),), implicit=True, location=where)
        found.append(((file, place.line, line), (LINK, number, place.line, warning), ns))
    found.sort(key=lambda f: f[0])
    return [ns for _, _, ns in found], [w for _, w, _ in found]


def load_fast(
    paths: Sequence[str],
    *,
    default_namespace: str = "default",
    stdin: TextIO | None = None,
    progress: Progress | None = None,
    options: LoadOptions = DEFAULT_OPTIONS,
    positions: bool = False,
) -> LoadResult:
    """Like `load_paths` (same cluster, same diagnostics), fast for plain dumps, judged as
    `options` say (the Kubernetes version, the ClusterNetworkPolicy CRD channel) on either
    path.
    `positions`: fill `Cluster.positions` (lazily) as the exact loader does."""
    sources, problems = read_sources(
        paths, stdin=stdin, exclude=options.exclude, max_file_size=options.max_file_size
    )
    if not has_errors(problems) and sources:
        try:
            return load_sources_fast(
                sources,
                problems=problems,
                default_namespace=default_namespace,
                progress=progress,
                positions=positions,
                options=options,
            )
        except (Unsupported, FastParseError):
            pass
    # the exact loader, on what was read (stdin and pipes can be read only once)
    return load_sources(sources, problems, default_namespace=default_namespace, options=options)

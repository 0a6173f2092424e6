"""`load_fast`: large dumps to a `LoadResult` in seconds, or the exact loader's answer.

JSON is parsed with orjson and YAML with libyaml (no field positions), and objects go
straight to the model through the loader's own converters and validators. The fast path is
taken only when the whole input is plain: Namespaces, Pods and NetworkPolicies (other kinds
the loader skips are skipped too) that the loader would accept without any diagnostic, in
the layout `kubectl get -o json|yaml` prints. On anything else (an error, a warning, a
workload, a duplicate, an implicit namespace, an unusual layout) it falls back to the exact
`podfence.load.load_paths` for the input, so that problems keep their file:line.

A key that may be duplicated inside an object sends the input to the exact loader too (which
rejects it, as the API server does), so the fast path accepts exactly what `validate` accepts.
The difference that remains by design: `Cluster.positions` is empty (only each object's own
line is known).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TextIO

from podfence.load import LoadOptions, LoadResult, load_sources
from podfence.load.custom import unique_resources
from podfence.load.fast.objects import Collected, Unsupported, collect
from podfence.load.fast.parse import FastParseError, parse_fast
from podfence.load.options import DEFAULT_OPTIONS
from podfence.load.sources import Source, read_sources
from podfence.model import Cluster

__all__ = ["load_fast", "load_sources_fast", "Progress"]

Progress = Callable[[int, int], None]
"""Called with (bytes done, bytes in all) as files are read."""


def load_sources_fast(
    sources: Sequence[Source],
    *,
    default_namespace: str = "default",
    progress: Progress | None = None,
) -> Cluster:
    """The cluster of `sources`, or raise `Unsupported` / `FastParseError`."""
    out = Collected()
    total = sum(len(s.text) for s in sources)
    done = 0
    for source in sources:
        for doc in parse_fast(source.name, source.text):
            value = doc.value
            if doc.item_lines is None:
                collect(value, source.name, doc.line, default_namespace, out)
                continue
            assert isinstance(value, dict)
            api = value.get("apiVersion")
            if not isinstance(api, str) or not api:
                raise Unsupported("List without apiVersion")
            for item, line in zip(value["items"], doc.item_lines, strict=True):
                collect(item, source.name, line, default_namespace, out)
        done += len(source.text)
        if progress is not None:
            progress(done, total)
    defined = {ns.name for ns in out.namespaces}
    if any(ep.namespace not in defined for ep in out.endpoints) or any(
        p.namespace not in defined for p in out.policies
    ):
        raise Unsupported("a namespace is not defined (a warning)")
    return Cluster(
        namespaces=tuple(sorted(out.namespaces, key=lambda n: n.name)),
        endpoints=tuple(sorted(out.endpoints, key=lambda e: e.id)),
        policies=tuple(sorted(out.policies, key=lambda p: (p.namespace, p.name))),
        custom_resources=unique_resources(out.custom_resources),
    )


def load_fast(
    paths: Sequence[str],
    *,
    default_namespace: str = "default",
    stdin: TextIO | None = None,
    progress: Progress | None = None,
    options: LoadOptions = DEFAULT_OPTIONS,
) -> LoadResult:
    """Like `load_paths` (same cluster, same diagnostics), fast for plain dumps. The fast path
    takes only input that every Kubernetes version judges alike; `options` is for the rest."""
    sources, problems = read_sources(
        paths, stdin=stdin, exclude=options.exclude, max_file_size=options.max_file_size
    )
    if not problems and sources:
        try:
            cluster = load_sources_fast(
                sources, default_namespace=default_namespace, progress=progress
            )
        except (Unsupported, FastParseError):
            pass
        else:
            return LoadResult(cluster, ())
    # the exact loader, on what was read (stdin and pipes can be read only once)
    return load_sources(sources, problems, default_namespace=default_namespace, options=options)

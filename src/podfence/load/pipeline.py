"""The load pipeline: sources -> parse -> decode -> defaults -> validate -> link -> build.

Never raises for bad input: every problem is a Diagnostic. Fails closed: when any error was
found there is no cluster at all, rather than one with the broken object left out.

Order of the diagnostics: by file, then object (a document, or an item of a List), and within
an object the problems the API server's decoder would stop at come first (`decode_rank`: type
errors, then unknown fields and duplicate keys), then the rest (validation), each group by
line. The API server reports one type error, or else every unknown field, and validates
nothing until decoding succeeds; podfence reports everything, but its first error is the
server's.
"""

from __future__ import annotations

import bisect
import dataclasses
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TextIO

from podfence.load.build import build_cluster
from podfence.load.decode import decode_document
from podfence.load.defaults import apply_defaults, generated_name
from podfence.load.link import link
from podfence.load.nodes import Node
from podfence.load.objects import Obj, describe
from podfence.load.options import LoadOptions
from podfence.load.parse import parse_text
from podfence.load.report import has_errors
from podfence.load.schema import decode_rank
from podfence.load.sources import Source, read_sources
from podfence.load.tree import get_str
from podfence.load.validate import validate_object
from podfence.model import Cluster, Diagnostic, Severity

__all__ = ["DEFAULT_OPTIONS", "LoadResult", "load_paths", "load_texts"]

DEFAULT_OPTIONS = LoadOptions()
"""As the newest Kubernetes version podfence knows."""


@dataclass(frozen=True, slots=True)
class LoadResult:
    """The cluster (None when there is any error) and every diagnostic, by file and line."""

    cluster: Cluster | None
    diagnostics: tuple[Diagnostic, ...]

    @property
    def error_count(self) -> int:
        return sum(d.severity is Severity.ERROR for d in self.diagnostics)

    @property
    def ok(self) -> bool:
        """True when no diagnostic is an error (warnings are fine)."""
        return self.error_count == 0


def load_paths(
    paths: Sequence[str],
    *,
    default_namespace: str = "default",
    stdin: TextIO | None = None,
    options: LoadOptions = DEFAULT_OPTIONS,
) -> LoadResult:
    """Load files and directories (recursively: *.yaml, *.yml, *.json); `-` is stdin."""
    sources, problems = read_sources(paths, stdin=stdin)
    return _load(sources, problems, default_namespace, options)


def load_texts(
    texts: Sequence[tuple[str, str]],
    *,
    default_namespace: str = "default",
    options: LoadOptions = DEFAULT_OPTIONS,
) -> LoadResult:
    """Load (file name, text) pairs: the in-memory twin of `load_paths`."""
    return _load([Source(name, text) for name, text in texts], [], default_namespace, options)


def _defaulted(
    obj: Obj, default_namespace: str, out: list[Diagnostic], generated: Counter[tuple[str, ...]]
) -> Obj:
    """`obj` with the API server's defaults (its warnings reported). `generated` counts the
    objects named from each generateName (per kind and namespace) so far."""
    number = 1
    prefix = generated_name(obj.body)
    if prefix is not None:
        namespace = get_str(obj.meta, "namespace") or default_namespace
        key = (obj.kind.name, namespace if obj.kind.namespaced else "", prefix)
        generated[key] += 1
        number = generated[key]
    result = apply_defaults(
        obj.kind, obj.body, default_namespace=default_namespace, generated_number=number
    )
    label = obj.label
    if "metadata.name" in result.paths:  # named after generateName: say which name
        label = describe(
            obj.kind.name, result.body, default_namespace if obj.kind.namespaced else None
        )
    obj = dataclasses.replace(obj, body=result.body, defaulted=result.paths, label=label)
    report = obj.reporter(out)
    for path, message in result.warnings:
        report.warning(path, message)
    return obj


def _starts(docs: Sequence[Node]) -> list[int]:
    """The first line of every object: each document, and each item of a List."""
    starts = []
    for doc in docs:
        starts.append(doc.line)
        items = doc.value.get("items") if isinstance(doc.value, dict) else None
        if items is not None and isinstance(items.value, list):
            starts.extend(item.line for item in items.value)
    return sorted(starts)


def _ordered(
    out: Sequence[Diagnostic], decoding: int, starts: dict[str, list[int]]
) -> tuple[Diagnostic, ...]:
    """`out` by file, object, then decoding problems by rank, the rest; each by line.

    The first `decoding` diagnostics were found while reading and decoding."""

    def key(item: tuple[int, Diagnostic]) -> tuple[str, int, int, int]:
        i, d = item
        lines = starts.get(d.file, [])
        found = bisect.bisect_right(lines, d.line)
        start = lines[found - 1] if found and d.line else 0
        rank = 3
        if i < decoding and d.severity is Severity.ERROR:
            rank = decode_rank(d.message)
        return d.file, start, rank, d.line

    return tuple(d for _, d in sorted(enumerate(out), key=key))


def _load(
    sources: Sequence[Source], problems: list[Diagnostic], namespace: str, options: LoadOptions
) -> LoadResult:
    out = list(problems)
    objs: list[Obj] = []
    starts: dict[str, list[int]] = {}
    for source in sources:
        docs, syntax = parse_text(source.name, source.text)
        out += syntax
        starts[source.name] = _starts(docs)
        for doc in docs:
            objs += decode_document(doc, source.name, default_namespace=namespace, out=out)
    decoding = len(out)
    generated: Counter[tuple[str, ...]] = Counter()
    objs = [_defaulted(obj, namespace, out, generated) for obj in objs]
    for obj in objs:
        validate_object(obj, out, options)
    linked = link(objs, out)
    cluster = None if has_errors(out) else build_cluster(linked)
    return LoadResult(cluster, _ordered(out, decoding, starts))

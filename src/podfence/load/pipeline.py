"""The load pipeline: sources -> parse -> decode -> defaults -> validate -> link -> build.

Never raises for bad input: every problem is a Diagnostic. Fails closed: when any error was
found there is no cluster at all, rather than one with the broken object left out. What is not
a Kubernetes object at all (a Helm template, `package.json`, a document without apiVersion
and kind) is skipped with one warning, so a repository can be read as it is.

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
from podfence.load.custom import unique_resources
from podfence.load.decode import decode_document
from podfence.load.defaults import apply_defaults, generated_name
from podfence.load.foreign import NOT_AN_OBJECT, TEMPLATE, template_line, unparsable
from podfence.load.link import link
from podfence.load.nodes import Node
from podfence.load.objects import Obj, describe
from podfence.load.options import DEFAULT_OPTIONS, LoadOptions
from podfence.load.parse import parse_text
from podfence.load.report import has_errors
from podfence.load.schema import decode_rank
from podfence.load.sources import Source, read_sources
from podfence.load.tree import get_str
from podfence.load.validate import validate_object
from podfence.model import Cluster, CustomResource, Diagnostic, Severity

__all__ = [
    "LoadOptions",
    "LoadResult",
    "default_object",
    "load_paths",
    "load_sources",
    "load_texts",
]


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
    sources, problems = read_sources(
        paths, stdin=stdin, exclude=options.exclude, max_file_size=options.max_file_size
    )
    return load_sources(sources, problems, default_namespace=default_namespace, options=options)


def load_texts(
    texts: Sequence[tuple[str, str]],
    *,
    default_namespace: str = "default",
    options: LoadOptions = DEFAULT_OPTIONS,
) -> LoadResult:
    """Load (file name, text) pairs: the in-memory twin of `load_paths`."""
    sources = [Source(name, text) for name, text in texts]
    return load_sources(sources, [], default_namespace=default_namespace, options=options)


def default_object(
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


def _not_an_object(doc: Node) -> str | None:
    """Why a document is not a Kubernetes object (it says neither apiVersion nor kind)."""
    if isinstance(doc.value, dict):
        if "apiVersion" in doc.value or "kind" in doc.value:
            return None  # it claims to be one: any problem with it is an error
        return "no apiVersion and kind"
    what = "a list" if isinstance(doc.value, list) else "a plain value"
    return f"{what}, with no apiVersion and kind"


def _objects(
    source: Source,
    namespace: str,
    out: list[Diagnostic],
    starts: dict[str, list[int]],
    custom: list[CustomResource],
) -> list[Obj]:
    docs, syntax = parse_text(source.name, source.text, default_namespace=namespace)
    starts[source.name] = _starts(docs)
    template = template_line(source.text)
    if template is not None and any(unparsable(d.message) for d in syntax):
        message = TEMPLATE.format(line=template)
        out.append(Diagnostic(source.name, template, Severity.WARNING, message))
        return []
    out += syntax
    objs: list[Obj] = []
    for doc in docs:
        why = _not_an_object(doc)
        if why is not None:
            message = NOT_AN_OBJECT.format(what=why)
            out.append(Diagnostic(source.name, doc.line, Severity.WARNING, message))
            continue
        objs += decode_document(
            doc, source.name, default_namespace=namespace, out=out, custom=custom
        )
    return objs


def load_sources(
    sources: Sequence[Source],
    problems: Sequence[Diagnostic],
    *,
    default_namespace: str = "default",
    options: LoadOptions = DEFAULT_OPTIONS,
) -> LoadResult:
    """Load sources already read (with the problems met reading them)."""
    out = list(problems)
    objs: list[Obj] = []
    starts: dict[str, list[int]] = {}
    custom: list[CustomResource] = []
    for source in sources:
        objs += _objects(source, default_namespace, out, starts, custom)
    decoding = len(out)
    generated: Counter[tuple[str, ...]] = Counter()
    objs = [default_object(obj, default_namespace, out, generated) for obj in objs]
    for obj in objs:
        validate_object(obj, out, options)
    linked = link(objs, out, strict=options.strict)
    cluster = None if has_errors(out) else build_cluster(linked, unique_resources(custom))
    return LoadResult(cluster, _ordered(out, decoding, starts))

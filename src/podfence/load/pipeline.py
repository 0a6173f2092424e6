"""The load pipeline: sources -> parse -> decode -> defaults -> validate -> link -> build.

Never raises for bad input: every problem is a Diagnostic. Fails closed: when any error was
found there is no cluster at all, rather than one with the broken object left out. What is not
a Kubernetes object at all (a Helm template, `package.json`, a document without apiVersion
and kind) is skipped with one warning, so a repository can be read as it is.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TextIO

from podfence.load.build import build_cluster
from podfence.load.decode import decode_document
from podfence.load.defaults import apply_defaults
from podfence.load.foreign import NOT_AN_OBJECT, TEMPLATE, template_line, unparsable
from podfence.load.link import link
from podfence.load.nodes import Node
from podfence.load.objects import Obj
from podfence.load.options import DEFAULT_OPTIONS, LoadOptions
from podfence.load.parse import parse_text
from podfence.load.report import has_errors, sort_diagnostics
from podfence.load.sources import Source, read_sources
from podfence.load.validate import validate_object
from podfence.model import Cluster, Diagnostic, Severity

__all__ = ["LoadOptions", "LoadResult", "load_paths", "load_sources", "load_texts"]


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


def _defaulted(obj: Obj, default_namespace: str, out: list[Diagnostic]) -> Obj:
    result = apply_defaults(obj.kind, obj.body, default_namespace=default_namespace)
    report = obj.reporter(out)
    for path, message in result.warnings:
        report.warning(path, message)
    return dataclasses.replace(obj, body=result.body, defaulted=result.paths)


def _not_an_object(doc: Node) -> str | None:
    """Why a document is not a Kubernetes object (it says neither apiVersion nor kind)."""
    if isinstance(doc.value, dict):
        if "apiVersion" in doc.value or "kind" in doc.value:
            return None  # it claims to be one: any problem with it is an error
        return "no apiVersion and kind"
    what = "a list" if isinstance(doc.value, list) else "a plain value"
    return f"{what}, with no apiVersion and kind"


def _objects(source: Source, namespace: str, out: list[Diagnostic]) -> list[Obj]:
    docs, syntax = parse_text(source.name, source.text, default_namespace=namespace)
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
        objs += decode_document(doc, source.name, default_namespace=namespace, out=out)
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
    for source in sources:
        objs += _objects(source, default_namespace, out)
    objs = [_defaulted(obj, default_namespace, out) for obj in objs]
    for obj in objs:
        validate_object(obj, out)
    linked = link(objs, out, strict=options.strict)
    cluster = None if has_errors(out) else build_cluster(linked)
    return LoadResult(cluster, sort_diagnostics(out))

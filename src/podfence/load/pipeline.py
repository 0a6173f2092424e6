"""The load pipeline: sources -> parse -> decode -> defaults -> validate -> link -> build.

Never raises for bad input: every problem is a Diagnostic. Fails closed: when any error was
found there is no cluster at all, rather than one with the broken object left out.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TextIO

from podfence.load.build import build_cluster
from podfence.load.cnp_crd import Channel
from podfence.load.decode import decode_document
from podfence.load.defaults import apply_defaults
from podfence.load.link import link
from podfence.load.objects import Obj
from podfence.load.parse import parse_text
from podfence.load.report import has_errors, sort_diagnostics
from podfence.load.sources import Source, read_sources
from podfence.load.validate import validate_object
from podfence.model import Cluster, Diagnostic, Severity

__all__ = ["LoadResult", "load_paths", "load_texts"]


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
    cnp_channel: Channel = Channel.EXPERIMENTAL,
) -> LoadResult:
    """Load files and directories (recursively: *.yaml, *.yml, *.json); `-` is stdin.

    `cnp_channel`: the ClusterNetworkPolicy CRD the cluster runs (the experimental channel
    accepts everything the standard one does)."""
    sources, problems = read_sources(paths, stdin=stdin)
    return _load(sources, problems, default_namespace, cnp_channel)


def load_texts(
    texts: Sequence[tuple[str, str]],
    *,
    default_namespace: str = "default",
    cnp_channel: Channel = Channel.EXPERIMENTAL,
) -> LoadResult:
    """Load (file name, text) pairs: the in-memory twin of `load_paths`."""
    sources = [Source(name, text) for name, text in texts]
    return _load(sources, [], default_namespace, cnp_channel)


def _defaulted(obj: Obj, default_namespace: str, out: list[Diagnostic]) -> Obj:
    result = apply_defaults(obj.kind, obj.body, default_namespace=default_namespace)
    report = obj.reporter(out)
    for path, message in result.warnings:
        report.warning(path, message)
    return dataclasses.replace(obj, body=result.body, defaulted=result.paths)


def _load(
    sources: Sequence[Source], problems: list[Diagnostic], namespace: str, channel: Channel
) -> LoadResult:
    out = list(problems)
    objs: list[Obj] = []
    for source in sources:
        docs, syntax = parse_text(source.name, source.text)
        out += syntax
        for doc in docs:
            objs += decode_document(doc, source.name, default_namespace=namespace, out=out)
    objs = [_defaulted(obj, namespace, out) for obj in objs]
    for obj in objs:
        validate_object(obj, out, channel=channel)
    linked = link(objs, out)
    cluster = None if has_errors(out) else build_cluster(linked)
    return LoadResult(cluster, sort_diagnostics(out))

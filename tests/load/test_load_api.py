"""The public API: exports, LoadResult, fail-closed behaviour, every problem at once."""

from __future__ import annotations

import importlib
import pkgutil
import textwrap

from hypothesis import given, settings
from hypothesis import strategies as st

import podfence.load
from podfence.load import LoadResult, load_texts
from podfence.model import Diagnostic, Severity


def test_public_exports_are_pinned() -> None:
    assert podfence.load.__all__ == [
        "KNOWN_VERSIONS",
        "LATEST",
        "KubeVersion",
        "LoadOptions",
        "LoadResult",
        "UnknownVersion",
        "load_paths",
        "load_texts",
        "parse_kube_version",
    ]


def test_every_module_declares_all() -> None:
    for info in pkgutil.iter_modules(podfence.load.__path__):
        module = importlib.import_module(f"podfence.load.{info.name}")
        assert isinstance(getattr(module, "__all__", None), list), info.name
        for name in module.__all__:
            assert hasattr(module, name), (info.name, name)


def test_ok_is_about_errors_only() -> None:
    warning = Diagnostic("f", 1, Severity.WARNING, "w")
    error = Diagnostic("f", 2, Severity.ERROR, "e")
    assert LoadResult(None, (warning,)).ok
    assert not LoadResult(None, (warning, error)).ok


SEVERAL_MISTAKES = """\
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: Web
  namespace: shop
spec:
  podSelector:
    matchLabels: {app: web}
  policyTypes: [Ingress, egress]
  ingress:
  - form:
    - podSelector: {}
    ports:
    - port: "80"
      protocol: tcp
  - from:
    - ipBlock: {cidr: 10.0.0.0/8, except: [192.168.0.0/16]}
      podSelector: {}
  egress:
  - to: [{}]
    ports: [{port: 53, endPort: 52}]
---
apiVersion: v1
kind: Pod
metadata: {name: p, namespace: shop}
spec:
  containers: [{ports: [{containerPort: 0}]}]
"""


def test_a_file_with_several_mistakes_reports_all_of_them() -> None:
    result = load_texts([("bad.yaml", SEVERAL_MISTAKES)])
    assert result.cluster is None  # fail closed: no cluster with the broken policy dropped
    found = [
        (d.line, d.obj, d.field, d.message.split(":")[0])
        for d in result.diagnostics
        if d.severity is Severity.ERROR
    ]
    np = "NetworkPolicy shop/Web"
    assert found == [
        # the API server stops at decoding: what it would say comes first in each object
        (11, np, "spec.ingress[0].form", 'unknown field "form" (did you mean "from"?)'),
        (4, np, "metadata.name", "Invalid value"),
        (9, np, "spec.policyTypes[1]", "Unsupported value"),
        (14, np, "spec.ingress[0].ports[0].port", "Invalid value"),
        (15, np, "spec.ingress[0].ports[0].protocol", "Unsupported value"),
        # ValidateNetworkPolicyPeer's order: the ipBlock's own problems, then the peer's
        (17, np, "spec.ingress[1].from[0].ipBlock.except[0]", "Invalid value"),
        (17, np, "spec.ingress[1].from[0]", "Forbidden"),
        (20, np, "spec.egress[0].to[0]", "Required value"),
        (21, np, "spec.egress[0].ports[0].endPort", "Invalid value"),
        (27, "Pod shop/p", "spec.containers[0].ports[0].containerPort", "Required value"),
    ]


def test_diagnostics_are_sorted_by_file_and_line_without_decoding_problems() -> None:
    bad = "apiVersion: v1\nkind: Pod\nmetadata: {name: A}\n---\nkind: Pod\n"
    result = load_texts([("b.yaml", bad), ("a.yaml", bad)])
    keys = [(d.file, d.line) for d in result.diagnostics]
    assert keys == sorted(keys)
    assert keys == [(f, n) for f in ("a.yaml", "b.yaml") for n in (1, 3, 5)]


def test_every_error_about_an_object_has_file_line_object_and_field() -> None:
    result = load_texts([("bad.yaml", SEVERAL_MISTAKES)])
    for d in result.diagnostics:
        assert d.file == "bad.yaml" and d.line > 0 and d.obj and d.field, d


POLICY_LINES = textwrap.dedent(SEVERAL_MISTAKES).splitlines(keepends=True)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("{}[]:,-'\"&*!|>#\n\t aZ09.%@`")), max_size=200))
def test_never_raises_on_arbitrary_text(text: str) -> None:
    result = load_texts([("fuzz.yaml", text)])
    assert (result.cluster is None) == (not result.ok)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(POLICY_LINES), max_size=30))
def test_never_raises_on_shuffled_manifest_lines(lines: list[str]) -> None:
    result = load_texts([("fuzz.yaml", "".join(lines))])
    assert (result.cluster is None) == (not result.ok)

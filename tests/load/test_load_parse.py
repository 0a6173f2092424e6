"""Parsing: YAML syntax errors with lines, multi-document YAML, JSON, duplicate keys."""

from __future__ import annotations

import pytest

from podfence.load import load_texts
from podfence.load.nodes import to_plain
from podfence.load.parse import parse_text
from podfence.model import Severity


def problems(name: str, text: str) -> list[tuple[int, str]]:
    return [(d.line, d.message) for d in parse_text(name, text)[1]]


# libyaml's and PyYAML's wording differ: the line and the prefix are what is pinned.
SYNTAX = {
    "unclosed-flow": ("a.yaml", "kind: Pod\nmetadata: {name: [x\n\n", 4, "invalid YAML: "),
    "bad-indentation": (
        "a.yaml",
        "kind: Pod\nmetadata:\n  name: a\n bad: b\n",
        4,
        "invalid YAML: ",
    ),
    "tab-indentation": ("a.yaml", "kind: Pod\nmetadata:\n\tname: a\n", 3, "invalid YAML: "),
    "undefined-alias": ("a.yaml", "a: *nope\n", 1, "invalid YAML: found undefined alias"),
    "control-character": (
        "a.yaml",
        "kind: Pod\nmetadata: {name: \x07}\n",
        2,
        "invalid YAML: unacceptable character #x0007: ",
    ),
    # not YAML either: the JSON decoder's message and line
    "invalid-json": (
        "a.json",
        '{"kind": "Pod"\n "metadata": {}}\n',
        2,
        "invalid JSON: Expecting ',' delimiter",
    ),
    "duplicate-key": (
        "a.yaml",
        "kind: Pod\nmetadata:\n  name: a\n  name: b\n",
        4,
        'duplicate key "name" (first defined at line 3)',
    ),
}


@pytest.mark.parametrize(("name", "text", "line", "message"), SYNTAX.values(), ids=SYNTAX.keys())
def test_syntax_errors_have_lines(name: str, text: str, line: int, message: str) -> None:
    [(found_line, found_message)] = problems(name, text)
    assert found_line == line
    assert found_message.startswith(message)


def test_syntax_errors_fail_closed() -> None:
    result = load_texts([("a.yaml", "kind: [\n")])
    assert result.cluster is None and not result.ok


def test_duplicate_key_is_located_in_the_document() -> None:
    [d] = parse_text("a.yaml", "spec:\n  ingress:\n  - from: []\n    from: []\n")[1]
    assert (d.line, d.field, d.severity) == (4, "spec.ingress[0].from", Severity.ERROR)


def test_multiple_documents_and_empty_ones() -> None:
    docs, found = parse_text("a.yaml", "---\n---\n# only a comment\n---\na: 1\n---\nb: [2]\n...\n")
    assert found == []
    assert [to_plain(d) for d in docs] == [
        ({"a": 1}, {"": 5, "a": 5}),
        ({"b": [2]}, {"": 7, "b": 7, "b[0]": 7}),
    ]


def test_documents_before_a_syntax_error_are_kept() -> None:
    docs, found = parse_text("a.yaml", "a: 1\n---\nb: [\n")
    assert [to_plain(d)[0] for d in docs] == [{"a": 1}]
    assert [d.line for d in found] == [4]


def test_json_with_tabs_keeps_its_lines() -> None:
    text = '{\n\t"apiVersion": "v1",\n\t"kind": "Pod",\n\t"metadata": {\n\t\t"name": 7\n\t}\n}\n'
    result = load_texts([("p.json", text)])
    assert [(d.line, d.field, d.message) for d in result.diagnostics] == [
        (5, "metadata.name", "expected a string, got int")
    ]


def test_json_list() -> None:
    text = '{"apiVersion": "v1", "kind": "PodList", "items": [\n'
    text += ' {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "a", "namespace": "n"}},\n'
    text += ' {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "n"}}\n]}\n'
    result = load_texts([("l.json", text)])
    assert result.ok and result.cluster is not None
    assert [e.location.line for e in result.cluster.endpoints] == [2]


def test_scalars_follow_yaml_1_1_like_the_api_server() -> None:
    [doc] = parse_text("a.yaml", "a: 010\nb: '80'\nc: yes\nd: ~\ne: 1.5\nf: 0x10\n")[0]
    assert to_plain(doc)[0] == {"a": 8, "b": "80", "c": True, "d": None, "e": 1.5, "f": 16}


def test_anchors_and_merge_keys() -> None:
    text = "base: &b {app: web, tier: x}\nlabels:\n  <<: *b\n  tier: y\n"
    [doc] = parse_text("a.yaml", text)[0]
    assert to_plain(doc)[0] == {
        "base": {"app": "web", "tier": "x"},
        "labels": {"tier": "y", "app": "web"},
    }


def test_recursive_alias_is_an_error_not_a_crash() -> None:
    docs, found = parse_text("a.yaml", "a: &x\n  b: *x\n")
    assert docs == []
    assert [(d.line, d.message) for d in found] == [
        (2, "recursive alias: a node may not contain itself")
    ]


def test_non_string_keys_become_strings() -> None:
    [doc] = parse_text("a.yaml", "1: a\ntrue: b\n")[0]
    assert to_plain(doc)[0] == {"1": "a", "true": "b"}


def test_a_broken_document_does_not_hide_the_next_ones() -> None:
    docs, found = parse_text("a.yaml", "a: &x\n  b: *x\n---\nc: 1\n")
    assert [to_plain(d)[0] for d in docs] == [{"c": 1}]
    assert [d.line for d in found] == [2]

"""The OpenAPI schema walker behind ClusterNetworkPolicy validation, on small schemas.

Upstream: kube-openapi pkg/validation/validate as apiextensions-apiserver words its errors;
every message below was seen from kube-apiserver v1.36.2 for the same kind of input.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from podfence.load.cnp_crd import Channel, cnp_schema, crd
from podfence.load.openapi import ProblemKind, SchemaError, Walk, check_schema, too_many, walk

SHARED = Path("/work/shared/k8s/crds")
BUNDLED = Path(__file__).resolve().parents[2] / "src" / "podfence" / "load" / "crds"

INT32 = {"type": "integer", "format": "int32", "minimum": 0, "maximum": 1000}


def _messages(value: object, schema: dict[str, object]) -> list[str]:
    found = Walk()
    walk(value, schema, "x", found)
    return [p.message for p in found.problems]


@pytest.mark.parametrize(
    ("value", "schema", "messages"),
    [
        (5, INT32, []),
        (5.0, INT32, []),  # a float with an integral value is an integer
        (5.5, INT32, ['Invalid value: "float64": x in body must be of type int32: "float64"']),
        (True, INT32, ['Invalid value: "": x in body must be of type int32: ""']),
        ({}, INT32, ['Invalid value: "": x in body must be of type int32: ""']),
        ([], INT32, ['Invalid value: "array": x in body must be of type integer: "array"']),
        ("5", INT32, ['Invalid value: "string": x in body must be of type integer: "string"']),
        (None, INT32, ['Invalid value: "null": x in body must be of type integer: "null"']),
        (-1, INT32, ["Invalid value: -1: x in body should be greater than or equal to 0"]),
        (1001.0, INT32, ["Invalid value: 1001: x in body should be less than or equal to 1000"]),
        (
            1,
            {"type": "string"},
            ['Invalid value: "integer": x in body must be of type string: "integer"'],
        ),
        (
            1.5,
            {"type": "string"},
            ['Invalid value: "number": x in body must be of type string: "number"'],
        ),
        (
            False,
            {"type": "string"},
            ['Invalid value: "boolean": x in body must be of type string: "boolean"'],
        ),
        (
            [],
            {"type": "object"},
            ['Invalid value: "array": x in body must be of type object: "array"'],
        ),
        (
            7,
            {"type": "string", "enum": ["A", "B"]},
            [
                'Invalid value: "integer": x in body must be of type string: "integer"',
                'Unsupported value: 7: supported values: "A", "B"',
            ],
        ),
        ("é" * 3, {"type": "string", "maxLength": 3}, []),  # characters, not bytes
        ("abcd", {"type": "string", "maxLength": 3}, ["Too long: may not be more than 3 bytes"]),
        (
            "a",
            {"type": "string", "minLength": 2},
            ['Invalid value: "a": x in body should be at least 2 chars long'],
        ),
        (
            "ab\n",
            {"type": "string", "pattern": "^ab$"},
            ["Invalid value: \"ab\\n\": x in body should match '^ab$'"],
        ),
        (
            [],
            {"type": "array", "minItems": 1},
            ["Invalid value: 0: x in body should have at least 1 items"],
        ),
        ([1, 2], {"type": "array", "maxItems": 1}, ["Too many: 2: must have at most 1 item"]),
        (
            {},
            {"type": "object", "minProperties": 1},
            ["Invalid value: 0: x in body should have at least 1 properties"],
        ),
        (
            {"a": None},
            {"type": "object", "properties": {"a": {"type": "string"}}, "minProperties": 1},
            ["Invalid value: 0: x in body should have at least 1 properties"],
        ),
        ({}, {"type": "object", "required": ["a"]}, ["Required value"]),
        (
            {"a": None},
            {"type": "object", "properties": {"a": {"type": "string"}}, "required": ["a"]},
            ["Required value"],
        ),
    ],
)
def test_messages(value: object, schema: dict[str, object], messages: list[str]) -> None:
    assert _messages(value, schema) == messages


def test_too_many_says_item_for_one() -> None:
    assert too_many(26, 25) == "Too many: 26: must have at most 25 items"
    assert too_many(2, 1) == "Too many: 2: must have at most 1 item"


def test_a_set_reports_each_repeated_value_once_at_its_first_repeat() -> None:
    found = Walk()
    schema = {"type": "array", "x-kubernetes-list-type": "set", "items": {"type": "string"}}
    walk(["a", "b", "a", "b", "a", "c"], schema, "x", found)
    assert [(p.kind, p.path, p.message) for p in found.problems] == [
        (ProblemKind.DUPLICATE, "x[2]", 'Duplicate value: "a"'),
        (ProblemKind.DUPLICATE, "x[3]", 'Duplicate value: "b"'),
    ]
    assert not found.blocked


def test_unknown_fields_know_their_siblings() -> None:
    found = Walk()
    schema = {"type": "object", "properties": {"a": {"type": "string"}, "b": {"type": "string"}}}
    walk({"a": "x", "c": 1, "d": None}, schema, "x", found)
    assert [(p.path, p.key, p.siblings, p.known) for p in found.problems] == [
        ("x.c", "c", 1, ("a", "b")),
        ("x.d", "d", 1, ("a", "b")),
    ]


def test_only_unknown_fields_when_values_are_not_checked() -> None:
    found = Walk()
    schema = {"type": "object", "properties": {"a": {"type": "integer"}}, "required": ["z"]}
    walk({"a": "x", "b": 1}, schema, "status", found, values=False)
    assert [p.path for p in found.problems] == ["status.b"]


def test_rules_are_collected_on_values_of_the_right_type_only() -> None:
    schema = {"type": "string", "x-kubernetes-validations": [{"rule": "r", "message": "m"}]}
    good, bad = Walk(), Walk()
    walk("v", schema, "x", good)
    walk(1, schema, "x", bad)
    assert [(s.path, s.value, s.rule, s.message) for s in good.rules] == [("x", "v", "r", "m")]
    assert bad.rules == [] and bad.blocked


def test_check_schema_rejects_what_it_does_not_implement() -> None:
    with pytest.raises(SchemaError, match="unsupported schema keywords"):
        check_schema({"type": "object", "properties": {"a": {"type": "string", "oneOf": []}}})
    with pytest.raises(SchemaError, match="unsupported type"):
        check_schema({"type": "null"})


@pytest.mark.parametrize("channel", list(Channel), ids=str)
def test_the_bundled_crds(channel: Channel) -> None:
    schema = cnp_schema(channel)
    assert schema["required"] == ["metadata", "spec"]
    meta = crd(channel)["metadata"]
    assert isinstance(meta, dict)
    assert meta["annotations"]["policy.networking.k8s.io/bundle-version"] == "v0.2.0"
    assert meta["annotations"]["policy.networking.k8s.io/channel"] == channel.value


@pytest.mark.skipif(not SHARED.is_dir(), reason="the shared CRDs are not on this machine")
@pytest.mark.parametrize("channel", list(Channel), ids=str)
def test_the_bundled_crds_are_the_shared_ones_verbatim(channel: Channel) -> None:
    name = f"{channel.value}-clusternetworkpolicies.yaml"
    assert (BUNDLED / name).read_bytes() == (SHARED / name).read_bytes()

"""ObjectMeta as the API server validates it on creation, and what it decodes first.

Upstream: apimachinery pkg/api/validation/objectmeta.go (ValidateObjectMetaAccessor,
ValidateOwnerReferences, ValidateFinalizers), pkg/apis/core/validation (ValidateObjectMeta:
a finalizer without '/' must be a standard one), metav1.Time (RFC 3339), names.
SimpleNameGenerator (generateName), Go's encoding/json (a null map value is ""; the first
error of a type with its own decoder wins, else the first type error). Every message here is
the API server's own (checked against kube-apiserver v1.36.2). `# @x` marks the line.
"""

from __future__ import annotations

import re
import textwrap

import pytest

from podfence.load import load_texts
from podfence.model import Severity

HEADER = """\
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
"""
NP = "NetworkPolicy default/web"


def _marks(text: str) -> dict[int, str]:
    return {
        n: m for n, line in enumerate(text.splitlines(), 1) for m in re.findall(r"# @(\w+)", line)
    }


def found(text: str, severity: Severity = Severity.ERROR) -> list[tuple[str, str, str]]:
    """(marker of the line, field, message) of each diagnostic of `severity`, in order."""
    text = HEADER + textwrap.dedent(text)
    marks = _marks(text)
    result = load_texts([("np.yaml", text)])
    return [
        (marks.get(d.line, str(d.line)), d.field or "", d.message)
        for d in result.diagnostics
        if d.severity is severity
    ]


def _owner(**fields: str) -> str:
    ref = {"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "web-1", "uid": "u1", **fields}
    return "{" + ", ".join(f"{k}: {v!r}" for k, v in ref.items() if v != "-") + "}"


EMPTY = 'Invalid value: "": must not be empty'
OWNERS = "metadata.ownerReferences"

CASES: dict[str, tuple[str, list[tuple[str, str, str]]]] = {
    # --- ValidateOwnerReferences: reported at the list's path (no index), as upstream
    "owner-without-uid": (
        f"metadata:\n  name: web\n  ownerReferences:\n  - {_owner(uid='-')} # @a\n",
        [("a", f"{OWNERS}.uid", EMPTY)],
    ),
    "owner-without-kind-and-name": (
        f"metadata:\n  name: web\n  ownerReferences:\n  - {_owner(kind='', name='-')} # @a\n",
        [("a", f"{OWNERS}.kind", EMPTY), ("a", f"{OWNERS}.name", EMPTY)],
    ),
    "owner-group-without-version": (
        f"metadata:\n  name: web\n  ownerReferences:\n  - {_owner(apiVersion='apps/')} # @a\n",
        [("a", f"{OWNERS}.apiVersion", 'Invalid value: "apps/": version must not be empty')],
    ),
    "owner-event": (
        "metadata:\n  name: web\n  ownerReferences:\n"
        f"  - {_owner(apiVersion='v1', kind='Event', name='e')} # @a\n",
        [
            (
                "a",
                OWNERS,
                'Invalid value: {"apiVersion":"v1","kind":"Event","name":"e","uid":"u1"}: '
                "/v1, Kind=Event is disallowed from being an owner",
            )
        ],
    ),
    "owner-two-controllers": (
        "metadata:\n  name: web\n  ownerReferences:\n"
        "  - {apiVersion: v1, kind: Pod, name: x, uid: u, controller: true}\n"
        "  - {apiVersion: v1, kind: Pod, name: y, uid: v, controller: true} # @a\n",
        [
            (
                "a",
                OWNERS,
                'Invalid value: [{"apiVersion":"v1","kind":"Pod","name":"x","uid":"u",'
                '"controller":true},{"apiVersion":"v1","kind":"Pod","name":"y","uid":"v",'
                '"controller":true}]: Only one reference can have Controller set to true. '
                'Found "true" in references for Pod/x and Pod/y',
            )
        ],
    ),
    # --- finalizers: qualified names (at the list's path), then core's standard names
    "finalizers": (
        """
        metadata:
          name: web
          finalizers:
          - cleanup # @a
          - kubernetes
          - example.com/cleanup
          - a b # @b
        """,
        [
            (
                "a",
                "metadata.finalizers[0]",
                'Invalid value: "cleanup": name is neither a standard finalizer name nor is it '
                "fully qualified",
            ),
            (
                "b",
                "metadata.finalizers",
                'Invalid value: "a b": name part must consist of alphanumeric characters, '
                "'-', '_' or '.', and must start and end with an alphanumeric character (e.g. "
                "'MyName',  or 'my.name',  or '123-abc', regex used for validation is "
                "'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
            ),
            (
                "b",
                "metadata.finalizers[3]",
                'Invalid value: "a b": name is neither a standard finalizer name nor is it '
                "fully qualified",
            ),
        ],
    ),
    "finalizers-orphan-and-foreground": (
        "metadata:\n  name: web\n  finalizers: [orphan, foregroundDeletion] # @a\n",
        [
            (
                "a",
                "metadata.finalizers",
                'Invalid value: ["orphan","foregroundDeletion"]: finalizer orphan and '
                "foregroundDeletion cannot be both set",
            )
        ],
    ),
    # --- generateName next to a name: still checked, as a prefix (a trailing '-' is fine)
    "generate-name-invalid-next-to-a-name": (
        "metadata:\n  name: web\n  generateName: Web- # @a\n",
        [
            (
                "a",
                "metadata.generateName",
                'Invalid value: "Web-": a lowercase RFC 1123 subdomain must consist of lower '
                "case alphanumeric characters, '-' or '.', and must start and end with an "
                "alphanumeric character (e.g. 'example.com', regex used for validation is "
                "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
            )
        ],
    ),
    # --- decoding: types the API server checks even where it resets the value on creation
    "metadata-types": (
        """
        metadata:
          name: web
          generation: "1" # @a
          uid: 5 # @b
          creationTimestamp: yesterday # @c
          deletionGracePeriodSeconds: 1.5 # @d
        """,
        [
            # metav1.Time has its own decoder: decoding stops there, so it comes first
            (
                "c",
                "metadata.creationTimestamp",
                "expected a time in RFC 3339 format (like 2024-05-01T10:00:00Z), got string "
                '"yesterday"',
            ),
            ("a", "metadata.generation", "expected an integer, got string"),
            ("b", "metadata.uid", "expected a string, got int"),
            ("d", "metadata.deletionGracePeriodSeconds", "expected an integer, got float"),
        ],
    ),
    "status-is-not-a-field": (
        "metadata: {name: web}\nstatus: {} # @a\n",
        [("a", "status", 'unknown field "status"')],
    ),
    "numbers-out-of-their-go-range": (
        """
        metadata:
          name: web
          generation: 99999999999999999999 # @a
        spec:
          ingress:
          - ports:
            - port: 80
              endPort: 4294967296 # @b
        """,
        [
            (
                "a",
                "metadata.generation",
                "expected an integer, got int 99999999999999999999 (out of range for 64-bit "
                "integers)",
            ),
            (
                "b",
                "spec.ingress[0].ports[0].endPort",
                "expected an integer, got int 4294967296 (out of range for 32-bit integers)",
            ),
        ],
    ),
    # --- the order: what the API server would report first comes first in each object
    "decoding-problems-come-first": (
        """
        metadata:
          name: Web # @a
        spec:
          podSelector:
            matchLables: {} # @b
          policyTypes: [1] # @c
          ingress:
          - ports:
            - port: true # @d
        """,
        [
            ("d", "spec.ingress[0].ports[0].port", "expected an integer or a string, got bool"),
            ("c", "spec.policyTypes[0]", "expected a string, got int"),
            (
                "b",
                "spec.podSelector.matchLables",
                'unknown field "matchLables" (did you mean "matchLabels"?)',
            ),  # fmt: skip
            (
                "a",
                "metadata.name",
                'Invalid value: "Web": a lowercase RFC 1123 subdomain must '
                "consist of lower case alphanumeric characters, '-' or '.', and must start and end "
                "with an alphanumeric character (e.g. 'example.com', regex used for validation is "
                "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
            ),  # fmt: skip
        ],
    ),
}


@pytest.mark.parametrize(("text", "expected"), CASES.values(), ids=CASES.keys())
def test_object_meta(text: str, expected: list[tuple[str, str, str]]) -> None:
    assert found(text) == expected


VALID = {
    "owner-complete": f"metadata:\n  name: web\n  ownerReferences: [{_owner()}]\n",
    "standard-finalizers": (
        "metadata:\n  name: web\n  finalizers: [kubernetes, orphan, kubernetes.io/pv-protection]\n"
    ),
    "reset-fields": (
        "metadata:\n  name: web\n  generation: -1\n  uid: x\n  resourceVersion: '12'\n"
        "  creationTimestamp: 2024-05-01T10:00:00Z\n"
        "  deletionTimestamp: '2024-05-01T10:00:00.123+02:00'\n  selfLink: /x\n"
    ),
    "generate-name-with-trailing-dash": "metadata:\n  name: web\n  generateName: web-\n",
}


@pytest.mark.parametrize("text", VALID.values(), ids=VALID.keys())
def test_valid_object_meta(text: str) -> None:
    assert found(text) == []


@pytest.mark.parametrize(
    "stamp",
    ["2024-02-29T00:00:00Z", "2024-01-01T09:00:00.5Z", "2024-01-01T9:00:00+01:00"],
)
def test_times_go_accepts(stamp: str) -> None:
    assert found(f"metadata:\n  name: web\n  creationTimestamp: '{stamp}'\n") == []


@pytest.mark.parametrize(
    "stamp",
    [
        "2023-02-29T00:00:00Z",
        "2024-13-01T00:00:00Z",
        "2024-01-01T24:00:00Z",
        "2024-01-01T00:00:00",
        "2024-01-01 00:00:00Z",
        "2024-01-01t00:00:00z",
        "24-01-01T00:00:00Z",
    ],
)
def test_times_go_refuses(stamp: str) -> None:
    [(_, field, message)] = found(f"metadata:\n  name: web\n  creationTimestamp: '{stamp}'\n")
    assert field == "metadata.creationTimestamp" and message.startswith("expected a time")


GENERATED = """\
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {generateName: web-}
spec: {podSelector: {}}
"""


def test_generate_name_without_a_name_is_accepted_with_a_warning() -> None:
    # the API server names the object itself (generateName + 5 random characters)
    result = load_texts([("np.yaml", GENERATED + "---\n" + GENERATED)])
    assert result.ok and result.cluster is not None
    assert [p.name for p in result.cluster.policies] == ["web-*", "web-*2"]
    warnings = [d for d in result.diagnostics if d.field == "metadata.generateName"]
    assert [(d.line, d.obj, d.message) for d in warnings] == [
        (
            n,
            f"NetworkPolicy default/{name}",
            'no metadata.name: the API server would make one up from generateName "web-" and '
            f"5 random characters; podfence calls this object {name}",
        )
        for n, name in ((3, "web-*"), (8, "web-*2"))
    ]


def test_a_null_map_value_is_the_empty_string() -> None:
    # encoding/json: null into a map[string]string entry stores "" (the API server's decoding)
    text = HEADER + "metadata: {name: web}\nspec:\n  podSelector:\n    matchLabels: {app: null}\n"
    result = load_texts([("np.yaml", text)])
    assert result.cluster is not None
    labels = result.cluster.policies[0].pod_selector.match_labels
    assert dict(labels) == {"app": ""}


def test_a_namespace_may_not_have_a_namespace() -> None:
    text = "apiVersion: v1\nkind: Namespace\nmetadata: {name: shop, namespace: shop}\n"
    result = load_texts([("ns.yaml", text)])
    assert [(d.field, d.message) for d in result.diagnostics if d.severity is Severity.ERROR] == [
        ("metadata.namespace", "Forbidden: not allowed on this type")
    ]


def test_a_map_entry_is_reported_at_the_map_on_its_own_line() -> None:
    text = "metadata:\n  name: web\n  labels:\n    ok: v\n    a b: x # @a\n"
    assert found(text) == [
        (
            "a",
            "metadata.labels",
            'Invalid value: "a b": name part must consist of alphanumeric characters, '
            "'-', '_' or '.', and must start and end with an alphanumeric character (e.g. "
            "'MyName',  or 'my.name',  or '123-abc', regex used for validation is "
            "'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
        )
    ]

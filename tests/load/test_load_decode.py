"""Decoding: kinds and apiVersions, Lists, wrong types and unknown fields (did you mean).

Unknown fields are errors inside a NetworkPolicy, as with kubectl's default server-side
`--validate=strict` ("strict decoding error: unknown field"); Pods and workloads are only
checked in the fields podfence reads.
"""

from __future__ import annotations

import textwrap

import pytest

from podfence.load import load_texts
from podfence.model import ObjectRef, Severity


def diagnostics(text: str) -> list[tuple[int, str | None, str]]:
    result = load_texts([("d.yaml", textwrap.dedent(text))])
    return [(d.line, d.field, d.message) for d in result.diagnostics if d.obj != "-"]


def errors(text: str) -> list[tuple[int, str | None, str]]:
    result = load_texts([("d.yaml", textwrap.dedent(text))])
    return [
        (d.line, d.field, d.message) for d in result.diagnostics if d.severity is Severity.ERROR
    ]


NP = """\
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: web
spec:
  podSelector: {{}}
{rest}"""

UNKNOWN = {
    "ingress-form": (
        "  ingress:\n  - form: []\n",
        (8, "spec.ingress[0].form", 'unknown field "form" (did you mean "from"?)'),
    ),
    # difflib finds no match for "to" among (from, ports): the mirror field is suggested.
    "ingress-to": (
        "  ingress:\n  - to: []\n",
        (8, "spec.ingress[0].to", 'unknown field "to" (did you mean "from"?)'),
    ),
    "egress-from": (
        "  egress:\n  - from: []\n",
        (8, "spec.egress[0].from", 'unknown field "from" (did you mean "to"?)'),
    ),
    "spec-podselector-case": (
        "  podselector: {}\n",
        (7, "spec.podselector", 'unknown field "podselector" (did you mean "podSelector"?)'),
    ),
    "spec-policyType": (
        "  policyType: [Ingress]\n",
        (7, "spec.policyType", 'unknown field "policyType" (did you mean "policyTypes"?)'),
    ),
    "ipBlock-cdir": (
        "  ingress:\n  - from:\n    - ipBlock: {cdir: 10.0.0.0/8, cidr: 10.0.0.0/8}\n",
        (9, "spec.ingress[0].from[0].ipBlock.cdir", 'unknown field "cdir" (did you mean "cidr"?)'),
    ),
    "port-endport": (
        "  egress:\n  - ports:\n    - port: 80\n      endport: 90\n",
        (
            10,
            "spec.egress[0].ports[0].endport",
            'unknown field "endport" (did you mean "endPort"?)',
        ),
    ),
    "requirement-value": (
        "  ingress:\n  - from:\n    - podSelector:\n        matchExpressions:\n"
        "        - {key: a, operator: Exists, value: [x]}\n",
        (
            11,
            "spec.ingress[0].from[0].podSelector.matchExpressions[0].value",
            'unknown field "value" (did you mean "values"?)',
        ),
    ),
    "no-suggestion": (
        "  zzz: 1\n",
        (7, "spec.zzz", 'unknown field "zzz"'),
    ),
}


@pytest.mark.parametrize(("rest", "expected"), UNKNOWN.values(), ids=UNKNOWN.keys())
def test_unknown_fields_in_network_policy(rest: str, expected: tuple[int, str, str]) -> None:
    assert errors(NP.format(rest=rest)) == [expected]


def test_unknown_metadata_and_top_level_fields() -> None:
    text = """\
    apiVersion: networking.k8s.io/v1
    kind: NetworkPolicy
    metadata:
      nmae: web
      name: web
      resourceVersion: "1"
      uid: x
    sepc: {}
    """
    assert errors(text) == [
        (4, "metadata.nmae", 'unknown field "nmae" (did you mean "name"?)'),
        (8, "sepc", 'unknown field "sepc" (did you mean "spec"?)'),
    ]


WRONG_TYPES = {
    "ports-int": (
        "  ingress:\n  - ports: 80\n",
        (8, "spec.ingress[0].ports", "expected a list, got int"),
    ),
    "port-bool": (
        "  ingress:\n  - ports:\n    - port: true\n",
        (9, "spec.ingress[0].ports[0].port", "expected an integer or a string, got bool"),
    ),
    "endPort-string": (
        "  ingress:\n  - ports:\n    - {port: 80, endPort: '90'}\n",
        (9, "spec.ingress[0].ports[0].endPort", "expected an integer, got string"),
    ),
    "matchLabels-list": (
        "  ingress:\n  - from:\n    - podSelector:\n        matchLabels: [app]\n",
        (10, "spec.ingress[0].from[0].podSelector.matchLabels", "expected a map, got list"),
    ),
    # the API server rejects non-string label values: `version: 1` must be quoted
    "label-value-int": (
        "  ingress:\n  - from:\n    - namespaceSelector:\n        matchLabels: {version: 1}\n",
        (
            10,
            # at the map's path, as the API server's decoder reports it, naming the key
            "spec.ingress[0].from[0].namespaceSelector.matchLabels",
            'expected a string for key "version", got int',
        ),
    ),
    "cidr-float": (
        "  egress:\n  - to:\n    - ipBlock: {cidr: 1.5}\n",
        (9, "spec.egress[0].to[0].ipBlock.cidr", "expected a string, got float"),
    ),
    "rule-string": (
        "  egress:\n  - allow-all\n",
        (8, "spec.egress[0]", "expected a map, got string"),
    ),
}


@pytest.mark.parametrize(("rest", "expected"), WRONG_TYPES.values(), ids=WRONG_TYPES.keys())
def test_wrong_types(rest: str, expected: tuple[int, str, str]) -> None:
    assert errors(NP.format(rest=rest)) == [expected]


def test_wrong_type_is_reported_once_and_not_cascaded() -> None:
    # A bad `port` must not also produce "endPort may not be specified when port is not set".
    assert errors(NP.format(rest="  ingress:\n  - ports:\n    - {port: true, endPort: 90}\n")) == [
        (9, "spec.ingress[0].ports[0].port", "expected an integer or a string, got bool")
    ]
    # A bad selector still counts as a peer: no "must specify a peer".
    assert errors(NP.format(rest="  ingress:\n  - from:\n    - podSelector: []\n")) == [
        (9, "spec.ingress[0].from[0].podSelector", "expected a map, got list")
    ]


def test_pod_types_are_checked_where_podfence_reads() -> None:
    text = """\
    apiVersion: v1
    kind: Pod
    metadata:
      name: p
      labels: {version: 1.0}
    spec:
      hostNetwork: "true"
      containers:
      - ports: [{containerPort: "80"}]
    """
    assert errors(text) == [
        (5, "metadata.labels", 'expected a string for key "version", got float'),
        (7, "spec.hostNetwork", "expected a boolean, got string"),
        (9, "spec.containers[0].ports[0].containerPort", "expected an integer, got string"),
    ]


HEADERS = {
    "no-kind": (
        "apiVersion: v1\nmetadata: {name: x}\n",
        [(1, "kind", 'missing required field "kind"')],
    ),
    "no-apiVersion": (
        "kind: Pod\nmetadata: {name: x}\n",
        [(1, "apiVersion", 'missing required field "apiVersion"')],
    ),
    "neither": (
        "metadata: {name: x}\n",
        [
            (1, "kind", 'missing required field "kind"'),
            (1, "apiVersion", 'missing required field "apiVersion"'),
        ],
    ),
    "kind-not-a-string": (
        "apiVersion: v1\nkind: [Pod]\n",
        [(2, "kind", "expected a string, got list")],
    ),
    "not-an-object": (
        "- a\n- b\n",
        [(1, None, "expected a Kubernetes object (a map with apiVersion and kind), got list")],
    ),
    "networkpolicy-beta": (
        "apiVersion: extensions/v1beta1\nkind: NetworkPolicy\nmetadata: {name: x}\n",
        [
            (
                1,
                "apiVersion",
                'apiVersion "extensions/v1beta1" is not supported for NetworkPolicy: podfence '
                'reads NetworkPolicy from "networking.k8s.io/v1"',
            )
        ],
    ),
    "calico-networkpolicy": (
        "apiVersion: projectcalico.org/v3\nkind: NetworkPolicy\nmetadata: {name: x}\n",
        [
            (
                1,
                "apiVersion",
                'apiVersion "projectcalico.org/v3" is not supported for NetworkPolicy: podfence '
                'reads NetworkPolicy from "networking.k8s.io/v1"',
            )
        ],
    ),
    "deployment-v1": (
        "apiVersion: v1\nkind: Deployment\nmetadata: {name: x}\n",
        [
            (
                1,
                "apiVersion",
                'apiVersion "v1" is not supported for Deployment: podfence reads Deployment '
                'from "apps/v1"',
            )
        ],
    ),
    "cronjob-beta": (
        "apiVersion: batch/v1beta1\nkind: CronJob\nmetadata: {name: x}\n",
        [
            (
                1,
                "apiVersion",
                'apiVersion "batch/v1beta1" is not supported for CronJob: podfence reads CronJob '
                'from "batch/v1"',
            )
        ],
    ),
    "pod-apps": (
        "apiVersion: apps/v1\nkind: Pod\nmetadata: {name: x}\n",
        [
            (
                1,
                "apiVersion",
                'apiVersion "apps/v1" is not supported for Pod: podfence reads Pod from "v1"',
            )
        ],
    ),
}


@pytest.mark.parametrize(("text", "expected"), HEADERS.values(), ids=HEADERS.keys())
def test_kind_and_api_version(text: str, expected: list[tuple[int, str | None, str]]) -> None:
    assert errors(text) == expected


def test_other_kinds_are_skipped_silently() -> None:
    text = """\
    apiVersion: v1
    kind: Service
    metadata: {name: s}
    spec: {bogus: [1]}
    ---
    apiVersion: v1
    kind: ConfigMap
    data: {a: b}
    ---
    apiVersion: projectcalico.org/v3
    kind: GlobalNetworkPolicy
    metadata: {name: g}
    """
    result = load_texts([("s.yaml", textwrap.dedent(text))])
    assert result.ok and result.diagnostics == ()
    assert result.cluster is not None and result.cluster.endpoints == ()


def test_a_misspelt_kind_gets_a_warning() -> None:
    result = load_texts([("s.yaml", "apiVersion: v1\nkind: Namespaces\nmetadata: {name: a}\n")])
    assert result.ok
    [warning] = result.diagnostics
    assert (warning.severity, warning.line, warning.field) == (Severity.WARNING, 2, "kind")
    assert (
        warning.message
        == 'kind "Namespaces" is not read by podfence (did you mean "Namespace"?); skipped'
    )


LIST = """\
apiVersion: v1
kind: {kind}
metadata: {{resourceVersion: "1"}}
items:
- apiVersion: v1
  kind: Pod
  metadata: {{name: a, namespace: n}}
- apiVersion: networking.k8s.io/v1
  kind: NetworkPolicy
  metadata:
    name: p
    namespace: n
  spec:
    podSelector: {{}}
    ingress:
    - from:
      - {{}}
- kind: Pod
  metadata: {{name: c}}
"""


@pytest.mark.parametrize("kind", ["List", "PodList", "NetworkPolicyList"])
def test_list_items_are_objects_with_their_own_paths(kind: str) -> None:
    result = load_texts([("l.yaml", LIST.format(kind=kind))])
    found = [
        (d.line, d.obj, d.field, d.message)
        for d in result.diagnostics
        if d.severity is Severity.ERROR
    ]
    assert found == [
        (17, "NetworkPolicy n/p", "spec.ingress[0].from[0]", "Required value: must specify a peer"),
        (18, "Pod default/c", "items[2].apiVersion", 'missing required field "apiVersion"'),
    ]


def test_list_positions_are_relative_to_the_item() -> None:
    text = LIST.format(kind="List").replace("      - {}\n", "      - podSelector: {}\n")
    text = text.replace("- kind: Pod\n  metadata: {name: c}\n", "")
    result = load_texts([("l.yaml", text)])
    assert result.cluster is not None, result.diagnostics
    policy = ObjectRef("NetworkPolicy", "n", "p")
    assert result.cluster.positions[(policy, "")] == 8
    assert result.cluster.positions[(policy, "spec.ingress[0].from[0]")] == 17
    assert result.cluster.positions[(ObjectRef("Pod", "n", "a"), "metadata.name")] == 7
    assert [e.id for e in result.cluster.endpoints] == ["n/a"]


def test_list_items_must_be_a_list() -> None:
    assert errors("apiVersion: v1\nkind: List\nitems: {a: 1}\n") == [
        (3, "items", "expected a list, got map")
    ]

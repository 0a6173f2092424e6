"""The defaults stage on its own (pure functions over decoded trees), and end to end.

Upstream: pkg/apis/networking/v1/defaults.go (SetDefaults_NetworkPolicyPort,
SetDefaults_NetworkPolicy) and pkg/apis/core/v1/defaults.go (SetDefaults_ContainerPort,
SetDefaults_Namespace, SetDefaults_ReplicationController).
"""

from __future__ import annotations

import copy

import pytest

from podfence.load import load_texts
from podfence.load.defaults import (
    apply_defaults,
    default_container_port,
    default_metadata_namespace,
    default_namespace_labels,
    default_network_policy,
    default_policy_port,
    default_policy_types,
    default_rc_selector,
)
from podfence.load.kinds import KINDS
from podfence.load.tree import INVALID, Tree
from podfence.model import Direction, Severity

# SetDefaults_NetworkPolicyPort: only a nil protocol becomes TCP.
PORTS: list[tuple[Tree, Tree]] = [
    ({}, {"protocol": "TCP"}),
    ({"port": 80}, {"port": 80, "protocol": "TCP"}),
    ({"protocol": "UDP"}, {"protocol": "UDP"}),
    ({"protocol": ""}, {"protocol": ""}),  # stays, and validation rejects it
]


@pytest.mark.parametrize(("port", "expected"), PORTS)
def test_policy_port_protocol(port: Tree, expected: Tree) -> None:
    assert default_policy_port(port) == expected


# SetDefaults_NetworkPolicy: len(policyTypes) == 0 -> Ingress, plus Egress if len(egress) != 0
POLICY_TYPES: dict[str, tuple[Tree, list[str] | None]] = {
    "absent-no-egress": ({}, ["Ingress"]),
    "absent-with-ingress-only": ({"ingress": [{}]}, ["Ingress"]),
    "absent-egress-rule": ({"egress": [{}]}, ["Ingress", "Egress"]),
    "absent-egress-empty-list": ({"egress": []}, ["Ingress"]),
    "empty-list-is-defaulted-too": ({"policyTypes": [], "egress": [{}]}, ["Ingress", "Egress"]),
    "set-egress-only": ({"policyTypes": ["Egress"]}, None),
    "set-and-invalid": ({"policyTypes": INVALID}, None),
}


@pytest.mark.parametrize(("spec", "expected"), POLICY_TYPES.values(), ids=POLICY_TYPES.keys())
def test_policy_types(spec: Tree, expected: list[str] | None) -> None:
    assert default_policy_types(spec) == expected


def test_network_policy_defaults_are_pure_and_report_their_paths() -> None:
    body: Tree = {
        "metadata": {"name": "p", "namespace": "shop"},
        "spec": {"ingress": [{"ports": [{"port": 80}, {"protocol": "UDP"}]}], "egress": [{}]},
    }
    before = copy.deepcopy(body)
    result = default_network_policy(body)
    assert body == before
    assert result.body["spec"] == {
        "ingress": [{"ports": [{"port": 80, "protocol": "TCP"}, {"protocol": "UDP"}]}],
        "egress": [{}],
        "policyTypes": ["Ingress", "Egress"],
        "podSelector": {},
    }
    assert result.paths == {
        "spec.ingress[0].ports[0].protocol",
        "spec.policyTypes",
        "spec.podSelector",
    }
    assert result.warnings == (
        (
            "spec.podSelector",
            "spec.podSelector is missing: as on the API server it defaults to the empty "
            "selector {}, which selects every pod in namespace shop",
        ),
    )


def test_network_policy_without_spec() -> None:
    result = default_network_policy({"metadata": {"name": "p", "namespace": "n"}})
    assert result.body["spec"] == {"policyTypes": ["Ingress"], "podSelector": {}}


# SetDefaults_ContainerPort: `if obj.Protocol == ""` -> TCP (unlike the policy port)
CONTAINER_PORTS: list[tuple[Tree, Tree]] = [
    ({"containerPort": 80}, {"containerPort": 80, "protocol": "TCP"}),
    ({"containerPort": 80, "protocol": ""}, {"containerPort": 80, "protocol": "TCP"}),
    ({"containerPort": 53, "protocol": "UDP"}, {"containerPort": 53, "protocol": "UDP"}),
]


@pytest.mark.parametrize(("port", "expected"), CONTAINER_PORTS)
def test_container_port_protocol(port: Tree, expected: Tree) -> None:
    assert default_container_port(port) == expected


NAMESPACES: list[tuple[Tree, Tree]] = [
    ({}, {"metadata": {"namespace": "dev"}}),
    ({"metadata": {"name": "x"}}, {"metadata": {"name": "x", "namespace": "dev"}}),
    ({"metadata": {"namespace": ""}}, {"metadata": {"namespace": "dev"}}),
    ({"metadata": {"namespace": "prod"}}, {"metadata": {"namespace": "prod"}}),
]


@pytest.mark.parametrize(("body", "expected"), NAMESPACES)
def test_metadata_namespace(body: Tree, expected: Tree) -> None:
    assert default_metadata_namespace(body, "dev") == expected


def test_namespace_name_label_overrides_any_value() -> None:
    body: Tree = {"metadata": {"name": "shop", "labels": {"kubernetes.io/metadata.name": "x"}}}
    assert default_namespace_labels(body) == {
        "metadata": {"name": "shop", "labels": {"kubernetes.io/metadata.name": "shop"}}
    }
    assert default_namespace_labels({"metadata": {}}) == {"metadata": {}}  # nameless: untouched


RC_SELECTORS: list[tuple[object, object]] = [
    (None, {"app": "a"}),
    ({}, {"app": "a"}),
    ({"app": "b"}, {"app": "b"}),
]


@pytest.mark.parametrize(("selector", "expected"), RC_SELECTORS)
def test_replication_controller_selector(selector: object, expected: object) -> None:
    spec: Tree = {"template": {"metadata": {"labels": {"app": "a"}}}}
    if selector is not None:
        spec["selector"] = selector
    result = default_rc_selector({"spec": spec})
    assert isinstance(result["spec"], dict) and result["spec"]["selector"] == expected


def test_workload_template_ports_are_defaulted() -> None:
    body: Tree = {
        "spec": {
            "jobTemplate": {
                "spec": {"template": {"spec": {"containers": [{"ports": [{"containerPort": 1}]}]}}}
            }
        }
    }
    result = apply_defaults(KINDS["CronJob"], body, default_namespace="ns")
    path = "spec.jobTemplate.spec.template.spec.containers[0].ports[0].protocol"
    assert result.paths == {"metadata.namespace", path}
    assert "protocol" not in str(body)


POLICY = """\
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {{name: p, namespace: n}}
spec:
{spec}"""


@pytest.mark.parametrize(
    ("spec", "types", "defaulted"),
    [
        ("  podSelector: {}\n", {Direction.INGRESS}, True),
        ("  podSelector: {}\n  egress: [{}]\n", {Direction.INGRESS, Direction.EGRESS}, True),
        ("  podSelector: {}\n  egress: []\n", {Direction.INGRESS}, True),
        ("  podSelector: {}\n  policyTypes: [Egress]\n", {Direction.EGRESS}, False),
    ],
)
def test_policy_types_end_to_end(spec: str, types: set[Direction], defaulted: bool) -> None:
    result = load_texts([("p.yaml", POLICY.format(spec=spec))])
    assert result.cluster is not None
    [policy] = result.cluster.policies
    assert policy.policy_types == types
    assert policy.policy_types_defaulted is defaulted


def test_missing_pod_selector_selects_everything_with_a_warning() -> None:
    result = load_texts([("p.yaml", POLICY.format(spec="  ingress: []\n"))])
    assert result.cluster is not None
    [policy] = result.cluster.policies
    assert policy.pod_selector.is_empty
    warnings = [d for d in result.diagnostics if d.field == "spec.podSelector"]
    assert [(w.severity, w.line) for w in warnings] == [(Severity.WARNING, 4)]

"""Custom resources are recorded, not read: kind, apiVersion, namespace, name, labels and
`spec.podMetadata.labels`, by the exact loader and the fast one alike."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from podfence.load import load_paths, load_texts
from podfence.load.custom import custom_resource, is_extension_api, unique_resources
from podfence.load.fast import load_fast
from podfence.load.fast.load import load_sources_fast
from podfence.load.sources import Source
from podfence.model import CustomResource, Location

ROOT = Path(__file__).resolve().parents[2]
KUBE_PROMETHEUS = ROOT / "tests" / "lint" / "inputs" / "kube-prometheus"

PROMETHEUS = """\
apiVersion: monitoring.coreos.com/v1
kind: Prometheus
metadata:
  name: k8s
  namespace: monitoring
  labels: {app.kubernetes.io/name: prometheus}
spec:
  podMetadata:
    labels: {app.kubernetes.io/part-of: kube-prometheus}
"""


@pytest.mark.parametrize(
    ("api_version", "extension"),
    [
        ("monitoring.coreos.com/v1", True),
        ("cert-manager.io/v1", True),
        ("cluster.x-k8s.io/v1beta1", True),  # x-k8s.io is not a Kubernetes group
        ("v1", False),  # the core group
        ("apps/v1", False),  # built-in groups have no dot...
        ("networking.k8s.io/v1", False),  # ...or are Kubernetes groups
        ("apiextensions.k8s.io/v1", False),  # a CustomResourceDefinition itself
        ("policy.networking.k8s.io/v1alpha1", False),
        ("k8s.io/v1", False),
        ("monitoring.coreos.com", False),  # no version: not an apiVersion of a group
    ],
)
def test_extension_apis(api_version: str, extension: bool) -> None:
    assert is_extension_api(api_version) is extension


def test_a_prometheus_resource_is_recorded_with_its_labels_and_pod_labels() -> None:
    result = load_texts([("p.yaml", PROMETHEUS)])
    assert result.cluster is not None and result.diagnostics == ()
    assert result.cluster.custom_resources == (
        CustomResource(
            api_version="monitoring.coreos.com/v1",
            kind="Prometheus",
            namespace="monitoring",
            name="k8s",
            labels=(("app.kubernetes.io/name", "prometheus"),),
            pod_metadata_labels=(("app.kubernetes.io/part-of", "kube-prometheus"),),
            location=Location("p.yaml", 1),
        ),
    )
    assert result.cluster.custom_resources[0].group == "monitoring.coreos.com"


def test_namespace_defaults_like_kubectl_apply_n() -> None:
    text = "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\n"
    result = load_texts([("w.yaml", text)], default_namespace="team")
    assert result.cluster is not None
    assert [(r.namespace, r.name) for r in result.cluster.custom_resources] == [("team", "w")]


def test_built_in_kinds_are_not_recorded() -> None:
    text = (
        "apiVersion: v1\nkind: Service\nmetadata: {name: s, namespace: a}\n---\n"
        "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: i, namespace: a}\n"
    )
    result = load_texts([("s.yaml", text)])
    assert result.cluster is not None and result.cluster.custom_resources == ()


@pytest.mark.parametrize(
    "meta",
    [
        "{}",  # no name
        "{generateName: x-}",  # no name yet
        "{name: w, labels: {a: 1}}",  # a label that is not a string
        "{name: w, labels: [a]}",
        "{name: w, namespace: 3}",
    ],
)
def test_objects_without_the_shape_are_left_out_silently(meta: str) -> None:
    text = f"apiVersion: example.com/v1\nkind: Widget\nmetadata: {meta}\n"
    result = load_texts([("w.yaml", text)])
    assert result.cluster is not None and result.cluster.custom_resources == ()
    assert result.diagnostics == ()  # not read, so not judged


def test_items_of_a_list_are_recorded() -> None:
    text = json.dumps(
        {
            "apiVersion": "v1",
            "kind": "List",
            "items": [
                {"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "a"}},
                {"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "b"}},
            ],
        }
    )
    result = load_texts([("l.json", text)])
    assert result.cluster is not None
    assert [r.name for r in result.cluster.custom_resources] == ["a", "b"]


def test_the_later_definition_wins_as_with_kubectl_apply() -> None:
    first = CustomResource("example.com/v1", "Widget", "a", "w", (("v", "1"),))
    later = CustomResource("example.com/v2", "Widget", "a", "w", (("v", "2"),))
    other_group = CustomResource("other.io/v1", "Widget", "a", "w")
    assert unique_resources([first, other_group, later]) == (later, other_group)


def test_custom_resource_needs_an_extension_api() -> None:
    body = {"apiVersion": "apps/v1", "kind": "Widget", "metadata": {"name": "w"}}
    assert custom_resource(body, Location("f"), default_namespace="default") is None


def test_a_kube_prometheus_folder_records_its_operator_resources() -> None:
    result = load_paths([str(KUBE_PROMETHEUS)])
    assert result.cluster is not None
    found = [(r.kind, r.namespace, r.name) for r in result.cluster.custom_resources]
    assert found == [
        ("Alertmanager", "monitoring", "main"),
        ("Prometheus", "monitoring", "k8s"),
        ("ServiceMonitor", "monitoring", "prometheus-k8s"),
    ]  # the CustomResourceDefinition itself is a built-in kind: not recorded


def test_fast_loader_records_the_same(tmp_path: Path) -> None:
    dump = {
        "apiVersion": "v1",
        "kind": "List",
        "items": [
            {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "monitoring"}},
            {
                "apiVersion": "monitoring.coreos.com/v1",
                "kind": "Alertmanager",
                "metadata": {"name": "main", "namespace": "monitoring", "labels": {"a": "b"}},
                "spec": {"podMetadata": {"labels": {"c": "d"}}},
            },
        ],
    }
    path = tmp_path / "dump.json"
    path.write_text(json.dumps(dump))
    fast_cluster = load_sources_fast([Source(str(path), path.read_text())]).cluster  # fast path
    assert fast_cluster is not None
    exact = load_paths([str(path)])
    assert exact.cluster is not None
    assert fast_cluster.custom_resources == exact.cluster.custom_resources
    assert len(fast_cluster.custom_resources) == 1
    assert load_fast([str(path)]).cluster == exact.cluster

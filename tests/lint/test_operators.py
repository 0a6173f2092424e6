"""Pods that operators create from custom resources: "selects nothing" findings (PF006,
PF007) about them are info, saying so; everything else about selection stays as it was."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from podfence.analysis.lint import Level
from podfence.analysis.operators import KNOWN_GROUPS, POD_MAKERS, operator_pods
from podfence.model import Cluster, CustomResource

from .helpers import Obj, findings, load, load_dirs, ns, pod, pods_of, policy

INPUTS = Path(__file__).parent / "inputs"


def _prometheus(
    name: str = "k8s", namespace: str = "monitoring", pod_labels: dict[str, str] | None = None
) -> Obj:
    spec: dict[str, Any] = {"replicas": 2}
    if pod_labels is not None:
        spec["podMetadata"] = {"labels": pod_labels}
    return {
        "apiVersion": "monitoring.coreos.com/v1",
        "kind": "Prometheus",
        "metadata": {"name": name, "namespace": namespace},
        "spec": spec,
    }


def _custom(kind: str, name: str, namespace: str, group: str, **labels: str) -> Obj:
    return {
        "apiVersion": f"{group}/v1",
        "kind": kind,
        "metadata": {"name": name, "namespace": namespace, "labels": labels},
    }


KUBE_PROMETHEUS_LABELS = {
    "app.kubernetes.io/component": "prometheus",
    "app.kubernetes.io/name": "prometheus",
    "app.kubernetes.io/part-of": "kube-prometheus",
}


def _monitoring(*extra: Obj, selector: dict[str, str] | None = None) -> Cluster:
    """A monitoring namespace with grafana, a policy for the Prometheus pods and a peer that
    admits them into grafana."""
    return load(
        ns("monitoring"),
        pod("monitoring", "grafana", {"app.kubernetes.io/name": "grafana"}, [(3000, "TCP")]),
        policy("monitoring", "prometheus", selector or KUBE_PROMETHEUS_LABELS, types=["Ingress"]),
        policy(
            "monitoring",
            "grafana",
            {"app.kubernetes.io/name": "grafana"},
            ["Ingress"],
            ingress=[{"from": [pods_of(**{"app.kubernetes.io/name": "prometheus"})]}],
        ),
        *extra,
    )


def _levels(cluster: Cluster) -> dict[str, Level]:
    return {f.rule: f.level for f in findings(cluster) if f.rule in {"PF006", "PF007"}}


# -- the table ----------------------------------------------------------------------------


def test_operator_labels_win_over_pod_metadata() -> None:
    cluster = load(_prometheus(pod_labels={"prometheus": "other", "team": "obs"}))
    (made,) = operator_pods(cluster)
    labels = dict(made.endpoint.labels)
    assert labels["prometheus"] == "k8s"  # the operator's own label
    assert labels["team"] == "obs"  # podMetadata's
    assert labels["app.kubernetes.io/managed-by"] == "prometheus-operator"
    assert (made.endpoint.namespace, made.endpoint.kind, made.endpoint.name) == (
        "monitoring",
        "Prometheus",
        "k8s",
    )


@pytest.mark.parametrize(
    ("kind", "label"),
    [
        ("Prometheus", "prometheus"),
        ("Alertmanager", "alertmanager"),
        ("ThanosRuler", "thanos-ruler"),
    ],
)
def test_each_kind_gets_its_name_labels(kind: str, label: str) -> None:
    resource = CustomResource("monitoring.coreos.com/v1", kind, "monitoring", "main")
    (made,) = operator_pods(Cluster(custom_resources=(resource,)))
    labels = dict(made.endpoint.labels)
    assert labels["app.kubernetes.io/name"] == label
    assert labels[label] == "main"
    assert labels["app.kubernetes.io/instance"] == "main"


def test_kinds_that_create_no_pods_make_none() -> None:
    monitor = CustomResource("monitoring.coreos.com/v1", "ServiceMonitor", "monitoring", "m")
    other_group = CustomResource("example.com/v1", "Prometheus", "monitoring", "p")
    assert operator_pods(Cluster(custom_resources=(monitor, other_group))) == ()
    assert {m.group for m in POD_MAKERS} <= KNOWN_GROUPS


# -- lint ---------------------------------------------------------------------------------


def test_without_the_resource_the_findings_are_warnings() -> None:
    assert _levels(_monitoring()) == {"PF006": Level.WARNING, "PF007": Level.WARNING}


def test_pods_the_operator_creates_make_them_info() -> None:
    cluster = _monitoring(_prometheus(pod_labels=KUBE_PROMETHEUS_LABELS))
    found = {f.rule: f for f in findings(cluster) if f.rule in {"PF006", "PF007"}}
    assert {r: f.level for r, f in found.items()} == {"PF006": Level.INFO, "PF007": Level.INFO}
    assert found["PF006"].message.endswith(
        "selects no pod of namespace monitoring in the input, but it selects the pods "
        "prometheus-operator creates for Prometheus monitoring/k8s"
    )
    assert found["PF007"].message == (
        "podSelector app.kubernetes.io/name=prometheus matches no pod of namespace monitoring "
        "in the input, but it matches the pods prometheus-operator creates for Prometheus "
        "monitoring/k8s"
    )


def test_near_miss_pods_without_the_selected_labels_stay_warnings() -> None:
    # podMetadata lacks part-of: the operator's pods do not carry every label the policy wants
    labels = {k: v for k, v in KUBE_PROMETHEUS_LABELS.items() if "part-of" not in k}
    cluster = _monitoring(_prometheus(pod_labels=labels))
    # the peer wants only app.kubernetes.io/name=prometheus: the operator sets it
    assert _levels(cluster) == {"PF006": Level.WARNING, "PF007": Level.INFO}


def test_near_miss_resource_in_another_namespace() -> None:
    cluster = _monitoring(
        ns("other"), _prometheus(namespace="other", pod_labels=KUBE_PROMETHEUS_LABELS)
    )
    assert _levels(cluster) == {"PF006": Level.WARNING, "PF007": Level.WARNING}


def test_near_miss_a_service_monitor_creates_no_pods() -> None:
    monitor = _custom(
        "ServiceMonitor",
        "prometheus",
        "monitoring",
        "monitoring.coreos.com",
        **KUBE_PROMETHEUS_LABELS,
    )
    cluster = _monitoring(monitor)
    assert _levels(cluster) == {"PF006": Level.WARNING, "PF007": Level.WARNING}
    assert not any("custom resources" in f.consequence for f in findings(cluster))


def test_unknown_custom_resources_are_mentioned_at_the_same_level() -> None:
    cluster = _monitoring(_custom("Collector", "otel", "monitoring", "opentelemetry.io"))
    found = {f.rule: f for f in findings(cluster) if f.rule in {"PF006", "PF007"}}
    assert {r: f.level for r, f in found.items()} == {
        "PF006": Level.WARNING,
        "PF007": Level.WARNING,
    }
    note = (
        "; namespace monitoring also holds custom resources (Collector monitoring/otel) that "
        "podfence does not read: if an operator creates pods from them, they may be the pods meant"
    )
    assert all(f.consequence.endswith(note) for f in found.values())


def test_a_pod_selector_is_not_said_to_be_misplaced_when_the_operator_creates_the_pods() -> None:
    # prometheus pods of the input live elsewhere, but the operator creates some here
    cluster = _monitoring(
        ns("other"),
        pod("other", "prometheus", {"app.kubernetes.io/name": "prometheus"}),
        _prometheus(pod_labels=KUBE_PROMETHEUS_LABELS),
    )
    assert not findings(cluster, "PF004")
    without = _monitoring(
        ns("other"), pod("other", "prometheus", {"app.kubernetes.io/name": "prometheus"})
    )
    assert [f.rule for f in findings(without, "PF004")] == ["PF004"]


def test_kube_prometheus_folder() -> None:
    """The manifests folder as kube-prometheus ships it (trimmed): the Prometheus and
    Alertmanager resources, their CRD, a ServiceMonitor and a Service, the Deployments and
    the node-exporter DaemonSet, and the policies. Every "selects nothing" is about pods the
    operator creates; node-exporter's hostNetwork (PF014) is the one real finding of these."""
    cluster = load_dirs(INPUTS / "kube-prometheus")
    got = sorted(
        (f.rule, f.level.value, f.obj, f.field or "")
        for f in findings(cluster)
        if f.rule in {"PF004", "PF006", "PF007", "PF014"}
    )
    assert got == [
        ("PF006", "info", "NetworkPolicy monitoring/alertmanager-main", "spec.podSelector"),
        ("PF006", "info", "NetworkPolicy monitoring/prometheus-k8s", "spec.podSelector"),
        *[
            (
                "PF007",
                "info",
                f"NetworkPolicy monitoring/{name}",
                f"spec.ingress[{i}].from[0].podSelector",
            )
            for name, i in [
                ("alertmanager-main", 0),
                ("alertmanager-main", 1),
                ("grafana", 0),
                ("node-exporter", 0),
                ("prometheus-k8s", 0),
                ("prometheus-operator", 0),
            ]
        ],
        ("PF014", "warning", "NetworkPolicy monitoring/node-exporter", "spec.podSelector"),
    ]


def test_operator_pods_are_asked_about_the_metadata_service() -> None:
    # kube-prometheus gives Prometheus `egress: [{}]`: its pods reach 169.254.169.254 too
    objs = [
        ns("monitoring"),
        _prometheus(pod_labels=KUBE_PROMETHEUS_LABELS),
        policy("monitoring", "prometheus", KUBE_PROMETHEUS_LABELS, ["Egress"], egress=[{}]),
    ]
    (f,) = findings(load(*objs), "PF016")
    assert f.consequence.startswith("monitoring/k8s (Prometheus) can reach 169.254.169.254")
    near = [*objs[:2], policy("monitoring", "other", {"app": "x"}, ["Egress"], egress=[{}])]
    assert not findings(load(*near), "PF016")

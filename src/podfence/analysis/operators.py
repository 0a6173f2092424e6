"""Pods that operators create from custom resources, known well enough to be asked about.

An input often holds the custom resource and not the pods: kube-prometheus ships a
`Prometheus` and an `Alertmanager` resource, and the prometheus-operator creates their pods
in the cluster. A policy written for those pods selects nothing in the input, yet it is right.
This module knows, for a small table of operators, the labels each such pod gets, so that
lint can ask the engine whether a selector would match them (and say so at info level)
instead of reporting a policy or a peer that "selects nothing".

The table (`POD_MAKERS`), from the operators' sources; NAME is the resource's name, and each
pod also gets the resource's `spec.podMetadata.labels` (the operator's own labels win):

- monitoring.coreos.com `Prometheus`: app.kubernetes.io/name=prometheus,
  app.kubernetes.io/managed-by=prometheus-operator, app.kubernetes.io/instance=NAME,
  prometheus=NAME, operator.prometheus.io/name=NAME, operator.prometheus.io/shard=0;
- monitoring.coreos.com `Alertmanager`: app.kubernetes.io/name=alertmanager,
  app.kubernetes.io/managed-by=prometheus-operator, app.kubernetes.io/instance=NAME,
  alertmanager=NAME;
- monitoring.coreos.com `ThanosRuler`: app.kubernetes.io/name=thanos-ruler,
  app.kubernetes.io/managed-by=prometheus-operator, app.kubernetes.io/instance=NAME,
  thanos-ruler=NAME.

(prometheus-operator: pkg/prometheus/server/statefulset.go, pkg/alertmanager/statefulset.go,
pkg/thanos/statefulset.go. The operator also sets `app.kubernetes.io/version` to the version
it runs, which the table cannot know: podMetadata's value is kept. A sharded Prometheus also
has shards 1, 2, ...: shard 0 always exists.)

The other kinds of a group in `KNOWN_GROUPS` (ServiceMonitor, PodMonitor, PrometheusRule,
Probe, AlertmanagerConfig, ScrapeConfig) create no pods. Custom resources of any other group
may or may not: lint only mentions them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from podfence.model import Cluster, CustomResource, Endpoint, Labels, frozen_labels

__all__ = [
    "KNOWN_GROUPS",
    "POD_MAKERS",
    "OperatorPod",
    "PodMaker",
    "operator_pods",
    "unknown_resources",
]

_MANAGED_BY = "app.kubernetes.io/managed-by"
_PROMETHEUS_OPERATOR = "prometheus-operator"


@dataclass(frozen=True, slots=True)
class PodMaker:
    """A custom resource kind from which an operator creates pods, and their labels."""

    group: str
    kind: str
    operator: str
    labels: Callable[[str], Mapping[str, str]]
    """The labels the operator sets from the resource's name (over its podMetadata's)."""


def _prometheus(name: str) -> Mapping[str, str]:
    return {
        "app.kubernetes.io/name": "prometheus",
        _MANAGED_BY: _PROMETHEUS_OPERATOR,
        "app.kubernetes.io/instance": name,
        "prometheus": name,
        "operator.prometheus.io/name": name,
        "operator.prometheus.io/shard": "0",
    }


def _alertmanager(name: str) -> Mapping[str, str]:
    return {
        "app.kubernetes.io/name": "alertmanager",
        _MANAGED_BY: _PROMETHEUS_OPERATOR,
        "app.kubernetes.io/instance": name,
        "alertmanager": name,
    }


def _thanos_ruler(name: str) -> Mapping[str, str]:
    return {
        "app.kubernetes.io/name": "thanos-ruler",
        _MANAGED_BY: _PROMETHEUS_OPERATOR,
        "app.kubernetes.io/instance": name,
        "thanos-ruler": name,
    }


_MONITORING = "monitoring.coreos.com"

POD_MAKERS: tuple[PodMaker, ...] = (
    PodMaker(_MONITORING, "Prometheus", _PROMETHEUS_OPERATOR, _prometheus),
    PodMaker(_MONITORING, "Alertmanager", _PROMETHEUS_OPERATOR, _alertmanager),
    PodMaker(_MONITORING, "ThanosRuler", _PROMETHEUS_OPERATOR, _thanos_ruler),
)

KNOWN_GROUPS = frozenset({_MONITORING})
"""Groups whose every pod-creating kind is in `POD_MAKERS`: their other kinds create none."""

_BY_KIND = {(m.group, m.kind): m for m in POD_MAKERS}


@dataclass(frozen=True, slots=True)
class OperatorPod:
    """The pods an operator creates from `resource`, as one endpoint (like a workload)."""

    resource: CustomResource
    maker: PodMaker
    endpoint: Endpoint


def _pod_labels(resource: CustomResource, maker: PodMaker) -> Labels:
    return frozen_labels({**dict(resource.pod_metadata_labels), **maker.labels(resource.name)})


def operator_pods(cluster: Cluster) -> tuple[OperatorPod, ...]:
    """An endpoint for the pods of each custom resource of a kind in `POD_MAKERS`: in the
    resource's namespace, named and located as the resource, with the labels the operator
    gives its pods (no ports or addresses: the operator decides them)."""
    found = []
    for resource in cluster.custom_resources:
        maker = _BY_KIND.get((resource.group, resource.kind))
        if maker is None:
            continue
        endpoint = Endpoint(
            namespace=resource.namespace,
            name=resource.name,
            kind=resource.kind,
            labels=_pod_labels(resource, maker),
            location=resource.location,
        )
        found.append(OperatorPod(resource, maker, endpoint))
    return tuple(found)


def unknown_resources(cluster: Cluster, namespace: str) -> Sequence[CustomResource]:
    """The custom resources of `namespace` whose group is not in `KNOWN_GROUPS`: an operator
    may create pods from them, with labels podfence does not know."""
    return tuple(
        r
        for r in cluster.custom_resources
        if r.namespace == namespace and r.group not in KNOWN_GROUPS
    )

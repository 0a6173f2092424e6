"""The kinds podfence reads from a live cluster, and how each is listed."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Resource", "RESOURCES"]


@dataclass(frozen=True, slots=True)
class Resource:
    plural: str
    """Names the text fed to the loader: `cluster:<plural>`."""
    kind: str
    api_version: str
    api: str
    """The client class (`CoreV1Api`, ...)."""
    method: str
    """The list method's stem: `list_<method>_for_all_namespaces` / `list_namespaced_<method>`."""
    namespaced: bool = True


RESOURCES: tuple[Resource, ...] = (
    Resource("namespaces", "Namespace", "v1", "CoreV1Api", "namespace", namespaced=False),
    Resource("pods", "Pod", "v1", "CoreV1Api", "pod"),
    Resource("deployments", "Deployment", "apps/v1", "AppsV1Api", "deployment"),
    Resource("statefulsets", "StatefulSet", "apps/v1", "AppsV1Api", "stateful_set"),
    Resource("daemonsets", "DaemonSet", "apps/v1", "AppsV1Api", "daemon_set"),
    Resource("replicasets", "ReplicaSet", "apps/v1", "AppsV1Api", "replica_set"),
    Resource("jobs", "Job", "batch/v1", "BatchV1Api", "job"),
    Resource("cronjobs", "CronJob", "batch/v1", "BatchV1Api", "cron_job"),
    Resource(
        "replicationcontrollers",
        "ReplicationController",
        "v1",
        "CoreV1Api",
        "replication_controller",
    ),
    Resource(
        "networkpolicies",
        "NetworkPolicy",
        "networking.k8s.io/v1",
        "NetworkingV1Api",
        "network_policy",
    ),
)

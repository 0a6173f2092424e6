"""The kinds podfence reads from a live cluster, and how each is listed.

ClusterNetworkPolicies are custom resources (group policy.networking.k8s.io, version v1alpha2,
as podfence.load.cnp_crd): listed through CustomObjectsApi, and only when the cluster serves
them (a 404 means the CRD is not installed: they are skipped, with a note).
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["CNP_GROUP", "CNP_VERSION", "Resource", "RESOURCES"]

CNP_GROUP = "policy.networking.k8s.io"
CNP_VERSION = "v1alpha2"


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
    group: str | None = None
    """Set for a custom resource: listed with CustomObjectsApi (`method` is then unused)."""
    optional: bool = False
    """Not served (HTTP 404) is not an error: the kind is skipped, with a note."""

    @property
    def version(self) -> str:
        return self.api_version.rpartition("/")[2]


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
    Resource("nodes", "Node", "v1", "CoreV1Api", "node", namespaced=False),
    Resource(
        "clusternetworkpolicies",
        "ClusterNetworkPolicy",
        f"{CNP_GROUP}/{CNP_VERSION}",
        "CustomObjectsApi",
        "cluster_custom_object",
        namespaced=False,
        group=CNP_GROUP,
        optional=True,
    ),
)

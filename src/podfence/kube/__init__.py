"""Live clusters: list objects through the official `kubernetes` client, as loader input.

The only package that imports `kubernetes` (an optional extra: `podfence[cluster]`).
"""

from podfence.kube.client import ClusterError, context_namespace, read_cluster
from podfence.kube.resources import RESOURCES, Resource
from podfence.kube.texts import (
    ClusterRead,
    Lister,
    NotServed,
    cluster_read,
    cluster_texts,
    list_document,
)

__all__ = [
    "RESOURCES",
    "ClusterError",
    "ClusterRead",
    "NotServed",
    "cluster_read",
    "Lister",
    "Resource",
    "cluster_texts",
    "context_namespace",
    "list_document",
    "read_cluster",
]

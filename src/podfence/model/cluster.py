"""The cluster as given: namespaces, nodes, endpoints (pods and workloads) and policies."""

from __future__ import annotations

from dataclasses import dataclass, field

from podfence.model.addresses import IPAddress
from podfence.model.cnp import ClusterNetworkPolicy
from podfence.model.labels import Labels
from podfence.model.nodes import Node
from podfence.model.policy import NetworkPolicy
from podfence.model.ports import ContainerPort
from podfence.model.source import Location, ObjectRef

__all__ = [
    "Namespace",
    "Endpoint",
    "CustomResource",
    "Cluster",
    "WORKLOAD_KINDS",
    "NAME_LABEL",
    "WELL_KNOWN_NAMESPACES",
]

NAME_LABEL = "kubernetes.io/metadata.name"
"""The label the API server puts on every namespace, set to its name."""

WELL_KNOWN_NAMESPACES = ("default", "kube-node-lease", "kube-public", "kube-system")
"""The namespaces every cluster has (the API server creates them), whether or not an input
defines them. Their labels beyond the name label are unknown (an administrator may add some)."""

WORKLOAD_KINDS = (
    "Deployment",
    "StatefulSet",
    "DaemonSet",
    "ReplicaSet",
    "ReplicationController",
    "Job",
    "CronJob",
)


@dataclass(frozen=True, slots=True)
class Namespace:
    name: str
    labels: Labels = ()
    annotations: Labels = ()
    implicit: bool = False
    """True when no Namespace object was given and it exists because something refers to it."""
    location: Location = Location("<memory>")

    @property
    def ref(self) -> ObjectRef:
        return ObjectRef("Namespace", None, self.name)


@dataclass(frozen=True, slots=True)
class Endpoint:
    """A pod, or a workload standing for its pods (labels and ports of the pod template)."""

    namespace: str
    name: str
    kind: str = "Pod"
    labels: Labels = ()
    ports: tuple[ContainerPort, ...] = ()
    ips: tuple[IPAddress, ...] = ()
    host_network: bool = False
    location: Location = Location("<memory>")
    node_name: str | None = None
    """`spec.nodeName`: the node the pod runs on (None when not scheduled, or not given)."""

    @property
    def id(self) -> str:
        return f"{self.namespace}/{self.name}"

    @property
    def ref(self) -> ObjectRef:
        return ObjectRef(self.kind, self.namespace, self.name)

    def __str__(self) -> str:
        return self.id


@dataclass(frozen=True, slots=True)
class CustomResource:
    """An object of an extension API (a CustomResourceDefinition's kind) that podfence does
    not analyse, kept as data so that analyses can tell an operator may create pods from it.

    `namespace` is the object's own, or the default namespace when it names none (as
    `kubectl apply -n` would place a namespaced object). `pod_metadata_labels` are its
    `spec.podMetadata.labels`: the labels operators following the prometheus-operator
    convention put on the pods they create."""

    api_version: str
    kind: str
    namespace: str
    name: str
    labels: Labels = ()
    pod_metadata_labels: Labels = ()
    location: Location = Location("<memory>")

    @property
    def group(self) -> str:
        """The API group (`monitoring.coreos.com`)."""
        return self.api_version.rpartition("/")[0]

    @property
    def ref(self) -> ObjectRef:
        return ObjectRef(self.kind, self.namespace, self.name)

    def __str__(self) -> str:
        return str(self.ref)


@dataclass(frozen=True, slots=True)
class Cluster:
    """Everything loaded, valid and defaulted. Endpoints are sorted by id, nodes and cluster
    policies by name."""

    namespaces: tuple[Namespace, ...] = ()
    endpoints: tuple[Endpoint, ...] = ()
    policies: tuple[NetworkPolicy, ...] = ()
    nodes: tuple[Node, ...] = ()
    cluster_policies: tuple[ClusterNetworkPolicy, ...] = ()
    """ClusterNetworkPolicies of both tiers (policy.networking.k8s.io/v1alpha2)."""
    custom_resources: tuple[CustomResource, ...] = ()
    """Objects of extension APIs, not analysed (sorted by namespace, kind and name)."""
    positions: dict[tuple[ObjectRef, str], int] = field(
        default_factory=dict, compare=False, hash=False
    )
    """Line of each (object, field path) seen in the input; read-only by convention."""

    def namespace(self, name: str) -> Namespace | None:
        for ns in self.namespaces:
            if ns.name == name:
                return ns
        return None

    def endpoint(self, ident: str) -> Endpoint | None:
        for ep in self.endpoints:
            if ep.id == ident:
                return ep
        return None

    def policy(self, key: str) -> NetworkPolicy | None:
        for pol in self.policies:
            if pol.key == key:
                return pol
        return None

    def node(self, name: str) -> Node | None:
        for node in self.nodes:
            if node.name == name:
                return node
        return None

    def cluster_policy(self, name: str) -> ClusterNetworkPolicy | None:
        """The ClusterNetworkPolicy `name` (`cnp/NAME` is accepted too)."""
        name = name.removeprefix("cnp/")
        for pol in self.cluster_policies:
            if pol.name == name:
                return pol
        return None

    def line_of(self, ref: ObjectRef, path: str) -> int:
        """The line of `path` in object `ref`, or of its nearest enclosing field."""
        while True:
            line = self.positions.get((ref, path))
            if line is not None:
                return line
            if not path:
                return 0
            cut = max(path.rfind("."), path.rfind("["))
            path = path[: max(cut, 0)]

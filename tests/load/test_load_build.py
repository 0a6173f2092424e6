"""The model built from valid input: policies, rules, peers, endpoints of every kind, positions."""

from __future__ import annotations

import ipaddress
import textwrap

import pytest

from podfence.load import load_texts
from podfence.model import (
    Cluster,
    ContainerPort,
    Direction,
    IPBlock,
    LabelSelector,
    ObjectRef,
    Operator,
    Peer,
    PolicyPort,
    Protocol,
    Requirement,
    Rule,
)


def cluster(text: str) -> Cluster:
    result = load_texts([("b.yaml", textwrap.dedent(text))])
    assert result.cluster is not None, result.diagnostics
    return result.cluster


POLICY = """\
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: web
  namespace: shop
  annotations: {note: hello}
spec:
  podSelector:
    matchLabels: {app: web}
    matchExpressions:
    - {key: tier, operator: NotIn, values: [db, cache]}
  ingress:
  - {}
  - from: []
    ports: []
  - from:
    - podSelector: {}
    - namespaceSelector: {matchLabels: {team: a}}
      podSelector: {matchExpressions: [{key: x, operator: Exists}]}
    - ipBlock: {cidr: 10.0.0.0/8, except: [10.1.0.0/16, 10.2.0.0/16]}
    ports:
    - port: 80
    - {port: http, protocol: UDP}
    - {port: 8000, endPort: 8080, protocol: SCTP}
    - {}
  egress:
  - to: [{ipBlock: {cidr: "fd00::/8"}}]
"""


def test_policy() -> None:
    [policy] = cluster(POLICY).policies
    assert (policy.namespace, policy.name) == ("shop", "web")
    assert policy.pod_selector == LabelSelector(
        (("app", "web"),), (Requirement("tier", Operator.NOT_IN, ("db", "cache")),)
    )
    assert policy.policy_types == {Direction.INGRESS, Direction.EGRESS}
    assert policy.policy_types_defaulted
    assert policy.annotations == (("note", "hello"),)
    assert (policy.location.file, policy.location.line) == ("b.yaml", 1)
    assert policy.ingress[0] == Rule()  # `{}`: every peer, every port
    assert policy.ingress[1] == Rule()  # `from: []`, `ports: []` mean the same
    assert policy.ingress[2].peers == (
        Peer(pod_selector=LabelSelector()),  # `{}` is the empty selector, not None
        Peer(
            pod_selector=LabelSelector((), (Requirement("x", Operator.EXISTS),)),
            namespace_selector=LabelSelector((("team", "a"),)),
        ),
        Peer(
            ip_block=IPBlock(
                ipaddress.IPv4Network("10.0.0.0/8"),
                (ipaddress.IPv4Network("10.1.0.0/16"), ipaddress.IPv4Network("10.2.0.0/16")),
            )
        ),
    )
    assert policy.ingress[2].ports == (
        PolicyPort(Protocol.TCP, 80),
        PolicyPort(Protocol.UDP, "http"),
        PolicyPort(Protocol.SCTP, 8000, 8080),
        PolicyPort(Protocol.TCP, None),
    )
    assert policy.egress == (
        Rule(peers=(Peer(ip_block=IPBlock(ipaddress.IPv6Network("fd00::/8"))),)),
    )


def test_positions_of_every_field() -> None:
    c = cluster(POLICY)
    ref = ObjectRef("NetworkPolicy", "shop", "web")
    expected = {
        "": 1,
        "metadata": 3,
        "metadata.annotations.note": 6,
        "spec.podSelector.matchLabels.app": 9,
        "spec.podSelector.matchExpressions[0]": 11,
        "spec.podSelector.matchExpressions[0].values[1]": 11,
        "spec.ingress[1].from": 14,
        "spec.ingress[2].from[1]": 18,
        "spec.ingress[2].from[1].podSelector": 19,
        "spec.ingress[2].from[2].ipBlock.except[0]": 20,
        "spec.ingress[2].ports[2].endPort": 24,
        "spec.egress[0].to[0].ipBlock.cidr": 27,
    }
    assert {path: c.positions[(ref, path)] for path in expected} == expected
    assert c.line_of(ref, "spec.ingress[2].ports[3].protocol") == 25  # defaulted: its port


WORKLOAD_TEMPLATE = """\
    template:
      metadata: {labels: {app: w}}
      spec:
        hostNetwork: true
        initContainers: [{ports: [{containerPort: 1}]}]
        containers:
        - ports: [{containerPort: 8080, name: http}]
        - ports: [{containerPort: 53, protocol: UDP}]
"""
WORKLOADS = {
    "Deployment": "apps/v1",
    "StatefulSet": "apps/v1",
    "DaemonSet": "apps/v1",
    "ReplicaSet": "apps/v1",
    "ReplicationController": "v1",
    "Job": "batch/v1",
}


@pytest.mark.parametrize(("kind", "api_version"), WORKLOADS.items())
def test_workload_endpoint(kind: str, api_version: str) -> None:
    text = f"apiVersion: {api_version}\nkind: {kind}\nmetadata: {{name: w, namespace: n}}\n"
    text += "spec:\n" + textwrap.indent(textwrap.dedent(WORKLOAD_TEMPLATE), "  ")
    [endpoint] = cluster(text).endpoints
    assert endpoint.kind == kind
    assert (endpoint.id, endpoint.labels, endpoint.ips) == ("n/w", (("app", "w"),), ())
    assert endpoint.host_network
    assert endpoint.ports == (  # containers only: initContainers do not serve
        ContainerPort(8080, Protocol.TCP, "http"),
        ContainerPort(53, Protocol.UDP),
    )


def test_cronjob_endpoint_uses_the_job_templates_pod_template() -> None:
    text = "apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: c}\nspec:\n"
    text += "  schedule: '@daily'\n  jobTemplate:\n    metadata: {labels: {not: this}}\n"
    text += "    spec:\n" + textwrap.indent(textwrap.dedent(WORKLOAD_TEMPLATE), "      ")
    [endpoint] = cluster(text).endpoints
    assert (endpoint.kind, endpoint.id, endpoint.labels) == (
        "CronJob",
        "default/c",
        (("app", "w"),),
    )
    assert endpoint.ports[0] == ContainerPort(8080, Protocol.TCP, "http")


def test_pod_endpoint() -> None:
    [endpoint] = cluster(
        """\
        apiVersion: v1
        kind: Pod
        metadata: {name: p, namespace: n, labels: {app: a}}
        spec:
          containers: [{ports: [{containerPort: 80}]}]
        status:
          podIP: 10.0.0.5
          podIPs: [{ip: 10.0.0.5}, {ip: "fd00::5"}]
        """
    ).endpoints
    assert endpoint.kind == "Pod" and not endpoint.host_network
    assert endpoint.ips == (ipaddress.ip_address("10.0.0.5"), ipaddress.ip_address("fd00::5"))
    assert endpoint.ports == (ContainerPort(80),)


def test_everything_is_sorted() -> None:
    docs = []
    for ns, name in [("b", "z"), ("a", "y"), ("b", "a")]:
        docs.append(f"apiVersion: v1\nkind: Pod\nmetadata: {{name: {name}, namespace: {ns}}}\n")
        docs.append(
            "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\n"
            f"metadata: {{name: {name}, namespace: {ns}}}\nspec: {{podSelector: {{}}}}\n"
        )
    c = cluster("---\n".join(docs))
    assert [e.id for e in c.endpoints] == ["a/y", "b/a", "b/z"]
    assert [p.key for p in c.policies] == ["a/y", "b/a", "b/z"]
    assert [n.name for n in c.namespaces] == ["a", "b"]

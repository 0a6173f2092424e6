"""Nodes and `spec.nodeName`: what ClusterNetworkPolicy `nodes` peers need.

Upstream (checked against kube-apiserver v1.36.2): a Node's name is a DNS subdomain and its
addresses are not validated; a pod's (and a pod template's) `spec.nodeName` must be a valid
node name (ValidateNodeName, a DNS subdomain).
"""

from __future__ import annotations

import ipaddress

from podfence.load import LoadOptions, load_texts
from podfence.model import NodeAddress

SUBDOMAIN = (
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or "
    "'.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used "
    "for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
)

NODE = """\
apiVersion: v1
kind: Node
metadata:
  name: worker-1
  labels: {zone: a}
spec: {podCIDR: 10.244.1.0/24, taints: []}
status:
  capacity: {cpu: "8"}
  addresses:
  - {type: InternalIP, address: 10.0.0.5}
  - {type: InternalIP, address: "fd00::5"}
  - {type: Hostname, address: worker-1}
  - {type: ExternalIP, address: not-an-ip}
"""


def test_a_node() -> None:
    result = load_texts([("n.yaml", NODE)])
    assert result.cluster is not None
    (node,) = result.cluster.nodes
    assert (node.name, node.labels) == ("worker-1", (("zone", "a"),))
    assert node.addresses[2] == NodeAddress("Hostname", "worker-1")
    assert node.ips == (ipaddress.ip_address("10.0.0.5"), ipaddress.ip_address("fd00::5"))
    assert node.location.line == 1
    assert [str(d) for d in result.diagnostics] == [
        'n.yaml:13 warning: Node worker-1 status.addresses[3].address: ExternalIP "not-an-ip" '
        "is not an IP address: no nodes peer can match it"
    ]


def test_a_node_name_is_a_subdomain() -> None:
    result = load_texts([("n.yaml", NODE.replace("name: worker-1", "name: Worker_1"))])
    assert result.cluster is None
    assert str(result.diagnostics[0]) == (
        f'n.yaml:4 error: Node Worker_1 metadata.name: Invalid value: "Worker_1": {SUBDOMAIN}'
    )


def test_nodes_are_sorted_and_unique() -> None:
    other = NODE.replace("worker-1", "a-node")
    result = load_texts([("n.yaml", NODE + "---\n" + other)])
    assert result.cluster is not None
    assert [n.name for n in result.cluster.nodes] == ["a-node", "worker-1"]
    twice = load_texts([("n.yaml", NODE + "---\n" + NODE)])  # merged, as kubectl would
    assert twice.cluster is not None and [n.name for n in twice.cluster.nodes] == ["worker-1"]
    strict = load_texts([("n.yaml", NODE + "---\n" + NODE)], options=LoadOptions(strict=True))
    assert strict.cluster is None
    assert "error" in [d.severity.value for d in strict.diagnostics]


POD = """\
apiVersion: v1
kind: Namespace
metadata: {name: shop}
---
apiVersion: v1
kind: Pod
metadata: {name: web, namespace: shop}
spec:
  nodeName: worker-1
  containers: [{name: c}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: shop}
spec:
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec:
      nodeName: worker-2
      containers: [{name: c}]
"""


def test_node_names_of_pods_and_templates() -> None:
    result = load_texts([("p.yaml", POD)])
    assert result.cluster is not None, [str(d) for d in result.diagnostics]
    assert [(e.id, e.node_name) for e in result.cluster.endpoints] == [
        ("shop/api", "worker-2"),
        ("shop/web", "worker-1"),
    ]


def test_no_node_name() -> None:
    result = load_texts([("p.yaml", POD.replace("  nodeName: worker-1\n", ""))])
    assert result.cluster is not None
    assert result.cluster.endpoint("shop/web") is not None
    assert result.cluster.endpoint("shop/web").node_name is None  # type: ignore[union-attr]


def test_node_names_are_subdomains() -> None:
    text = POD.replace("nodeName: worker-1", "nodeName: Bad_Node").replace(
        "nodeName: worker-2", "nodeName: -x"
    )
    result = load_texts([("p.yaml", text)])
    assert result.cluster is None
    assert [str(d) for d in result.diagnostics] == [
        f'p.yaml:9 error: Pod shop/web spec.nodeName: Invalid value: "Bad_Node": {SUBDOMAIN}',
        f'p.yaml:20 error: Deployment shop/api spec.template.spec.nodeName: Invalid value: "-x": '
        f"{SUBDOMAIN}",
    ]


def test_node_name_of_the_wrong_type() -> None:
    result = load_texts([("p.yaml", POD.replace("nodeName: worker-1", "nodeName: [a]"))])
    assert [str(d) for d in result.diagnostics] == [
        "p.yaml:9 error: Pod shop/web spec.nodeName: expected a string, got list"
    ]

"""`lab probe --port NAME` and `verify --port NAME`: a name means, on each destination pod, the
numbers its manifests' containers give it (kept in the lab's state). No lab is built here."""

from __future__ import annotations

import pytest

from podfence.analysis.matrix import Matrix, PortMatrix
from podfence.analysis.named_ports import NamedPort, query_matrix, resolver
from podfence.cli.common import BadInput
from podfence.cli.dataplane_cmds import _numbers, lab_resolver
from podfence.dataplane.lab.plan import plan_lab
from podfence.dataplane.lab.state import LabState, create_dir, load, remove, save
from podfence.load import load_texts
from podfence.model import Cluster, Protocol, ProtocolPort

CLUSTER = """\
apiVersion: v1
kind: Namespace
metadata: {name: shop}
---
apiVersion: v1
kind: Pod
metadata: {name: db, namespace: shop}
spec: {containers: [{name: pg, ports: [{name: sql, containerPort: 5432}]}]}
---
apiVersion: v1
kind: Pod
metadata: {name: web, namespace: shop}
spec:
  containers:
  - {name: a, ports: [{name: http, containerPort: 8080}, {name: sql, containerPort: 3306}]}
  - {name: b, ports: [{name: http, containerPort: 9090}]}
"""


def cluster() -> Cluster:
    result = load_texts([("shop.yaml", CLUSTER)])
    assert result.cluster is not None
    return result.cluster


def test_the_lab_keeps_port_names_and_resolves_them_per_pod() -> None:
    plan = plan_lab(cluster(), "named-test")
    create_dir("named-test")
    try:
        save(LabState("named-test", plan.node_netns, plan.pods, "up", ("shop/db", "shop/web")))
        state = load("named-test")
    finally:
        remove("named-test")
    assert state is not None
    ids = ["shop/db", "shop/web"]
    resolve = lab_resolver(state, ids)
    assert list(resolve(NamedPort("sql"))) == [(5432,), (3306,)]
    assert list(resolve(NamedPort("http"))) == [(), (8080, 9090)]
    assert _numbers([NamedPort("http"), ProtocolPort(80)], resolve) == [
        ProtocolPort(8080),
        ProtocolPort(9090),
        ProtocolPort(80),
    ]
    # the probed grids (here made up) give the named grid, per destination column
    grid = ((True, False), (True, True))
    observed = Matrix(
        tuple(ids),
        tuple(PortMatrix(n, Protocol.TCP, grid) for n in (8080, 9090, 80)),
    )
    named = query_matrix([NamedPort("http")], observed, resolve).matrices[0]
    assert named.allowed == ((False, False), (False, True))


def test_a_name_no_pod_defines_is_bad_input() -> None:
    with pytest.raises(BadInput, match="no pod defines a container port named grpc for TCP"):
        _numbers([NamedPort("grpc")], resolver(cluster().endpoints))


def test_verify_resolves_a_name_on_the_cluster() -> None:
    assert _numbers([NamedPort("sql")], resolver(cluster().endpoints)) == [
        ProtocolPort(5432),
        ProtocolPort(3306),
    ]

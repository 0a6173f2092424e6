"""deploy/: podfence's own `validate` reads the DaemonSet as a workload; the real API server
accepts every manifest (server-side dry run, strict field validation); and the ClusterRole
is enough for the agent and no more (its ServiceAccount's token lists what the agent lists,
writes an Event, and is refused what the agent never needs)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from tests.support.kube import Plane

from podfence.kube.client import connect
from podfence.kube.events import EventReport, KubeEvents
from podfence.load import load_paths

from .agentproc import wait_for

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
PATHS = {
    "ServiceAccount": "/api/v1/namespaces/{ns}/serviceaccounts",
    "ClusterRole": "/apis/rbac.authorization.k8s.io/v1/clusterroles",
    "ClusterRoleBinding": "/apis/rbac.authorization.k8s.io/v1/clusterrolebindings",
    "DaemonSet": "/apis/apps/v1/namespaces/{ns}/daemonsets",
}


def _objects() -> list[dict[str, Any]]:
    docs = []
    for path in sorted(DEPLOY.glob("*.yaml")):
        docs += [d for d in yaml.safe_load_all(path.read_text()) if d]
    return docs


def _path(obj: dict[str, Any]) -> str:
    return PATHS[obj["kind"]].format(ns=obj["metadata"].get("namespace", ""))


def test_podfence_validate_reads_the_daemonset() -> None:
    result = load_paths([str(DEPLOY)])
    assert result.ok, [str(d) for d in result.diagnostics]
    assert result.cluster is not None
    [agent] = result.cluster.endpoints
    assert (agent.id, agent.kind, agent.host_network) == (
        "kube-system/podfence-agent",
        "DaemonSet",
        True,
    )
    assert [(p.port, p.name) for p in agent.ports] == [(9746, "metrics")]


def test_the_daemonset_has_what_a_node_agent_needs() -> None:
    [ds] = [o for o in _objects() if o["kind"] == "DaemonSet"]
    spec = ds["spec"]["template"]["spec"]
    [container] = spec["containers"]
    assert spec["hostNetwork"] is True
    assert spec["tolerations"] == [{"operator": "Exists"}]
    assert container["securityContext"]["capabilities"] == {"drop": ["ALL"], "add": ["NET_ADMIN"]}
    assert set(container["resources"]) == {"requests", "limits"}
    assert {
        container["readinessProbe"]["httpGet"]["path"],
        container["livenessProbe"]["httpGet"]["path"],
    } == {"/readyz", "/healthz"}


def test_the_dockerfile_is_multi_stage() -> None:
    stages = [
        line
        for line in (DEPLOY / "Dockerfile").read_text().splitlines()
        if line.startswith("FROM ")
    ]
    assert len(stages) == 2 and stages[0].endswith(" AS build")


def test_every_manifest_passes_a_server_side_dry_run(plane: Plane) -> None:
    for obj in _objects():
        reply = plane.kube.call("POST", _path(obj) + "?dryRun=All&fieldValidation=Strict", obj)
        assert reply.status == 201, (obj["kind"], reply.body.get("message"))
        assert not reply.warnings, reply.warnings


def _token_kubeconfig(plane: Plane, tmp: Path) -> Path:
    request = {
        "apiVersion": "authentication.k8s.io/v1",
        "kind": "TokenRequest",
        "spec": {"expirationSeconds": 3600},
    }
    path = "/api/v1/namespaces/kube-system/serviceaccounts/podfence-agent/token"
    token = plane.kube.ok("POST", path, request)["status"]["token"]
    config = json.loads(plane.kubeconfig.read_text())
    config["users"] = [{"name": "admin", "user": {"token": token}}]
    out = tmp / "agent-kubeconfig"
    out.write_text(json.dumps(config))
    return out


def test_the_cluster_role_is_enough_for_the_agent_and_no_more(plane: Plane, tmp_path: Path) -> None:
    for obj in _objects():
        if obj["kind"] != "DaemonSet":
            reply = plane.kube.call("POST", _path(obj), obj)
            assert reply.status in (201, 409), reply.body.get("message")
    kubeconfig = _token_kubeconfig(plane, tmp_path)
    argv = [
        sys.executable,
        "-m",
        "podfence",
        "agent",
        "--node",
        "n1",
        "--once",
        "--dry-run",
        "--kubeconfig",
        str(kubeconfig),
    ]
    done = subprocess.run(argv, capture_output=True, text=True, env=dict(os.environ), timeout=120)
    assert done.returncode == 0, done.stderr
    assert "# node n1: 0 pod(s) of the node" in done.stdout
    api = connect(str(kubeconfig), None)
    try:
        recorder = KubeEvents(api, component="podfence-agent", host="n1")
        recorder.warning(
            EventReport(
                "NetworkPolicy",
                "networking.k8s.io/v1",
                "default",
                "x",
                "",
                "",
                "PolicyRejected",
                "m",
            )
        )
        wait_for("the event", lambda: recorder.created + recorder.failed == 1)
        recorder.close()
        assert recorder.created == 1
        k8s = pytest.importorskip("kubernetes")
        core = k8s.client.CoreV1Api(api)
        with pytest.raises(k8s.client.exceptions.ApiException) as refused:
            core.list_secret_for_all_namespaces()
        assert refused.value.status == 403
        with pytest.raises(k8s.client.exceptions.ApiException) as refused:
            core.delete_namespaced_pod("nope", "default")
        assert refused.value.status == 403
    finally:
        api.close()

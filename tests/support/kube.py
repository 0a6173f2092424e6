"""A real API server for tests that need one, and a small client to fill it.

`control_plane(tmp, emulated)` starts etcd and one kube-apiserver on 127.0.0.1 (from
tests/apiserver/server.py: free ports, fresh certificates, a token) and writes a kubeconfig
for it; `Kube` creates the objects a test needs (Namespaces, Nodes, Pods with
`spec.nodeName` and `status.podIP` set through the status subresource, NetworkPolicies)
with plain HTTP requests, so the code under test is the only user of the `kubernetes` client.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.apiserver.server import ApiServer, LocalControlPlane, Reply, find_binaries

__all__ = ["ApiError", "Kube", "Plane", "control_plane", "write_kubeconfig"]


class ApiError(AssertionError):
    """The test API server refused a request the test needed."""


def write_kubeconfig(server: ApiServer, path: Path) -> Path:
    config = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [
            {
                "name": "test",
                "cluster": {
                    "server": f"https://127.0.0.1:{server.port}",
                    "certificate-authority": str(server.ca),
                },
            }
        ],
        "users": [{"name": "admin", "user": {"token": server.token}}],
        "contexts": [{"name": "test", "context": {"cluster": "test", "user": "admin"}}],
        "current-context": "test",
    }
    path.write_text(json.dumps(config, indent=2))
    return path


@dataclass(slots=True)
class Plane:
    plane: LocalControlPlane
    server: ApiServer
    kubeconfig: Path
    kube: Kube


@contextmanager
def control_plane(state: Path, emulated: str = "1.36") -> Iterator[Plane | str]:
    """A started control plane, or the reason there is none (to skip with)."""
    binaries = find_binaries()
    if isinstance(binaries, str):
        yield binaries
        return
    plane = LocalControlPlane(binaries, state)
    try:
        plane.start_etcd()
        server = plane.start_apiserver(emulated)
        server.wait_ready()
        kubeconfig = write_kubeconfig(server, state / "kubeconfig")
        yield Plane(plane, server, kubeconfig, Kube(server))
    finally:
        plane.stop()


class Kube:
    """Just enough of the API for tests: create, replace, delete, list."""

    def __init__(self, server: ApiServer) -> None:
        self.server = server

    def call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Reply:
        data = json.dumps(body).encode() if body is not None else None
        return self.server.request(method, path, data)

    def ok(self, method: str, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        reply = self.call(method, path, body)
        if not 200 <= reply.status < 300:
            raise ApiError(f"{method} {path}: HTTP {reply.status} {reply.body.get('message')}")
        return reply.body

    def namespace(self, name: str, labels: dict[str, str] | None = None) -> dict[str, Any]:
        """A namespace with its `default` ServiceAccount (made by a controller manager in a
        real cluster; the ServiceAccount admission plugin wants it for every pod)."""
        meta = {"name": name, "labels": labels or {}}
        created = self.ok("POST", "/api/v1/namespaces", {"metadata": meta})
        account = {"metadata": {"name": "default", "namespace": name}}
        self.ok("POST", f"/api/v1/namespaces/{name}/serviceaccounts", account)
        return created

    def node(self, name: str) -> dict[str, Any]:
        return self.ok("POST", "/api/v1/nodes", {"metadata": {"name": name}})

    def pod(
        self,
        namespace: str,
        name: str,
        *,
        node: str,
        ip: str,
        labels: dict[str, str] | None = None,
        ports: list[dict[str, Any]] | None = None,
    ) -> dict[str, Any]:
        """A running pod on `node` with address `ip` (status written like a kubelet)."""
        container = {"name": "main", "image": "registry.invalid/pause", "ports": ports or []}
        body = {
            "metadata": {"name": name, "namespace": namespace, "labels": labels or {}},
            "spec": {"nodeName": node, "containers": [container]},
        }
        created = self.ok("POST", f"/api/v1/namespaces/{namespace}/pods", body)
        created["status"] = {"phase": "Running", "podIP": ip, "podIPs": [{"ip": ip}]}
        path = f"/api/v1/namespaces/{namespace}/pods/{name}/status"
        return self.ok("PUT", path, created)

    def relabel_pod(self, namespace: str, name: str, labels: dict[str, str]) -> dict[str, Any]:
        path = f"/api/v1/namespaces/{namespace}/pods/{name}"
        pod = self.ok("GET", path)
        pod["metadata"]["labels"] = labels
        return self.ok("PUT", path, pod)

    def delete_pod(self, namespace: str, name: str) -> dict[str, Any]:
        """Delete at once (`gracePeriodSeconds=0`: there is no kubelet to finish it)."""
        return self.ok("DELETE", f"/api/v1/namespaces/{namespace}/pods/{name}?gracePeriodSeconds=0")

    def apply_policy(self, body: dict[str, Any]) -> dict[str, Any]:
        """Create or replace a NetworkPolicy (like `kubectl apply`); the stored object."""
        meta = body["metadata"]
        base = f"/apis/networking.k8s.io/v1/namespaces/{meta['namespace']}/networkpolicies"
        current = self.call("GET", f"{base}/{meta['name']}")
        if current.status == 404:
            return self.ok("POST", base, body)
        replaced = {
            **body,
            "metadata": {**meta, "resourceVersion": current.body["metadata"]["resourceVersion"]},
        }
        return self.ok("PUT", f"{base}/{meta['name']}", replaced)

    def delete_policy(self, namespace: str, name: str) -> dict[str, Any]:
        path = f"/apis/networking.k8s.io/v1/namespaces/{namespace}/networkpolicies/{name}"
        return self.ok("DELETE", path)

    def events(self, namespace: str) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = self.ok("GET", f"/api/v1/namespaces/{namespace}/events")[
            "items"
        ]
        return items

"""The agent against a real kube-apiserver (no root: the ruleset is computed, not applied):
list, watch, bookmarks, 410 -> list again, Events, `--once --dry-run`, and an API server
restarted under a running agent."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
import yaml
from tests.support.kube import Plane

from podfence.kube.client import connect
from podfence.kube.events import EventReport, KubeEvents
from podfence.kube.watch import (
    CLUSTER_NETWORK_POLICIES,
    WATCHED,
    Backoff,
    Bookmarked,
    Broken,
    Changed,
    Event,
    KubeListWatch,
    Listed,
    NotServed,
    Reflector,
    Watching,
)

from .agentproc import AgentProcess, wait_for

PODS = WATCHED[1]

DB = {
    "apiVersion": "networking.k8s.io/v1",
    "kind": "NetworkPolicy",
    "metadata": {"name": "db", "namespace": "shop"},
    "spec": {
        "podSelector": {"matchLabels": {"app": "db"}},
        "ingress": [
            {"from": [{"podSelector": {"matchLabels": {"app": "web"}}}], "ports": [{"port": 5432}]}
        ],
    },
}
BAD = {
    "apiVersion": "networking.k8s.io/v1",
    "kind": "NetworkPolicy",
    "metadata": {"name": "bad", "namespace": "shop"},
    "spec": {
        "podSelector": {"matchLabels": {"app": "web"}},
        "policyTypes": ["Egress"],
        "egress": [{"to": [{"ipBlock": {"cidr": "10.0.0.1/8"}}]}],
    },
}


@pytest.fixture(scope="module")
def shop(plane: Plane) -> Plane:
    k = plane.kube
    k.namespace("shop", {"team": "a"})
    for node in ("n1", "n2"):
        k.node(node)
    k.pod("shop", "web", node="n1", ip="10.244.1.2", labels={"app": "web"})
    k.pod(
        "shop",
        "db",
        node="n2",
        ip="10.244.2.2",
        labels={"app": "db"},
        ports=[{"containerPort": 5432}],
    )
    k.apply_policy(DB)
    return plane


class Collect:
    def __init__(self) -> None:
        self.events: list[Event] = []
        self.lock = threading.Lock()

    def __call__(self, event: Event) -> None:
        with self.lock:
            self.events.append(event)

    def of(self, kind: type) -> list[Event]:
        with self.lock:
            return [e for e in self.events if isinstance(e, kind)]


def test_the_reflector_lists_then_watches_the_real_server(shop: Plane) -> None:
    api = connect(str(shop.kubeconfig), None)
    seen = Collect()
    reflector = Reflector(KubeListWatch(api), PODS, seen, watch_timeout=5)
    reflector.start()
    try:
        wait_for("the list", lambda: bool(seen.of(Listed)))
        [listed] = seen.of(Listed)
        assert {o["metadata"]["name"] for o in listed.items} >= {"web", "db"}  # type: ignore[attr-defined]
        shop.kube.pod("shop", "extra", node="n2", ip="10.244.2.9", labels={"app": "x"})
        shop.kube.delete_pod("shop", "extra")
        wait_for("the deletion", lambda: any(e.type == "DELETED" for e in seen.of(Changed)))  # type: ignore[attr-defined]
        kinds = [(e.type, e.obj["metadata"]["name"]) for e in seen.of(Changed)]  # type: ignore[attr-defined]
        assert kinds[0] == ("ADDED", "extra") and kinds[-1] == ("DELETED", "extra")
        # kube-apiserver sends a bookmark before it ends a watch; the watch is then resumed
        wait_for("a bookmark", lambda: bool(seen.of(Bookmarked)))
        wait_for("a watch resumed", lambda: len(seen.of(Watching)) >= 2)
    finally:
        reflector.stop()
        api.close()


def test_a_watch_expired_by_an_api_server_restart_gets_410_and_lists_again(shop: Plane) -> None:
    """A restarted API server starts its watch cache at the current revision: resuming a
    watch from an older resourceVersion is answered `410 Gone` (too old resource version),
    and the reflector lists again."""
    api = connect(str(shop.kubeconfig), None)
    seen = Collect()
    reflector = Reflector(KubeListWatch(api), PODS, seen, backoff=Backoff(initial=0.1, cap=1.0))
    reflector.start()
    try:
        wait_for("the first list", lambda: len(seen.of(Listed)) == 1)
        shop.kube.namespace("bump")  # the revision moves past the reflector's
        shop.server.stop()
        shop.server.restart()
        shop.server.wait_ready()
        wait_for("a second list", lambda: len(seen.of(Listed)) == 2)
        expired = [e for e in seen.of(Broken) if e.reason == "expired"]  # type: ignore[attr-defined]
        assert expired and "too old resource version" in expired[0].message  # type: ignore[attr-defined]
    finally:
        reflector.stop()
        api.close()


def test_a_crd_that_is_not_installed_is_not_served(shop: Plane) -> None:
    api = connect(str(shop.kubeconfig), None)
    seen = Collect()
    reflector = Reflector(KubeListWatch(api), CLUSTER_NETWORK_POLICIES, seen, recheck=60)
    reflector.start()
    try:
        wait_for("not served", lambda: bool(seen.of(NotServed)))
    finally:
        reflector.stop()
        api.close()


def test_an_event_about_a_rejected_policy_reaches_the_server(shop: Plane) -> None:
    stored = shop.kube.apply_policy(BAD)
    api = connect(str(shop.kubeconfig), None)
    recorder = KubeEvents(api, component="podfence-agent", host="n1")
    meta = stored["metadata"]
    report = EventReport(
        "NetworkPolicy",
        "networking.k8s.io/v1",
        "shop",
        "bad",
        meta["uid"],
        meta["resourceVersion"],
        "PolicyRejected",
        "why",
    )
    recorder.warning(report)
    recorder.warning(report)  # the same report again: one event (409 ignored)
    try:
        wait_for("the event", lambda: recorder.created == 1)
        recorder.close()
        found = [e for e in shop.kube.events("shop") if e["reason"] == "PolicyRejected"]
        assert len(found) == 1 and recorder.failed == 0
        event = found[0]
        assert event["involvedObject"]["uid"] == meta["uid"] and event["type"] == "Warning"
        assert event["source"] == {"component": "podfence-agent", "host": "n1"}
    finally:
        shop.kube.delete_policy("shop", "bad")
        api.close()


def _once(plane: Plane, node: str) -> subprocess.CompletedProcess[str]:
    argv = [sys.executable, "-m", "podfence", "agent", "--node", node, "--once", "--dry-run"]
    argv += ["--kubeconfig", str(plane.kubeconfig)]
    return subprocess.run(argv, capture_output=True, text=True, env=dict(os.environ), timeout=120)


def test_once_dry_run_prints_the_nodes_ruleset(shop: Plane) -> None:
    done = _once(shop, "n2")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("# Generated by podfence")
    assert "# node n2: 1 pod(s) of the node" in done.stdout
    assert "10.244.2.2 : jump ingress-shop" in done.stdout  # the local db pod, isolated
    assert 'comment "shop/db ingress[0].from[0]"' in done.stdout
    web_node = _once(shop, "n1").stdout
    assert "ingress-shop" not in web_node  # web's node judges none of db's ingress


def test_an_api_server_restart_keeps_the_ruleset_reports_not_ready_and_relists(
    shop: Plane, tmp_path: Path
) -> None:
    agent = AgentProcess("n2", shop.kubeconfig, tmp_path / "agent.log", dry_run=True)
    agent.extra = ("--watch-timeout", "30")
    agent.start()
    try:
        wait_for("ready", agent.ready)
        rules = agent.status()["rules"]
        shop.server.stop()
        wait_for("not ready while the API server is down", lambda: not agent.ready())
        assert agent.status()["rules"] == rules  # what is in force stays
        assert "disconnected" in agent.get("/readyz")[1]
        shop.server.restart()
        shop.server.wait_ready()
        wait_for("ready again", agent.ready)
        stored = shop.kube.apply_policy({**DB, "spec": {**DB["spec"], "ingress": [{}]}})
        agent.wait_applied("networkpolicies", int(stored["metadata"]["resourceVersion"]))
        assert (
            agent.metric("podfence_agent_watch_restarts_total", resource="pods", reason="expired")
            >= 1
        )
        assert agent.metric("podfence_agent_relists_total", resource="pods") >= 2
    finally:
        agent.stop()
        shop.kube.apply_policy(DB)


CRDS = Path(__file__).resolve().parents[3] / "shared" / "k8s" / "crds"


def test_cluster_network_policies_are_watched_once_served_and_enforced(
    shop: Plane,
) -> None:
    crd_file = CRDS / "standard-clusternetworkpolicies.yaml"
    if not crd_file.is_file():
        pytest.skip(f"no ClusterNetworkPolicy CRD at {crd_file}")
    crd = yaml.safe_load(crd_file.read_text())
    crd.pop("status", None)
    shop.kube.ok("POST", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", crd)
    collection = "/apis/policy.networking.k8s.io/v1alpha2/clusternetworkpolicies"
    wait_for("the CRD to be served", lambda: shop.kube.call("GET", collection).status == 200)
    cnp = {
        "apiVersion": "policy.networking.k8s.io/v1alpha2",
        "kind": "ClusterNetworkPolicy",
        "metadata": {"name": "admin-deny"},
        "spec": {
            "tier": "Admin",
            "priority": 10,
            "subject": {"namespaces": {}},
            "ingress": [{"action": "Deny", "from": [{"namespaces": {}}]}],
        },
    }
    shop.kube.ok("POST", collection, cnp)
    done = _once(shop, "n2")
    assert done.returncode == 0, done.stderr
    assert (
        "# 1 ClusterNetworkPolicy object(s) seen: 1 enforced (Admin and Baseline tiers), "
        "0 rejected (fail closed)" in done.stdout
    )
    assert "ClusterNetworkPolicies enforced (Admin and Baseline tiers)" in done.stderr

"""Store -> snapshot: the pods of the node, finished pods left out, and failing closed on
every object podfence rejects (policies, pods, namespaces)."""

from __future__ import annotations

import ipaddress

from podfence.agent.objects import ObjectCache
from podfence.agent.snapshot import build_snapshot, quarantine_policy
from podfence.agent.store import Store
from podfence.kube.watch import (
    CLUSTER_NETWORK_POLICIES,
    WATCHED,
    Bookmarked,
    Broken,
    Changed,
    Listed,
    NotServed,
    Watching,
)
from podfence.load import LoadOptions
from podfence.model import Direction, LabelSelector

from .fakes import namespace, node, pod, policy

BAD_CIDR = {"to": [{"ipBlock": {"cidr": "10.0.0.1/8"}}]}


def _store(pods: list[dict], policies: list[dict], namespaces: list[dict] | None = None) -> Store:
    store = Store((*WATCHED, CLUSTER_NETWORK_POLICIES))
    store.apply(
        Listed("namespaces", tuple(namespaces or [namespace("shop"), namespace("ops")]), "1")
    )
    store.apply(Listed("pods", tuple(pods), "1"))
    store.apply(Listed("nodes", (node("n1"), node("n2")), "1"))
    store.apply(Listed("networkpolicies", tuple(policies), "1"))
    store.apply(NotServed("clusternetworkpolicies"))
    return store


def _ips(*texts: str) -> frozenset[ipaddress.IPv4Address | ipaddress.IPv6Address]:
    return frozenset(ipaddress.ip_address(t) for t in texts)


PODS = [
    pod("shop", "web", node="n1", ip="10.0.1.1", app="web"),
    pod("shop", "db", node="n1", ip="10.0.1.2", app="db"),
    pod("shop", "far", node="n2", ip="10.0.2.1", app="db"),
    pod("ops", "job", node="n1", ip="10.0.1.3", phase="Succeeded", app="job"),
    pod("ops", "new", node="n1", ip=None, phase="Pending", app="new"),
]


def test_the_node_pods_are_the_valid_running_ones_with_this_node_name() -> None:
    snap = build_snapshot(_store(PODS, []), ObjectCache(LoadOptions()), "n1")
    assert [ep.id for ep in snap.local] == ["ops/new", "shop/db", "shop/web"]
    assert [ep.id for ep in snap.cluster.endpoints] == [
        "ops/new",
        "shop/db",
        "shop/far",
        "shop/web",
    ]
    assert not snap.quarantine and not snap.rejected and snap.node_known
    assert build_snapshot(_store(PODS, []), ObjectCache(LoadOptions()), "n9").node_known is False


def test_a_rejected_policy_quarantines_the_local_pods_it_selects_in_its_directions() -> None:
    bad = policy(
        "shop",
        "bad",
        {
            "podSelector": {"matchLabels": {"app": "db"}},
            "policyTypes": ["Egress"],
            "egress": [BAD_CIDR],
        },
    )
    snap = build_snapshot(_store(PODS, [bad]), ObjectCache(LoadOptions()), "n1")
    assert [r.key for r in snap.rejected] == ["shop/bad"]
    assert snap.cluster.policies == ()  # not enforced as written
    assert snap.quarantine.addresses[Direction.EGRESS] == _ips("10.0.1.2")
    assert snap.quarantine.addresses[Direction.INGRESS] == frozenset()
    assert snap.quarantine.reasons == ("NetworkPolicy shop/bad rejected: its pods are isolated",)


def test_an_unusable_pod_selector_quarantines_the_whole_namespace_both_ways() -> None:
    bad = policy(
        "shop", "bad", {"podSelector": {"matchLabels": {"app": "-x-"}}, "policyTypes": ["Bogus"]}
    )
    snap = build_snapshot(_store(PODS, [bad]), ObjectCache(LoadOptions()), "n1")
    stand_in = quarantine_policy(snap.rejected[0])
    assert stand_in.pod_selector == LabelSelector()
    assert stand_in.policy_types == frozenset(Direction)
    for d in Direction:
        assert snap.quarantine.addresses[d] == _ips("10.0.1.1", "10.0.1.2")


def test_a_rejected_local_pod_is_quarantined_and_a_remote_one_left_out() -> None:
    bad_port = [{"containerPort": 0}]
    pods = [
        pod("shop", "web", node="n1", ip="10.0.1.1", ports=bad_port, app="web"),
        pod("shop", "far", node="n2", ip="10.0.2.1", ports=bad_port, app="db"),
    ]
    snap = build_snapshot(_store(pods, []), ObjectCache(LoadOptions()), "n1")
    assert {r.key for r in snap.rejected} == {"shop/web", "shop/far"}
    assert snap.cluster.endpoints == ()
    for d in Direction:
        assert snap.quarantine.addresses[d] == _ips("10.0.1.1")


def test_pods_of_a_rejected_namespace_are_left_out() -> None:
    namespaces = [namespace("shop", **{"bad key!": "x"}), namespace("ops")]
    pods = [pod("shop", "web", node="n1", ip="10.0.1.1"), pod("ops", "a", node="n1", ip="10.0.1.9")]
    snap = build_snapshot(_store(pods, [], namespaces), ObjectCache(LoadOptions()), "n1")
    assert [ep.id for ep in snap.cluster.endpoints] == ["ops/a"]
    assert "shop" not in {ns.name for ns in snap.cluster.namespaces}
    assert snap.quarantine.addresses[Direction.INGRESS] == _ips("10.0.1.1")


def _cnp(name: str, spec: dict) -> dict:
    return {"metadata": {"name": name, "resourceVersion": "3"}, "spec": spec}


GUARD = {
    "tier": "Admin",
    "priority": 10,
    "subject": {"namespaces": {}},
    "ingress": [{"action": "Deny", "from": [{"namespaces": {"matchLabels": {"team": "ops"}}}]}],
}


def test_cluster_network_policies_are_enforced() -> None:
    store = _store(PODS, [])
    store.apply(Listed("clusternetworkpolicies", (_cnp("guard", GUARD),), "3"))
    snap = build_snapshot(store, ObjectCache(LoadOptions()), "n1")
    assert snap.cluster_network_policies == 1
    assert [p.name for p in snap.cluster.cluster_policies] == ["guard"]
    assert [n.name for n in snap.cluster.nodes] == ["n1", "n2"]
    assert not snap.quarantine


def test_a_cluster_network_policy_podfence_rejects_fails_closed_on_its_subjects() -> None:
    """Its subject's local pods get no new connection in the directions it has rules for
    (whatever its action: no guess is made in favour of traffic)."""
    bad_action = {
        **GUARD,
        "subject": {
            "pods": {"namespaceSelector": {}, "podSelector": {"matchLabels": {"app": "db"}}}
        },
        "ingress": [{"action": "Maybe", "from": [{"namespaces": {}}]}],
    }
    store = _store(PODS, [])
    store.apply(Listed("clusternetworkpolicies", (_cnp("odd", bad_action),), "3"))
    snap = build_snapshot(store, ObjectCache(LoadOptions()), "n1")
    assert [r.key for r in snap.rejected] == ["odd"]
    assert snap.cluster.cluster_policies == ()
    assert snap.quarantine.addresses[Direction.INGRESS] == _ips("10.0.1.2")  # shop/db, local
    assert snap.quarantine.addresses[Direction.EGRESS] == frozenset()
    assert snap.quarantine.pods == {"ClusterNetworkPolicy odd": ("shop/db",)}


def test_a_rejected_cluster_network_policy_without_a_readable_subject_isolates_every_pod() -> None:
    unreadable = {**GUARD, "subject": {"pods": "everyone"}, "egress": "no"}
    store = _store(PODS, [])
    store.apply(Listed("clusternetworkpolicies", (_cnp("odd", unreadable),), "3"))
    snap = build_snapshot(store, ObjectCache(LoadOptions()), "n1")
    for d in Direction:
        assert snap.quarantine.addresses[d] == _ips("10.0.1.1", "10.0.1.2")


def test_the_store_is_synced_after_every_first_list_and_tracks_connections() -> None:
    store = Store(WATCHED)
    for w in WATCHED[:-1]:
        store.apply(Listed(w.plural, (), "1"))
    assert not store.synced and store.problems() == {"networkpolicies": "not listed yet"}
    store.apply(Listed("networkpolicies", (), "1"))
    assert store.synced and store.connected
    store.apply(Broken("pods", "timeout"))
    assert store.connected  # a watch that timed out is resumed at once
    store.apply(Broken("pods", "error", "connection refused"))
    assert not store.connected and store.problems() == {"pods": "error: connection refused"}
    store.apply(Watching("pods", "1"))
    assert store.connected
    web = pod("shop", "web", node="n1", ip="10.0.1.1", rv="5")
    assert store.apply(Changed("pods", "ADDED", web, "5"))
    assert not store.apply(Bookmarked("pods", "9")) and store.versions()["pods"] == "9"
    assert store.apply(Changed("pods", "DELETED", web, "10"))
    assert not store.apply(Changed("pods", "DELETED", web, "11"))
    assert not store.apply(Listed("pods", (), "12"))  # a relist that changes nothing


NODE_DENY = {
    "tier": "Admin",
    "priority": 5,
    "subject": {"pods": {"namespaceSelector": {}, "podSelector": {"matchLabels": {"app": "db"}}}},
    "egress": [{"action": "Deny", "to": [{"nodes": {}}]}],
}
NODE_ACCEPT = {
    "tier": "Admin",
    "priority": 6,
    "subject": {"namespaces": {}},
    "egress": [{"action": "Accept", "to": [{"nodes": {}}]}],
}


def test_a_rejected_node_fails_closed_where_a_deny_on_nodes_would_miss_it() -> None:
    """A rejected Node is left out, so a `nodes` peer misses its addresses: harmless for an
    Accept (it allows less), not for a Deny (it would let through what it stops). While a
    Node is rejected, the CNPs denying on `nodes` isolate their subjects' local pods in that
    direction; a CNP that only accepts on `nodes` does not."""
    bad = {"metadata": {"name": "n3", "resourceVersion": "1", "labels": {"bad key!": "x"}}}
    for nodes, quarantined in (((node("n1"), node("n2")), False), ((node("n1"), bad), True)):
        store = _store(PODS, [])
        store.apply(Listed("nodes", nodes, "2"))
        store.apply(
            Listed(
                "clusternetworkpolicies",
                (_cnp("deny-nodes", NODE_DENY), _cnp("accept-nodes", NODE_ACCEPT)),
                "3",
            )
        )
        snap = build_snapshot(store, ObjectCache(LoadOptions()), "n1")
        assert [p.name for p in snap.cluster.cluster_policies] == ["accept-nodes", "deny-nodes"]
        if not quarantined:
            assert not snap.quarantine and not snap.rejected
            continue
        assert [r.key for r in snap.rejected] == ["n3"]
        assert snap.quarantine.addresses[Direction.EGRESS] == _ips("10.0.1.2")  # shop/db
        assert snap.quarantine.addresses[Direction.INGRESS] == frozenset()
        assert snap.quarantine.pods == {"ClusterNetworkPolicy deny-nodes": ("shop/db",)}
        assert any("Node n3 is rejected" in r for r in snap.quarantine.reasons)

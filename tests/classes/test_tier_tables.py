"""The class-specific pieces of the tiers, as tables: what a signature holds of the CNPs,
where CNP ports cut the atoms, which classes share a profile, and small clusters whose
answer is known (each also checked against the per-pair engine).

Upstream: kubernetes-sigs/network-policy-api apis/v1alpha2 (`networks` "cluster-internal
traffic will be checked against the rule as well"; `nodes` selects Nodes' addresses;
"host-networked pods are not included in subject selection"; a domainNames peer matches a
destination by its DNS name, and podfence does not model pod DNS records).
"""

from __future__ import annotations

import ipaddress

import pytest

from classes.test_tiers import assert_tiers_agree
from podfence.engine import Engine
from podfence.engine.classes import ClassEngine
from podfence.model import (
    NAME_LABEL,
    Action,
    Cluster,
    ClusterNetworkPolicy,
    ClusterRule,
    Connection,
    Direction,
    DomainNamesPeer,
    Endpoint,
    LabelSelector,
    Namespace,
    NamespacesPeer,
    NamespacesSubject,
    NetworkPolicy,
    NetworksPeer,
    Node,
    NodeAddress,
    NodesPeer,
    PortRangeMatch,
    Protocol,
    Tier,
    frozen_labels,
    parse_ip,
)

TCP = Protocol.TCP
EVERY = LabelSelector()
NS = tuple(Namespace(n, frozen_labels({NAME_LABEL: n})) for n in ("a", "b"))
NODE = Node(
    "node-0",
    frozen_labels({"zone": "x"}),
    (NodeAddress("InternalIP", "192.168.0.1"), NodeAddress("InternalIP", "fd00:ff::1")),
)


def _cnp(
    name: str, tier: Tier, priority: int, **rules: tuple[ClusterRule, ...]
) -> ClusterNetworkPolicy:
    return ClusterNetworkPolicy(name, tier, priority, NamespacesSubject(EVERY), **rules)


def _ep(ident: str, *ips: str, host: bool = False, node: str | None = None) -> Endpoint:
    ns, name = ident.split("/")
    return Endpoint(
        ns, name, ips=tuple(parse_ip(i) for i in ips), host_network=host, node_name=node
    )


def _signature(engine: ClassEngine, ident: str):  # type: ignore[no-untyped-def]
    return engine.state.signatures[engine.class_by_id[ident]]


def test_a_signature_holds_networks_and_nodes_peers_per_family() -> None:
    """A dual-stack pod in an IPv4 network matches it over IPv4 and by name, not over IPv6;
    a hostNetwork pod without an address on a selected Node matches a `nodes` peer by its
    node name (in the families the Node has)."""
    net = NetworksPeer((ipaddress.ip_network("10.0.0.0/24"),))
    nodes = NodesPeer(LabelSelector(frozen_labels({"zone": "x"})))
    deny = _cnp("deny", Tier.ADMIN, 1, egress=(ClusterRule(Action.DENY, (net, nodes)),))
    eps = (
        _ep("a/dual", "10.0.0.1", "fd00::1"),
        _ep("a/v6", "fd00::2"),
        _ep("a/host", host=True, node="node-0"),
    )
    cluster = Cluster(NS, eps, (), nodes=(NODE,), cluster_policies=(deny,))
    engine = ClassEngine(cluster)
    dual, v6, host = (_signature(engine, e.id) for e in eps)
    assert (dual.v4_addresses, dual.v6_addresses, dual.any_addresses) == ({0}, set(), {0})
    assert (v6.v4_addresses, v6.v6_addresses, v6.any_addresses) == (set(), set(), set())
    assert (host.v4_addresses, host.v6_addresses, host.any_addresses) == ({1}, {1}, {1})
    assert host.pod_peers == frozenset()  # never a subject nor a pod peer
    assert_tiers_agree(cluster, engine)


def test_cnp_ports_cut_the_atoms() -> None:
    rule = ClusterRule(Action.DENY, (NamespacesPeer(EVERY),), (PortRangeMatch(TCP, 8000, 8080),))
    cluster = Cluster(NS, (_ep("a/x"), _ep("b/y")), (), cluster_policies=(
        _cnp("ports", Tier.ADMIN, 1, ingress=(rule,)),))  # fmt: skip
    engine = ClassEngine(cluster)
    assert engine.atoms.starts[TCP] == (1, 8000, 8081)
    x, y = cluster.endpoints
    assert [engine.allowed(x, y, p, TCP) for p in (7999, 8000, 8080, 8081)] == [
        True, False, False, True,
    ]  # fmt: skip
    assert_tiers_agree(cluster, engine)


def test_classes_share_a_profile_and_isolation_drops_baseline() -> None:
    """Two namespaces selected alike share one ingress profile; a pod a NetworkPolicy
    isolates is in another (Baseline is not consulted for it)."""
    base = _cnp(
        "base", Tier.BASELINE, 1, ingress=(ClusterRule(Action.DENY, (NamespacesPeer(EVERY),)),)
    )
    iso = NetworkPolicy("b", "iso", LabelSelector(frozen_labels({"app": "db"})),
                        frozenset({Direction.INGRESS}))  # fmt: skip
    db = Endpoint("b", "db", labels=frozen_labels({"app": "db"}))
    cluster = Cluster(NS, (_ep("a/x"), _ep("b/y"), db), (iso,), cluster_policies=(base,))
    engine = ClassEngine(cluster)
    reach = engine.state.views.main
    assert reach.tiers is not None
    sides = reach.tiers._sides_of(reach)
    codes = sides[Direction.INGRESS].codes
    by = engine.class_by_id
    assert codes[by["a/x"]] == codes[by["b/y"]] == 0
    assert codes[by["b/db"]] == 1  # no profile: isolated, and no Admin CNP
    assert_tiers_agree(cluster, engine)


@pytest.mark.parametrize(
    ("admin", "baseline", "allowed"),
    [
        (Action.ACCEPT, Action.DENY, True),  # Admin Accept is final
        (Action.PASS, Action.DENY, False),  # Pass goes on to Baseline, which denies
        (Action.PASS, Action.ACCEPT, True),
        (Action.DENY, Action.ACCEPT, False),
        (Action.PASS, Action.PASS, True),  # a Baseline Pass: the default allows
    ],
)
def test_the_tier_walk_between_two_pods(admin: Action, baseline: Action, allowed: bool) -> None:
    rule = lambda action: (ClusterRule(action, (NamespacesPeer(EVERY),)),)  # noqa: E731
    cluster = Cluster(NS, (_ep("a/x"), _ep("b/y")), (), cluster_policies=(
        _cnp("admin", Tier.ADMIN, 1, ingress=rule(admin)),
        _cnp("baseline", Tier.BASELINE, 1, ingress=rule(baseline)),
    ))  # fmt: skip
    x, y = cluster.endpoints
    assert ClassEngine(cluster).allowed(x, y, 80, TCP) is allowed
    assert Engine(cluster).allowed(Connection(x, y, 80, TCP)) is allowed


def test_equal_priorities_that_disagree_deny() -> None:
    """Accept and Deny at one priority: either may apply upstream, so it is denied."""
    peers = (NamespacesPeer(EVERY),)
    cluster = Cluster(NS, (_ep("a/x"), _ep("b/y")), (), cluster_policies=(
        _cnp("a-accept", Tier.ADMIN, 3, ingress=(ClusterRule(Action.ACCEPT, peers),)),
        _cnp("b-deny", Tier.ADMIN, 3, ingress=(ClusterRule(Action.DENY, peers),)),
    ))  # fmt: skip
    x, y = cluster.endpoints
    assert not ClassEngine(cluster).allowed(x, y, 80, TCP)
    assert_tiers_agree(cluster)


def test_a_domain_names_peer_matches_no_pod() -> None:
    """An Admin Accept to `*.example.com` does not cover a pod; Baseline then denies."""
    accept = ClusterRule(Action.ACCEPT, (DomainNamesPeer(("*.example.com",)),))
    deny = ClusterRule(Action.DENY, (NamespacesPeer(EVERY),))
    cluster = Cluster(NS, (_ep("a/x", "10.0.0.1"), _ep("b/y", "10.0.0.2")), (), cluster_policies=(
        _cnp("names", Tier.ADMIN, 1, egress=(accept,)),
        _cnp("base", Tier.BASELINE, 1, egress=(deny,)),
    ))  # fmt: skip
    x, y = cluster.endpoints
    assert not ClassEngine(cluster).allowed(x, y, 443, TCP)
    assert_tiers_agree(cluster)

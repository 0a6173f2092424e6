"""Each rule: a true positive and a near miss that must not fire (DNS and redundancy have
their own modules)."""

from __future__ import annotations

import pytest

from podfence.analysis.lint import Level

from .helpers import (
    Obj,
    allow_dns,
    both,
    coredns,
    findings,
    load,
    namespaces_of,
    ns,
    pod,
    pods_of,
    policy,
    port,
)

# -- PF001 open-namespace --------------------------------------------------------------


def test_open_namespace_names_only_the_unisolated_pods() -> None:
    cluster = load(
        ns("shop"),
        pod("shop", "web"),
        pod("shop", "db"),
        policy("shop", "db", {"app": "db"}, ["Ingress"]),
    )
    found = findings(cluster, "PF001")
    ingress = [f for f in found if "ingress" in f.message]
    assert len(ingress) == 1
    assert ingress[0].message.startswith("no ingress isolation: 1 of 2 pods")
    assert ingress[0].consequence.startswith("shop/web can be reached")
    assert len([f for f in found if "egress" in f.message]) == 1


def test_open_namespace_near_miss_fully_isolated_namespace() -> None:
    cluster = load(ns("shop"), pod("shop", "web"), policy("shop", "deny"))
    assert not findings(cluster, "PF001")


def test_open_namespace_skips_system_namespaces_and_host_network_pods() -> None:
    cluster = load(
        *coredns(),
        ns("shop"),
        pod("shop", "agent", host_network=True),
    )
    assert not findings(cluster, "PF001")


def test_open_namespace_without_namespace_object_points_at_first_object() -> None:
    cluster = load(pod("shop", "web"), name="web.yaml")
    found = findings(cluster, "PF001")
    assert {(f.obj, f.file, f.line) for f in found} == {("Namespace shop", "web.yaml", 1)}


# -- PF003 unmatched-namespace-selector ------------------------------------------------


def _monitoring(labels: dict[str, str] | None, selector: Obj) -> list[Obj]:
    return [
        ns("monitoring", labels),
        ns("secure"),
        pod("monitoring", "prometheus"),
        pod("secure", "db"),
        policy("secure", "allow", {"app": "db"}, ["Ingress"], ingress=[{"from": [selector]}]),
    ]


def test_namespace_selector_without_the_label_suggests_kubectl_label() -> None:
    found = findings(load(*_monitoring(None, namespaces_of(name="monitoring"))), "PF003")
    assert len(found) == 1
    assert found[0].level is Level.ERROR
    assert "kubectl label namespace monitoring name=monitoring" in found[0].fix


def test_namespace_selector_matching_no_named_namespace_is_a_warning() -> None:
    found = findings(load(*_monitoring(None, namespaces_of(team="ops"))), "PF003")
    assert len(found) == 1
    assert found[0].level is Level.WARNING
    assert "no namespace in the input has the labels team=ops" in found[0].consequence


def test_namespace_selector_near_miss_by_metadata_name() -> None:
    selector = namespaces_of(**{"kubernetes.io/metadata.name": "monitoring"})
    assert not findings(load(*_monitoring(None, selector)), "PF003")


def test_namespace_selector_near_miss_label_present() -> None:
    selector = namespaces_of(name="monitoring")
    cluster = load(*_monitoring({"name": "monitoring"}, selector))
    assert not findings(cluster, "PF003")


def test_namespace_selector_in_expression_hint() -> None:
    selector = {
        "namespaceSelector": {
            "matchExpressions": [{"key": "name", "operator": "In", "values": ["monitoring"]}]
        }
    }
    found = findings(load(*_monitoring(None, selector)), "PF003")
    assert len(found) == 1
    assert "kubectl label namespace monitoring name=monitoring" in found[0].fix


def _allow_dns_only(peer: Obj) -> list[Obj]:
    """An application namespace with the allow-DNS recipe, kube-system not in the input (as
    in most application repositories)."""
    return [
        ns("shop"),
        pod("shop", "web"),
        policy(
            "shop",
            "allow-dns",
            types=["Egress"],
            egress=[{"to": [peer], "ports": [port(53, "UDP"), port(53, "TCP")]}],
        ),
    ]


@pytest.mark.parametrize("system", ["kube-system", "kube-public", "kube-node-lease", "default"])
def test_well_known_namespace_by_name_exists_without_being_in_the_input(system: str) -> None:
    # the canonical allow-DNS rule: kube-system exists in every cluster, with its name label
    peer = both({"k8s-app": "kube-dns"}, {"kubernetes.io/metadata.name": system})
    assert not findings(load(*_allow_dns_only(peer)), "PF003")


def test_well_known_namespace_by_a_custom_label_is_unknown_not_missing() -> None:
    # the old recipe `name: kube-system` works only where someone labelled kube-system
    found = findings(load(*_allow_dns_only(namespaces_of(name="kube-system"))), "PF003")
    assert len(found) == 1
    f = found[0]
    assert f.level is Level.WARNING
    assert "exists but has no label" not in f.consequence
    assert f.consequence == (
        "the peer allows nothing unless kube-system carries name=kube-system: namespace "
        "kube-system exists in every cluster but the input does not define it, so its labels "
        "beyond kubernetes.io/metadata.name are unknown (a namespace has only "
        "kubernetes.io/metadata.name unless someone labels it)"
    )
    assert "namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: kube-system}}" in f.fix
    assert "kubectl label namespace kube-system name=kube-system" in f.fix


def test_well_known_namespace_defined_in_the_input_has_known_labels() -> None:
    objs = [*_allow_dns_only(namespaces_of(name="kube-system")), ns("kube-system")]
    found = findings(load(*objs), "PF003")
    assert [f.level for f in found] == [Level.ERROR]
    assert "namespace kube-system exists but has no label name=kube-system" in found[0].consequence


def test_inferred_namespace_has_unknown_labels() -> None:
    # `monitoring` appears only as the namespace of a policy: the input says nothing of its
    # labels, so podfence must not claim that it lacks one
    objs = [
        ns("shop"),
        pod("shop", "web"),
        policy(
            "shop",
            "p",
            {"app": "web"},
            ["Ingress"],
            ingress=[{"from": [namespaces_of(name="monitoring")]}],
        ),
        policy("monitoring", "deny", types=["Ingress"]),
    ]
    found = findings(load(*objs), "PF003")
    assert len(found) == 1
    f = found[0]
    assert f.level is Level.WARNING
    assert "exists but has no label" not in f.consequence
    assert (
        "namespace monitoring is not defined in the input, so its labels are unknown"
        in f.consequence
    )
    assert f.consequence.startswith(
        "the peer allows nothing unless monitoring carries name=monitoring"
    )


def test_unknown_labels_of_inferred_namespaces_are_said_when_nothing_is_named() -> None:
    objs = [
        ns("shop"),
        pod("shop", "web"),
        policy(
            "shop",
            "p",
            {"app": "web"},
            ["Ingress"],
            ingress=[{"from": [namespaces_of(team="sre")]}],
        ),
        policy("ops", "deny", types=["Ingress"]),
    ]
    (f,) = findings(load(*objs), "PF003")
    assert f.consequence.endswith("; the labels of ops are unknown (not defined in the input)")


@pytest.mark.parametrize(
    ("expressions", "arguments"),
    [
        ([{"key": "team", "operator": "In", "values": ["ops", "sre"]}], "team=ops"),
        ([{"key": "team", "operator": "Exists"}], "team=VALUE"),
        (
            [
                {"key": "team", "operator": "In", "values": ["ops"]},
                {"key": "tier", "operator": "NotIn", "values": ["dev"]},
            ],
            "team=ops",
        ),
    ],
)
def test_fix_for_a_match_expressions_selector_names_the_label(
    expressions: list[Obj], arguments: str
) -> None:
    selector = {"namespaceSelector": {"matchExpressions": expressions}}
    (f,) = findings(load(*_monitoring(None, selector)), "PF003")
    assert f"kubectl label namespace NAME {arguments})" in f.fix
    assert "kubectl label namespace NAME )" not in f.fix


# -- PF004 pod-selector-wrong-namespace ------------------------------------------------


def test_pod_selector_matching_only_other_namespaces() -> None:
    objs = _monitoring(None, pods_of(app="prometheus"))
    found = findings(load(*objs), "PF004")
    assert len(found) == 1
    f = found[0]
    assert f.field == "spec.ingress[0].from[0].podSelector"
    assert "monitoring/prometheus cannot reach secure/db" in f.consequence
    assert "namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: monitoring}}" in f.fix
    assert not findings(load(*objs), "PF007")  # not reported twice


def test_pod_selector_near_miss_same_labels_in_own_namespace() -> None:
    objs = _monitoring(None, pods_of(app="prometheus"))
    objs.append(pod("secure", "prometheus"))
    assert not findings(load(*objs), "PF004")


def test_pod_selector_near_miss_with_namespace_selector() -> None:
    peer = both({"app": "prometheus"}, {"kubernetes.io/metadata.name": "monitoring"})
    assert not findings(load(*_monitoring(None, peer)), "PF004")


# -- PF005 split-and -------------------------------------------------------------------


def _and_or(peers: list[Obj], extra: list[Obj] | None = None) -> list[Obj]:
    return [
        ns("default"),
        ns("monitoring", {"team": "obs"}),
        pod("default", "backend"),
        pod("default", "frontend"),
        pod("monitoring", "frontend"),
        *(extra if extra is not None else [pod("monitoring", "prometheus")]),
        policy("default", "p", {"app": "backend"}, ["Ingress"], ingress=[{"from": peers}]),
    ]


def test_split_and_fires_when_or_admits_more() -> None:
    found = findings(load(*_and_or([pods_of(app="frontend"), namespaces_of(team="obs")])), "PF005")
    assert len(found) == 1
    assert "including monitoring/prometheus" in found[0].consequence


def test_split_and_near_miss_when_both_readings_agree() -> None:
    # every pod of monitoring is a frontend: OR and AND admit the same pods there
    cluster = load(*_and_or([pods_of(app="frontend"), namespaces_of(team="obs")], extra=[]))
    assert not findings(cluster, "PF005")


def test_split_and_near_miss_single_item() -> None:
    cluster = load(*_and_or([both({"app": "frontend"}, {"team": "obs"})]))
    assert not findings(cluster, "PF005")


# -- PF006 policy-selects-nothing / PF014 host-network ---------------------------------


def test_policy_selecting_nothing() -> None:
    cluster = load(ns("shop"), pod("shop", "web"), policy("shop", "p", {"app": "wbe"}))
    found = findings(cluster, "PF006")
    assert len(found) == 1
    assert found[0].field == "spec.podSelector"
    assert "app: web" in found[0].fix


def test_policy_selecting_nothing_near_misses() -> None:
    matching = load(ns("shop"), pod("shop", "web"), policy("shop", "p", {"app": "web"}))
    assert not findings(matching, "PF006")
    no_pods_given = load(ns("shop"), policy("shop", "p", {"app": "web"}))
    assert not findings(no_pods_given, "PF006")


def test_host_network_pod_selected() -> None:
    cluster = load(
        ns("shop"),
        pod("shop", "agent", host_network=True),
        pod("shop", "web"),
        policy("shop", "agent", {"app": "agent"}, ["Ingress"]),
    )
    found = findings(cluster, "PF014")
    assert [f.obj for f in found] == ["NetworkPolicy shop/agent"]
    assert "shop/agent uses the node's network" in found[0].consequence
    assert not findings(cluster, "PF006")


def test_host_network_near_miss_regular_pods() -> None:
    cluster = load(ns("shop"), pod("shop", "web"), policy("shop", "web", {"app": "web"}))
    assert not findings(cluster, "PF014")


def test_host_network_under_namespace_wide_policies_reported_once() -> None:
    cluster = load(
        ns("shop"),
        pod("shop", "agent", host_network=True),
        pod("shop", "web"),
        policy("shop", "deny"),
        policy("shop", "deny-again", types=["Ingress"]),
    )
    assert len(findings(cluster, "PF014")) == 1


# -- PF007 peer-matches-nothing --------------------------------------------------------


def test_peer_matching_nothing() -> None:
    cluster = load(
        ns("shop"),
        pod("shop", "web"),
        pod("shop", "api"),
        policy("shop", "p", {"app": "api"}, ["Ingress"], ingress=[{"from": [pods_of(app="wbe")]}]),
    )
    found = findings(cluster, "PF007")
    assert len(found) == 1
    assert found[0].field == "spec.ingress[0].from[0].podSelector"
    assert "app: api, web" in found[0].fix


def test_peer_and_selector_matching_namespace_but_no_pod() -> None:
    peer = both({"app": "grafana"}, {"kubernetes.io/metadata.name": "monitoring"})
    cluster = load(
        ns("monitoring"),
        ns("shop"),
        pod("monitoring", "prometheus"),
        pod("shop", "api"),
        policy("shop", "p", {"app": "api"}, ["Ingress"], ingress=[{"from": [peer]}]),
    )
    assert len(findings(cluster, "PF007")) == 1
    assert not findings(cluster, "PF003")


def test_peer_matching_nothing_near_miss() -> None:
    cluster = load(
        ns("shop"),
        pod("shop", "web"),
        pod("shop", "api"),
        policy("shop", "p", {"app": "api"}, ["Ingress"], ingress=[{"from": [pods_of(app="web")]}]),
    )
    assert not findings(cluster, "PF007")


def test_ip_block_whose_excepts_together_cover_the_cidr() -> None:
    # one `except` equal to or wider than the CIDR is rejected by validation; two halves are not
    block = {"ipBlock": {"cidr": "10.0.0.0/24", "except": ["10.0.0.0/25", "10.0.0.128/25"]}}
    near = {"ipBlock": {"cidr": "10.0.0.0/24", "except": ["10.0.0.0/25", "10.0.0.128/26"]}}
    objs = [ns("shop"), pod("shop", "api")]
    dead = load(
        *objs, policy("shop", "p", {"app": "api"}, ["Ingress"], ingress=[{"from": [block]}])
    )
    live = load(*objs, policy("shop", "p", {"app": "api"}, ["Ingress"], ingress=[{"from": [near]}]))
    assert [f.field for f in findings(dead, "PF007")] == ["spec.ingress[0].from[0].ipBlock"]
    assert not findings(live, "PF007")


# -- PF008 undefined-named-port / PF009 port-not-listening ------------------------------


def _api(ports: list[Obj], declared: list[tuple]) -> list[Obj]:
    return [
        ns("shop"),
        pod("shop", "web"),
        pod("shop", "api", ports=declared),
        policy(
            "shop",
            "p",
            {"app": "api"},
            ["Ingress"],
            ingress=[{"from": [pods_of(app="web")], "ports": ports}],
        ),
    ]


def test_named_port_defined_by_no_destination() -> None:
    found = findings(load(*_api([port("grpc")], [(8080, "TCP", "http")])), "PF008")
    assert [f.field for f in found] == ["spec.ingress[0].ports[0].port"]
    assert found[0].level is Level.ERROR


def test_named_port_defined_for_another_protocol() -> None:
    found = findings(load(*_api([port("dns", "TCP")], [(53, "UDP", "dns")])), "PF008")
    assert len(found) == 1
    assert "it is defined for UDP" in found[0].consequence
    assert "set protocol: UDP" in found[0].fix


def test_named_port_near_miss_defined() -> None:
    assert not findings(load(*_api([port("http")], [(8080, "TCP", "http")])), "PF008")


def test_named_port_egress_destination() -> None:
    cluster = load(
        ns("shop"),
        pod("shop", "web"),
        pod("shop", "db", ports=[(5432, "TCP", "postgres")]),
        policy(
            "shop",
            "web",
            {"app": "web"},
            ["Egress"],
            egress=[{"to": [pods_of(app="db")], "ports": [port("pg")]}],
        ),
    )
    assert len(findings(cluster, "PF008")) == 1


def test_port_not_declared_by_destination() -> None:
    found = findings(load(*_api([port(80)], [(8080, "TCP", "http")])), "PF009")
    assert [f.field for f in found] == ["spec.ingress[0].ports[0]"]
    assert "{protocol: TCP, port: 8080}" in found[0].fix


def test_port_not_declared_near_misses() -> None:
    declared = load(*_api([port(8080)], [(8080, "TCP", "http")]))
    assert not findings(declared, "PF009")
    in_range = load(*_api([{"port": 8000, "endPort": 8100, "protocol": "TCP"}], [(8080, "TCP")]))
    assert not findings(in_range, "PF009")
    nothing_declared = load(*_api([port(80)], []))
    assert not findings(nothing_declared, "PF009")


def test_port_not_declared_skips_egress_to_the_outside() -> None:
    cluster = load(
        ns("shop"),
        pod("shop", "web", ports=[(8080, "TCP")]),
        policy(
            "shop",
            "web",
            {"app": "web"},
            ["Egress"],
            egress=[{"to": [{"ipBlock": {"cidr": "0.0.0.0/0"}}], "ports": [port(443)]}],
        ),
    )
    assert not findings(cluster, "PF009")


# -- PF010 allow-all -------------------------------------------------------------------


def _open_web(rule: dict, deny: bool = True) -> list[Obj]:
    objs = [ns("shop"), pod("shop", "web", ports=[(8080, "TCP", "http")])]
    if deny:
        objs.append(policy("shop", "deny"))
    objs.append(policy("shop", "web", {"app": "web"}, ["Ingress"], ingress=[rule]))
    return objs


def test_allow_all_rule_despite_default_deny() -> None:
    found = findings(load(*_open_web({})), "PF010")
    assert [f.field for f in found] == ["spec.ingress[0]"]
    assert "otherwise isolated by shop/deny" in found[0].consequence
    assert "{protocol: TCP, port: 8080}" in found[0].fix


def test_allow_all_peers() -> None:
    for peer, field in [
        (namespaces_of(), "spec.ingress[0].from[0]"),
        ({"ipBlock": {"cidr": "0.0.0.0/0"}}, "spec.ingress[0].from[0]"),
        ({"ipBlock": {"cidr": "::/0"}}, "spec.ingress[0].from[0]"),
    ]:
        found = findings(load(*_open_web({"from": [peer]})), "PF010")
        assert [f.field for f in found] == [field], peer


def test_allow_all_near_misses() -> None:
    with_ports = {"from": [namespaces_of()], "ports": [port(8080)]}
    with_except = {"from": [{"ipBlock": {"cidr": "0.0.0.0/0", "except": ["10.0.0.0/8"]}}]}
    for rule in (with_ports, with_except):
        assert not findings(load(*_open_web(rule)), "PF010"), rule
    # alone on its pods, an allow-all policy changes nothing: not a hole
    assert not findings(load(*_open_web({}, deny=False)), "PF010")


# -- PF012 implicit-ingress-deny / PF013 ignored-rules ----------------------------------


def _egress_only(types: list[str] | None, extra: list[Obj] | None = None) -> list[Obj]:
    return [
        ns("batch"),
        pod("batch", "report"),
        *(extra or []),
        policy(
            "batch",
            "report",
            {"app": "report"},
            types,
            egress=[{"to": [{"ipBlock": {"cidr": "10.0.0.0/8"}}]}],
        ),
    ]


def test_egress_only_policy_without_policy_types_denies_ingress() -> None:
    found = findings(load(*_egress_only(None)), "PF012")
    assert len(found) == 1
    assert found[0].field == "spec.policyTypes"
    assert "policyTypes: [Egress]" in found[0].fix


def test_egress_only_near_misses() -> None:
    assert not findings(load(*_egress_only(["Egress"])), "PF012")
    # another policy isolates the pod for ingress anyway: nothing changes
    deny = [policy("batch", "deny", types=["Ingress"])]
    assert not findings(load(*_egress_only(None, deny)), "PF012")


def test_rules_ignored_by_policy_types() -> None:
    found = findings(load(*_egress_only(["Ingress"])), "PF013")
    assert [f.field for f in found] == ["spec.egress"]
    assert "policyTypes: [Ingress, Egress]" in found[0].fix
    assert not findings(load(*_egress_only(["Ingress", "Egress"])), "PF013")


# -- the DNS helpers in this module stay honest ---------------------------------------


def test_helpers_build_a_clean_dns_setup() -> None:
    cluster = load(
        *coredns(), ns("shop"), pod("shop", "web"), policy("shop", "deny"), allow_dns("shop")
    )
    assert not findings(cluster, "PF002")

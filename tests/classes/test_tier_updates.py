"""Incremental updates with ClusterNetworkPolicies present equal a full recompute: after one
change and after several in a row (policies, endpoints, ClusterNetworkPolicies).

A changed or removed ClusterNetworkPolicy rebuilds the class engine (said in `Applied`);
a NetworkPolicy or an endpoint change stays incremental when the classes allow it (the
tier tables are recomputed from the classes on the next question).
"""

from __future__ import annotations

import dataclasses

from hypothesis import given, settings
from hypothesis import strategies as st

from classes.test_tiers import assert_tiers_agree
from podfence.engine.classes import (
    Change,
    ClassEngine,
    ClusterPolicyChanged,
    ClusterPolicyRemoved,
    EndpointChanged,
    EndpointRemoved,
    PolicyChanged,
    PolicyRemoved,
)
from podfence.model import (
    NAME_LABEL,
    Action,
    Cluster,
    ClusterNetworkPolicy,
    ClusterRule,
    Endpoint,
    LabelSelector,
    Namespace,
    NamespacesPeer,
    NamespacesSubject,
    Protocol,
    Tier,
    frozen_labels,
)
from support import cluster_policies, clusters, endpoints, policies

TCP = Protocol.TCP


@st.composite
def tier_change(draw: st.DrawFn, cluster: Cluster) -> Change:
    """One random change: a policy, an endpoint or a ClusterNetworkPolicy, changed, added or
    removed."""
    names = [ns.name for ns in cluster.namespaces]
    ops = ["add-policy", "endpoint", "add-cnp"]
    if cluster.policies:
        ops += ["policy", "drop-policy"]
    if cluster.cluster_policies:
        ops += ["cnp", "drop-cnp"]
    if len(cluster.endpoints) > 1:
        ops.append("drop-endpoint")
    op = draw(st.sampled_from(ops))
    if op == "policy":
        old = draw(st.sampled_from(cluster.policies))
        return PolicyChanged(draw(policies(old.namespace, old.name)))
    if op == "drop-policy":
        return PolicyRemoved(draw(st.sampled_from(cluster.policies)).key)
    if op == "add-policy":
        ns = draw(st.sampled_from(names))
        return PolicyChanged(draw(policies(ns, f"added{len(cluster.policies)}")))
    if op == "cnp":
        old_cnp = draw(st.sampled_from(cluster.cluster_policies))
        return ClusterPolicyChanged(draw(cluster_policies(old_cnp.name)))
    if op == "drop-cnp":
        return ClusterPolicyRemoved(draw(st.sampled_from(cluster.cluster_policies)).name)
    if op == "add-cnp":
        return ClusterPolicyChanged(
            draw(cluster_policies(f"added-cnp{len(cluster.cluster_policies)}"))
        )
    if op == "drop-endpoint":
        return EndpointRemoved(draw(st.sampled_from(cluster.endpoints)).id)
    old = draw(st.sampled_from(cluster.endpoints))
    templates = [(ep.labels, ep.ports) for ep in cluster.endpoints]
    name = draw(st.sampled_from((old.name, f"{old.name}x")))
    new = draw(endpoints(name, templates, names))
    if draw(st.booleans()):  # often lands in an existing class
        new = dataclasses.replace(
            new,
            namespace=old.namespace,
            ips=old.ips,
            host_network=old.host_network,
            node_name=old.node_name,
        )
    return EndpointChanged(new)


def _apply(cluster: Cluster, change: Change) -> Cluster:
    """What the cluster becomes (independently of `changed_cluster`)."""
    pols = {p.key: p for p in cluster.policies}
    cnps = {p.name: p for p in cluster.cluster_policies}
    eps = {e.id: e for e in cluster.endpoints}
    match change:
        case PolicyChanged(policy):
            pols[policy.key] = policy
        case PolicyRemoved(key):
            del pols[key]
        case EndpointChanged(endpoint):
            eps[endpoint.id] = endpoint
        case EndpointRemoved(ident):
            del eps[ident]
        case ClusterPolicyChanged(cnp):
            cnps[cnp.name] = cnp
        case ClusterPolicyRemoved(name):
            del cnps[name]
    return dataclasses.replace(
        cluster,
        policies=tuple(sorted(pols.values(), key=lambda p: (p.namespace, p.name))),
        endpoints=tuple(sorted(eps.values(), key=lambda e: e.id)),
        cluster_policies=tuple(sorted(cnps.values(), key=lambda p: p.name)),
    )


@st.composite
def _changed(draw: st.DrawFn) -> tuple[Cluster, Change]:
    cluster = draw(clusters(max_cluster_policies=3, templated=True))
    return cluster, draw(tier_change(cluster))


@settings(max_examples=100, deadline=None)
@given(_changed())
def test_one_update_equals_recompute(case: tuple[Cluster, Change]) -> None:
    cluster, change = case
    engine = ClassEngine(cluster)
    engine.allowed(cluster.endpoints[0], cluster.endpoints[-1], 80, TCP)  # tables built
    applied = engine.update(change)
    if isinstance(change, ClusterPolicyChanged | ClusterPolicyRemoved):
        assert applied.rebuilt and "cnp/" in applied.reason
    after = _apply(cluster, change)
    assert engine.cluster == after
    assert_tiers_agree(after, engine, reference=False)


@settings(max_examples=50, deadline=None)
@given(st.data())
def test_several_updates_in_a_row(data: st.DataObject) -> None:
    cluster = data.draw(clusters(max_cluster_policies=3, templated=True))
    engine = ClassEngine(cluster, big_peer_set=data.draw(st.sampled_from((0, 256))))
    for _ in range(data.draw(st.integers(2, 4))):
        change = data.draw(tier_change(cluster))
        engine.update(change)
        cluster = _apply(cluster, change)
        assert engine.cluster == cluster
        assert_tiers_agree(cluster, engine, reference=False)


# -- tables --------------------------------------------------------------------------------


def _guarded() -> Cluster:
    """Two namespaces; an Admin CNP denies ingress into `a` from other namespaces."""
    ns = tuple(Namespace(n, frozen_labels({NAME_LABEL: n, "team": n})) for n in ("a", "b"))
    eps = tuple(
        Endpoint(n, f"web-{i}", labels=frozen_labels({"app": "web"}))
        for n in ("a", "b")
        for i in range(2)
    )
    other = LabelSelector(frozen_labels({"team": "b"}))
    guard = ClusterNetworkPolicy(
        "guard",
        Tier.ADMIN,
        10,
        NamespacesSubject(LabelSelector(frozen_labels({"team": "a"}))),
        ingress=(ClusterRule(Action.DENY, (NamespacesPeer(other),)),),
    )
    return Cluster(ns, eps, (), cluster_policies=(guard,))


def test_a_pod_of_an_existing_class_is_incremental_with_tiers() -> None:
    engine = ClassEngine(_guarded())
    pod = Endpoint("a", "web-9", labels=frozen_labels({"app": "web"}))
    applied = engine.update(EndpointChanged(pod))
    assert not applied.rebuilt
    assert_tiers_agree(engine.cluster, engine, reference=False)
    b = engine.cluster.endpoint("b/web-0")
    assert b is not None
    assert not engine.allowed(b, pod, 80, TCP)
    assert engine.allowed(pod, b, 80, TCP)


def test_a_cluster_policy_change_rebuilds_and_says_so() -> None:
    cluster = _guarded()
    engine = ClassEngine(cluster)
    accept = dataclasses.replace(
        cluster.cluster_policies[0],
        ingress=(
            dataclasses.replace(cluster.cluster_policies[0].ingress[0], action=Action.ACCEPT),
        ),
    )
    applied = engine.update(ClusterPolicyChanged(accept))
    assert applied.rebuilt
    assert applied.reason == "cnp/guard changed: the tiers are computed again"
    a, b = engine.cluster.endpoint("a/web-0"), engine.cluster.endpoint("b/web-0")
    assert a is not None and b is not None
    assert engine.allowed(b, a, 80, TCP)
    applied = engine.update(ClusterPolicyRemoved("guard"))
    assert (
        applied.rebuilt and applied.reason == "cnp/guard was removed: the tiers are computed again"
    )
    assert engine.cluster.cluster_policies == ()
    assert_tiers_agree(engine.cluster, engine, reference=False)

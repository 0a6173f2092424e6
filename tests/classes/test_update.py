"""Incremental updates equal a full recompute, after any single change."""

from __future__ import annotations

import dataclasses
import ipaddress

from hypothesis import given, settings
from hypothesis import strategies as st

from classes.strategies import NAMESPACES, Focus, clusters, endpoints, policies
from classes.test_agreement import assert_agree
from podfence.engine.classes import (
    Change,
    ClassEngine,
    EndpointChanged,
    EndpointRemoved,
    PolicyChanged,
    PolicyRemoved,
)
from podfence.model import (
    NAME_LABEL,
    Cluster,
    Direction,
    Endpoint,
    IPBlock,
    LabelSelector,
    Namespace,
    NetworkPolicy,
    Peer,
    PolicyPort,
    Protocol,
    Rule,
    frozen_labels,
    parse_ip,
)


@st.composite
def change_for(draw: st.DrawFn, cluster: Cluster, focus: Focus = "any") -> Change:
    """One random change to `cluster`: a policy or an endpoint, changed, added or removed."""
    names = [ns.name for ns in cluster.namespaces]
    ops = ["add-policy", "endpoint"]
    if cluster.policies:
        ops += ["policy", "drop-policy"]
    if len(cluster.endpoints) > 1:
        ops.append("drop-endpoint")
    op = draw(st.sampled_from(ops))
    if op == "policy":
        old = draw(st.sampled_from(cluster.policies))
        return PolicyChanged(draw(policies(old.namespace, old.name, focus)))
    if op == "drop-policy":
        return PolicyRemoved(draw(st.sampled_from(cluster.policies)).key)
    if op == "endpoint":
        templates = [(ep.labels, ep.ports) for ep in cluster.endpoints]
        old = draw(st.sampled_from(cluster.endpoints))
        name = draw(st.sampled_from((old.name, f"{old.name}x")))
        new = draw(endpoints(name, templates))
        if new.namespace not in names:
            new = dataclasses.replace(new, namespace=names[0])
        if draw(st.booleans()):
            new = dataclasses.replace(new, namespace=old.namespace)
        if draw(st.booleans()):
            new = dataclasses.replace(new, ips=old.ips)  # more often lands in a class
        return EndpointChanged(new)
    if op == "drop-endpoint":
        return EndpointRemoved(draw(st.sampled_from(cluster.endpoints)).id)
    count = len(cluster.policies)
    return PolicyChanged(draw(policies(draw(st.sampled_from(names)), f"added{count}", focus)))


@st.composite
def changed(draw: st.DrawFn) -> tuple[Cluster, Change]:
    focus = draw(st.sampled_from(("any", "named", "blocks")))
    cluster = draw(clusters(focus=focus))
    return cluster, draw(change_for(cluster, focus))


def _apply(cluster: Cluster, change: Change) -> Cluster:
    """What the cluster becomes (independently of `changed_cluster`)."""
    pols = {p.key: p for p in cluster.policies}
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
    return dataclasses.replace(
        cluster,
        policies=tuple(sorted(pols.values(), key=lambda p: (p.namespace, p.name))),
        endpoints=tuple(sorted(eps.values(), key=lambda e: e.id)),
    )


@settings(max_examples=150, deadline=None)
@given(changed())
def test_update_equals_recompute(case: tuple[Cluster, Change]) -> None:
    cluster, change = case
    engine = ClassEngine(cluster)
    engine.update(change)
    after = _apply(cluster, change)
    assert engine.cluster == after
    assert_agree(after, engine)


@settings(max_examples=100, deadline=None)
@given(st.sampled_from(("any", "named", "blocks")), st.data())
def test_several_updates_in_a_row(focus: Focus, data: st.DataObject) -> None:
    cluster = data.draw(clusters(focus=focus))
    engine = ClassEngine(cluster, big_peer_set=data.draw(st.sampled_from((0, 256))))
    for _ in range(data.draw(st.integers(2, 5))):
        change = data.draw(change_for(cluster, focus))
        engine.update(change)
        cluster = _apply(cluster, change)
        assert engine.cluster == cluster
        assert_agree(cluster, engine)


def _web_cluster() -> Cluster:
    ns = tuple(Namespace(n, frozen_labels({NAME_LABEL: n})) for n in ("a", "b"))
    eps = tuple(
        Endpoint(n, f"{app}-{i}", labels=frozen_labels({"app": app}))
        for n in ("a", "b")
        for app in ("web", "db")
        for i in range(2)
    )
    web = LabelSelector(frozen_labels({"app": "web"}))
    db = LabelSelector(frozen_labels({"app": "db"}))
    pol = NetworkPolicy(
        "a", "db", db, frozenset({Direction.INGRESS}),
        ingress=(Rule((Peer(pod_selector=web),), (PolicyPort(Protocol.TCP, 5432),)),),
    )  # fmt: skip
    return Cluster(ns, tuple(sorted(eps, key=lambda e: e.id)), (pol,))


def test_a_port_change_is_incremental_and_splits_an_atom() -> None:
    cluster = _web_cluster()
    engine = ClassEngine(cluster)
    old = cluster.policies[0]
    new_rule = Rule(old.ingress[0].peers, (PolicyPort(Protocol.TCP, 6000, 6010),))
    change = engine.update(PolicyChanged(dataclasses.replace(old, ingress=(new_rule,))))
    assert not change.rebuilt
    assert_agree(engine.cluster, engine)


def test_a_new_pod_of_an_existing_class_is_incremental() -> None:
    engine = ClassEngine(_web_cluster())
    pod = Endpoint("a", "web-9", labels=frozen_labels({"app": "web"}))
    change = engine.update(EndpointChanged(pod))
    assert not change.rebuilt
    assert_agree(engine.cluster, engine)


def test_a_selector_that_splits_a_class_rebuilds() -> None:
    cluster = _web_cluster()
    engine = ClassEngine(cluster)
    old = cluster.policies[0]
    one = LabelSelector(frozen_labels({"app": "web", "pod": "x"}))
    pod = dataclasses.replace(
        cluster.endpoints[2], labels=frozen_labels({"app": "web", "pod": "x"})
    )
    engine.update(EndpointChanged(pod))
    change = engine.update(
        PolicyChanged(dataclasses.replace(old, ingress=(Rule((Peer(pod_selector=one),)),)))
    )
    assert_agree(engine.cluster, engine)
    assert isinstance(change.rebuilt, bool)


assert NAMESPACES


def test_shared_contributions_stay_while_one_policy_has_them() -> None:
    """Two policies with the same spec share their pairs; removing one keeps them."""
    cluster = _web_cluster()
    twin = dataclasses.replace(cluster.policies[0], name="db-twin")
    cluster = dataclasses.replace(cluster, policies=(*cluster.policies, twin))
    engine = ClassEngine(cluster)
    assert not engine.update(PolicyRemoved("a/db")).rebuilt
    assert_agree(engine.cluster, engine)
    web, db = engine.cluster.endpoint("a/web-0"), engine.cluster.endpoint("a/db-0")
    assert web is not None and db is not None
    assert engine.allowed(web, db, 5432, Protocol.TCP)
    assert not engine.update(PolicyRemoved("a/db-twin")).rebuilt
    assert_agree(engine.cluster, engine)


def test_a_family_view_needed_after_an_update_uses_the_current_atoms() -> None:
    """A new ipBlock holds a dual-stack pod by its IPv4 address only: the IPv6 view is then
    needed, and is built after the atoms were split at the new policy's port."""
    eps = (
        Endpoint("a", "client", ips=(parse_ip("10.0.0.2"), parse_ip("fd00::2"))),
        Endpoint("a", "server", ips=(parse_ip("10.0.0.1"), parse_ip("fd00::1"))),
    )
    cluster = Cluster((Namespace("a", frozen_labels({NAME_LABEL: "a"})),), eps, ())
    engine = ClassEngine(cluster)
    block = Peer(ip_block=IPBlock(ipaddress.ip_network("10.0.0.0/24")))
    pol = NetworkPolicy(
        "a", "in", LabelSelector(), frozenset({Direction.INGRESS}),
        ingress=(
            Rule((block,), (PolicyPort(Protocol.TCP, 53),)),
            Rule((), (PolicyPort(Protocol.TCP, 80),)),
        ),
    )  # fmt: skip
    assert not engine.update(PolicyChanged(pol)).rebuilt
    assert_agree(engine.cluster, engine)


def test_grouped_ports_after_an_update_that_reorders_the_groups() -> None:
    """After updates the groups (numbered by first member) may not be in the order of the
    internal classes: every answer must follow the groups' order (a regression: the dense
    block of every class was returned unpermuted)."""
    ns = tuple(Namespace(n, frozen_labels({NAME_LABEL: n})) for n in ("ns0", "ns1"))
    host = Endpoint("ns1", "h", host_network=True)
    cluster = Cluster(ns, (Endpoint("ns0", "p0"), Endpoint("ns0", "p1"), host), ())
    engine = ClassEngine(cluster)
    deny = NetworkPolicy("ns0", "deny", LabelSelector(), frozenset({Direction.INGRESS}))
    engine.update(PolicyChanged(deny))
    applied = engine.update(EndpointChanged(Endpoint("ns0", "p0", host_network=True)))
    assert not applied.rebuilt
    assert [g.members for g in engine.classes] == [("ns0/p0", "ns1/h"), ("ns0/p1",)]
    pairs = {(p.source, p.destination) for p in engine.grouped_ports().pairs()}
    assert pairs == {(0, 0), (1, 0), (1, 1)}  # nothing into the isolated ns0/p1 but itself
    assert_agree(engine.cluster, engine)

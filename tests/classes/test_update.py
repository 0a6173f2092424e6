"""Incremental updates equal a full recompute, after any single change."""

from __future__ import annotations

import dataclasses

from hypothesis import given, settings
from hypothesis import strategies as st

from classes.strategies import NAMESPACES, clusters, endpoints, policies
from classes.test_agreement import assert_agree
from podfence.engine.classes import ClassEngine
from podfence.model import (
    NAME_LABEL,
    Cluster,
    Direction,
    Endpoint,
    LabelSelector,
    Namespace,
    NetworkPolicy,
    Peer,
    PolicyPort,
    Protocol,
    Rule,
    frozen_labels,
)


@st.composite
def change_for(draw: st.DrawFn, cluster: Cluster) -> dict[str, object]:
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
        return {"changed_policy": draw(policies(old.namespace, old.name))}
    if op == "drop-policy":
        return {"removed_policy": draw(st.sampled_from(cluster.policies)).key}
    if op == "endpoint":
        templates = [(ep.labels, ep.ports) for ep in cluster.endpoints]
        old = draw(st.sampled_from(cluster.endpoints))
        name = draw(st.sampled_from((old.name, f"{old.name}x")))
        new = draw(endpoints(name, templates))
        if new.namespace not in names:
            new = dataclasses.replace(new, namespace=names[0])
        if draw(st.booleans()):
            new = dataclasses.replace(new, namespace=old.namespace)
        return {"changed_endpoint": new}
    if op == "drop-endpoint":
        return {"removed_endpoint": draw(st.sampled_from(cluster.endpoints)).id}
    count = len(cluster.policies)
    return {"changed_policy": draw(policies(draw(st.sampled_from(names)), f"added{count}"))}


@st.composite
def changed(draw: st.DrawFn) -> tuple[Cluster, dict[str, object]]:
    cluster = draw(clusters())
    return cluster, draw(change_for(cluster))


def _apply(cluster: Cluster, change: dict[str, object]) -> Cluster:
    pols = {p.key: p for p in cluster.policies}
    eps = {e.id: e for e in cluster.endpoints}
    if "removed_policy" in change:
        del pols[str(change["removed_policy"])]
    if "changed_policy" in change:
        p = change["changed_policy"]
        assert isinstance(p, NetworkPolicy)
        pols[p.key] = p
    if "removed_endpoint" in change:
        del eps[str(change["removed_endpoint"])]
    if "changed_endpoint" in change:
        e = change["changed_endpoint"]
        assert isinstance(e, Endpoint)
        eps[e.id] = e
    return dataclasses.replace(
        cluster,
        policies=tuple(sorted(pols.values(), key=lambda p: (p.namespace, p.name))),
        endpoints=tuple(sorted(eps.values(), key=lambda e: e.id)),
    )


@settings(max_examples=150, deadline=None)
@given(changed())
def test_update_equals_recompute(case: tuple[Cluster, dict[str, object]]) -> None:
    cluster, change = case
    engine = ClassEngine(cluster)
    engine.update(**change)  # type: ignore[arg-type]
    after = _apply(cluster, change)
    assert engine.cluster == after
    assert_agree(after, engine)


@settings(max_examples=100, deadline=None)
@given(clusters(), st.data())
def test_several_updates_in_a_row(cluster: Cluster, data: st.DataObject) -> None:
    engine = ClassEngine(cluster)
    for _ in range(data.draw(st.integers(2, 5))):
        change = data.draw(change_for(cluster))
        engine.update(**change)  # type: ignore[arg-type]
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
    change = engine.update(changed_policy=dataclasses.replace(old, ingress=(new_rule,)))
    assert not change.rebuilt
    assert_agree(engine.cluster, engine)


def test_a_new_pod_of_an_existing_class_is_incremental() -> None:
    engine = ClassEngine(_web_cluster())
    pod = Endpoint("a", "web-9", labels=frozen_labels({"app": "web"}))
    change = engine.update(changed_endpoint=pod)
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
    engine.update(changed_endpoint=pod)
    change = engine.update(
        changed_policy=dataclasses.replace(old, ingress=(Rule((Peer(pod_selector=one),)),))
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
    assert not engine.update(removed_policy="a/db").rebuilt
    assert_agree(engine.cluster, engine)
    web, db = engine.cluster.endpoint("a/web-0"), engine.cluster.endpoint("a/db-0")
    assert web is not None and db is not None
    assert engine.allowed(web, db, 5432, Protocol.TCP)
    assert not engine.update(removed_policy="a/db-twin").rebuilt
    assert_agree(engine.cluster, engine)

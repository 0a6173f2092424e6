"""The cluster, its endpoints and namespaces, sources, and traffic parties."""

from __future__ import annotations

import pytest

from podfence.model import (
    NAME_LABEL,
    WORKLOAD_KINDS,
    Cluster,
    Connection,
    Endpoint,
    External,
    LabelSelector,
    Location,
    Namespace,
    NetworkPolicy,
    ObjectRef,
    Protocol,
    parse_ip,
)


def test_endpoint_identity() -> None:
    ep = Endpoint("shop", "web", kind="Deployment")
    assert ep.id == "shop/web"
    assert str(ep) == "shop/web"
    assert ep.ref == ObjectRef("Deployment", "shop", "web")
    assert Endpoint("shop", "web").kind == "Pod"


def test_namespace_ref_is_cluster_scoped() -> None:
    assert Namespace("shop").ref == ObjectRef("Namespace", None, "shop")
    assert str(Namespace("shop").ref) == "Namespace shop"


def test_constants() -> None:
    assert NAME_LABEL == "kubernetes.io/metadata.name"
    assert "Deployment" in WORKLOAD_KINDS
    assert "Pod" not in WORKLOAD_KINDS


def test_cluster_lookups() -> None:
    pol = NetworkPolicy("shop", "deny", LabelSelector(), frozenset())
    c = Cluster(
        (Namespace("shop"),),
        (Endpoint("shop", "a"), Endpoint("shop", "b")),
        (pol,),
    )
    assert c.namespace("shop") == Namespace("shop")
    assert c.namespace("other") is None
    assert c.endpoint("shop/b") == Endpoint("shop", "b")
    assert c.endpoint("shop/c") is None
    assert c.policy("shop/deny") is pol
    assert c.policy("other/deny") is None


@pytest.mark.parametrize(
    ("path", "line"),
    [
        pytest.param("spec.ingress[0].from[1].podSelector", 14, id="exact"),
        pytest.param("spec.ingress[0].from[1].podSelector.matchLabels", 14, id="nearest-parent"),
        pytest.param("spec.ingress[0].ports[0]", 12, id="up-to-the-rule"),
        pytest.param("spec.egress[0]", 5, id="up-to-spec"),
        pytest.param("status", 0, id="unknown-top-level"),
        pytest.param("", 0, id="empty-path"),
    ],
)
def test_line_of_falls_back_to_enclosing_field(path: str, line: int) -> None:
    ref = ObjectRef("NetworkPolicy", "shop", "web")
    positions = {
        (ref, "spec"): 5,
        (ref, "spec.ingress[0]"): 12,
        (ref, "spec.ingress[0].from[1].podSelector"): 14,
    }
    assert Cluster(positions=positions).line_of(ref, path) == line


def test_positions_do_not_take_part_in_equality() -> None:
    ref = ObjectRef("Namespace", None, "x")
    assert Cluster(positions={(ref, ""): 1}) == Cluster()


@pytest.mark.parametrize(
    ("location", "text"),
    [
        pytest.param(Location("p.yaml", 3), "p.yaml:3", id="with-line"),
        pytest.param(Location("p.yaml"), "p.yaml", id="no-line"),
        pytest.param(Location("<memory>"), "<memory>", id="memory"),
    ],
)
def test_location_str(location: Location, text: str) -> None:
    assert str(location) == text


def test_external_and_connection_text() -> None:
    outside = External(parse_ip("2001:db8::1"))
    assert outside.id == str(outside) == "2001:db8::1"
    connection = Connection(Endpoint("shop", "web"), outside, 443, Protocol.TCP)
    assert str(connection) == "shop/web -> 2001:db8::1 443/TCP"

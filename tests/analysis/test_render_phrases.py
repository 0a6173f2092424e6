"""Plain-language phrases for selectors, peers and ports (podfence.render.phrases).

The phrases must say the semantics, not the syntax: NotIn includes pods without the key;
podSelector alone means the policy's own namespace; an empty selector means every.
"""

from __future__ import annotations

import pytest

from engine.builders import ip_peer, named, peer, req, sctp, sel, tcp, udp
from podfence.model import LabelSelector, Peer, PolicyPort, Requirement
from podfence.render.phrases import (
    peer_phrase,
    ports_phrase,
    requirement_phrase,
    selector_phrase,
)


@pytest.mark.parametrize(
    ("requirement", "text"),
    [
        pytest.param(req("app", "In", "web"), "app=web", id="in-one"),
        pytest.param(req("tier", "In", "a", "b"), "tier in (a, b)", id="in-several"),
        pytest.param(
            req("env", "NotIn", "prod", "qa"),
            "env not in (prod, qa) or without env",
            id="notin-says-missing-key-matches",
        ),
        pytest.param(req("env", "Exists"), "any env label", id="exists"),
        pytest.param(req("env", "DoesNotExist"), "no env label", id="doesnotexist"),
    ],
)
def test_requirement_phrase(requirement: Requirement, text: str) -> None:
    assert requirement_phrase(requirement) == text


@pytest.mark.parametrize(
    ("selector", "text"),
    [
        pytest.param(sel({"app": "web"}), "app=web", id="one-label"),
        pytest.param(sel({"app": "web", "tier": "f"}), "app=web AND tier=f", id="labels"),
        pytest.param(
            sel({"app": "web"}, req("env", "Exists")),
            "app=web AND any env label",
            id="labels-and-expressions",
        ),
        pytest.param(LabelSelector(), "", id="empty-is-said-by-the-caller"),
    ],
)
def test_selector_phrase(selector: LabelSelector, text: str) -> None:
    assert selector_phrase(selector) == text


@pytest.mark.parametrize(
    ("peer_", "text"),
    [
        pytest.param(
            peer(sel({"app": "db"})),
            "pods with app=db in namespace shop (the policy's own)",
            id="pod-alone",
        ),
        pytest.param(
            peer(sel()), "every pod in namespace shop (the policy's own)", id="empty-pod-alone"
        ),
        pytest.param(
            peer(namespaces=sel({"team": "blue"})),
            "every pod in namespaces labelled team=blue",
            id="namespace-alone",
        ),
        pytest.param(
            peer(namespaces=sel()), "every pod in every namespace", id="empty-namespace-alone"
        ),
        pytest.param(
            peer(sel(), sel({"team": "blue"})),
            "every pod in namespaces labelled team=blue",
            id="empty-pod-and-namespace",
        ),
        pytest.param(
            peer(sel({"app": "db"}), sel({"team": "blue"})),
            "pods with app=db AND in namespaces labelled team=blue",
            id="pod-and-namespace",
        ),
        pytest.param(
            peer(sel({"app": "db"}), sel()),
            "pods with app=db in every namespace",
            id="pod-and-every-namespace",
        ),
        pytest.param(
            ip_peer("10.0.0.0/8", "10.1.0.0/16"),
            "addresses in 10.0.0.0/8 except 10.1.0.0/16",
            id="ip-block",
        ),
        pytest.param(ip_peer("2001:db8::/32"), "addresses in 2001:db8::/32", id="ip-block-v6"),
    ],
)
def test_peer_phrase(peer_: Peer, text: str) -> None:
    assert peer_phrase(peer_, "shop") == text


@pytest.mark.parametrize(
    ("ports", "text"),
    [
        pytest.param([], "on every port and protocol", id="missing"),
        pytest.param([udp()], "on every UDP port", id="protocol-only"),
        pytest.param([tcp(80)], "on TCP 80", id="number"),
        pytest.param([tcp(8000, 8080)], "on TCP 8000-8080", id="range"),
        pytest.param([named("http")], "on TCP port named 'http'", id="named"),
        pytest.param(
            [tcp(80), udp(53), sctp()], "on TCP 80 OR UDP 53 OR every SCTP port", id="several-ored"
        ),
    ],
)
def test_ports_phrase(ports: list[PolicyPort], text: str) -> None:
    assert ports_phrase(ports) == text

"""The two cases of issue 9, and their neighbours, through every output of the class engine.

Upstream sources (see tests/engine/test_resolve.py for the per-pair engine):
- named ports: a name is unique per container only (core/v1 ContainerPort.name, validated
  per container), so a pod may declare `http` twice; enforcers (kube-network-policies,
  Cilium) allow every container port with that name and protocol;
- ipBlock: matched against the packet's address; a dual-stack pod's IPv6 packets carry its
  IPv6 address, so an IPv4 block never matches them.
"""

from __future__ import annotations

import numpy as np
import pytest

from engine.builders import (
    EGRESS,
    EVERYTHING,
    cluster,
    cport,
    ip_peer,
    named,
    pod,
    policy,
    rule,
    sel,
)
from podfence.analysis.matrix import class_matrix, compute_matrix
from podfence.engine import Engine
from podfence.engine.classes import ClassEngine
from podfence.model import Cluster, Connection, Endpoint, Protocol, ProtocolPort

TCP, UDP = Protocol.TCP, Protocol.UDP


def _endpoint(c: Cluster, ident: str) -> Endpoint:
    found = c.endpoint(ident)
    assert found is not None
    return found


def _everywhere(c: Cluster, src: str, dst: str, port: int, protocol: Protocol) -> set[bool]:
    """The answer for src -> dst in `allowed`, `grouped`, `grouped_ports` and the dense
    matrix, and Engine's: one value when they all agree."""
    fast, exact = ClassEngine(c), Engine(c)
    s, d = _endpoint(c, src), _endpoint(c, dst)
    spec = ProtocolPort(port, protocol)
    answers = {
        fast.allowed(s, d, port, protocol),
        exact.allowed(Connection(s, d, port, protocol)),
    }
    grouped = fast.grouped([spec])
    group_of = {m: g.id for g in grouped.groups for m in g.members}
    answers.add(bool(grouped.matrices[0].allowed[group_of[src], group_of[dst]]))
    ports = fast.grouped(all_ports=True)
    masks = {(p.source, p.destination): p.mask for p in ports.pairs()}
    bit = ports.atoms.atom(port, protocol)
    answers.add(bool(masks.get((group_of[src], group_of[dst]), 0) >> bit & 1))
    dense = class_matrix(fast, [spec])
    assert dense == compute_matrix(c, [spec])
    i, j = dense.endpoints.index(src), dense.endpoints.index(dst)
    answers.add(dense.matrices[0].allowed[i][j])
    return answers


def _named_cluster(*ports: tuple[int, str, Protocol], rule_protocol: Protocol = TCP) -> Cluster:
    web = pod("shop/web", {"app": "web"}, ips=["10.0.0.2"], ports=[cport(*p) for p in ports])
    client = pod("shop/client", {"app": "client"}, ips=["10.0.0.1"])
    pol = policy(
        "shop/web", sel({"app": "web"}), ingress=[rule(ports=[named("http", rule_protocol)])]
    )
    return cluster([web, client], [pol])


@pytest.mark.parametrize(
    ("port", "protocol", "allowed"),
    [
        (8080, TCP, True),
        (9090, TCP, True),
        (8081, TCP, False),
        (9091, TCP, False),
        (8080, UDP, False),
    ],
)
def test_a_name_two_containers_declare_allows_both_numbers(
    port: int, protocol: Protocol, allowed: bool
) -> None:
    """Two containers both declare TCP `http` (8080 and 9090): `{port: http}` allows both."""
    c = _named_cluster((8080, "http", TCP), (9090, "http", TCP))
    assert _everywhere(c, "shop/client", "shop/web", port, protocol) == {allowed}


@pytest.mark.parametrize(
    ("port", "protocol", "allowed"),
    [(8080, TCP, False), (9090, UDP, True), (8080, UDP, False), (9090, TCP, False)],
)
def test_a_name_on_two_protocols_resolves_per_protocol(
    port: int, protocol: Protocol, allowed: bool
) -> None:
    """`http` is TCP 8080 and UDP 9090; `{port: http, protocol: UDP}` is UDP 9090 only."""
    c = _named_cluster((8080, "http", TCP), (9090, "http", UDP), rule_protocol=UDP)
    assert _everywhere(c, "shop/client", "shop/web", port, protocol) == {allowed}


def test_one_name_with_other_numbers_on_other_pods_splits_their_class() -> None:
    pods = [
        pod("shop/web-a", {"app": "web"}, ports=[cport(8080, "http")]),
        pod("shop/web-b", {"app": "web"}, ports=[cport(9090, "http")]),
        pod("shop/client", {"app": "client"}),
    ]
    pol = policy("shop/web", sel({"app": "web"}), ingress=[rule(ports=[named("http")])])
    c = cluster(pods, [pol])
    assert _everywhere(c, "shop/client", "shop/web-a", 8080, TCP) == {True}
    assert _everywhere(c, "shop/client", "shop/web-a", 9090, TCP) == {False}
    assert _everywhere(c, "shop/client", "shop/web-b", 9090, TCP) == {True}
    assert _everywhere(c, "shop/client", "shop/web-b", 8080, TCP) == {False}
    fast = ClassEngine(c)
    assert fast.class_by_id["shop/web-a"] != fast.class_by_id["shop/web-b"]


def _dual_stack(client_ips: list[str]) -> Cluster:
    """The issue's case: the server is dual-stack, the client may reach 10.3.0.0/24 only."""
    server = pod("net/server", {"app": "server"}, ips=["10.3.0.10", "fd00:3::10"])
    client = pod("net/client", {"app": "client"}, ips=client_ips)
    pol = policy(
        "net/client",
        sel({"app": "client"}),
        egress=[rule(ip_peer("10.3.0.0/24"))],
        types=EGRESS,
    )
    return cluster([server, client], [pol])


@pytest.mark.parametrize(
    ("client_ips", "family", "allowed"),
    [
        (["10.3.0.5", "fd00:3::5"], 4, True),
        (["10.3.0.5", "fd00:3::5"], 6, False),
        (["10.3.0.5", "fd00:3::5"], None, False),  # by name: every family must allow
        (["10.3.0.5"], None, True),  # the only family they share is IPv4
        (["fd00:3::5"], None, False),  # the only family they share is IPv6
        ([], None, False),  # no address: every family the server has
        ([], 4, True),
    ],
)
def test_an_ipblock_matches_the_packets_address(
    client_ips: list[str], family: int | None, allowed: bool
) -> None:
    c = _dual_stack(client_ips)
    fast, exact = ClassEngine(c), Engine(c)
    s, d = _endpoint(c, "net/client"), _endpoint(c, "net/server")
    assert exact.allowed(Connection(s, d, 80, TCP, family)) is allowed
    assert fast.allowed(s, d, 80, TCP, family) is allowed
    every = np.arange(fast.class_count, dtype=np.intp)
    bits = fast.class_bits(ProtocolPort(80), every, every, family)
    assert bool(bits[fast.class_by_id["net/client"], fast.class_by_id["net/server"]]) is allowed
    if family is None:
        assert _everywhere(c, "net/client", "net/server", 80, TCP) == {allowed}


def test_a_hostnetwork_pod_is_matched_by_its_address_only() -> None:
    node = pod("kube/agent", {"app": "agent"}, ips=["10.9.0.1"], host_network=True)
    db = pod("data/db", {"app": "db"}, ips=["10.1.0.1"])
    same = pod("kube/other", {"app": "agent"}, ips=["10.8.0.1"])
    pol = policy(
        "data/db",
        EVERYTHING,
        ingress=[rule(ip_peer("10.9.0.0/16"))],
    )
    c = cluster([node, db, same], [pol])
    assert _everywhere(c, "kube/agent", "data/db", 5432, TCP) == {True}
    assert _everywhere(c, "kube/other", "data/db", 5432, TCP) == {False}


def test_pods_without_addresses_are_in_no_block() -> None:
    a = pod("a/a", {"app": "a"})
    b = pod("a/b", {"app": "b"})
    pol = policy("a/b", sel({"app": "b"}), ingress=[rule(ip_peer("0.0.0.0/0"))])
    c = cluster([a, b], [pol])
    assert _everywhere(c, "a/a", "a/b", 80, TCP) == {False}

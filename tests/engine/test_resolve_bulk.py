"""The resolver's bulk queries for the compilers (the nft compiler lays them out as sets):
every policy's subjects and every pod peer's members among a sequence of endpoints, and the
addresses of those endpoints inside an ipBlock. They must give exactly what the per-endpoint
queries give (`selecting`, `pod_peer_matches`, `in_block`), for any sequence."""

from __future__ import annotations

from engine.builders import EVERYTHING, cluster, ip_peer, ns, peer, pod, policy, rule, sel
from podfence.engine.match import AnyPod, NamespaceLabels, OwnNamespace, PodLabels, PodPeer
from podfence.engine.resolve import Resolver
from podfence.engine.universe import Universe
from podfence.model import Direction, parse_ip

PODS = (
    pod("a/web", {"app": "web"}, ips=["10.0.0.1", "fd00::1"]),
    pod("a/db", {"app": "db"}, ips=["10.0.0.2"]),
    pod("a/agent", {"app": "web"}, ips=["10.0.0.3"], host_network=True),
    pod("b/web", {"app": "web"}, ips=["10.0.1.1"]),
    pod("b/noip", {"app": "web"}),
)
POLICIES = (
    policy(
        "a/web",
        sel({"app": "web"}),
        ingress=[rule(peer(sel({"app": "web"})), peer(None, EVERYTHING), ip_peer("10.0.0.0/24"))],
    ),
    policy("a/all", egress=[rule(peer(sel({"app": "db"}), sel({"team": "x"})))]),
    policy("b/none", sel({"app": "nothing"})),
)


def _resolver() -> Resolver:
    c = cluster(PODS, POLICIES, [ns("a", team="x"), ns("b")])
    return Resolver(Universe.of(c.policies), {n.name: n.labels for n in c.namespaces})


def test_placement_equals_the_per_endpoint_answers() -> None:
    r = _resolver()
    for endpoints in (PODS, PODS[::-1], PODS[1:3]):
        placed = r.placement(endpoints)
        for pid, _ in r.universe.live():
            want = tuple(
                i
                for i, ep in enumerate(endpoints)
                if any(pid in r.selecting(ep, d) for d in Direction)
            )
            assert placed.subjects_of(pid) == want
        for mid, matcher in enumerate(r.universe.pod_peers):
            want = tuple(i for i, ep in enumerate(endpoints) if r.pod_peer_matches(matcher, ep))
            assert placed.members_of(mid) == want


def test_placement_of_the_example() -> None:
    r = _resolver()
    placed = r.placement(PODS)
    assert placed.subjects_of(0) == (0,)  # a/web: neither the hostNetwork agent nor b's pods
    assert placed.subjects_of(1) == (0, 1)  # a/all: every pod-network pod of a
    assert placed.subjects_of(2) == ()
    web_in_a = r.universe.peer_id(PodPeer(OwnNamespace("a"), PodLabels(sel({"app": "web"}))))
    every_pod = r.universe.peer_id(PodPeer(NamespaceLabels(EVERYTHING), AnyPod()))
    db_in_x = r.universe.peer_id(
        PodPeer(NamespaceLabels(sel({"team": "x"})), PodLabels(sel({"app": "db"})))
    )
    assert len(r.universe.pod_peers) == 3
    assert placed.members_of(web_in_a) == (0,)
    assert placed.members_of(every_pod) == (0, 1, 3, 4)  # never the hostNetwork agent
    assert placed.members_of(db_in_x) == (1,)


def test_addresses_in_a_block_are_per_address() -> None:
    r = _resolver()
    (block,) = r.universe.blocks
    found = r.addresses_in(PODS, block)
    # web's IPv6 address is not in an IPv4 block; the hostNetwork agent's address is
    assert found == (
        (0, parse_ip("10.0.0.1")),
        (1, parse_ip("10.0.0.2")),
        (2, parse_ip("10.0.0.3")),
    )
    for i, ip in found:
        assert r.in_block(block, PODS[i], ip.version)

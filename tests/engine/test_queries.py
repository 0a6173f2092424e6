"""The Engine's queries for analyses: `label_selects` and `would_match` (what-if peers).

Both answer through the resolver, so lint never evaluates a selector itself:
- `label_selects`: a podSelector matches a hostNetwork pod's labels although the policy does
  not isolate it (upstream: NetworkPolicy does not apply to hostNetwork pods);
- `would_match`: the endpoints a `from`/`to` item would match if a policy of that namespace
  had it, with `peer_matches` semantics, leaving the engine's universe as it is.
"""

from __future__ import annotations

from hypothesis import given, settings

from engine.builders import EVERYTHING, cluster, ip_peer, ns, peer, pod, policy, rule, sel
from podfence.engine import Engine
from podfence.model import Cluster, Direction
from reference.naive import _peer_matches as naive_peer_matches
from support import clusters


def _world() -> Cluster:
    return cluster(
        [
            pod("a/web", {"app": "web"}, ips=["10.0.0.1"]),
            pod("a/node", {"app": "web"}, ips=["192.168.0.1"], host_network=True),
            pod("b/web", {"app": "web"}, ips=["fd00::1"]),
            pod("b/db", {"app": "db"}),
        ],
        [policy("a/p", sel({"app": "web"}), ingress=[rule(peer(sel({"app": "db"})))])],
        [ns("a", team="red"), ns("b", team="blue")],
    )


def _ids(found: tuple[object, ...]) -> list[str]:
    return [str(x) for x in found]


def test_label_selects_includes_hostnetwork_pods_the_policy_does_not_isolate() -> None:
    c = _world()
    engine = Engine(c)
    node = c.endpoint("a/node")
    other = c.endpoint("b/web")
    assert node is not None and other is not None
    assert engine.label_selects("a/p", node)
    assert not engine.policy_selects("a/p", node, Direction.INGRESS)
    assert not engine.label_selects("a/p", other)  # another namespace


def test_would_match_scopes_a_pod_selector_to_the_policy_namespace() -> None:
    engine = Engine(_world())
    eps = engine.cluster.endpoints
    web = sel({"app": "web"})
    assert _ids(engine.would_match(peer(web), policy_namespace="a", endpoints=eps)) == ["a/web"]
    assert _ids(engine.would_match(peer(web), policy_namespace="b", endpoints=eps)) == ["b/web"]
    everywhere = peer(web, EVERYTHING)
    got = engine.would_match(everywhere, policy_namespace="a", endpoints=eps)
    assert _ids(got) == ["a/web", "b/web"]  # never the hostNetwork pod
    blue = peer(None, sel({"team": "blue"}))
    got = engine.would_match(blue, policy_namespace="a", endpoints=eps)
    assert _ids(got) == ["b/db", "b/web"]


def test_would_match_an_ip_block_by_address() -> None:
    engine = Engine(_world())
    eps = engine.cluster.endpoints
    got = engine.would_match(ip_peer("10.0.0.0/8"), policy_namespace="a", endpoints=eps)
    assert _ids(got) == ["a/web"]


def test_would_match_leaves_the_universe_as_it_is() -> None:
    engine = Engine(_world())
    before = list(engine.resolver.universe.pod_peers)
    engine.would_match(
        peer(sel({"app": "x"}), EVERYTHING),
        policy_namespace="a",
        endpoints=engine.cluster.endpoints,
    )
    assert engine.resolver.universe.pod_peers == before


@settings(max_examples=60, deadline=None)
@given(c=clusters())
def test_would_match_agrees_with_the_naive_reference(c: Cluster) -> None:
    """Every peer of every rule, those of directions policyTypes ignores included (they are
    in no universe: the what-if path answers them)."""
    engine = Engine(c)
    for pol in c.policies:
        for direction in Direction:
            for r in pol.rules(direction):
                for p in r.peers:
                    want = tuple(
                        ep for ep in c.endpoints if naive_peer_matches(c, pol, p, ep, None)
                    )
                    got = engine.would_match(
                        p, policy_namespace=pol.namespace, endpoints=c.endpoints
                    )
                    assert got == want
                    assert got == tuple(ep for ep in c.endpoints if engine.peer_matches(pol, p, ep))

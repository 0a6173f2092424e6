"""Resolution: where selectors meet pods, ipBlocks meet addresses, named ports meet containers.

Upstream sources:
- NetworkPolicySpec.podSelector selects pods "in the policy's namespace"; hostNetwork pods are
  outside NetworkPolicy (k8s docs, "Network Policies": "pods with hostNetwork: true" behaviour
  is undefined; podfence never selects them).
- NetworkPolicyPort.port: "a named port on a pod". Container port names are unique within a
  container only (k8s.io/api core/v1 ContainerPort.name: "Each named port in a pod must have a
  unique name" is enforced per container by validation: `validateContainerPorts` checks
  `allNames` per container), so one pod may carry the same name twice; kube-network-policies
  and Cilium match every container port with that name and protocol.
- IPBlock: matched against the packet's address; a dual-stack pod's IPv6 packets carry its
  IPv6 address, so an IPv4 block never matches them (the kernel, every CNI).
"""

from __future__ import annotations

import pytest

from engine.builders import (
    EVERYTHING,
    cluster,
    cport,
    ip_peer,
    named,
    ns,
    peer,
    pod,
    policy,
    rule,
    sel,
)
from podfence.engine import Engine
from podfence.engine.match import compile_peer
from podfence.engine.resolve import (
    Resolver,
    addresses_of,
    connection_families,
    named_numbers,
    party_families,
)
from podfence.engine.universe import Universe
from podfence.model import (
    Connection,
    Direction,
    Endpoint,
    External,
    Namespace,
    NetworkPolicy,
    PortSet,
    Protocol,
    parse_ip,
)


def _resolver(*policies: NetworkPolicy, namespaces: tuple[Namespace, ...] = ()) -> Resolver:
    c = cluster([], policies, namespaces)
    return Resolver(Universe.of(c.policies), {n.name: n.labels for n in c.namespaces})


@pytest.mark.parametrize(
    ("endpoint", "direction", "expected"),
    [
        pytest.param(pod("x/a", {"app": "web"}), Direction.INGRESS, True, id="selected"),
        pytest.param(pod("x/a", {"app": "db"}), Direction.INGRESS, False, id="labels-differ"),
        pytest.param(pod("y/a", {"app": "web"}), Direction.INGRESS, False, id="other-namespace"),
        pytest.param(pod("x/a", {"app": "web"}), Direction.EGRESS, False, id="other-direction"),
        pytest.param(
            pod("x/a", {"app": "web"}, host_network=True),
            Direction.INGRESS,
            False,
            id="host-network",
        ),
    ],
)
def test_selecting(endpoint: Endpoint, direction: Direction, expected: bool) -> None:
    r = _resolver(policy("x/p", sel({"app": "web"})))
    assert bool(r.selecting(endpoint, direction)) is expected


@pytest.mark.parametrize(
    ("name", "protocol", "expected"),
    [
        pytest.param("http", Protocol.TCP, {8080}, id="tcp"),
        pytest.param("dns", Protocol.UDP, {53}, id="udp"),
        pytest.param("dns", Protocol.TCP, {5353}, id="same-name-other-protocol"),
        pytest.param("http", Protocol.UDP, set(), id="name-only-for-other-protocol"),
        pytest.param("metrics", Protocol.TCP, set(), id="undefined"),
        pytest.param("web", Protocol.TCP, {8080, 9090}, id="same-name-two-containers"),
    ],
)
def test_named_numbers(name: str, protocol: Protocol, expected: set[int]) -> None:
    server = pod(
        "x/srv",
        ports=[
            cport(8080, "http"),
            cport(53, "dns", Protocol.UDP),
            cport(5353, "dns"),
            cport(8080, "web"),  # container 1
            cport(9090, "web"),  # container 2: names are unique per container only
        ],
    )
    assert named_numbers(server, name, protocol) == frozenset(expected)


def test_named_numbers_outside_address() -> None:
    assert named_numbers(External(parse_ip("198.51.100.1")), "http", Protocol.TCP) == frozenset()


V4, V6, DUAL, NONE = (
    pod("x/v4", ips=["10.0.0.1"]),
    pod("x/v6", ips=["fd00::1"]),
    pod("x/dual", ips=["10.0.0.2", "fd00::2"]),
    pod("x/none"),
)


@pytest.mark.parametrize(
    ("source", "destination", "families"),
    [
        pytest.param(V4, V4, (4,), id="v4-v4"),
        pytest.param(V4, DUAL, (4,), id="v4-dual"),
        pytest.param(DUAL, V6, (6,), id="dual-v6"),
        pytest.param(DUAL, DUAL, (4, 6), id="dual-dual"),
        pytest.param(NONE, DUAL, (4, 6), id="unknown-dual"),
        pytest.param(NONE, NONE, (None,), id="unknown-unknown"),
        pytest.param(V4, V6, (None,), id="no-common-family"),
        pytest.param(DUAL, External(parse_ip("fd00::9")), (6,), id="dual-to-v6-address"),
    ],
)
def test_connection_families(
    source: Endpoint, destination: Endpoint, families: tuple[int | None, ...]
) -> None:
    assert connection_families(source, destination) == families


def test_party_families_and_addresses() -> None:
    assert party_families(NONE) is None
    assert party_families(DUAL) == frozenset({4, 6})
    assert addresses_of(DUAL, 6) == (parse_ip("fd00::2"),)
    assert addresses_of(DUAL, None) == DUAL.ips
    assert addresses_of(V4, 6) == ()


@pytest.mark.parametrize(
    ("family", "expected"),
    [(4, True), (6, False), (None, True)],
)
def test_ip_block_matches_the_address_of_the_family(family: int | None, expected: bool) -> None:
    p = policy("x/p", EVERYTHING, egress=[rule(ip_peer("10.0.0.0/24"))])
    r = _resolver(p)
    matcher = compile_peer(p.egress[0].peers[0], policy_namespace="x")
    assert r.peer_matches(matcher, DUAL, family) is expected


def test_namespace_selector_matches_labels_and_unlisted_namespaces_have_their_name() -> None:
    r = _resolver(namespaces=(ns("mon", team="ops"),))
    assert r.namespace_matches(sel({"team": "ops"}), "mon")
    assert not r.namespace_matches(sel({"team": "ops"}), "other")
    assert r.namespace_matches(sel({"kubernetes.io/metadata.name": "other"}), "other")


def test_pod_peer_alone_is_scoped_to_the_policy_namespace() -> None:
    p = policy("x/p", EVERYTHING, ingress=[rule(peer(sel({"app": "a"})))])
    r = _resolver(p)
    matcher = compile_peer(p.ingress[0].peers[0], policy_namespace="x")
    assert r.peer_matches(matcher, pod("x/a", {"app": "a"}), None)
    assert not r.peer_matches(matcher, pod("y/a", {"app": "a"}), None)
    assert not r.peer_matches(matcher, pod("x/h", {"app": "a"}, host_network=True), None)


def test_named_port_matcher_allows_every_number_of_the_name() -> None:
    p = policy("x/p", EVERYTHING, ingress=[rule(ports=[named("http")])])
    r = _resolver(p)
    server = pod("x/s", ports=[cport(8080, "http"), cport(9090, "http")])
    compiled = r.policy(0)
    matcher = compiled.ingress[0].ports[0]
    assert r.ports(matcher, server) == PortSet.span(Protocol.TCP, 8080) | PortSet.span(
        Protocol.TCP, 9090
    )


# -- the two cases of issue 9, through the per-pair engine ------------------------------------


def test_duplicate_port_name_across_containers_allows_both_numbers() -> None:
    server = pod("x/srv", {"app": "srv"}, ports=[cport(8080, "http"), cport(9090, "http")])
    client = pod("x/cli", {"app": "cli"})
    p = policy("x/p", sel({"app": "srv"}), ingress=[rule(ports=[named("http")])])
    engine = Engine(cluster([server, client], [p]))
    for port, allowed in ((8080, True), (9090, True), (8081, False)):
        assert engine.allowed(Connection(client, server, port, Protocol.TCP)) is allowed, port
        assert engine.evaluate(Connection(client, server, port, Protocol.TCP)).allowed is allowed


def test_dual_stack_ip_block_is_matched_per_family() -> None:
    server = pod("net/server", {"app": "server"}, ips=["10.3.0.10", "fd00:3::10"])
    client = pod("net/client", {"app": "client"}, ips=["10.3.1.5", "fd00:3:1::5"])
    p = policy("net/client-egress", sel({"app": "client"}), egress=[rule(ip_peer("10.3.0.0/24"))])
    engine = Engine(cluster([server, client], [p]))
    c = Connection(client, server, 80, Protocol.TCP)
    over_v4 = Connection(client, server, 80, Protocol.TCP, family=4)
    over_v6 = Connection(client, server, 80, Protocol.TCP, family=6)
    assert engine.allowed(over_v4) and engine.evaluate(over_v4).allowed
    assert not engine.allowed(over_v6) and not engine.evaluate(over_v6).allowed
    # by name: every family the two can use; differing answers are reported per family
    verdict = engine.evaluate(c)
    assert not verdict.allowed and not engine.allowed(c)
    assert [(v.connection.family, v.allowed) for v in verdict.by_family] == [(4, True), (6, False)]
    # by the server's IPv6 address (asking by IP picks the family)
    v6_party = External(parse_ip("fd00:3::10"))
    assert not engine.allowed(Connection(client, v6_party, 80, Protocol.TCP))
    assert engine.allowed(Connection(client, External(parse_ip("10.3.0.10")), 80, Protocol.TCP))

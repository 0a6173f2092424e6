"""Questions as people ask them: a party by name or by address, and the IP family it implies.

An address names a family: a pod asked for by its IPv6 address is reached over IPv6 (the
packet carries that address, and an ipBlock matches the packet's address); a name names
none, and the engine then answers for every family the pair can use.
"""

from __future__ import annotations

import pytest
from tests.engine.builders import cluster, pod, policy, sel

from podfence.analysis.explain import Isolation, account_pod
from podfence.analysis.query import QueryError, ask_connection, resolve_endpoint, resolve_party
from podfence.engine import Engine
from podfence.model import Cluster, Endpoint, External, Protocol, ProtocolPort


def _cluster() -> Cluster:
    return cluster(
        [
            pod("net/client", ips=["10.3.0.20", "fd00:3::20"]),
            pod("net/server", ips=["10.3.0.10", "fd00:3::10"]),
            pod("net/v4only", ips=["10.3.0.30"]),
            pod("net/unknown"),
        ]
    )


@pytest.mark.parametrize(
    ("text", "party", "family"),
    [
        ("net/server", "net/server", None),
        ("10.3.0.10", "net/server", 4),
        ("fd00:3::10", "net/server", 6),
        ("203.0.113.9", "203.0.113.9", 4),
        ("2001:db8::1", "2001:db8::1", 6),
    ],
)
def test_a_party_and_the_family_its_text_implies(text: str, party: str, family: int | None) -> None:
    asked = resolve_party(_cluster(), text)
    assert (asked.party.id, asked.family) == (party, family)
    assert isinstance(asked.party, External) == ("/" not in party)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("server", "endpoint 'server': expected NAMESPACE/NAME or an IP address"),
        ("net/servr", "no pod or workload 'net/servr' in the input (did you mean 'net/server'?)"),
        ("x/y", "no pod or workload 'x/y' in the input"),
    ],
)
def test_parties_that_cannot_be_found(text: str, message: str) -> None:
    with pytest.raises(QueryError) as err:
        resolve_party(_cluster(), text)
    assert str(err.value) == message


_80 = ProtocolPort(80, Protocol.TCP)


@pytest.mark.parametrize(
    ("src", "dst", "family"),
    [
        ("net/client", "net/server", None),  # by name: the engine answers per family
        ("net/client", "fd00:3::10", 6),
        ("10.3.0.20", "net/server", 4),
        ("10.3.0.20", "10.3.0.10", 4),
        ("net/client", "203.0.113.9", None),  # an outside address carries its own family
        ("net/unknown", "fd00:3::10", 6),  # addresses not known: it could have one
    ],
)
def test_the_connection_names_the_family_of_a_pod_asked_by_address(
    src: str, dst: str, family: int | None
) -> None:
    c = ask_connection(_cluster(), src, dst, _80)
    assert c.family == family
    assert (c.port, c.protocol) == (80, Protocol.TCP)


@pytest.mark.parametrize(
    ("src", "dst", "message"),
    [
        (
            "10.3.0.20",
            "fd00:3::10",
            "10.3.0.20 is an IPv4 address and fd00:3::10 an IPv6 one: a connection uses one IP "
            "family",
        ),
        (
            "net/v4only",
            "fd00:3::10",
            "net/v4only has no IPv6 address: it cannot take part in a connection over IPv6",
        ),
        (
            "net/v4only",
            "2001:db8::1",
            "net/v4only has no IPv6 address: it cannot take part in a connection over IPv6",
        ),
        (
            "203.0.113.1",
            "203.0.113.2",
            "neither 203.0.113.1 nor 203.0.113.2 is a pod or workload of the input: "
            "NetworkPolicy only governs traffic from or to pods",
        ),
    ],
)
def test_questions_that_cannot_be_asked(src: str, dst: str, message: str) -> None:
    with pytest.raises(QueryError) as err:
        ask_connection(_cluster(), src, dst, _80)
    assert str(err.value) == message


def test_an_endpoint_by_name_or_address_never_the_outside() -> None:
    c = _cluster()
    assert resolve_endpoint(c, "fd00:3::20").id == "net/client"
    with pytest.raises(QueryError, match="is an address outside the cluster"):
        resolve_endpoint(c, "203.0.113.1")


def test_pod_account_per_direction() -> None:
    c = cluster(
        [pod("a/web", {"app": "web"}), pod("a/node", {"app": "web"}, host_network=True)],
        [policy("a/in", sel({"app": "web"}), ingress=[]), policy("a/x", sel({"app": "x"}))],
    )
    engine = Engine(c)
    web, node = c.endpoint("a/web"), c.endpoint("a/node")
    assert isinstance(web, Endpoint) and isinstance(node, Endpoint)
    acc = account_pod(engine, web)
    assert (acc.ingress.isolation, acc.ingress.selected_by) == (Isolation.ISOLATED, ("a/in",))
    assert (acc.egress.isolation, acc.egress.selected_by) == (Isolation.NOT_ISOLATED, ())
    assert [a.policy.key for a in acc.policies] == ["a/in"]
    host = account_pod(engine, node)
    assert host.ingress.isolation is host.egress.isolation is Isolation.HOST_NETWORK
    assert host.policies == ()

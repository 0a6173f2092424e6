"""The posture per namespace (podfence.analysis.summary): isolation per direction and the
endpoints that some address outside the cluster can reach, asked of the engine."""

from __future__ import annotations

from engine.builders import (
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
    tcp,
)
from podfence.analysis.summary import Openness, summarize
from podfence.model import Direction, NetworkPolicy

WEB = pod("shop/web", {"app": "web"}, ips=["10.0.1.1"], ports=[cport(8080, "http")])
DB = pod("shop/db", {"app": "db"}, ips=["10.0.1.2"], ports=[cport(5432)])
NODE = pod("shop/agent", {"app": "agent"}, ips=["192.168.0.1"], host_network=True)


def _reachable(*policies: NetworkPolicy) -> tuple[str, ...]:
    (shop,) = summarize(cluster([WEB, DB], policies, [ns("shop")]))
    return shop.reachable_from_outside


def test_without_policies_every_pod_is_reachable() -> None:
    (shop,) = summarize(cluster([WEB, DB, NODE], (), [ns("shop")]))
    assert shop.reachable_from_outside == ("shop/agent", "shop/db", "shop/web")
    assert shop.openness(Direction.INGRESS) is Openness.OPEN


def test_a_host_network_pod_is_reachable_whatever_the_policies() -> None:
    deny = policy("shop/deny", sel())
    (shop,) = summarize(cluster([WEB, NODE], (deny,), [ns("shop")]))
    assert shop.reachable_from_outside == ("shop/agent",)


def test_isolated_pods_only_through_a_rule_that_admits_an_outside_address() -> None:
    deny = policy("shop/deny", sel())
    assert _reachable(deny) == ()
    pods_only = policy("shop/web", sel({"app": "web"}), ingress=[rule(peer(sel(), sel()))])
    assert _reachable(deny, pods_only) == ()  # selectors match pods, never an address
    public = policy("shop/web", sel({"app": "web"}), ingress=[rule(ip_peer("0.0.0.0/0"))])
    assert _reachable(deny, public) == ("shop/web",)
    # outside the cluster includes private networks (a VPC, an office): not only the internet
    office = policy("shop/web", sel({"app": "web"}), ingress=[rule(ip_peer("192.168.7.0/24"))])
    assert _reachable(deny, office) == ("shop/web",)


def test_an_outside_block_that_only_holds_pods_is_not_the_outside() -> None:
    deny = policy("shop/deny", sel())
    own = policy("shop/db", sel({"app": "db"}), ingress=[rule(ip_peer("10.0.1.1/32"))])
    assert _reachable(deny, own) == ()  # 10.0.1.1 is shop/web, a pod


def test_a_port_that_resolves_to_nothing_admits_nothing() -> None:
    deny = policy("shop/deny", sel())
    grpc = policy(
        "shop/db", sel({"app": "db"}), ingress=[rule(ip_peer("0.0.0.0/0"), ports=[named("grpc")])]
    )
    assert _reachable(deny, grpc) == ()  # shop/db names no port grpc
    http = policy(
        "shop/web", sel({"app": "web"}), ingress=[rule(ip_peer("0.0.0.0/0"), ports=[tcp(8080)])]
    )
    assert _reachable(deny, http) == ("shop/web",)


def test_an_ipv6_only_rule_does_not_open_an_ipv4_only_pod() -> None:
    deny = policy("shop/deny", sel())
    v6 = policy("shop/web", sel({"app": "web"}), ingress=[rule(ip_peer("::/0"))])
    assert _reachable(deny, v6) == ()

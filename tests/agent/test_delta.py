"""From one ruleset to the next: element commands when only set contents changed, the whole
table otherwise; and the kernel ends up with the same table either way."""

from __future__ import annotations

import ipaddress
import subprocess
from collections.abc import Iterator

import pytest
from tests.dataplane.builders import block, cluster, ns, peer, pod, policy, rule, sel

from podfence.agent.delta import plan_change
from podfence.agent.nft import ApplyError, NftTarget
from podfence.agent.ruleset import node_view
from podfence.dataplane.nft import compile_ruleset, emit
from podfence.dataplane.nft.ir import Ruleset
from podfence.model import Cluster, Direction

INGRESS = frozenset({Direction.INGRESS})
LOCAL = ("10.0.1.1", "10.0.1.2", "10.0.1.3")


def _shop(
    *clients: tuple[str, str], db: tuple[str, ...] = ("10.0.1.1",), cidr: str = "192.168.0.0/16"
) -> Cluster:
    pods = [pod(f"shop/db{i}", {"app": "db"}, ips=[ip]) for i, ip in enumerate(db)]
    pods += [pod(f"shop/{name}", {"app": "web"}, ips=[ip]) for name, ip in clients]
    rules = [rule([peer(sel(app="web"))]), rule([peer(ip_block=block(cidr))])]
    return cluster([ns("shop")], pods, [policy("shop/db", sel(app="db"), INGRESS, ingress=rules)])


def _view(c: Cluster) -> Ruleset:
    return node_view(compile_ruleset(c), [ipaddress.ip_address(ip) for ip in LOCAL])


def test_same_ruleset_nothing_to_do() -> None:
    rs = _view(_shop(("a", "10.0.2.1")))
    assert plan_change(rs, rs) is None


def test_unknown_kernel_state_replaces_the_table() -> None:
    rs = _view(_shop(("a", "10.0.2.1")))
    plan = plan_change(None, rs)
    assert plan is not None and not plan.incremental and plan.script == emit(rs)


def test_pods_coming_and_going_are_element_commands() -> None:
    old = _view(_shop(("a", "10.0.2.1"), ("b", "10.0.2.2")))
    new = _view(_shop(("a", "10.0.2.1"), ("c", "10.0.2.3"), db=("10.0.1.1", "10.0.1.2")))
    plan = plan_change(old, new)
    assert plan is not None and plan.incremental
    assert plan.script.splitlines() == [
        "# podfence agent: 3 element(s) added, 1 removed",
        "delete element inet podfence peer0-v4 { 10.0.2.2 }",
        "add element inet podfence peer0-v4 { 10.0.2.3 }",
        "add element inet podfence pol0-v4 { 10.0.1.2 }",
        "add element inet podfence ingress-pods-v4 { 10.0.1.2 : jump ingress-shop }",
    ]


def test_a_changed_rule_or_interval_set_replaces_the_table() -> None:
    old = _view(_shop(("a", "10.0.2.1")))
    plan = plan_change(old, _view(_shop(("a", "10.0.2.1"), cidr="172.16.0.0/12")))
    assert plan is not None and not plan.incremental
    plan = plan_change(old, _view(_shop()))  # the last web pod left: its rule goes
    assert plan is not None and not plan.incremental


@pytest.fixture
def two_netns() -> Iterator[tuple[str, str]]:
    names = ("podfence-agentd-a", "podfence-agentd-b")
    try:
        for name in names:
            subprocess.run(["ip", "netns", "add", name], check=True)
        yield names
    finally:
        for name in names:
            subprocess.run(["ip", "netns", "delete", name], check=False)


@pytest.mark.netns
def test_the_kernel_holds_the_same_table_after_elements_or_a_replacement(
    two_netns: tuple[str, str],
) -> None:
    steps = [
        _shop(("a", "10.0.2.1"), ("b", "10.0.2.2")),
        _shop(("a", "10.0.2.1"), ("c", "10.0.2.3"), db=("10.0.1.1", "10.0.1.2")),
        _shop(("c", "10.0.2.3"), db=("10.0.1.2", "10.0.1.3")),
        _shop(("c", "10.0.2.3"), ("d", "10.0.2.4"), db=("10.0.1.3",)),
    ]
    a, b = (NftTarget(n) for n in two_netns)
    previous = None
    modes = []
    for c in steps:
        rs = _view(c)
        plan = plan_change(previous, rs)
        assert plan is not None
        modes.append(plan.incremental)
        a.apply(plan.script)
        b.apply(emit(rs))
        assert a.list_table("inet", "podfence") == b.list_table("inet", "podfence")
        previous = rs
    assert modes == [False, True, True, True]


@pytest.mark.netns
def test_a_script_nft_refuses_leaves_the_table_in_force(two_netns: tuple[str, str]) -> None:
    target = NftTarget(two_netns[0])
    rs = _view(_shop(("a", "10.0.2.1")))
    target.apply(emit(rs))
    before = target.list_table("inet", "podfence")
    broken = emit(rs).replace("ip saddr @", "ip saddr @nosuchset", 1)
    with pytest.raises(ApplyError, match="nft -c rejected the ruleset in podfence-agentd-a"):
        target.apply(broken)
    assert target.list_table("inet", "podfence") == before
    assert target.has_table("inet", "podfence") and not target.has_table("inet", "other")

"""A node's ruleset: on every node only its own pods' traffic is judged, and a connection
crossing two nodes is allowed exactly when the reference allows it (egress judged on the
source's node, ingress on the destination's); quarantine and bootstrap drop new connections."""

from __future__ import annotations

import ipaddress
import re
from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st
from tests.dataplane.builders import cluster, ns, peer, pod, policy, rule, sel
from tests.dataplane.irsim import forward_accepts
from tests.dataplane.reference import addresses, allowed
from tests.dataplane.strategies import PORTS, clusters
from tests.dataplane.tier_cases import ties

from podfence.agent.ruleset import bootstrap, node_view, stable_names, with_quarantine
from podfence.dataplane.nft import compile_ruleset, emit
from podfence.dataplane.nft.ir import Ruleset
from podfence.model import Cluster, Direction, IPAddress, Protocol

NODES = ("n1", "n2", "n3")


def accepts(ruleset: Ruleset, src: IPAddress, dst: IPAddress, proto: Protocol, port: int) -> bool:
    """Every base chain of the table lets the first packet through (a drop anywhere is final)."""
    for base in (c for c in ruleset.chains if c.hook is not None):
        others = tuple(c for c in ruleset.chains if c.hook is None)
        alone = replace(ruleset, chains=(replace(base, name="forward"), *others))
        if not forward_accepts(alone, src, dst, proto, port):
            return False
    return True


def views(c: Cluster, placement: dict[str, str]) -> dict[str, Ruleset]:
    full = compile_ruleset(c)
    return {
        node: node_view(
            full, [ip for ep in c.endpoints if placement[ep.id] == node for ip in ep.ips]
        )
        for node in NODES
    }


@st.composite
def placed(draw: st.DrawFn) -> tuple[Cluster, dict[str, str]]:
    c = draw(clusters())
    placement = {ep.id: draw(st.sampled_from(NODES)) for ep in c.endpoints}
    return c, placement


@settings(settings.get_profile("podfence-sim"))
@given(placed())
def test_across_nodes_the_node_views_decide_as_the_reference(
    case: tuple[Cluster, dict[str, str]],
) -> None:
    c, placement = case
    rulesets = views(c, placement)
    for node, rs in rulesets.items():
        emit(rs)  # every node's ruleset can be written out
        assert all(
            ip in {ip for ep in c.endpoints if placement[ep.id] == node for ip in ep.ips}
            for m in rs.maps
            for ip, _ in m.elements
        )
    for src in c.endpoints:
        for dst in c.endpoints:
            if src.id == dst.id:
                continue
            on = {placement[src.id], placement[dst.id]}  # the forward hooks the packet crosses
            for family in sorted({ip.version for ip in src.ips} & {ip.version for ip in dst.ips}):
                pair = addresses(src, dst, family)
                assert pair is not None
                for number, proto in PORTS:
                    want = allowed(c, src, dst, number, proto, family)
                    got = all(accepts(rulesets[n], pair[0], pair[1], proto, number) for n in on)
                    assert got == want, (
                        f"{src.id}@{placement[src.id]} -> {dst.id}@{placement[dst.id]} "
                        f"{number}/{proto} over IPv{family}"
                    )


def _ip(text: str) -> IPAddress:
    return ipaddress.ip_address(text)


INGRESS, EGRESS = frozenset({Direction.INGRESS}), frozenset({Direction.EGRESS})
SHOP = cluster(
    [ns("shop")],
    [
        pod("shop/web", {"app": "web"}, ips=["10.0.1.1"]),
        pod("shop/db", {"app": "db"}, ips=["10.0.2.1"]),
    ],
    [
        policy("shop/db", sel(app="db"), INGRESS, ingress=[rule([peer(sel(app="web"))])]),
        policy("shop/web", sel(app="web"), EGRESS, egress=[rule([peer(sel(app="db"))])]),
    ],
)


def test_a_node_without_isolated_pods_keeps_only_the_forward_chain() -> None:
    view = node_view(compile_ruleset(SHOP), [_ip("10.0.9.9")])
    assert view.maps == () and view.sets == ()
    assert [c.name for c in view.chains] == ["forward"]


def test_each_node_keeps_its_own_pods_in_the_maps_and_the_chains_they_reach() -> None:
    full = compile_ruleset(SHOP)
    web_node = node_view(full, [_ip("10.0.1.1")])
    assert [(m.name, [str(ip) for ip, _ in m.elements]) for m in web_node.maps] == [
        ("egress-pods-v4", ["10.0.1.1"])
    ]
    assert [c.name for c in web_node.chains] == ["forward", "egress-shop"]
    db_node = node_view(full, [_ip("10.0.2.1")])
    assert [c.name for c in db_node.chains] == ["forward", "ingress-shop"]


def test_quarantine_drops_new_connections_in_the_given_directions_only() -> None:
    view = node_view(compile_ruleset(SHOP), [_ip("10.0.1.1")])
    out = with_quarantine(view, {Direction.EGRESS: frozenset({_ip("10.0.1.1")})}, ["because"])
    assert out.chains[0].name == "quarantine" and out.chains[0].hook is not None
    assert out.chains[0].hook.priority == "filter - 1"
    tcp = Protocol.TCP
    assert accepts(view, _ip("10.0.1.1"), _ip("10.0.2.1"), tcp, 80)
    assert not accepts(out, _ip("10.0.1.1"), _ip("10.0.2.1"), tcp, 80)  # its egress: dropped
    assert accepts(out, _ip("10.0.3.3"), _ip("10.0.1.1"), tcp, 80)  # ingress untouched
    assert with_quarantine(view, {}, []) is view
    assert "# quarantine: because" in emit(out)


def test_bootstrap_drops_every_new_forwarded_connection() -> None:
    rs = bootstrap("inet", "podfence")
    assert not accepts(rs, _ip("10.0.0.1"), _ip("10.0.0.2"), Protocol.UDP, 53)
    text = emit(rs)
    assert "ct state established,related accept" in text
    assert (
        text.splitlines()[1]
        == "# bootstrap: the agent has not listed the cluster yet; new connections drop"
    )


def test_sets_keep_their_names_when_another_set_empties() -> None:
    """The compiler numbers sets in order of use; named after what they stand for, they keep
    their names when an earlier one disappears."""
    tool = policy("a/tool", sel(app="tool"), INGRESS, ingress=[rule([peer(sel(app="gone"))])])
    tool_pod = pod("a/tool", {"app": "tool"}, ips=["10.0.9.2"])
    gone = pod("a/gone", {"app": "gone"}, ips=["10.0.9.1"])
    base = replace(SHOP, namespaces=(ns("a"), *SHOP.namespaces), policies=(tool, *SHOP.policies))
    with_gone = replace(base, endpoints=(gone, tool_pod, *SHOP.endpoints))
    without = replace(base, endpoints=(tool_pod, *SHOP.endpoints))
    before, after = (compile_ruleset(c) for c in (with_gone, without))
    renumbered = [rs.set("peer1-v4") for rs in (before, after)]
    assert [s.comment for s in renumbered if s] == ["pods app=web in shop", "pods app=db in shop"]
    local = [_ip("10.0.2.1")]
    names = [{s.name for s in stable_names(node_view(rs, local)).sets} for rs in (before, after)]
    assert names[0] == names[1] and all(
        re.fullmatch(r"(peer|pol)-[0-9a-f]{10}-v4", n) for n in names[0]
    )


def test_node_view_of_the_tiers_keeps_the_local_subjects_and_every_answer_for_them() -> None:
    """With ClusterNetworkPolicies, the subject sets keep the node's pods only (a dispatch on a
    subject with none goes), and the node's pods are judged exactly as by the whole ruleset."""
    c = ties()
    full = compile_ruleset(c)
    db = c.endpoint("shop/db")
    assert db is not None
    view = node_view(full, db.ips)
    subjects = [s for s in view.sets if s.name.startswith("subj")]
    assert subjects and all(
        [(e.first, e.last) for e in s.elements] == [(db.ips[0], db.ips[0])] for s in subjects
    )
    names = {ch.name for ch in view.chains}
    assert "egress_cnp_frontend-egress" in {ch.name for ch in full.chains}
    assert "egress_cnp_frontend-egress" not in names  # db is not its subject
    for src in c.endpoints:
        for port in (80, 5432, 8080):
            if src.id != db.id:
                want = forward_accepts(full, src.ips[0], db.ips[0], Protocol.TCP, port)
                got = forward_accepts(view, src.ips[0], db.ips[0], Protocol.TCP, port)
                assert got is want, (src.id, port)

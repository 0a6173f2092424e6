"""The graph as data, and its Mermaid/DOT text: the seed's scenarios A and B, classes of
look-alike pods, CIDR nodes, denied edges, escaping."""

from __future__ import annotations

import re

from tests.engine.builders import cluster, cport, ip_peer, pod, policy, rule, sel, tcp
from tests.review.conftest import load_seed

from podfence.analysis.graph import EdgeKind, GraphOptions, NodeKind, build_graph
from podfence.analysis.samples import PortSpan
from podfence.model import Direction, PortRange, Protocol
from podfence.render.dot import dot_quote, render_dot
from podfence.render.mermaid import mermaid_label, render_mermaid

FULL = GraphOptions(show_denied=True, show_policies=True)


def _edges(graph, kind):  # type: ignore[no-untyped-def]
    return {(e.source, e.target) for e in graph.edges if e.kind is kind}


def test_scenario_a_everyone_reaches_the_db() -> None:
    g = build_graph(load_seed("a-open-network"), FULL)
    allowed = _edges(g, EdgeKind.ALLOWED)
    assert ("default/hacker", "secure/db") in allowed
    assert ("secure/web", "secure/db") in allowed
    assert not _edges(g, EdgeKind.DENIED)
    assert all(not n.isolated for n in g.nodes)


def test_scenario_b_matches_the_seed_graph() -> None:
    """Seed: web -> db "Allowed by Rule"; hacker -> db blocked (dashed); NetworkPolicy
    -.->|Selects| db; db with a red stroke. The seed labels the denial "Blocked (Default
    Deny)", but there is no default deny here: db-allow-web isolates db and none of its rules
    admits the hacker, and the label says so (issue 10)."""
    g = build_graph(load_seed("b-policy-selects-db"), FULL)
    web_db = next(e for e in g.edges if (e.source, e.target) == ("secure/web", "secure/db"))
    assert web_db.kind is EdgeKind.ALLOWED
    assert web_db.ports == (PortSpan(Protocol.TCP, PortRange(5432, 5432)),)
    assert web_db.via == ("secure/db-allow-web ingress[0]",)
    assert ("default/hacker", "secure/db") not in _edges(g, EdgeKind.ALLOWED)
    assert ("default/hacker", "secure/db") in _edges(g, EdgeKind.DENIED)
    assert _edges(g, EdgeKind.SELECTS) == {("policy:secure/db-allow-web", "secure/db")}
    assert g.node("secure/db").isolated == {Direction.INGRESS}

    text = render_mermaid(g)
    assert text.startswith("graph TD\n")
    assert (
        '  n_secure_web -->|"TCP 5432<br>by rule secure/db-allow-web ingress[0]"| n_secure_db\n'
        in text
    )
    blocked = "Blocked (ingress): isolated by secure/db-allow-web, no rule allows it"
    assert f'  n_default_hacker -.->|"{blocked}"| n_secure_db\n' in text
    assert '  p_secure_db_allow_web -.->|"Selects"| n_secure_db\n' in text
    assert "  style n_secure_db stroke:#ff0000,stroke-width:2px\n" in text


def test_look_alike_pods_merge_into_a_class() -> None:
    pods = [pod(f"shop/web-{i}", {"app": "web", "pod": str(i)}) for i in range(3)]
    db = pod("shop/db", {"app": "db"}, ports=[cport(5432)])
    pol = policy("shop/db", sel({"app": "db"}), ingress=[rule(ports=[tcp(5432)])])
    g = build_graph(cluster([*pods, db], [pol]))
    classes = [n for n in g.nodes if n.kind is NodeKind.CLASS]
    assert [(n.label, n.members) for n in classes] == [
        ("app=web (3 pods)", ("shop/web-0", "shop/web-1", "shop/web-2"))
    ]
    assert ("class:shop/web-0", "shop/db") in _edges(g, EdgeKind.ALLOWED)
    assert ("class:shop/web-0", "class:shop/web-0") in _edges(g, EdgeKind.ALLOWED)
    # below the threshold nothing merges
    g2 = build_graph(cluster([*pods, db], [pol]), GraphOptions(merge_min=4))
    assert not [n for n in g2.nodes if n.kind is NodeKind.CLASS]


def test_pods_that_differ_do_not_merge() -> None:
    pods = [pod(f"shop/web-{i}", {"app": "web"}) for i in range(3)]
    special = pod("shop/web-x", {"app": "web", "role": "admin"})
    pol = policy("shop/admin", sel({"role": "admin"}), ingress=[])
    g = build_graph(cluster([*pods, special], [pol]))
    assert g.node("shop/web-x").kind is NodeKind.ENDPOINT
    assert g.node("class:shop/web-0").members == ("shop/web-0", "shop/web-1", "shop/web-2")


def test_ip_blocks_become_nodes() -> None:
    web = pod("shop/web", {"app": "web"})
    pol = policy("shop/out", egress=[rule(ip_peer("10.0.0.0/8", "10.1.0.0/16"), ports=[tcp(443)])])
    g = build_graph(cluster([web], [pol]))
    node = g.node("cidr:10.0.0.0/8 except 10.1.0.0/16")
    assert node.kind is NodeKind.EXTERNAL and node.namespace is None
    edge = next(e for e in g.edges if e.target == node.key)
    assert edge.source == "shop/web"
    assert edge.ports == (PortSpan(Protocol.TCP, PortRange(443, 443)),)
    assert 'subgraph outside["outside the cluster"]' in render_mermaid(g)


def test_denied_edges_are_capped_and_prefer_hacker_like_sources() -> None:
    pods = [pod(f"a/p{i}", {"n": str(i)}) for i in range(6)] + [pod("a/hacker", {"app": "x"})]
    db = pod("a/db", {"app": "db"})
    pol = policy("a/db", sel({"app": "db"}), ingress=[])
    options = GraphOptions(show_denied=True, max_denied=2, merge_min=0)
    g = build_graph(cluster([*pods, db], [pol]), options)
    denied = [(e.source, e.target) for e in g.edges if e.kind is EdgeKind.DENIED]
    assert len(denied) == 2
    assert ("a/hacker", "a/db") in denied
    # merged, the look-alikes are one node; the hacker stays on its own
    g = build_graph(cluster([*pods, db], [pol]), GraphOptions(show_denied=True))
    denied = [(e.source, e.target) for e in g.edges if e.kind is EdgeKind.DENIED]
    assert denied == [("a/hacker", "a/db"), ("class:a/p0", "a/db")]


def test_only_given_ports_are_probed() -> None:
    g = build_graph(
        load_seed("b-policy-selects-db"),
        GraphOptions(ports=(PortSpan(Protocol.TCP, PortRange(80, 80)),)),
    )
    assert ("secure/web", "secure/db") not in _edges(g, EdgeKind.ALLOWED)
    assert ("secure/db", "secure/web") in _edges(g, EdgeKind.ALLOWED)


def test_mermaid_labels_escape_special_characters() -> None:
    assert (
        mermaid_label(['a "b" <c> #d & `e`']) == '"a #quot;b#quot; #lt;c#gt; #35;d #amp; #96;e#96;"'
    )
    assert mermaid_label(["one", "two"]) == '"one<br>two"'


def test_mermaid_ids_are_valid_and_unique() -> None:
    eps = [pod("a-b/c.d"), pod("a/b-c.d"), pod("end/end")]
    text = render_mermaid(build_graph(cluster(eps)))
    ids = [i for i in re.findall(r"^    (\S+?)\[", text, re.M) if i != "legend_text"]
    assert len(ids) == len(set(ids)) == 3
    assert all(re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", i) for i in ids)


def test_dot_quotes() -> None:
    assert dot_quote('a "b" \\ c\nd') == '"a \\"b\\" \\\\ c\\nd"'
    text = render_dot(build_graph(load_seed("b-policy-selects-db"), FULL))
    assert text.startswith("digraph podfence {")
    assert (
        '"secure/db" [label="db", shape=box, style="rounded", color="#ff0000", penwidth=2];' in text
    )


_SELECTS_WITHOUT_EFFECT = """\
apiVersion: v1
kind: Namespace
metadata: {name: shop}
---
apiVersion: policy.networking.k8s.io/v1alpha2
kind: ClusterNetworkPolicy
metadata: {name: watch-team}
spec:
  tier: Admin
  priority: 5
  subject:
    pods:
      namespaceSelector: {}
      podSelector: {matchLabels: {team: t}}
  ingress:
    - name: everyone
      action: Accept
      from: [{namespaces: {}}]
""" + "".join(
    f"---\napiVersion: v1\nkind: Pod\nmetadata: {{name: web-{i}, namespace: shop, "
    f"labels: {{app: web{', team: t' if i == 3 else ''}}}}}\n"
    f"spec: {{containers: [{{name: c}}]}}\n"
    for i in range(4)
)


def test_pods_a_cluster_network_policy_tells_apart_do_not_merge() -> None:
    """web-3 is the only subject of cnp/watch-team, whose Accept changes nothing (the cluster
    is open): the four pods connect alike, yet a merged node's Selects edge would hold for
    one member only, so web-3 stays on its own and the edge is exact."""
    from podfence.load import load_texts

    loaded = load_texts([("shop.yaml", _SELECTS_WITHOUT_EFFECT)])
    assert loaded.cluster is not None, loaded.diagnostics
    g = build_graph(loaded.cluster, FULL)
    assert g.node("shop/web-3").kind is NodeKind.ENDPOINT
    assert g.node("class:shop/web-0").members == ("shop/web-0", "shop/web-1", "shop/web-2")
    assert _edges(g, EdgeKind.SELECTS) == {("policy:cnp/watch-team", "shop/web-3")}

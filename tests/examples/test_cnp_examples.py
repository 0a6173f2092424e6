"""The ClusterNetworkPolicy examples under examples/cnp/: valid, complete, and harmless to
every existing command.

The verdicts each example is written to show are kept below as data (`TIERED_VERDICTS`), with
the tier and rule that decide; the engine gives exactly those (`test_the_engine_gives_the_
intended_verdicts`). Also checked: every example loads without a single diagnostic, every pod
is placed on a Node of the example and has an IP, and no command crashes on input with
ClusterNetworkPolicies.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from podfence.load import load_paths
from podfence.model import Action, Cluster, Tier

CNP = Path(__file__).parents[2] / "examples" / "cnp"
EXAMPLES = sorted(p.name for p in CNP.iterdir() if p.is_dir())


def _cluster(name: str) -> Cluster:
    result = load_paths([str(CNP / name)])
    assert result.cluster is not None, [str(d) for d in result.diagnostics]
    assert result.diagnostics == (), [str(d) for d in result.diagnostics]
    return result.cluster


# (example, source, destination, port, allowed, tier that decides, "policy rule" or None)
TIERED_VERDICTS = [
    ("admin-guardrail", "monitoring/prometheus", "payments/ledger", "9090/TCP", True,
     "Admin", "protect-payments allow-metrics-scrape"),
    ("admin-guardrail", "monitoring/prometheus", "payments/ledger", "8443/TCP", False,
     "Admin", "protect-payments deny-other-namespaces"),
    ("admin-guardrail", "shop/checkout", "payments/ledger", "8443/TCP", False,
     "Admin", "protect-payments deny-other-namespaces"),
    ("admin-guardrail", "shop/web", "shop/checkout", "8080/TCP", True, None, None),
    ("pass-to-owners", "team-b/frontend", "team-a/api", "8080/TCP", True,
     "NetworkPolicy", "team-a/api-from-frontend"),
    ("pass-to-owners", "team-b/batch", "team-a/api", "8080/TCP", False,
     "NetworkPolicy", "team-a/api-from-frontend"),
    ("pass-to-owners", "team-a/api", "team-b/frontend", "80/TCP", True, None, None),
    ("pass-to-owners", "sandbox/tool", "team-a/api", "8080/TCP", False,
     "Admin", "tenant-isolation deny-non-tenants"),
    ("baseline-default-deny", "blog/wordpress", "shop/web", "8080/TCP", True,
     "NetworkPolicy", "shop/allow-web-ingress"),
    ("baseline-default-deny", "blog/wordpress", "shop/db", "5432/TCP", False,
     "NetworkPolicy", "shop/allow-db-from-web"),
    ("baseline-default-deny", "shop/web", "shop/db", "5432/TCP", True,
     "NetworkPolicy", "shop/allow-db-from-web"),
    ("baseline-default-deny", "shop/web", "blog/wordpress", "80/TCP", False,
     "Baseline", "default-deny-ingress deny-all-ingress"),
    ("baseline-default-deny", "shop/web", "kube-system/coredns", "53/UDP", True, None, None),
    ("egress-networks-dns", "shop/web", "kube-system/coredns", "53/UDP", True,
     "Admin", "shop-egress allow-dns"),
    ("egress-networks-dns", "shop/web", "kube-system/coredns", "53/TCP", True,
     "Admin", "shop-egress allow-dns"),
    ("egress-networks-dns", "shop/web", "shop/db", "5432/TCP", True, None, None),
    ("egress-networks-dns", "shop/web", "192.0.2.10", "443/TCP", True,
     "Admin", "shop-egress allow-partner-api"),
    ("egress-networks-dns", "shop/web", "192.0.2.10", "80/TCP", False,
     "Admin", "shop-egress deny-other-networks"),
    ("egress-networks-dns", "shop/web", "198.51.100.7", "443/TCP", False,
     "Admin", "shop-egress deny-other-networks"),
]  # fmt: skip


def test_the_four_examples() -> None:
    assert EXAMPLES == [
        "admin-guardrail",
        "baseline-default-deny",
        "egress-networks-dns",
        "pass-to-owners",
    ]


@pytest.mark.parametrize("example", EXAMPLES)
def test_example_is_valid_and_complete(example: str) -> None:
    cluster = _cluster(example)
    assert cluster.cluster_policies, "an example of ClusterNetworkPolicy has one"
    nodes = {n.name for n in cluster.nodes}
    for endpoint in cluster.endpoints:
        assert endpoint.node_name in nodes, endpoint.id
        assert endpoint.ips, endpoint.id
    assert all(n.ips for n in cluster.nodes)


def test_verdict_table_names_what_exists() -> None:
    for example, src, dst, _, _, tier, rule in TIERED_VERDICTS:
        cluster = _cluster(example)
        for party in (src, dst):
            assert "/" not in party or cluster.endpoint(party) is not None, party
        if tier in ("Admin", "Baseline"):
            assert rule is not None
            name, rule_name = rule.split()
            policy = cluster.cluster_policy(name)
            assert policy is not None and policy.tier is Tier(tier)
            assert rule_name in {r.name for r in (*policy.ingress, *policy.egress)}
        elif tier == "NetworkPolicy":
            assert rule is not None and cluster.policy(rule) is not None


@pytest.mark.parametrize("row", TIERED_VERDICTS, ids=lambda r: f"{r[0]}:{r[1]}->{r[2]}:{r[3]}")
def test_the_engine_gives_the_intended_verdicts(row: tuple[object, ...]) -> None:
    """The deciding side names the tier and the rule: for a denial, the side that denies;
    for an allowed connection, the side some tier decided (None: no tier decided either)."""
    from podfence.analysis.query import ask_connection
    from podfence.engine import Engine
    from podfence.model import ProtocolPort

    example, src, dst, port, allowed, tier, rule = row
    cluster = _cluster(str(example))
    engine = Engine(cluster)
    conn = ask_connection(cluster, str(src), str(dst), ProtocolPort.parse(str(port)))
    verdict = engine.evaluate(conn)
    assert verdict.allowed is allowed and engine.allowed(conn) is allowed
    sides = (verdict.egress, verdict.ingress)
    deciding = [s for s in sides if not s.allowed] or [s for s in sides if s.tier is not None]
    if tier is None:
        assert deciding == [], deciding
        return
    (side,) = deciding
    assert side.tier == tier
    if side.decided_by is not None:
        name, rule_name = str(rule).split()
        assert (side.decided_by.ref.policy, side.decided_by.ref.name) == (name, rule_name)
    else:
        assert rule in side.selected_by


_POD_ROWS = [r for r in TIERED_VERDICTS if "/" in str(r[1]) and "/" in str(r[2])]


@pytest.mark.parametrize("row", _POD_ROWS, ids=lambda r: f"{r[0]}:{r[1]}->{r[2]}:{r[3]}")
def test_matrix_gives_the_intended_verdicts(row: tuple[object, ...]) -> None:
    """`matrix` (the class engine, with tiers) gives each pod-to-pod verdict of the table:
    in the dense JSON, in the grouped JSON, and in the class engine's own answer."""
    import json

    from podfence.cli.main import cli
    from podfence.engine.classes import ClassEngine
    from podfence.model import ProtocolPort

    example, src, dst, port, allowed, _, _ = row
    cluster = _cluster(str(example))
    spec = ProtocolPort.parse(str(port))
    s, d = cluster.endpoint(str(src)), cluster.endpoint(str(dst))
    assert s is not None and d is not None
    assert ClassEngine(cluster).allowed(s, d, spec.port, spec.protocol) is allowed
    path = str(CNP / str(example))
    args = ["matrix", path, "-p", str(port), "-o", "json"]
    res = CliRunner().invoke(cli, args)
    assert res.exit_code in (0, 1), res.output
    assert "note" not in res.output
    dense = json.loads(res.output)
    i, j = dense["endpoints"].index(src), dense["endpoints"].index(dst)
    assert dense["matrices"][0]["allowed"][i][j] is allowed
    grouped = json.loads(CliRunner().invoke(cli, [*args, "--group"]).output)
    group_of = {m: g["id"] for g in grouped["groups"] for m in g["members"]}
    cells = {(a["from"], a["to"]) for a in grouped["allowed"]}
    assert ((group_of[str(src)], group_of[str(dst)]) in cells) is allowed


def test_the_examples_use_every_action_and_tier() -> None:
    policies = [p for e in EXAMPLES for p in _cluster(e).cluster_policies]
    assert {p.tier for p in policies} == set(Tier)
    assert {r.action for p in policies for r in (*p.ingress, *p.egress)} == set(Action)


COMMANDS = [
    ["validate"],
    ["explain"],
    ["graph"],
    ["lint"],
    ["matrix", "--all-ports"],
    ["compile"],
]


@pytest.mark.parametrize("example", EXAMPLES)
@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c[0])
def test_commands_do_not_crash_on_cluster_policies(example: str, command: list[str]) -> None:
    from podfence.cli.main import cli

    res = CliRunner().invoke(cli, [*command, str(CNP / example)])
    assert res.exit_code in (0, 1), res.output
    assert res.exception is None or isinstance(res.exception, SystemExit), res.exception


def test_can_and_diff_do_not_crash_on_cluster_policies() -> None:
    from podfence.cli.main import cli

    guard, owners = str(CNP / "admin-guardrail"), str(CNP / "pass-to-owners")
    can = CliRunner().invoke(cli, ["can", "shop/web", "payments/ledger", "-p", "8443", guard])
    assert can.exit_code in (0, 1), can.output
    if "diff" in cli.commands:
        diff = CliRunner().invoke(cli, ["diff", guard, "--to", owners])
        assert diff.exit_code in (0, 1), diff.output

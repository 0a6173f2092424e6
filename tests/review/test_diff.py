"""Semantic diff: exact gains and losses, nothing for the same meaning written differently."""

from __future__ import annotations

import json

import click
from click.testing import CliRunner
from tests.engine.builders import cluster, ip_peer, pod, policy, rule, sel, tcp
from tests.review.conftest import HERE, load, load_seed, seed_paths

from podfence.analysis.diff import Change, diff_clusters
from podfence.model import Direction, Protocol

REWRITTEN = HERE / "inputs" / "dns-allowed-rewritten"


def _cells(d):  # type: ignore[no-untyped-def]
    return sorted(
        (c.change.value, c.source, c.destination, c.probe.protocol.value, str(c.probe.ports))
        for c in d.cells
    )


def test_dns_trap_to_dns_allowed_gains_exactly_dns() -> None:
    d = diff_clusters(load_seed("dns-trap"), load_seed("dns-allowed"))
    assert _cells(d) == [
        ("gained", f"default/{src}", "kube-system/coredns", proto, "53")
        for src in ("api", "web")
        for proto in ("TCP", "UDP")
    ]
    (group,) = d.groups
    assert group.change is Change.GAINED and group.side is Direction.EGRESS
    assert group.subjects == ("default/api", "default/web")
    assert group.peers == ("kube-system/coredns",)
    assert [str(r) for r in group.via] == ["default/allow-dns-egress egress[0].to[0]"]


def test_the_reverse_loses_exactly_dns() -> None:
    d = diff_clusters(load_seed("dns-allowed"), load_seed("dns-trap"))
    assert {c.change for c in d.cells} == {Change.LOST}
    assert len(d.cells) == 4
    assert d.lost[0].subjects == ("default/api", "default/web")


def test_the_same_meaning_written_differently_diffs_empty() -> None:
    rewritten = load(REWRITTEN)
    assert diff_clusters(load_seed("dns-allowed"), rewritten).cells == ()
    assert diff_clusters(rewritten, load_seed("dns-allowed")).cells == ()
    # and against the trap it gains the same cells as the original
    assert _cells(diff_clusters(load_seed("dns-trap"), rewritten)) == _cells(
        diff_clusters(load_seed("dns-trap"), load_seed("dns-allowed"))
    )


def test_ingress_change_names_the_destination_and_the_rule() -> None:
    web, db = pod("shop/web", {"app": "web"}), pod("shop/db", {"app": "db"})
    old = cluster([web, db], [policy("shop/db", sel({"app": "db"}), ingress=[])])
    new = cluster(
        [web, db],
        [policy("shop/db", sel({"app": "db"}), ingress=[rule(ports=[tcp(5432)])])],
    )
    d = diff_clusters(old, new)
    (group,) = d.groups
    assert group.side is Direction.INGRESS
    assert group.subjects == ("shop/db",)
    assert "every other address" in group.peers and "shop/web" in group.peers
    assert [(p.protocol, str(p.ports)) for p in group.ports] == [(Protocol.TCP, "5432")]
    assert [str(r) for r in group.via] == ["shop/db ingress[0]"]


def test_ip_block_changes_are_exact() -> None:
    web = pod("shop/web", {"app": "web"})
    old = cluster([web], [policy("shop/out", egress=[rule(ip_peer("10.0.0.0/8"))])])
    new = cluster([web], [policy("shop/out", egress=[rule(ip_peer("10.0.0.0/8", "10.9.0.0/16"))])])
    d = diff_clusters(old, new)
    assert {c.destination for c in d.cells} == {"addresses in 10.0.0.0/8"}
    assert {c.change for c in d.cells} == {Change.LOST}


def test_cli_text_markdown_json_and_exit_codes(cli: click.Group) -> None:
    runner = CliRunner()
    args = ["diff", *seed_paths("dns-trap"), "--to", *seed_paths("dns-allowed")]
    res = runner.invoke(cli, args)
    assert res.exit_code == 0, res.output
    assert res.output.splitlines()[:4] == [
        "2 connections gained, 0 lost (compared 3 pods/workloads and 1 outside address on "
        "11 port classes)",
        "",
        "gained:",
        "  + default/api, default/web now reach kube-system/coredns on TCP 53; UDP 53",
    ]
    assert runner.invoke(cli, [*args, "--fail-on-gain"]).exit_code == 1
    assert runner.invoke(cli, [*args, "--fail-on-change"]).exit_code == 1
    back = ["diff", *seed_paths("dns-allowed"), "--to", *seed_paths("dns-trap")]
    assert runner.invoke(cli, [*back, "--fail-on-gain"]).exit_code == 0
    assert runner.invoke(cli, [*back, "--fail-on-change"]).exit_code == 1

    md = runner.invoke(cli, [*args, "-o", "markdown"]).output
    assert md.startswith("**podfence diff**: 2 connections gained, 0 lost")
    assert (
        "| `default/api`, `default/web` | now reach | `kube-system/coredns` | TCP 53; UDP 53 |"
        in md
    )
    assert "#### Lost (0)\n\n_none_" in md

    data = json.loads(runner.invoke(cli, [*args, "-o", "json"]).output)
    assert (data["gained"], data["lost"], len(data["cells"])) == (2, 0, 4)

    same = runner.invoke(cli, ["diff", *seed_paths("dns-allowed"), "--to", str(REWRITTEN)])
    assert same.output == "no change: both allow exactly the same connections\n"
    assert same.exit_code == 0


def test_cli_diff_needs_new_paths(cli: click.Group) -> None:
    res = CliRunner().invoke(cli, ["diff", *seed_paths("dns-trap")])
    assert res.exit_code == 2
    assert "podfence: error: give the new manifests after --to" in res.output

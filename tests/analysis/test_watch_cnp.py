"""`watch` with ClusterNetworkPolicies: changes to them are reported like NetworkPolicy
changes, evaluated by the per-pair engine with the tiers, and stderr says so.

examples/cnp/admin-guardrail states its verdicts (guardrail.yaml): the Admin CNP
protect-payments accepts monitoring/prometheus -> payments/ledger on 9090 and denies every
other namespace (shop/checkout -> payments/ledger 8443 is denied although the NetworkPolicy
payments/allow-shop allows it: the NetworkPolicy tier is never reached).
"""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

from podfence.analysis.watch import Watch, pair_snapshot, tier_object_changes
from podfence.cli.scale_watch import Watcher
from podfence.load import load_paths
from podfence.model import Cluster, Protocol, ProtocolPort
from podfence.render.watch import render_round

ROOT = Path(__file__).resolve().parents[2]
GUARD = ROOT / "examples" / "cnp" / "admin-guardrail"
_8443 = ProtocolPort(8443, Protocol.TCP)
_9090 = ProtocolPort(9090, Protocol.TCP)


def _guard() -> Cluster:
    result = load_paths([str(GUARD)])
    assert result.cluster is not None
    return result.cluster


def _without_cnps(cluster: Cluster) -> Cluster:
    return dataclasses.replace(cluster, cluster_policies=())


def _pairs(changes: object) -> set[tuple[bool, str, str, str]]:
    assert isinstance(changes, tuple)
    return {
        (c.allowed, str(c.port), s, d) for c in changes for s in c.sources for d in c.destinations
    }


def test_removing_the_admin_cnp_gains_what_it_denied() -> None:
    watch = Watch(_guard(), [_8443])
    result = watch.advance(_without_cnps(_guard()))
    assert (result.objects, result.incremental, result.per_pair) == (1, False, False)
    # the Admin Deny no longer hides the NetworkPolicy that allows namespace shop on 8443
    assert _pairs(result.changes) == {
        (True, "8443/TCP", "shop/checkout", "payments/ledger"),
        (True, "8443/TCP", "shop/web", "payments/ledger"),
    }


def test_adding_it_back_loses_it_pair_by_pair() -> None:
    watch = Watch(_without_cnps(_guard()), [_8443, _9090])
    result = watch.advance(_guard())
    assert (result.objects, result.incremental, result.per_pair) == (1, False, True)
    assert _pairs(result.changes) == {
        (False, "8443/TCP", "shop/checkout", "payments/ledger"),
        (False, "8443/TCP", "shop/web", "payments/ledger"),
        # payments/allow-shop isolated the ledger; the Admin Accept is final
        (True, "9090/TCP", "monitoring/prometheus", "payments/ledger"),
    }


def test_a_changed_cnp_rule_is_a_change() -> None:
    guard = _guard()
    (cnp,) = guard.cluster_policies
    accept, deny = cnp.ingress
    swapped = dataclasses.replace(cnp, ingress=(deny, accept))  # the Deny now comes first
    changed = dataclasses.replace(guard, cluster_policies=(swapped,))
    watch = Watch(guard, [_9090])
    result = watch.advance(changed)
    assert result.objects == 1 and result.per_pair
    assert _pairs(result.changes) == {
        (False, "9090/TCP", "monitoring/prometheus", "payments/ledger")
    }
    again = watch.advance(changed)
    assert (again.objects, again.changes) == (0, ())


def test_the_per_pair_snapshot_follows_the_engine_with_tiers() -> None:
    snap = pair_snapshot(_guard(), [_8443])
    assert snap.labels[snap.class_by_id["shop/checkout"]] == "shop/checkout"
    assert snap.classes == len(_guard().endpoints)


def test_nodes_and_cnps_count_as_changed_objects() -> None:
    guard = _guard()
    assert tier_object_changes(guard, guard) == 0
    moved = dataclasses.replace(guard, nodes=guard.nodes[:1])
    assert tier_object_changes(guard, moved) == 1
    assert tier_object_changes(guard, _without_cnps(moved)) == 2


def test_a_round_says_it_asked_pair_by_pair() -> None:
    watch = Watch(_without_cnps(_guard()), [_8443])
    lines = render_round(watch.advance(_guard()), clock="12:00:00", took_ms=1)
    assert lines[0] == (
        "12:00:00 1 object changed, analysed pair by pair with the ClusterNetworkPolicy tiers "
        "in 1 ms: 2 changes in allowed pairs"
    )
    assert sorted(lines[1:]) == [
        "  - 8443/TCP  shop/checkout -> payments/ledger",
        "  - 8443/TCP  shop/web -> payments/ledger",
    ]


def test_the_command_reports_a_cnp_change_and_says_how_on_stderr(tmp_path: Path) -> None:
    for f in GUARD.iterdir():
        shutil.copy(f, tmp_path / f.name)
    out: list[str] = []
    err: list[str] = []

    def echo(text: str = "", **kw: object) -> None:
        (err if kw.get("err") else out).append(str(text))

    w = Watcher([str(tmp_path)], [_8443], "default", echo)
    w.start()
    assert out[0] == (
        "watching 3 files: 4 endpoints asked pair by pair, 1 policy, 1 ClusterNetworkPolicy"
    )
    assert err == [
        "podfence: note: ClusterNetworkPolicies present: the class engine does not model tiers "
        "yet; using the per-pair engine: every round asks every pair (16 questions)"
    ]
    guard = tmp_path / "guardrail.yaml"
    guard.write_text(
        guard.read_text().replace("- payments", "- payments\n                  - shop")
    )
    assert w.check()
    assert "1 object changed, analysed pair by pair with the ClusterNetworkPolicy tiers" in out[1]
    assert "  + 8443/TCP  shop/checkout -> payments/ledger" in out
    assert len(err) == 1  # said once
    rounds = len(out)
    guard.unlink()  # the guardrail goes: back to the class engine
    assert w.check()
    assert "1 object changed, analysed from scratch" in out[rounds]
    assert "  - 8443/TCP  shop/checkout -> payments/ledger" not in out[rounds:]
    assert len(err) == 1

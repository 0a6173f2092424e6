"""`watch` with ClusterNetworkPolicies: changes to them are reported like NetworkPolicy
changes, evaluated by the class engine with the tiers (a CNP change recomputes the classes),
and every round's answers equal the per-pair engine's.

examples/cnp/admin-guardrail states its verdicts (guardrail.yaml): the Admin CNP
protect-payments accepts monitoring/prometheus -> payments/ledger on 9090 and denies every
other namespace (shop/checkout -> payments/ledger 8443 is denied although the NetworkPolicy
payments/allow-shop allows it: the NetworkPolicy tier is never reached).
"""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

from podfence.analysis.snapshots import object_changes
from podfence.analysis.watch import Watch
from podfence.cli.scale_watch import Watcher
from podfence.engine import Engine
from podfence.load import load_paths
from podfence.model import Cluster, Connection, Protocol, ProtocolPort
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
    assert (result.objects, result.incremental) == (1, False)
    # the Admin Deny no longer hides the NetworkPolicy that allows namespace shop on 8443
    assert _pairs(result.changes) == {
        (True, "8443/TCP", "shop/checkout", "payments/ledger"),
        (True, "8443/TCP", "shop/web", "payments/ledger"),
    }


def test_adding_it_back_loses_it_pair_by_pair() -> None:
    watch = Watch(_without_cnps(_guard()), [_8443, _9090])
    result = watch.advance(_guard())
    assert (result.objects, result.incremental) == (1, False)
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
    assert result.objects == 1 and not result.incremental
    assert _pairs(result.changes) == {
        (False, "9090/TCP", "monitoring/prometheus", "payments/ledger")
    }
    again = watch.advance(changed)
    assert (again.objects, again.changes) == (0, ())


def _allowed_pairs(watch: Watch) -> set[tuple[str, str, str]]:
    """What the watch's class engine allows now, pod to pod, on its ports."""
    out = set()
    for port in watch.ports:
        for s in watch.engine.cluster.endpoints:
            for d in watch.engine.cluster.endpoints:
                if s.id != d.id and watch.engine.allowed(s, d, port.port, port.protocol):
                    out.add((str(port), s.id, d.id))
    return out


def _engine_pairs(cluster: Cluster, ports: list[ProtocolPort]) -> set[tuple[str, str, str]]:
    engine = Engine(cluster)
    return {
        (str(port), s.id, d.id)
        for port in ports
        for s in cluster.endpoints
        for d in cluster.endpoints
        if s.id != d.id and engine.allowed(Connection(s, d, port.port, port.protocol))
    }


def test_every_round_equals_the_per_pair_engine_with_tiers() -> None:
    guard = _guard()
    ports = [_8443, _9090]
    (cnp,) = guard.cluster_policies
    accept, deny = cnp.ingress
    swapped = dataclasses.replace(
        guard, cluster_policies=(dataclasses.replace(cnp, ingress=(deny, accept)),)
    )
    watch = Watch(guard, ports)
    for cluster in (guard, _without_cnps(guard), guard, swapped, guard):
        watch.advance(cluster)
        assert _allowed_pairs(watch) == _engine_pairs(cluster, ports)


def test_nodes_changed_recompute_everything() -> None:
    guard = _guard()
    assert object_changes(guard, guard) == []
    moved = dataclasses.replace(guard, nodes=guard.nodes[:1])
    assert object_changes(guard, moved) is None
    watch = Watch(guard, [_8443])
    result = watch.advance(moved)
    assert (result.objects, result.incremental) == (None, False)


def test_a_round_after_a_cnp_change_says_from_scratch() -> None:
    watch = Watch(_without_cnps(_guard()), [_8443])
    lines = render_round(watch.advance(_guard()), clock="12:00:00", took_ms=1)
    assert lines[0] == (
        "12:00:00 1 object changed, analysed from scratch in 1 ms: 1 change in allowed pairs"
    )
    assert lines[1:] == ["  - 8443/TCP  shop/checkout, shop/web -> payments/ledger"]


def test_the_command_reports_a_cnp_change(tmp_path: Path) -> None:
    for f in GUARD.iterdir():
        shutil.copy(f, tmp_path / f.name)
    out: list[str] = []
    err: list[str] = []

    def echo(text: str = "", **kw: object) -> None:
        (err if kw.get("err") else out).append(str(text))

    w = Watcher([str(tmp_path)], [_8443], "default", echo)
    w.start()
    assert out[0].startswith("watching 3 files: 4 endpoints in ")
    assert out[0].endswith(", 1 policy, 1 ClusterNetworkPolicy")
    assert err == []
    guard = tmp_path / "guardrail.yaml"
    guard.write_text(
        guard.read_text().replace("- payments", "- payments\n                  - shop")
    )
    assert w.check()
    assert "1 object changed, analysed from scratch" in out[1]
    assert "  + 8443/TCP  shop/checkout, shop/web -> payments/ledger" in out
    rounds = len(out)
    guard.unlink()  # the guardrail goes
    assert w.check()
    assert "1 object changed, analysed from scratch" in out[rounds]
    assert "  - 8443/TCP  shop/checkout, shop/web -> payments/ledger" not in out[rounds:]
    assert err == []

"""A watch round: changes applied to the class engine, and the pairs whose answer changed."""

from __future__ import annotations

import dataclasses

from tests.engine.builders import cluster, cport, ns, peer, pod, policy, rule, sel, tcp

from podfence.analysis.watch import Watch
from podfence.model import Cluster, Protocol, ProtocolPort
from podfence.render.watch import render_round

_8080 = ProtocolPort(8080, Protocol.TCP)


def _shop(port: int) -> Cluster:
    return cluster(
        [
            pod("shop/web", {"app": "web"}, ports=[cport(8080)]),
            pod("shop/api", {"app": "api"}),
        ],
        [
            policy(
                "shop/web",
                sel({"app": "web"}),
                ingress=[rule(peer(sel({"app": "api"})), ports=[tcp(port)])],
            )
        ],
    )


def test_a_changed_policy_is_applied_incrementally() -> None:
    watch = Watch(_shop(8080), [_8080])
    result = watch.advance(_shop(9090))
    assert (result.objects, result.incremental) == (1, True)
    ((change),) = result.changes
    assert (change.allowed, change.sources, change.destinations) == (
        False,
        ("shop/api",),
        ("shop/web",),
    )
    again = watch.advance(_shop(9090))
    assert (again.objects, again.changes) == (0, ())
    back = watch.advance(_shop(8080))
    assert [c.allowed for c in back.changes] == [True]


def test_changed_namespaces_recompute_everything() -> None:
    watch = Watch(_shop(8080), [_8080])
    labelled = dataclasses.replace(_shop(9090), namespaces=(ns("shop", team="a"),))
    result = watch.advance(labelled)
    assert (result.objects, result.incremental) == (None, False)
    assert len(result.changes) == 1


def test_too_many_changes_recompute_everything() -> None:
    watch = Watch(_shop(8080), [_8080])
    result = watch.advance(_shop(9090), max_updates=0)
    assert (result.objects, result.incremental) == (1, False)
    assert len(result.changes) == 1


def test_a_round_as_text() -> None:
    watch = Watch(_shop(8080), [_8080])
    lines = render_round(watch.advance(_shop(9090)), clock="12:00:00", took_ms=3.2)
    assert lines == [
        "12:00:00 1 object changed, analysed incrementally in 3 ms: 1 change in allowed pairs",
        "  - 8080/TCP  shop/api -> shop/web",
    ]
    cut = render_round(watch.advance(_shop(8080)), clock="12:00:01", took_ms=0, max_lines=0)
    assert cut[1:] == ["  ... and 1 more"]

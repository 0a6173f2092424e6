"""The reflector: list, watch from the list's resourceVersion, bookmarks, 410 -> list again,
errors -> backoff, a watch that times out -> resumed where it was (client-go's reflector)."""

from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from podfence.kube.watch import (
    CLUSTER_NETWORK_POLICIES,
    WATCHED,
    Backoff,
    Bookmarked,
    Broken,
    Changed,
    Event,
    Expired,
    Listed,
    NotServed,
    Reflector,
    Unavailable,
    Watching,
)

from .fakes import ScriptedListWatch, pod

PODS = WATCHED[1]


def _run(lw: ScriptedListWatch, resource=PODS, **kwargs: object) -> list[Event]:
    events: list[Event] = []
    waits: list[float] = []

    class NoWait(Backoff):
        def next(self) -> float:  # no sleeping in tests: record the delay only
            waits.append(super().next())
            return 0.0

    backoff = NoWait(rng=random.Random(1))
    Reflector(lw, resource, events.append, backoff=backoff, stop=lw.stop, **kwargs).run()
    return events


def _event(kind: str, obj: dict[str, object]) -> dict[str, object]:
    return {"type": kind, "object": obj}


def test_list_then_watch_from_the_lists_version() -> None:
    a = pod("ns", "a", node="n", ip="10.0.0.1", rv="11")
    lw = ScriptedListWatch(
        lists=[([a], "10")],
        watches=[
            [_event("MODIFIED", {**a, "metadata": {**a["metadata"], "resourceVersion": "12"}})]
        ],
    )
    events = _run(lw)
    assert lw.calls[:3] == [("list", ""), ("watch", "10"), ("watch", "12")]
    assert events[0] == Listed("pods", (a,), "10")
    assert events[1] == Watching("pods", "10")
    assert isinstance(events[2], Changed) and events[2].resource_version == "12"
    assert events[3] == Broken("pods", "timeout")  # the watch ended normally: resumed at 12


def test_bookmark_moves_the_version_without_a_change() -> None:
    bookmark = _event("BOOKMARK", {"kind": "Pod", "metadata": {"resourceVersion": "40"}})
    lw = ScriptedListWatch(lists=[([], "10")], watches=[[bookmark]])
    events = _run(lw)
    assert Bookmarked("pods", "40") in events
    assert ("watch", "40") in lw.calls


def test_gone_410_in_the_stream_lists_again() -> None:
    gone = _event("ERROR", {"kind": "Status", "code": 410, "message": "too old resource version"})
    lw = ScriptedListWatch(lists=[([], "10"), ([], "50")], watches=[[gone]])
    events = _run(lw)
    assert Broken("pods", "expired", "too old resource version") in events
    assert [c for c in lw.calls if c[0] == "list"] == [("list", ""), ("list", "")]
    assert ("watch", "50") in lw.calls


def test_gone_410_when_starting_the_watch_lists_again() -> None:
    lw = ScriptedListWatch(lists=[([], "10"), ([], "20")], watches=[Expired("gone")])
    events = _run(lw)
    assert Broken("pods", "expired", "gone") in events
    assert lw.calls[:4] == [("list", ""), ("watch", "10"), ("list", ""), ("watch", "20")]


def test_a_start_version_is_watched_first_and_a_410_relists() -> None:
    lw = ScriptedListWatch(lists=[([], "20")], watches=[Expired("too old"), []])
    events = _run(lw, resource_version="3")
    assert lw.calls[:3] == [("watch", "3"), ("list", ""), ("watch", "20")]
    assert isinstance(events[1], Listed)


def test_an_unreachable_server_is_retried_from_the_same_version() -> None:
    lw = ScriptedListWatch(
        lists=[([], "10")],
        watches=[Unavailable("connection refused"), Unavailable("connection refused"), []],
    )
    events = _run(lw)
    assert lw.calls[:4] == [("list", ""), ("watch", "10"), ("watch", "10"), ("watch", "10")]
    assert events.count(Broken("pods", "error", "connection refused")) == 2


def test_an_error_status_in_the_stream_is_an_error_not_a_relist() -> None:
    boom = _event("ERROR", {"kind": "Status", "code": 500, "message": "internal"})
    lw = ScriptedListWatch(lists=[([], "10")], watches=[[boom], []])
    events = _run(lw)
    assert Broken("pods", "error", "pods: watch error 500: internal") in events
    assert lw.calls[:3] == [("list", ""), ("watch", "10"), ("watch", "10")]


def test_a_crd_not_served_is_reported_and_tried_again_later() -> None:
    lw = ScriptedListWatch(lists=[Unavailable("HTTP 404", not_found=True), ([], "7")], watches=[])
    events = _run(lw, resource=CLUSTER_NETWORK_POLICIES, recheck=0.0)
    assert events[0] == NotServed("clusternetworkpolicies")
    assert events[1] == Listed("clusternetworkpolicies", (), "7")


@settings(deadline=None)
@given(st.integers(0, 40), st.integers(0, 2**32))
def test_backoff_grows_to_its_cap_with_jitter_in_the_upper_half(attempts: int, seed: int) -> None:
    backoff = Backoff(initial=0.5, cap=30.0, rng=random.Random(seed))
    for n in range(attempts + 1):
        delay = min(30.0, 0.5 * 2**n)
        assert delay / 2 <= backoff.next() <= delay
    backoff.reset()
    assert 0.25 <= backoff.next() <= 0.5

"""Metrics in the Prometheus text format, the HTTP endpoints, JSON logs."""

from __future__ import annotations

import io
import json
import urllib.error
import urllib.request

import pytest

from podfence.agent.http import HealthServer, parse_address
from podfence.agent.logs import JsonLog
from podfence.agent.metrics import Metrics


def test_metrics_text_format() -> None:
    m = Metrics(buckets=(0.1, 1.0))
    m.inc("podfence_agent_watch_restarts_total", resource="pods", reason="expired")
    m.inc("podfence_agent_watch_restarts_total", resource="pods", reason="expired")
    m.set("podfence_agent_rules", 12)
    m.observe("podfence_agent_sync_duration_seconds", 0.05)
    m.observe("podfence_agent_sync_duration_seconds", 0.5)
    m.inc("podfence_agent_apply_errors_total", 0)
    assert m.render() == (
        "# HELP podfence_agent_apply_errors_total Applies nft refused (old ruleset kept).\n"
        "# TYPE podfence_agent_apply_errors_total counter\n"
        "podfence_agent_apply_errors_total 0\n"
        "# HELP podfence_agent_rules Rules in the applied ruleset.\n"
        "# TYPE podfence_agent_rules gauge\n"
        "podfence_agent_rules 12\n"
        "# HELP podfence_agent_sync_duration_seconds From the first unapplied change seen to the "
        "ruleset applied (or found unchanged).\n"
        "# TYPE podfence_agent_sync_duration_seconds histogram\n"
        'podfence_agent_sync_duration_seconds_bucket{le="0.1"} 1\n'
        'podfence_agent_sync_duration_seconds_bucket{le="1"} 2\n'
        'podfence_agent_sync_duration_seconds_bucket{le="+Inf"} 2\n'
        "podfence_agent_sync_duration_seconds_sum 0.55\n"
        "podfence_agent_sync_duration_seconds_count 2\n"
        "# HELP podfence_agent_watch_restarts_total Lists and watches that ended, by collection "
        "and reason (timeout, expired, error).\n"
        "# TYPE podfence_agent_watch_restarts_total counter\n"
        'podfence_agent_watch_restarts_total{reason="expired",resource="pods"} 2\n'
    )


@pytest.mark.parametrize(
    ("text", "address"),
    [("127.0.0.1:9746", ("127.0.0.1", 9746)), (":80", ("0.0.0.0", 80)), ("[::1]:1", ("::1", 1))],
)
def test_parse_address(text: str, address: tuple[str, int]) -> None:
    assert parse_address(text) == address


@pytest.mark.parametrize("text", ["9746", "host:", "a:b", "h:70000"])
def test_parse_address_refuses(text: str) -> None:
    with pytest.raises(ValueError, match="expected HOST:PORT"):
        parse_address(text)


def _get(port: int, path: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5) as reply:
            return reply.status, reply.read().decode()
    except urllib.error.HTTPError as err:
        return err.code, err.read().decode()


def test_the_endpoints() -> None:
    state = {"ready": (False, "not synced: pods: not listed yet")}
    server = HealthServer(
        ("127.0.0.1", 0),
        metrics=lambda: "x 1\n",
        healthy=lambda: (True, ""),
        ready=lambda: state["ready"],
        status=lambda: {"node": "n1"},
    )
    server.start()
    try:
        assert _get(server.port, "/metrics") == (200, "x 1\n")
        assert _get(server.port, "/healthz") == (200, "ok\n")
        assert _get(server.port, "/readyz") == (503, "not synced: pods: not listed yet\n")
        state["ready"] = (True, "ok")
        assert _get(server.port, "/readyz") == (200, "ok\n")
        code, body = _get(server.port, "/status")
        assert code == 200 and json.loads(body) == {"node": "n1"}
        assert _get(server.port, "/nope")[0] == 404
    finally:
        server.stop()


def test_json_logs() -> None:
    out = io.StringIO()
    JsonLog(out, node="n1").warning("watch ended", resource="pods", reason="error")
    record = json.loads(out.getvalue())
    assert record["time"].endswith("Z")
    del record["time"]
    assert record == {
        "level": "warning",
        "msg": "watch ended",
        "node": "n1",
        "resource": "pods",
        "reason": "error",
    }

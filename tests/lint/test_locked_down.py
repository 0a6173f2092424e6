"""examples/lint/locked-down: every namespace denies both directions, DNS works on UDP and TCP,
CoreDNS reaches its upstream, each real flow is allowed on both ends: no warning, no error."""

from __future__ import annotations

import ipaddress

import pytest

from podfence.analysis.lint import Level
from podfence.engine import Engine
from podfence.model import Connection, Endpoint, External, Party, Protocol

from .helpers import EXAMPLES, findings, load_dirs

LOCKED = EXAMPLES / "lint" / "locked-down"


def test_no_warning_and_no_error() -> None:
    found = findings(load_dirs(LOCKED))
    assert [f for f in found if f.level is not Level.INFO] == []


def test_not_even_info() -> None:
    assert findings(load_dirs(LOCKED)) == []


def _party(engine: Engine, text: str) -> Party:
    ep = engine.cluster.endpoint(text)
    if isinstance(ep, Endpoint):
        return ep
    return External(ipaddress.ip_address(text))


FLOWS = [
    ("203.0.113.9", "ingress/controller", 443, Protocol.TCP, True),
    ("ingress/controller", "shop/web", 8080, Protocol.TCP, True),
    ("shop/web", "shop/api", 8080, Protocol.TCP, True),
    ("shop/api", "shop/db", 5432, Protocol.TCP, True),
    ("monitoring/prometheus", "shop/db", 9187, Protocol.TCP, True),
    ("monitoring/prometheus", "shop/api", 9090, Protocol.TCP, True),
    ("shop/db", "kube-system/coredns", 53, Protocol.UDP, True),
    ("shop/db", "kube-system/coredns", 53, Protocol.TCP, True),
    ("kube-system/coredns", "10.0.0.2", 53, Protocol.UDP, True),
    ("shop/web", "shop/db", 5432, Protocol.TCP, False),
    ("monitoring/prometheus", "shop/db", 5432, Protocol.TCP, False),
    ("shop/db", "203.0.113.9", 443, Protocol.TCP, False),
    ("203.0.113.9", "shop/web", 8080, Protocol.TCP, False),
]


@pytest.mark.parametrize(("src", "dst", "port", "proto", "allowed"), FLOWS)
def test_the_real_flows_and_only_them(
    src: str, dst: str, port: int, proto: Protocol, allowed: bool
) -> None:
    engine = Engine(load_dirs(LOCKED))
    conn = Connection(_party(engine, src), _party(engine, dst), port, proto)
    assert engine.allowed(conn) is allowed

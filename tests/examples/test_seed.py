"""Every scenario of the seed document, bundled under examples/seed/, with its verdicts.

Each row: the example's paths, a connection, and whether the seed says it gets through.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from podfence.engine import Engine, Reason
from podfence.load import load_paths
from podfence.model import Cluster, Connection, ProtocolPort

SEED = Path(__file__).parents[2] / "examples" / "seed"


def _cluster(*parts: str) -> Cluster:
    result = load_paths([str(SEED / p) for p in parts])
    assert result.cluster is not None, [str(d) for d in result.diagnostics]
    return result.cluster


CASES = [
    # Scenario A, the open network: no policy, everyone reaches the DB.
    ("a-open-network", "default/hacker", "secure/db", "5432/TCP", True),
    ("a-open-network", "secure/web", "secure/db", "5432/TCP", True),
    ("a-open-network", "secure/db", "default/hacker", "22/TCP", True),
    # Scenario B: a policy selects the DB; web allowed by the rule, the hacker blocked.
    ("b-policy-selects-db", "secure/web", "secure/db", "5432/TCP", True),
    ("b-policy-selects-db", "default/hacker", "secure/db", "5432/TCP", False),
    ("b-policy-selects-db", "secure/web", "secure/db", "22/TCP", False),
    ("b-policy-selects-db", "secure/web", "secure/db", "5432/UDP", False),
    # ... the hacker itself is not isolated: the DB may still reach it (egress not restricted).
    ("b-policy-selects-db", "secure/db", "default/hacker", "80/TCP", True),
    # Default deny: nothing between pods of the namespace, either way.
    ("default-deny", "default/frontend", "default/backend", "8080/TCP", False),
    ("default-deny", "default/backend", "default/frontend", "80/TCP", False),
    # ... but a pod can always reach itself.
    ("default-deny", "default/backend", "default/backend", "8080/TCP", True),
    # Frontend -> backend on 8080/TCP only.
    ("frontend-backend", "default/frontend", "default/backend", "8080/TCP", True),
    ("frontend-backend", "default/frontend", "default/backend", "80/TCP", False),
    ("frontend-backend", "default/other", "default/backend", "8080/TCP", False),
    ("frontend-backend", "default/backend", "default/frontend", "80/TCP", True),
    # The namespace gotcha: namespaceSelector matches labels; without the label, blocked.
    ("monitoring-unlabelled", "monitoring/prometheus", "secure/db", "9187/TCP", False),
    ("monitoring-labelled", "monitoring/prometheus", "secure/db", "9187/TCP", True),
    ("monitoring-labelled", "monitoring/prometheus", "secure/db", "5432/TCP", True),
    ("monitoring-labelled", "default/hacker", "secure/db", "9187/TCP", False),
    # The DNS trap: egress denied, DNS included...
    ("dns-trap", "default/web", "kube-system/coredns", "53/UDP", False),
    ("dns-trap", "default/api", "kube-system/coredns", "53/TCP", False),
    # ... and allowed again on UDP and TCP 53, nothing else.
    ("dns-allowed", "default/web", "kube-system/coredns", "53/UDP", True),
    ("dns-allowed", "default/web", "kube-system/coredns", "53/TCP", True),
    ("dns-allowed", "default/api", "kube-system/coredns", "53/UDP", True),
    ("dns-allowed", "default/web", "kube-system/coredns", "54/UDP", False),
    ("dns-allowed", "default/web", "default/api", "8080/TCP", False),
]


@pytest.mark.parametrize(
    ("example", "src", "dst", "port", "allowed"),
    CASES,
    ids=[f"{c[0]}:{c[1]}->{c[2]}:{c[3]}" for c in CASES],
)
def test_seed_verdicts(example: str, src: str, dst: str, port: str, allowed: bool) -> None:
    cluster = _cluster(example)
    spec = ProtocolPort.parse(port)
    s, d = cluster.endpoint(src), cluster.endpoint(dst)
    assert s is not None and d is not None
    assert Engine(cluster).evaluate(Connection(s, d, spec.port, spec.protocol)).allowed is allowed


AND_OR = [
    # OR: frontend of `default` OR any pod of a namespace labelled name=monitoring.
    ("or", "default/frontend", True),
    ("or", "monitoring/prometheus", True),
    ("or", "monitoring/frontend", True),
    ("or", "default/hacker", False),
    # AND: only frontend pods inside a namespace labelled name=monitoring.
    ("and", "default/frontend", False),
    ("and", "monitoring/prometheus", False),
    ("and", "monitoring/frontend", True),
    ("and", "default/hacker", False),
]


@pytest.mark.parametrize(
    ("variant", "src", "allowed"), AND_OR, ids=[f"{a}:{b}" for a, b, _ in AND_OR]
)
def test_and_versus_or(variant: str, src: str, allowed: bool) -> None:
    cluster = _cluster("and-or/cluster.yaml", f"and-or/{variant}")
    s, d = cluster.endpoint(src), cluster.endpoint("default/backend")
    assert s is not None and d is not None
    assert (
        Engine(cluster).allowed(Connection(s, d, 8080, ProtocolPort.parse("8080").protocol))
        is allowed
    )


def test_scenario_b_explains_the_block() -> None:
    cluster = _cluster("b-policy-selects-db")
    hacker, db, web = (cluster.endpoint(i) for i in ("default/hacker", "secure/db", "secure/web"))
    assert hacker is not None and db is not None and web is not None
    engine = Engine(cluster)
    denied = engine.evaluate(Connection(hacker, db, 5432, ProtocolPort.parse("5432").protocol))
    assert denied.egress.reason is Reason.NOT_ISOLATED
    assert denied.ingress.reason is Reason.DENIED
    assert denied.ingress.selected_by == ("secure/db-allow-web",)
    allowed = engine.evaluate(Connection(web, db, 5432, ProtocolPort.parse("5432").protocol))
    assert [str(r) for r in allowed.ingress.allowed_by] == [
        "secure/db-allow-web ingress[0].from[0] ports[0]"
    ]


def test_dns_trap_denies_by_the_default_deny_policy() -> None:
    cluster = _cluster("dns-trap")
    web, dns = cluster.endpoint("default/web"), cluster.endpoint("kube-system/coredns")
    assert web is not None and dns is not None
    verdict = Engine(cluster).evaluate(
        Connection(web, dns, 53, ProtocolPort.parse("53/UDP").protocol)
    )
    assert verdict.egress.reason is Reason.DENIED
    assert verdict.egress.selected_by == ("default/default-deny-egress",)
    assert verdict.ingress.reason is Reason.NOT_ISOLATED

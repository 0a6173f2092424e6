"""The connectivity matrix and the `NUMBER[/PROTOCOL]` port specs it is asked for."""

from __future__ import annotations

import pytest

from engine.builders import EGRESS, cluster, pod, policy, rule, udp
from podfence.analysis.matrix import compute_matrix
from podfence.engine import Engine
from podfence.model import Cluster, Connection, Protocol, ProtocolPort


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("80", ProtocolPort(80, Protocol.TCP), id="number-defaults-to-tcp"),
        pytest.param("53/UDP", ProtocolPort(53, Protocol.UDP), id="udp"),
        pytest.param("53/udp", ProtocolPort(53, Protocol.UDP), id="lowercase"),
        pytest.param("443/Tcp", ProtocolPort(443, Protocol.TCP), id="mixed-case"),
        pytest.param("9/sctp", ProtocolPort(9, Protocol.SCTP), id="sctp"),
        pytest.param("1", ProtocolPort(1, Protocol.TCP), id="lowest"),
        pytest.param("65535/udp", ProtocolPort(65535, Protocol.UDP), id="highest"),
        pytest.param(" 80/tcp ", ProtocolPort(80, Protocol.TCP), id="surrounding-space"),
    ],
)
def test_parse_port_spec(text: str, expected: ProtocolPort) -> None:
    assert ProtocolPort.parse(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param("http", "invalid port 'http': expected NUMBER[/TCP|UDP|SCTP]", id="name"),
        pytest.param("", "invalid port '': expected NUMBER[/TCP|UDP|SCTP]", id="empty"),
        pytest.param("/tcp", "invalid port '/tcp': expected NUMBER[/TCP|UDP|SCTP]", id="no-number"),
        pytest.param("8.0", "invalid port '8.0': expected NUMBER[/TCP|UDP|SCTP]", id="decimal"),
        pytest.param("0", "invalid port '0': must be between 1 and 65535, inclusive", id="zero"),
        pytest.param(
            "65536/udp",
            "invalid port '65536/udp': must be between 1 and 65535, inclusive",
            id="too-high",
        ),
        pytest.param("-1", "invalid port '-1': expected NUMBER[/TCP|UDP|SCTP]", id="negative"),
        pytest.param(
            "80/icmp",
            "invalid protocol in '80/icmp': supported values: SCTP, TCP, UDP",
            id="unknown-protocol",
        ),
        pytest.param(
            "80/tcp/udp",
            "invalid port '80/tcp/udp': expected NUMBER[/TCP|UDP|SCTP]",
            id="two-protocols",
        ),
        pytest.param("80/", "invalid port '80/': expected NUMBER[/TCP|UDP|SCTP]", id="empty-proto"),
        pytest.param("+80", "invalid port '+80': expected NUMBER[/TCP|UDP|SCTP]", id="plus-sign"),
        pytest.param("٨٠", "invalid port '٨٠': expected NUMBER[/TCP|UDP|SCTP]", id="non-ascii"),
    ],
)
def test_parse_port_spec_rejects(text: str, message: str) -> None:
    with pytest.raises(ValueError) as info:
        ProtocolPort.parse(text)
    assert str(info.value) == message


def test_port_spec_str_and_order() -> None:
    assert str(ProtocolPort(53, Protocol.UDP)) == "53/UDP"
    assert str(ProtocolPort(80)) == "80/TCP"
    assert sorted([ProtocolPort(443), ProtocolPort(53, Protocol.UDP), ProtocolPort(80)]) == [
        ProtocolPort(53, Protocol.UDP),
        ProtocolPort(80),
        ProtocolPort(443),
    ]


def test_port_spec_order_same_number_different_protocols() -> None:
    # Protocol sorts by declaration: TCP, UDP, SCTP.
    got = sorted(
        [
            ProtocolPort(53, Protocol.SCTP),
            ProtocolPort(53, Protocol.UDP),
            ProtocolPort(53, Protocol.TCP),
        ]
    )
    assert [p.protocol for p in got] == [Protocol.TCP, Protocol.UDP, Protocol.SCTP]


def _cluster() -> Cluster:
    """x/a x/b deny-all (both directions) except egress on 53/UDP; y/a unrestricted."""
    return cluster(
        [pod("y/a", ips=["10.0.2.1"]), pod("x/b", ips=["10.0.1.2"]), pod("x/a", ips=["10.0.1.1"])],
        [
            policy("x/deny-all", egress=[]),
            policy("x/dns", egress=[rule(ports=[udp(53)])], types=EGRESS),
        ],
    )


def test_matrix_shape_and_order() -> None:
    c = _cluster()
    matrix = compute_matrix(c, [ProtocolPort(80), ProtocolPort(53, Protocol.UDP)])
    assert matrix.endpoints == ("x/a", "x/b", "y/a")  # the cluster's order (sorted by id)
    assert [(m.port, m.protocol) for m in matrix.matrices] == [
        (80, Protocol.TCP),
        (53, Protocol.UDP),
    ]
    for m in matrix.matrices:
        assert len(m.allowed) == 3
        assert all(len(row) == 3 for row in m.allowed)


def test_matrix_cells() -> None:
    matrix = compute_matrix(_cluster(), [ProtocolPort(80), ProtocolPort(53, Protocol.UDP)])
    tcp80, udp53 = (m.allowed for m in matrix.matrices)
    # rows: source, columns: destination; x/a x/b y/a
    assert tcp80 == (
        (True, False, False),
        (False, True, False),
        (False, False, True),
    )
    assert udp53 == (
        (True, False, True),  # egress allowed on 53/UDP, but x/b's ingress is denied
        (False, True, True),
        (False, False, True),
    )


def test_matrix_diagonal_always_allowed() -> None:
    # A pod may always reach itself, even when isolated in both directions.
    matrix = compute_matrix(_cluster(), [ProtocolPort(80), ProtocolPort(9, Protocol.SCTP)])
    for m in matrix.matrices:
        assert all(m.allowed[i][i] for i in range(len(matrix.endpoints)))


def test_matrix_agrees_with_evaluate_and_reuses_engine() -> None:
    c = _cluster()
    engine = Engine(c)
    specs = [ProtocolPort(80), ProtocolPort(53, Protocol.UDP)]
    matrix = compute_matrix(c, specs, engine=engine)
    assert matrix == compute_matrix(c, specs)
    eps = c.endpoints
    for spec, m in zip(specs, matrix.matrices, strict=True):
        for i, src in enumerate(eps):
            for j, dst in enumerate(eps):
                verdict = engine.evaluate(Connection(src, dst, spec.port, spec.protocol))
                assert m.allowed[i][j] == verdict.allowed


def test_matrix_without_ports_or_endpoints() -> None:
    assert compute_matrix(_cluster(), []).matrices == ()
    empty = compute_matrix(cluster([]), [ProtocolPort(80)])
    assert empty.endpoints == ()
    assert empty.matrices[0].allowed == ()

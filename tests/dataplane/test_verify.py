"""verify: the engine against the kernel, cell by cell."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pytest

from podfence.dataplane.lab.matrix import ProbeMatrix, ProbeResult
from podfence.dataplane.lab.probe import Outcome, ProbeError
from podfence.dataplane.verify import Disagreement, compare, verify
from podfence.model import Cluster, Protocol, ProtocolPort

from .cases import CASES
from .labtools import lab_name
from .reference import reference_matrix


@dataclass(frozen=True)
class _PortMatrix:
    port: int
    protocol: Protocol
    allowed: tuple[tuple[bool, ...], ...]


@dataclass(frozen=True)
class _Matrix:
    endpoints: tuple[str, ...]
    matrices: tuple[_PortMatrix, ...]


def reference_engine(cluster: Cluster, ports: Sequence[ProtocolPort]) -> _Matrix:
    data = reference_matrix(cluster, [(p.port, p.protocol) for p in ports])
    return _Matrix(
        tuple(data["endpoints"]),
        tuple(
            _PortMatrix(m["port"], Protocol(m["protocol"]), tuple(map(tuple, m["allowed"])))
            for m in data["matrices"]
        ),
    )


def everything_allowed(cluster: Cluster, ports: Sequence[ProtocolPort]) -> _Matrix:
    ids = tuple(sorted(ep.id for ep in cluster.endpoints))
    row = tuple(True for _ in ids)
    return _Matrix(
        ids, tuple(_PortMatrix(p.port, p.protocol, tuple(row for _ in ids)) for p in ports)
    )


def _result(allowed: list[list[bool]]) -> ProbeResult:
    outcomes = tuple(
        tuple(Outcome.CONNECTED if a else Outcome.TIMEOUT for a in row) for row in allowed
    )
    rows = tuple(tuple(row) for row in allowed)
    return ProbeResult(("a/x", "a/y"), (ProbeMatrix(80, Protocol.TCP, rows, outcomes),))


def test_compare_reports_each_differing_cell() -> None:
    kernel = _result([[True, False], [True, True]])
    engine = _Matrix(("a/x", "a/y"), (_PortMatrix(80, Protocol.TCP, ((True, True), (True, True))),))
    found = compare(kernel, engine)
    assert found == [Disagreement("a/x", "a/y", ProtocolPort(80), False, True, "timeout")]
    assert str(found[0]) == "a/x -> a/y 80/TCP: kernel denied, engine allowed (timeout)"


def test_compare_reports_missing_cells() -> None:
    kernel = _result([[True, True], [True, True]])
    engine = _Matrix(("a/x",), (_PortMatrix(80, Protocol.TCP, ((True,),)),))
    found = compare(kernel, engine)
    assert {(d.source, d.destination) for d in found} == {
        ("a/x", "a/y"),
        ("a/y", "a/x"),
        ("a/y", "a/y"),
    }
    assert all(d.engine is None for d in found)
    assert "engine no answer" in str(found[0])


def test_sctp_is_not_verified_live() -> None:
    with pytest.raises(ProbeError, match="SCTP is compiled but not probed live"):
        verify(CASES["sctp"](), [ProtocolPort(3868, Protocol.SCTP)])


@pytest.mark.netns
@pytest.mark.parametrize("case", ["default_deny", "named_ports", "ipblock_v4", "and_or_peers"])
def test_verify_against_reference_and_engine(case: str) -> None:
    ports = [ProtocolPort(8080), ProtocolPort(5432), ProtocolPort(5353, Protocol.UDP)]
    cluster = CASES[case]()
    assert verify(cluster, ports, engine=reference_engine, name=lab_name("vref")) == []
    assert verify(cluster, ports, name=lab_name("veng")) == []  # the real engine


@pytest.mark.netns
def test_verify_reports_a_wrong_engine() -> None:
    found = verify(
        CASES["default_deny"](),
        [ProtocolPort(80)],
        engine=everything_allowed,
        name=lab_name("vbad"),
    )
    assert found
    assert all(d.kernel is False and d.engine is True and d.detail == "timeout" for d in found)
    assert Disagreement("ext/client", "shop/db", ProtocolPort(80), False, True, "timeout") in found

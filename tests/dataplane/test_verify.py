"""verify: the engine against the kernel, cell by cell."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pytest

from podfence.dataplane.lab.matrix import CellOutcome, ProbeMatrix, ProbeResult
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


def reference_engine(
    cluster: Cluster, ports: Sequence[ProtocolPort], *, family: int | None = None
) -> _Matrix:
    data = reference_matrix(cluster, [(p.port, p.protocol) for p in ports], family=family)
    return _Matrix(
        tuple(data["endpoints"]),
        tuple(
            _PortMatrix(m["port"], Protocol(m["protocol"]), tuple(map(tuple, m["allowed"])))
            for m in data["matrices"]
        ),
    )


def everything_allowed(
    cluster: Cluster, ports: Sequence[ProtocolPort], *, family: int | None = None
) -> _Matrix:
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


def _grid(value: bool) -> tuple[tuple[bool, ...], ...]:
    return ((True, value), (True, True))


def _dual(v4: Outcome, v6: Outcome) -> ProbeResult:
    """a/x -> a/y probed over both families; the other cells over IPv4 only."""
    ok = CellOutcome(((4, Outcome.CONNECTED),))
    xy = CellOutcome(((4, v4), (6, v6)))
    cells = ((ok, xy), (ok, ok))
    allowed = tuple(tuple(c.allowed for c in row) for row in cells)
    outcomes = tuple(tuple(c.outcome for c in row) for row in cells)
    return ProbeResult(("a/x", "a/y"), (ProbeMatrix(80, Protocol.TCP, allowed, outcomes, cells),))


def _engine(value: bool) -> _Matrix:
    return _Matrix(("a/x", "a/y"), (_PortMatrix(80, Protocol.TCP, _grid(value)),))


def test_a_cell_is_allowed_only_over_every_family() -> None:
    cell = CellOutcome(((4, Outcome.CONNECTED), (6, Outcome.TIMEOUT)))
    assert not cell.allowed and cell.outcome is Outcome.TIMEOUT
    assert cell.family(4) is Outcome.CONNECTED and cell.family(6) is Outcome.TIMEOUT
    assert CellOutcome(((4, Outcome.REFUSED), (6, Outcome.REPLIED))).allowed
    nothing = CellOutcome(())
    assert not nothing.allowed and nothing.outcome is Outcome.ERROR and nothing.family(4) is None


def test_compare_per_family_agrees_with_an_engine_asked_per_family() -> None:
    """Issue 9: allowed over IPv4, dropped over IPv6; the cell (by name) is denied."""
    kernel = _dual(Outcome.CONNECTED, Outcome.TIMEOUT)
    assert kernel.outcome("a/x", "a/y", ProtocolPort(80)) is Outcome.TIMEOUT
    assert kernel.as_matrix().matrices[0].allowed == _grid(False)
    assert compare(kernel, _engine(False), {4: _engine(True), 6: _engine(False)}) == []


def test_compare_names_the_family_that_disagrees() -> None:
    kernel = _dual(Outcome.CONNECTED, Outcome.TIMEOUT)
    # an engine matching ipBlocks against any address of the pod
    found = compare(kernel, _engine(True), {4: _engine(True), 6: _engine(True)})
    assert found == [Disagreement("a/x", "a/y", ProtocolPort(80), False, True, "timeout", family=6)]
    assert str(found[0]) == ("a/x -> a/y 80/TCP over IPv6: kernel denied, engine allowed (timeout)")


def test_compare_names_the_only_family_probed() -> None:
    kernel = _dual(Outcome.CONNECTED, Outcome.CONNECTED)
    engine = _Matrix(
        ("a/x", "a/y"), (_PortMatrix(80, Protocol.TCP, ((True, True), (False, True))),)
    )
    found = compare(kernel, engine, {4: _engine(True), 6: _engine(True)})
    assert found == [Disagreement("a/y", "a/x", ProtocolPort(80), True, False, "connected", 4)]
    assert str(found[0]).startswith("a/y -> a/x 80/TCP over IPv4: kernel allowed")


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
    assert (
        Disagreement("ext/client", "shop/db", ProtocolPort(80), False, True, "timeout", 4) in found
    )
    assert all(d.family == 4 for d in found)  # the one family these pods have


@pytest.mark.netns
@pytest.mark.parametrize(
    ("case", "ports"),
    [
        ("dual_stack_ipblock", [ProtocolPort(80)]),
        ("ipblock_v6", [ProtocolPort(80)]),
        ("duplicate_port_names", [ProtocolPort(8080), ProtocolPort(9090), ProtocolPort(7070)]),
    ],
)
def test_verify_per_family_and_named_port_sets(case: str, ports: list[ProtocolPort]) -> None:
    """The engine (per family, and by name) and the reference agree with the kernel on
    dual-stack pods and on a port name declared by two containers."""
    cluster = CASES[case]()
    assert verify(cluster, ports, engine=reference_engine, name=lab_name("vfam")) == []
    assert verify(cluster, ports, name=lab_name("vfeng")) == []


@pytest.mark.netns
def test_verify_names_the_family_of_a_disagreement() -> None:
    found = verify(
        CASES["dual_stack_ipblock"](),
        [ProtocolPort(80)],
        engine=everything_allowed,
        name=lab_name("vfbad"),
    )
    assert found == [
        Disagreement("net/client", "net/server", ProtocolPort(80), False, True, "timeout", 6)
    ]
    assert str(found[0]) == (
        "net/client -> net/server 80/TCP over IPv6: kernel denied, engine allowed (timeout)"
    )

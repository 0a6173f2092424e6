"""Policy ports and container ports.

Source: API reference networking.k8s.io/v1 NetworkPolicyPort -- `protocol` defaults to TCP;
`port` missing "matches all port names and numbers"; `endPort` makes the range from `port` to
`endPort` "inclusive", and only with a numeric port.
"""

from __future__ import annotations

import pytest

from podfence.model import ContainerPort, PolicyPort, PortRange, Protocol

TCP, UDP, SCTP = Protocol.TCP, Protocol.UDP, Protocol.SCTP


@pytest.mark.parametrize(
    ("port", "expected"),
    [
        pytest.param(PolicyPort(TCP), PortRange(1, 65535), id="protocol-only-every-port"),
        pytest.param(PolicyPort(UDP, 53), PortRange(53, 53), id="number"),
        pytest.param(PolicyPort(TCP, 8000, 8080), PortRange(8000, 8080), id="end-port"),
        pytest.param(PolicyPort(TCP, 8000, 8000), PortRange(8000, 8000), id="end-port-equal"),
        pytest.param(PolicyPort(TCP, "http"), None, id="named-has-no-numeric-range"),
    ],
)
def test_numeric_range(port: PolicyPort, expected: PortRange | None) -> None:
    assert port.numeric_range() == expected


def test_protocol_defaults_to_tcp() -> None:
    # The loader applies the API default; in the model a port without protocol is TCP.
    assert PolicyPort(port=80).protocol is TCP
    assert PolicyPort().protocol is TCP
    assert ContainerPort(80).protocol is TCP


@pytest.mark.parametrize(
    ("port", "text", "is_named"),
    [
        pytest.param(PolicyPort(SCTP), "every SCTP port", False, id="protocol-only"),
        pytest.param(PolicyPort(UDP, 53), "UDP 53", False, id="number"),
        pytest.param(PolicyPort(TCP, 8000, 8080), "TCP 8000-8080", False, id="range"),
        pytest.param(PolicyPort(TCP, "http"), "TCP http", True, id="named"),
    ],
)
def test_policy_port_str_and_is_named(port: PolicyPort, text: str, is_named: bool) -> None:
    assert str(port) == text
    assert port.is_named is is_named


@pytest.mark.parametrize(
    ("rng", "inside", "outside"),
    [
        pytest.param(PortRange(80, 80), [80], [79, 81], id="single"),
        pytest.param(PortRange(8000, 8080), [8000, 8040, 8080], [7999, 8081], id="inclusive"),
        pytest.param(PortRange(1, 65535), [1, 65535], [0, 65536], id="every-port"),
    ],
)
def test_port_range_contains(rng: PortRange, inside: list[int], outside: list[int]) -> None:
    assert all(p in rng for p in inside)
    assert not any(p in rng for p in outside)
    assert "80" not in rng  # only numbers are ports


@pytest.mark.parametrize(
    ("rng", "text"),
    [
        pytest.param(PortRange(80, 80), "80", id="single"),
        pytest.param(PortRange(8000, 8080), "8000-8080", id="range"),
    ],
)
def test_port_range_str(rng: PortRange, text: str) -> None:
    assert str(rng) == text


def test_port_range_order() -> None:
    assert sorted([PortRange(80, 90), PortRange(8, 9), PortRange(80, 81)]) == [
        PortRange(8, 9),
        PortRange(80, 81),
        PortRange(80, 90),
    ]


@pytest.mark.parametrize("protocol", list(Protocol), ids=str)
def test_protocol_str_is_the_api_spelling(protocol: Protocol) -> None:
    assert str(protocol) == protocol.value
    assert protocol.value in {"TCP", "UDP", "SCTP"}


def test_container_port_fields() -> None:
    assert ContainerPort(53, UDP, "dns") == ContainerPort(port=53, protocol=UDP, name="dns")
    assert ContainerPort(80).name is None

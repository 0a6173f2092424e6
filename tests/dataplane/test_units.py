"""Small pure pieces: apply's command sequence, DNS codec, ports, state, emit, exports."""

from __future__ import annotations

import ast
import importlib
import ipaddress
import pkgutil
from pathlib import Path

import pytest

import podfence.dataplane
from podfence.dataplane.lab import dns
from podfence.dataplane.lab.plan import plan_lab
from podfence.dataplane.lab.state import LabState, create_dir, load, remove, save
from podfence.dataplane.nft import ApplyError, apply
from podfence.dataplane.nft.emit import format_element, quote
from podfence.dataplane.nft.ir import AddrRange, ProtoPorts, Verdict, VerdictKind
from podfence.dataplane.run import Completed, RecordingRunner
from podfence.model import PortRange, Protocol, ProtocolPort

from .cases import shop

ip = ipaddress.ip_address


def test_apply_checks_then_applies_the_same_text() -> None:
    runner = RecordingRunner()
    apply("SCRIPT", "podfence-x-node", runner=runner)
    assert runner.commands == [
        (("ip", "netns", "exec", "podfence-x-node", "nft", "-c", "-f", "-"), "SCRIPT"),
        (("ip", "netns", "exec", "podfence-x-node", "nft", "-f", "-"), "SCRIPT"),
    ]


def test_a_rejected_check_applies_nothing() -> None:
    check = ("ip", "netns", "exec", "podfence-x-node", "nft", "-c", "-f", "-")
    runner = RecordingRunner(answers={check: Completed(1, "", "/dev/stdin:3:1-5: Error: bad")})
    with pytest.raises(ApplyError) as err:
        apply("SCRIPT", "podfence-x-node", runner=runner)
    assert str(err.value) == (
        "nft -c rejected the ruleset in podfence-x-node: <ruleset>:3:1-5: Error: bad"
    )
    assert len(runner.commands) == 1


def test_apply_refuses_the_host_namespace() -> None:
    runner = RecordingRunner()
    with pytest.raises(ValueError, match="not a podfence namespace"):
        apply("SCRIPT", "default", runner=runner)
    assert runner.commands == []


def test_dns_round_trip() -> None:
    query = dns.build_query(dns.PROBE_NAME, 0x1234)
    response = dns.answer(query)
    assert dns.parse_answer(response, 0x1234) == [dns.ANSWER]
    assert dns.frame(response)[:2] == len(response).to_bytes(2, "big")
    aaaa = dns.answer(dns.build_query("x.test", 7, qtype=28))
    assert dns.parse_answer(aaaa, 7) == []
    with pytest.raises(dns.DnsError):
        dns.parse_answer(response, 0x4321)
    with pytest.raises(dns.DnsError):
        dns.answer(b"\x00\x01")
    with pytest.raises(dns.DnsError):
        dns.answer(response)  # a response is not a query


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("80", ProtocolPort(80)),
        ("53/udp", ProtocolPort(53, Protocol.UDP)),
        ("53/Udp", ProtocolPort(53, Protocol.UDP)),
        (" 3868/SCTP ", ProtocolPort(3868, Protocol.SCTP)),
    ],
)
def test_parse_port(text: str, expected: ProtocolPort) -> None:
    assert ProtocolPort.parse(text) == expected
    assert str(expected) == f"{expected.port}/{expected.protocol}"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("0", "invalid port '0': must be between 1 and 65535, inclusive"),
        ("70000", "invalid port '70000': must be between 1 and 65535, inclusive"),
        ("80/icmp", "invalid protocol in '80/icmp': supported values: SCTP, TCP, UDP"),
        ("http", "invalid port 'http': expected NUMBER[/TCP|UDP|SCTP]"),
    ],
)
def test_parse_port_errors(text: str, message: str) -> None:
    with pytest.raises(ValueError) as err:
        ProtocolPort.parse(text)
    assert str(err.value) == message


def test_state_round_trip() -> None:
    plan = plan_lab(shop(), "state-test", serve=[ProtocolPort(8080)])
    create_dir("state-test")
    try:
        state = LabState("state-test", plan.node_netns, plan.pods, "up", ("shop/db",), 42, 20123)
        save(state)
        assert load("state-test") == state
        with pytest.raises(FileExistsError):
            create_dir("state-test")
    finally:
        remove("state-test")
    assert load("state-test") is None


_EVALUATORS = {
    "matches": "LabelSelector/Requirement.matches (selectors meet labels)",
    "contains": "IPBlock/AddressSet.contains (ipBlocks meet addresses)",
    "numeric_range": "PolicyPort.numeric_range (ports of a policy entry)",
    "peer_matches": "the resolver's peer matching",
    "port_matches": "the resolver's port matching",
}
_MODEL_ONLY = {"LabelSelector", "Requirement", "IPBlock", "Peer", "PolicyPort"}
# ContainerPort is allowed: the lab records each pod's declared ports (its state file), and
# resolves names through podfence.engine.resolve.declared_numbers, never by itself.
"""Model types only an evaluator of policies against pods needs."""


def test_the_data_plane_evaluates_no_selector_block_or_named_port() -> None:
    """Issue 9: selectors, ipBlocks and named ports are resolved in `podfence.engine` only;
    the compiler, the lab and verify consume its answers. No module here calls an evaluator
    of the model or of the resolver, nor imports the raw policy types."""
    root = Path(podfence.dataplane.__file__).parent
    found = []
    for path in sorted(root.rglob("*.py")):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in _EVALUATORS
            ):
                found.append(f"{path.name}:{node.lineno} {_EVALUATORS[node.func.attr]}")
            if isinstance(node, ast.ImportFrom) and node.module == "podfence.model":
                names = {alias.name for alias in node.names}
                found += [f"{path.name}:{node.lineno} imports {n}" for n in names & _MODEL_ONLY]
    assert not found
    assert not (root / "nft" / "resolve.py").exists()
    assert not (root / "nft" / "intervals.py").exists()


def test_element_formatting() -> None:
    assert format_element(AddrRange(ip("10.0.0.0"), ip("10.0.0.255"))) == "10.0.0.0/24"
    assert format_element(AddrRange(ip("10.0.0.1"), ip("10.0.0.1"))) == "10.0.0.1"
    assert format_element(AddrRange(ip("10.0.0.1"), ip("10.0.0.6"))) == "10.0.0.1-10.0.0.6"
    assert format_element(AddrRange(ip("::"), ip("::ffff"))) == "::/112"
    assert format_element(ProtoPorts(Protocol.SCTP, PortRange(1, 2))) == "sctp . 1-2"
    assert quote('a "b"\nc') == "\"a 'b' c\""
    assert len(quote("x" * 500)) == 122


def test_verdicts_need_a_chain_exactly_for_jump_and_goto() -> None:
    assert Verdict(VerdictKind.JUMP, "c").chain == "c"
    with pytest.raises(ValueError):
        Verdict(VerdictKind.JUMP)
    with pytest.raises(ValueError):
        Verdict(VerdictKind.ACCEPT, "c")


def test_every_module_declares_its_exports() -> None:
    for info in pkgutil.walk_packages(podfence.dataplane.__path__, "podfence.dataplane."):
        module = importlib.import_module(info.name)
        names = getattr(module, "__all__", None)
        assert names is not None, info.name
        assert all(hasattr(module, name) for name in names), info.name


def test_public_api() -> None:
    assert podfence.dataplane.__all__ == [
        "ApplyError",
        "Disagreement",
        "DnsReport",
        "Lab",
        "LabError",
        "LabPlan",
        "Outcome",
        "ProbeError",
        "ProbeResult",
        "Ruleset",
        "apply",
        "compare",
        "compile_ruleset",
        "down_all",
        "down_lab",
        "emit",
        "list_labs",
        "plan_lab",
        "verify",
    ]


def test_netns_tests_skip_with_a_reason_when_not_root(monkeypatch: pytest.MonkeyPatch) -> None:
    from .conftest import netns_unavailable

    monkeypatch.setattr("os.geteuid", lambda: 1000)
    assert netns_unavailable() == "needs root: network namespaces and nftables"


def test_lab_up_needs_root(monkeypatch: pytest.MonkeyPatch) -> None:
    from podfence.dataplane.lab import Lab, LabError

    monkeypatch.setattr("os.geteuid", lambda: 1000)
    with pytest.raises(LabError, match="labs need root"):
        Lab.up(shop(), name="never")

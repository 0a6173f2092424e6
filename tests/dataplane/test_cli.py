"""The data-plane commands: exit codes, messages, the JSON contract, a whole lab session."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from podfence.cli import dataplane_cmds
from podfence.cli.dataplane_cmds import compile_command, lab_group, verify_command

from .conftest import podfence_netns
from .labtools import lab_name

SEED = Path(__file__).resolve().parents[2] / "examples" / "seed"


def run(command: object, *args: str) -> Result:
    return CliRunner().invoke(command, list(args))  # type: ignore[arg-type]


def test_exports() -> None:
    assert dataplane_cmds.__all__ == ["compile_command", "lab_group", "verify_command"]
    assert compile_command.name == "compile"
    assert lab_group.name == "lab"
    assert sorted(lab_group.commands) == ["apply", "down", "ls", "probe", "up"]
    assert verify_command.name == "verify"


def test_compile_prints_the_ruleset() -> None:
    result = run(compile_command, str(SEED / "frontend-backend"))
    assert result.exit_code == 0, result.output
    assert "# default/backend has no IP: not enforced" in result.stdout
    result = run(compile_command, str(SEED / "frontend-backend"), "--lab-ips")
    assert result.exit_code == 0, result.output
    assert "table inet podfence {" in result.stdout
    assert 'comment "default/allow-frontend-to-backend ingress[0].from[0]"' in result.stdout


def test_compile_reports_diagnostics_and_exits_2(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {}\n")
    result = run(compile_command, str(bad))
    assert result.exit_code == 2
    assert "bad.yaml" in result.stderr and "error" in result.stderr
    assert "table inet" not in result.stdout


def test_port_syntax_errors_exit_2() -> None:
    result = run(lab_group, "probe", "--name", "x", "--port", "80/icmp")
    assert result.exit_code == 2
    assert "invalid protocol" in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["down"], "give exactly one of --name NAME or --all"),
        (["down", "--name", "x", "--all"], "give exactly one of --name NAME or --all"),
        (["probe", "--name", "x"], "give at least one --port, or --dns"),
    ],
)
def test_usage_errors(args: list[str], message: str) -> None:
    result = run(lab_group, *args)
    assert result.exit_code == 2
    assert message in result.stderr


def test_not_root_is_one_clear_message(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("os.geteuid", lambda: 1000)
    result = run(lab_group, "probe", "--name", "x", "--port", "80")
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        "podfence: error: labs need root (network namespaces and nftables): run as root"
    )
    assert "Traceback" not in result.output


def test_missing_nft_is_one_clear_message(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("os.geteuid", lambda: 0)
    real = shutil.which
    monkeypatch.setattr(shutil, "which", lambda tool: None if tool == "nft" else real(tool))
    result = run(lab_group, "down", "--all")
    assert result.exit_code == 2
    assert "nft not found: install nftables" in result.stderr


@pytest.mark.netns
def test_unknown_lab() -> None:
    result = run(lab_group, "probe", "--name", "no-such-lab", "--port", "80")
    assert result.exit_code == 2
    assert "no lab named no-such-lab" in result.stderr


@pytest.mark.netns
def test_lab_session(tmp_path: Path) -> None:
    name = lab_name("cli")
    open_cluster = tmp_path / "open"
    open_cluster.mkdir()
    shutil.copy(SEED / "frontend-backend" / "cluster.yaml", open_cluster)
    up = run(lab_group, "up", str(SEED / "frontend-backend"), "--name", name, "--serve", "8080/tcp")
    try:
        assert up.exit_code == 0, up.output
        assert f"lab {name} up: 3 pods" in up.stdout
        listing = run(lab_group, "ls")
        mine = [line for line in listing.stdout.splitlines() if line.startswith(name)]
        assert len(mine) == 1 and "agent running" in mine[0], listing.stdout

        probe = run(lab_group, "probe", "--name", name, "--port", "8080", "-o", "json")
        assert probe.exit_code == 0, probe.output
        data = json.loads(probe.stdout)
        assert list(data) == ["endpoints", "matrices"]
        assert data["endpoints"] == ["default/backend", "default/frontend", "default/other"]
        assert data["matrices"] == [
            {
                "port": 8080,
                "protocol": "TCP",
                "allowed": [[True, True, True], [True, True, True], [False, True, True]],
            }
        ]

        applied = run(lab_group, "apply", str(open_cluster), "--name", name)
        assert applied.exit_code == 0, applied.output
        text = run(lab_group, "probe", "--name", name, "--port", "8080/TCP")
        assert text.exit_code == 0
        rows = [line for line in text.stdout.splitlines() if line.rstrip().endswith("]")]
        assert "8080/TCP" in text.stdout and len(rows) == 3
        assert all("X" not in row for row in rows), text.stdout  # nothing denied any more
    finally:
        down = run(lab_group, "down", "--name", name)
    assert down.exit_code == 0 and f"lab {name} removed" in down.stdout
    assert not [n for n in podfence_netns() if n.startswith(f"podfence-{name}-")]


@pytest.mark.netns
def test_probe_dns() -> None:
    name = lab_name("clidns")
    up = run(lab_group, "up", str(SEED / "dns-allowed"), "--name", name)
    try:
        assert up.exit_code == 0, up.output
        result = run(lab_group, "probe", "--name", name, "--dns", "-o", "json")
        assert result.exit_code == 0, result.output
        rows = {r["endpoint"]: r for r in json.loads(result.stdout)["dns"]}
        assert rows["default/api"] == {
            "endpoint": "default/api",
            "server": "kube-system/coredns",
            "udp": True,
            "tcp": True,
        }
        text = run(lab_group, "probe", "--name", name, "--dns")
        assert "default/web via kube-system/coredns: udp yes, tcp yes" in text.stdout
    finally:
        run(lab_group, "down", "--name", name)


@pytest.mark.netns
@pytest.mark.parametrize("example", ["frontend-backend", "dns-allowed", "default-deny", "and-or"])
def test_verify_agrees_with_the_engine(example: str) -> None:
    result = run(
        verify_command, str(SEED / example), "--port", "80", "--port", "8080", "--port", "53/udp"
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "kernel and engine agree"


def test_compile_enforces_cluster_network_policies() -> None:
    """The tiers are compiled (Admin, NetworkPolicy, Baseline per side): no refusal."""
    from podfence.cli.main import cli

    example = Path(__file__).resolve().parents[2] / "examples" / "cnp" / "admin-guardrail"
    result = CliRunner().invoke(cli, ["compile", str(example)])
    assert result.exit_code == 0, result.output
    assert "jump ingress_tiers" in result.stdout
    assert "cnp/protect-payments ingress[1].from[0]" in result.stdout


def test_compile_says_on_stderr_what_depends_on_dns(tmp_path: Path) -> None:
    from podfence.cli.main import cli

    example = Path(__file__).resolve().parents[2] / "examples" / "cnp" / "egress-networks-dns"
    cnp = (example / "shop-egress.yaml").read_text()
    (tmp_path / "cluster.yaml").write_text((example / "cluster.yaml").read_text())
    rule = (
        "    - name: partner-by-name\n      action: Accept\n      to:\n"
        "        - domainNames:\n            - api.example.com\n"
    )
    (tmp_path / "cnp.yaml").write_text(cnp.replace("  egress:\n", "  egress:\n" + rule, 1))
    result = CliRunner().invoke(cli, ["compile", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert (
        'note: depends on DNS at run time: cnp/shop-egress egress[0].to[0] "partner-by-name" '
        "domainNames api.example.com: nothing"
    ) in result.stderr


def test_compile_dns_gives_a_domain_name_its_outside_addresses(tmp_path: Path) -> None:
    """`compile --dns NAME=IP` as `can --dns`: the rule's name matches those addresses, and
    the note says it matched what --dns gives; a bad item is a usage error (exit 2)."""
    from podfence.cli.main import cli

    example = Path(__file__).resolve().parents[2] / "examples" / "cnp" / "egress-networks-dns"
    cnp = (example / "shop-egress.yaml").read_text()
    (tmp_path / "cluster.yaml").write_text((example / "cluster.yaml").read_text())
    rule = (
        "    - name: partner-by-name\n      action: Accept\n      to:\n"
        "        - domainNames:\n            - api.example.com\n"
    )
    (tmp_path / "cnp.yaml").write_text(cnp.replace("  egress:\n", "  egress:\n" + rule, 1))
    without = CliRunner().invoke(cli, ["compile", str(tmp_path)])
    assert without.exit_code == 0, without.output
    assert "198.51.100.7" not in without.stdout
    result = CliRunner().invoke(
        cli, ["compile", str(tmp_path), "--dns", "api.example.com=198.51.100.7"]
    )
    assert result.exit_code == 0, result.output
    assert "198.51.100.7" in result.stdout
    assert "the addresses --dns gives" in result.stdout + result.stderr
    bad = CliRunner().invoke(cli, ["compile", str(tmp_path), "--dns", "api.example.com"])
    assert bad.exit_code == 2
    assert "expected NAME=IP" in bad.stderr

"""The scale commands: `matrix` (dense contract unchanged, grouped, all ports) and `watch`."""

from __future__ import annotations

import json
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from podfence.cli.main import cli as main_cli
from podfence.cli.scale_cmds import matrix, watch
from podfence.cli.scale_watch import Watcher
from podfence.model import Protocol, ProtocolPort

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "examples" / "seed"


@click.group()
def cli() -> None:
    """The commands under test, as the lead registers them."""


cli.add_command(matrix)
cli.add_command(watch)


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.output


@pytest.mark.parametrize("example", sorted(p.name for p in SEED.iterdir() if p.is_dir()))
def test_dense_json_is_the_existing_contract(example: str) -> None:
    args = ["matrix", str(SEED / example), "-p", "80", "-p", "53/UDP", "-o", "json"]
    old = CliRunner().invoke(main_cli, args)
    code, out = run(*args)
    assert code == old.exit_code == 0
    assert json.loads(out) == json.loads(old.output)


def test_dense_text_is_the_existing_text() -> None:
    args = ["matrix", str(SEED / "dns-allowed"), "-p", "53/UDP"]
    assert run(*args)[1] == CliRunner().invoke(main_cli, args).output


def test_grouped_text_and_json() -> None:
    code, out = run("matrix", str(SEED / "frontend-backend"), "-p", "8080", "--group")
    assert code == 0
    assert "[0] ns default, app=backend (1 pod)" in out
    assert "8080/TCP  (row: source group, column: destination group)" in out
    code, out = run("matrix", str(SEED / "frontend-backend"), "-p", "8080", "--group", "-o", "json")
    data = json.loads(out)
    assert [g["selector"] for g in data["groups"]] == [
        "ns default, app=backend", "ns default, app=frontend", "ns default, app=other",
    ]  # fmt: skip
    assert data["format"] == "grouped"
    assert data["ports"] == [{"port": 8080, "protocol": "TCP"}]
    # sparse: only what is allowed (group 2 cannot reach group 0), with the ports
    pairs = {(a["from"], a["to"]): a["ports"] for a in data["allowed"]}
    assert pairs == {(i, j): "TCP 8080" for i in range(3) for j in range(3) if (i, j) != (2, 0)}
    (entry,) = [a for a in data["allowed"] if (a["from"], a["to"]) == (1, 0)]
    assert entry["ranges"] == [{"protocol": "TCP", "first": 8080, "last": 8080}]


def test_all_ports() -> None:
    code, out = run("matrix", str(SEED / "frontend-backend"), "--all-ports", "-o", "json")
    assert code == 0
    assert json.loads(out)["format"] == "grouped-all-ports"
    allowed = {(a["from"], a["to"]): a for a in json.loads(out)["allowed"]}
    assert allowed[(1, 0)]["ports"] == "TCP 8080"
    assert allowed[(1, 0)]["ranges"] == [{"protocol": "TCP", "first": 8080, "last": 8080}]
    assert allowed[(0, 0)]["ports"] == "all"
    assert (2, 0) not in allowed
    code, out = run("matrix", str(SEED / "frontend-backend"), "--all-ports")
    assert "  [1] -> [0]: TCP 8080" in out


def test_a_port_is_required_without_all_ports() -> None:
    code, out = run("matrix", str(SEED / "dns-allowed"))
    assert code == 2
    assert "Missing option '-p' / '--port' (or give --all-ports)." in out


def test_all_ports_is_grouped() -> None:
    code, out = run("matrix", str(SEED / "dns-allowed"), "--all-ports", "--no-group")
    assert code == 2
    assert "--all-ports reports groups" in out


def test_watch_reports_changes(tmp_path: Path) -> None:
    for f in (SEED / "frontend-backend").iterdir():
        (tmp_path / f.name).write_text(f.read_text())
    lines: list[str] = []
    w = Watcher([str(tmp_path)], [ProtocolPort(8080, Protocol.TCP)], "default",
                lambda text="", **_: lines.append(str(text)))  # fmt: skip
    w.start()
    assert lines[0].startswith("watching 2 files: 3 endpoints in 3 groups, 1 policy")
    assert not w.check()
    policy = tmp_path / "allow-frontend-to-backend.yaml"
    policy.write_text(policy.read_text().replace("8080", "9090"))
    assert w.check()
    assert "1 object changed, analysed incrementally" in lines[1]
    assert "  - 8080/TCP  default/frontend -> default/backend" in lines

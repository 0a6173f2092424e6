"""`podfence graph`: formats, Graphviz present or not, options."""

from __future__ import annotations

import shutil
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from tests.review.conftest import HERE, seed_paths


def test_mermaid_is_the_default_and_matches_the_golden(cli: click.Group) -> None:
    res = CliRunner().invoke(
        cli, ["graph", *seed_paths("b-policy-selects-db"), "--show-denied", "--show-policies"]
    )
    assert res.exit_code == 0, res.output
    assert res.output == (HERE / "golden" / "graph-b-policy-selects-db.mmd").read_text()


def test_port_option_limits_the_edges(cli: click.Group) -> None:
    res = CliRunner().invoke(cli, ["graph", *seed_paths("b-policy-selects-db"), "-p", "5432"])
    assert res.exit_code == 0, res.output
    assert '"TCP 5432<br>by rule secure/db-allow-web ingress[0]"' in res.output
    assert "all ports" not in res.output


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot is not installed")
@pytest.mark.parametrize(("fmt", "magic"), [("svg", b"<?xml"), ("png", b"\x89PNG")])
def test_svg_and_png_through_dot(cli: click.Group, tmp_path: Path, fmt: str, magic: bytes) -> None:
    out = tmp_path / f"g.{fmt}"
    res = CliRunner().invoke(
        cli, ["graph", *seed_paths("dns-allowed"), "-o", fmt, "--file", str(out)]
    )
    assert res.exit_code == 0, res.output
    assert out.read_bytes().startswith(magic)


def test_svg_without_dot_is_a_clear_error(
    cli: click.Group, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("podfence.render.graphviz.shutil.which", lambda _: None)
    res = CliRunner().invoke(cli, ["graph", *seed_paths("dns-allowed"), "-o", "svg"])
    assert res.exit_code == 2
    assert res.output == (
        "podfence: error: -o svg needs Graphviz's `dot` on PATH (e.g. apt-get install "
        "graphviz); or use -o dot (or -o mermaid) and render it elsewhere\n"
    )


def test_bad_input_exits_2(cli: click.Group, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("apiVersion: v1\nkind: Pod\nmetadata: {}\n")
    res = CliRunner().invoke(cli, ["graph", str(bad)])
    assert res.exit_code == 2
    assert "nothing was analysed" in res.output

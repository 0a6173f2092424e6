"""Shared helpers for the review tests: seed examples, loading, the CLI with our commands."""

from __future__ import annotations

from pathlib import Path

import click
import pytest

from podfence.load import load_paths
from podfence.model import Cluster

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "examples" / "seed"
HERE = Path(__file__).resolve().parent

SEED_EXAMPLES: dict[str, list[str]] = {
    "a-open-network": ["a-open-network"],
    "and-or-and": ["and-or/cluster.yaml", "and-or/and"],
    "and-or-or": ["and-or/cluster.yaml", "and-or/or"],
    "b-policy-selects-db": ["b-policy-selects-db"],
    "default-deny": ["default-deny"],
    "dns-allowed": ["dns-allowed"],
    "dns-trap": ["dns-trap"],
    "frontend-backend": ["frontend-backend"],
    "monitoring-labelled": ["monitoring-labelled"],
    "monitoring-unlabelled": ["monitoring-unlabelled"],
}


def seed_paths(name: str) -> list[str]:
    return [str(SEED / p) for p in SEED_EXAMPLES[name]]


def load(*paths: str | Path) -> Cluster:
    result = load_paths([str(p) for p in paths])
    assert result.cluster is not None, result.diagnostics
    return result.cluster


def load_seed(name: str) -> Cluster:
    return load(*seed_paths(name))


@pytest.fixture
def cli() -> click.Group:
    """`podfence` with the review commands, whether or not the lead has registered them."""
    from podfence.cli.main import cli as main_cli
    from podfence.cli.query_cmds import can, explain, validate
    from podfence.cli.review_cmds import diff, graph, report

    group = click.Group("podfence", commands=dict(main_cli.commands))
    for command in (validate, can, explain, graph, report, diff):
        group.add_command(command)
    return group


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "browser: drives headless Chromium (Debian's chromium + chromium-driver)"
    )

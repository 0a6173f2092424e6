"""`--kube-version 1.NN`: every command that loads input judges it as that API server would.

Today the one rule that depends on the version is StrictIPCIDRValidation (on by default
from 1.36): an ipBlock CIDR with host bits set is an error in 1.36, a warning before.
"""

from __future__ import annotations

from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from podfence.cli.main import cli

HOST_BITS = """\
apiVersion: v1
kind: Namespace
metadata: {name: shop}
---
apiVersion: v1
kind: Pod
metadata: {name: web, namespace: shop, labels: {app: web}}
status: {podIP: 10.0.0.5}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: from-office, namespace: shop}
spec:
  podSelector: {}
  ingress:
  - from: [{ipBlock: {cidr: 10.0.0.1/8}}]
"""
ERROR = (
    "error: NetworkPolicy shop/from-office spec.ingress[0].from[0].ipBlock.cidr: Invalid value: "
    '"10.0.0.1/8": must not have bits set beyond the prefix length'
)
WARNING = (
    "warning: NetworkPolicy shop/from-office spec.ingress[0].from[0].ipBlock.cidr: CIDR value "
    '"10.0.0.1/8" is ambiguous in this context (should be "10.0.0.0/8" or "10.0.0.1/32"?)'
)


def _commands(group: click.Group, ctx: click.Context) -> list[tuple[str, click.Command]]:
    found: list[tuple[str, click.Command]] = []
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        assert command is not None
        if isinstance(command, click.Group):
            found += [(f"{name} {n}", c) for n, c in _commands(command, ctx)]
        else:
            found.append((name, command))
    return found


def test_every_command_that_loads_input_has_the_option() -> None:
    ctx = click.Context(cli)
    loading = [
        (name, command)
        for name, command in _commands(cli, ctx)
        if any(p.name in ("paths", "args") for p in command.params)
    ]
    assert {name for name, _ in loading} >= {"validate", "can", "matrix", "lint", "diff"}
    for name, command in loading:
        options = {o for p in command.params for o in getattr(p, "opts", [])}
        assert "--kube-version" in options, name


def _file(tmp_path: Path) -> str:
    path = tmp_path / "cluster.yaml"
    path.write_text(HOST_BITS)
    return str(path)


def test_the_default_is_the_newest_version(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["validate", _file(tmp_path)])
    assert result.exit_code == 2
    assert ERROR in result.output


@pytest.mark.parametrize("version", ["1.33", "1.34", "1.35"])
def test_before_1_36_host_bits_are_a_warning(tmp_path: Path, version: str) -> None:
    result = CliRunner().invoke(cli, ["validate", "--kube-version", version, _file(tmp_path)])
    assert result.exit_code == 0, result.output
    assert WARNING in result.output


def test_other_commands_take_it_too(tmp_path: Path) -> None:
    args = ["can", "10.9.9.9", "shop/web", "-p", "80", _file(tmp_path)]
    refused = CliRunner().invoke(cli, args)
    assert refused.exit_code == 2 and ERROR in refused.output
    allowed = CliRunner().invoke(cli, [*args, "--kube-version", "1.35"])
    assert allowed.exit_code == 0, allowed.output


def test_an_unknown_version_is_a_clear_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["validate", "--kube-version", "1.20", _file(tmp_path)])
    assert result.exit_code == 2
    assert (
        "Invalid value for '--kube-version': unknown Kubernetes version '1.20': podfence knows "
        "1.33, 1.34, 1.35, 1.36"
    ) in result.output
    assert "Traceback" not in result.output

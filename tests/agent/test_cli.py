"""`podfence agent`: options, and one clear message (exit 2) when it cannot start."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from podfence.cli.main import cli


def test_help_names_the_options() -> None:
    result = CliRunner().invoke(cli, ["agent", "--help"])
    assert result.exit_code == 0
    for option in (
        "--node",
        "--kubeconfig",
        "--netns",
        "--table",
        "--listen",
        "--kube-version",
        "--once",
        "--dry-run",
    ):
        assert option in result.output


def test_the_node_is_required() -> None:
    result = CliRunner().invoke(cli, ["agent"], env={"NODE_NAME": ""})
    assert result.exit_code == 2 and "Missing option '--node'" in result.output


def test_the_host_namespace_is_never_named() -> None:
    result = CliRunner().invoke(cli, ["agent", "--node", "n1", "--netns", "default", "--once"])
    assert result.exit_code == 2
    assert "refusing network namespace 'default': not a podfence namespace" in result.output


def test_a_bad_listen_address_is_a_usage_error() -> None:
    result = CliRunner().invoke(cli, ["agent", "--node", "n1", "--listen", "nowhere"])
    assert result.exit_code == 2 and "expected HOST:PORT, got 'nowhere'" in result.output


def test_a_missing_kubeconfig_is_one_message(tmp_path: Path) -> None:
    missing = tmp_path / "nope"
    result = CliRunner().invoke(
        cli, ["agent", "--node", "n1", "--once", "--dry-run", "--kubeconfig", str(missing)]
    )
    assert result.exit_code == 2
    assert result.output.startswith(f"podfence: error: cannot use kubeconfig {missing}: ")
    assert "Traceback" not in result.output


def test_once_against_an_unreachable_server_is_one_message(tmp_path: Path) -> None:
    config = tmp_path / "kubeconfig"
    config.write_text(
        "apiVersion: v1\nkind: Config\ncurrent-context: x\n"
        "clusters: [{name: c, cluster: {server: 'https://127.0.0.1:9'}}]\n"
        "users: [{name: u, user: {token: t}}]\n"
        "contexts: [{name: x, context: {cluster: c, user: u}}]\n"
    )
    result = CliRunner().invoke(
        cli, ["agent", "--node", "n1", "--once", "--dry-run", "--kubeconfig", str(config)]
    )
    assert result.exit_code == 2
    assert "cannot list namespaces: namespaces:" in result.output

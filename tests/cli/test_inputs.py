"""The command line on real-shaped input: options every loading command takes, bad input
(exit 2 with a clear message, never a traceback, never a hang), diagnostics on stderr."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from podfence.cli.main import cli
from podfence.load.options import format_size, parse_size

ROOT = Path(__file__).resolve().parents[2]
INPUTS = ROOT / "tests" / "load" / "inputs"
SOCK_SHOP = str(INPUTS / "sock-shop")
SEED_B = str(ROOT / "examples" / "seed" / "b-policy-selects-db")


def run(*args: str, input: bytes | str | None = None) -> Result:
    return CliRunner().invoke(cli, list(args), input=input, catch_exceptions=False)


# every command that loads input, with what it needs besides PATH...
LOADING: dict[str, tuple[list[str], list[str]]] = {
    "validate": (["validate"], []),
    "can": (["can", "sock-shop/carts", "sock-shop/carts", "-p", "80"], []),
    "explain": (["explain"], []),
    "matrix": (["matrix", "-p", "80"], []),
    "lint": (["lint"], []),
    "graph": (["graph"], []),
    "report": (["report"], []),
    "diff": (["diff"], ["--to", SEED_B]),
    "compile": (["compile"], []),
    "lab-up": (["lab", "up", "--name", "never"], []),
    "lab-apply": (["lab", "apply", "--name", "never"], []),
    "verify": (["verify", "-p", "80"], []),
}


@pytest.mark.parametrize(("before", "after"), LOADING.values(), ids=LOADING.keys())
def test_strict_makes_a_duplicate_an_error_in_every_command(
    before: list[str], after: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PODFENCE_STATE_DIR", str(tmp_path))  # no lab is ever made here
    # --max-file-size 1 as well: loading fails whatever --strict does, so lab up/apply and
    # verify never get as far as network namespaces
    failing = run(*before, SOCK_SHOP, *after, "--max-file-size", "1")
    assert failing.exit_code == 2
    assert "file too large" in failing.stderr
    if before[0] in ("lab", "verify"):
        return
    plain = run(*before, SOCK_SHOP, *after)
    assert "defined twice: identical to the one at" in plain.stderr
    assert plain.exit_code in (0, 1), plain.output
    strict = run(*before, SOCK_SHOP, *after, "--strict")
    assert strict.exit_code == 2, strict.output
    assert "(--strict: duplicates are errors)" in strict.stderr
    assert "Traceback" not in strict.output


@pytest.mark.parametrize(("before", "after"), LOADING.values(), ids=LOADING.keys())
def test_exclude_in_every_command(
    before: list[str], after: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PODFENCE_STATE_DIR", str(tmp_path))
    failing = run(*before, SOCK_SHOP, *after, "--exclude", "00-*", "--max-file-size", "1")
    assert failing.exit_code == 2
    assert "carts-dep.yaml error: file too large" in failing.stderr
    assert "00-sock-shop-ns.yaml" not in failing.stderr
    if before[0] in ("lab", "verify"):
        return  # loaded, these would build network namespaces
    result = run(*before, SOCK_SHOP, *after, "--exclude", "00-*", "--strict")
    assert "defined twice" not in result.stderr
    assert result.exit_code in (0, 1), result.output


def test_watch_takes_the_input_options(tmp_path: Path) -> None:
    for f in Path(SOCK_SHOP).iterdir():
        (tmp_path / f.name).write_text(f.read_text())
    result = run(
        "watch", str(tmp_path), "-p", "80", "--strict", "--rounds", "1", "--interval", "0.05"
    )
    assert "(--strict: duplicates are errors)" in result.stderr
    assert "not applied: 1 error in the input" in result.stderr


SIZES = {
    "bytes": ("1048576", 1 << 20),
    "mebibytes": ("512MiB", 512 << 20),
    "megabytes": ("512M", 512_000_000),
    "gibibytes-lowercase": ("2gib", 2 << 30),
    "gigabytes": ("1G", 1_000_000_000),
    "spaces": (" 3 KiB ", 3 << 10),
}


@pytest.mark.parametrize(("text", "size"), SIZES.values(), ids=SIZES.keys())
def test_sizes(text: str, size: int) -> None:
    assert parse_size(text) == size


@pytest.mark.parametrize("text", ["", "12Q", "-1", "0", "1.5G", "G"])
def test_bad_sizes_are_usage_errors(text: str) -> None:
    with pytest.raises(ValueError, match="invalid size"):
        parse_size(text)
    result = run("validate", SEED_B, "--max-file-size", text)
    assert result.exit_code == 2 and "Invalid value for '--max-file-size'" in result.stderr


def test_format_size() -> None:
    assert [format_size(n) for n in (1, 99, 1 << 30, 256 << 20, 1500)] == [
        "1 byte",
        "99 bytes",
        "1 GiB",
        "256 MiB",
        "1500 bytes",
    ]


def test_validate_puts_every_diagnostic_on_stderr_one_per_line() -> None:
    result = run("validate", SOCK_SHOP)
    assert result.exit_code == 0
    assert result.stdout == "ok: 1 namespace, 1 pod/workload, 0 policies\n"
    lines = result.stderr.split("\n")
    assert lines[-1] == "" and all(line.endswith("the two are merged") for line in lines[:-1])
    assert len(lines) == 2


def test_validate_errors_and_warnings_do_not_run_together() -> None:
    text = (
        "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: x}\n"
        "spec: {podSelector: {}, podSelector: {}}\n"
    )
    result = run("validate", "-", input=text)
    assert result.exit_code == 2
    assert result.stdout == ""
    # within an object, what the API server's decoder stops at comes first (issue 14)
    assert result.stderr.splitlines() == [
        '<stdin>:4 error: NetworkPolicy default/x spec.podSelector: duplicate key "podSelector"'
        " (first defined at line 4)",
        "<stdin>:1 warning: NetworkPolicy default/x: namespace default is not defined in the "
        "input; assuming it exists with only the label kubernetes.io/metadata.name=default",
        "1 error",
    ]


BAD_STDIN = {
    "invalid-utf8": (
        b"apiVersion: v1\nkind: Namespace\nmetadata: {name: \xff}\n",
        "<stdin>:3 error: not valid UTF-8",
    ),
    "utf16": (
        "apiVersion: v1\n".encode("utf-16"),
        "<stdin>:1 error: not valid UTF-8: the text is UTF-16",
    ),
    "deep-json": (b"[" * 2000 + b"]" * 2000, "<stdin>:1 error: nested too deeply"),
}
STDIN_COMMANDS = {
    "validate": ["validate", "-"],
    "can": ["can", "a/b", "c/d", "-p", "80", "-"],
    "matrix": ["matrix", "-p", "80", "-"],
    "lint": ["lint", "-"],
}


@pytest.mark.parametrize("data", BAD_STDIN.values(), ids=BAD_STDIN.keys())
@pytest.mark.parametrize("args", STDIN_COMMANDS.values(), ids=STDIN_COMMANDS.keys())
def test_bad_bytes_on_stdin_are_a_clean_error(args: list[str], data: tuple[bytes, str]) -> None:
    raw, message = data
    result = run(*args, input=raw)
    assert result.exit_code == 2
    assert result.stderr.startswith(message)
    assert "Traceback" not in result.output


def test_matrix_refuses_exactly_what_validate_rejects(tmp_path: Path) -> None:
    dump = tmp_path / "dump.json"
    dump.write_text(
        '{"apiVersion": "v1", "kind": "List", "items": [\n'
        '  {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "x"}},\n'
        '  {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "a", "namespace": "x"}},\n'
        '  {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",\n'
        '   "metadata": {"name": "p", "namespace": "x"},\n'
        '   "spec": {"podSelector": {}, "podSelector": {"matchLabels": {"a": "b"}}}}\n'
        "]}\n"
    )
    validate, matrix = run("validate", str(dump)), run("matrix", "-p", "80", str(dump))
    assert validate.exit_code == matrix.exit_code == 2
    diagnostics = validate.stderr.splitlines()[:-1]  # without validate's count
    assert matrix.stderr.splitlines()[:-1] == diagnostics
    assert 'duplicate key "podSelector"' in diagnostics[0]
    assert "NetworkPolicy x/p" in diagnostics[0]


def test_the_empty_path_is_refused() -> None:
    result = run("validate", "")
    assert result.exit_code == 2
    assert result.stderr.startswith('"" error: an empty path names no file or directory\n')


def _podfence(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    return subprocess.run(
        [sys.executable, "-m", "podfence", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
        stdin=subprocess.DEVNULL,
    )


def test_a_fifo_in_a_directory_does_not_hang_the_run(tmp_path: Path) -> None:
    (tmp_path / "ns.yaml").write_text("apiVersion: v1\nkind: Namespace\nmetadata: {name: n}\n")
    os.mkfifo(tmp_path / "stuck.yaml")
    done = _podfence("validate", str(tmp_path))  # a hang fails with TimeoutExpired
    assert done.returncode == 0
    assert (
        done.stderr
        == f"{tmp_path}/stuck.yaml warning: not a regular file (a named pipe); skipped\n"
    )


def test_dev_zero_is_refused_at_once() -> None:
    done = _podfence("validate", "/dev/zero", timeout=30)
    assert done.returncode == 2
    assert done.stderr.startswith("/dev/zero error: not a regular file (a character device)")


def test_a_symlink_loop_is_a_clean_error(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").symlink_to(tmp_path / "b.yaml")
    (tmp_path / "b.yaml").symlink_to(tmp_path / "a.yaml")
    result = run("validate", str(tmp_path))
    assert result.exit_code == 2
    assert "a.yaml error: cannot read file: Too many levels of symbolic links" in result.stderr


def test_explain_policy_typo_has_a_did_you_mean() -> None:
    result = run("explain", SEED_B, "--policy", "secure/db-allow-wbe")
    assert result.exit_code == 2
    assert result.stderr == (
        "podfence: error: no NetworkPolicy 'secure/db-allow-wbe' in the input "
        "(did you mean 'secure/db-allow-web'?)\n"
    )


def test_a_helm_chart_folder_validates_with_its_warnings() -> None:
    result = run("validate", str(INPUTS / "helm-chart" / "web"))
    assert result.exit_code == 0
    assert result.stdout == "ok: 0 namespaces, 0 pods/workloads, 0 policies\n"
    assert len(result.stderr.splitlines()) == 4  # Chart.yaml, values.yaml, two templates


def test_helm_template_piped_into_stdin() -> None:
    rendered = (INPUTS / "helm-chart" / "rendered.yaml").read_text()
    result = run("validate", "-n", "web", "-", input=rendered)
    assert result.exit_code == 0, result.output
    assert result.stdout == "ok: 1 namespace, 1 pod/workload, 1 policy\n"

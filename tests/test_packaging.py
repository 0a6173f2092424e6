"""The wheel `python -m build` makes installs and runs, and says the one version there is.

Built offline (`--no-isolation`: setuptools and build come from the test extra) from a copy
of the project, installed without dependencies into a fresh virtual environment that sees
this environment's packages (click, PyYAML, ...) but not its podfence, and run from there.
"""

from __future__ import annotations

import importlib.util
import shutil
import site
import subprocess
import sys
import sysconfig
import tomllib
from pathlib import Path

import pytest

import podfence

ROOT = Path(__file__).resolve().parents[1]


def _run(*args: str | Path, cwd: Path | None = None) -> str:
    done = subprocess.run(
        [str(a) for a in args], capture_output=True, text=True, cwd=cwd, timeout=300
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def test_the_version_lives_in_one_place() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert "version" not in project and project["dynamic"] == ["version"]
    dynamic = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    assert dynamic["dynamic"]["version"] == {"attr": "podfence.__version__"}


def test_runtime_dependencies_are_bounded_by_major_version() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    runtime = [*project["dependencies"], *project["optional-dependencies"]["cluster"]]
    assert runtime and all(">=" in dep and ",<" in dep for dep in runtime), runtime


@pytest.mark.skipif(
    importlib.util.find_spec("build") is None, reason="pip install '.[test]' brings `build`"
)
def test_the_wheel_installs_and_runs(tmp_path: Path) -> None:
    project = tmp_path / "project"
    project.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, project / name)
    shutil.copytree(ROOT / "src", project / "src", ignore=shutil.ignore_patterns("*.egg-info"))
    dist = tmp_path / "dist"
    _run(sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", dist, project)
    [wheel] = dist.glob("podfence-*.whl")
    assert wheel.name.startswith(f"podfence-{podfence.__version__}-")

    venv = tmp_path / "venv"
    _run(sys.executable, "-m", "venv", "--without-pip", venv)
    python = venv / "bin" / "python"
    purelib = Path(
        _run(python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])").strip()
    )
    # this environment's dependencies, appended after the venv's own site-packages
    ours = [*site.getsitepackages(), sysconfig.get_paths()["purelib"]]
    (purelib / "deps.pth").write_text("\n".join(dict.fromkeys(ours)) + "\n")
    _run(sys.executable, "-m", "pip", "--python", python, "install", "-q", "--no-deps", wheel)

    where = _run(python, "-c", "import podfence; print(podfence.__file__)")
    assert Path(where.strip()).is_relative_to(venv)  # the wheel's podfence, not this one
    assert _run(venv / "bin" / "podfence", "--version") == (
        f"podfence, version {podfence.__version__}\n"
    )
    seed = ROOT / "examples" / "seed" / "dns-allowed"
    assert _run(venv / "bin" / "kubectl-podfence", "validate", seed).startswith("ok: ")

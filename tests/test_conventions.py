"""Project rules the test suite itself keeps: no test depends on wall-clock speed."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from hypothesis import settings

HERE = Path(__file__).parent


def test_hypothesis_runs_without_a_deadline() -> None:
    assert settings.default.deadline is None


def test_a_hypothesis_test_with_a_deadline_is_refused(tmp_path: Path) -> None:
    shutil.copy(HERE / "conftest.py", tmp_path / "conftest.py")
    (tmp_path / "test_timed.py").write_text(
        "from hypothesis import given, settings, strategies as st\n\n\n"
        "@settings(deadline=200)\n@given(st.integers())\ndef test_timed(x: int) -> None:\n"
        "    pass\n"
    )
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(tmp_path)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
    )
    assert done.returncode != 0
    assert "hypothesis tests must not have a deadline" in done.stdout + done.stderr

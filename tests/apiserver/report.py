"""The differential test's figures: filled by the test, printed by conftest at the end.

A module of its own so that the test and conftest share one list (pytest imports conftest
under another module name than `tests.apiserver.conftest`).
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["FIGURES", "WRITTEN", "write"]

FIGURES: list[str] = []
WRITTEN: list[Path] = []


def write(directory: Path) -> Path:
    """The figures so far as a small Markdown report: $PODFENCE_APISERVER_REPORT, else
    `apiserver-differential.md` in `directory`."""
    path = Path(
        os.environ.get("PODFENCE_APISERVER_REPORT") or directory / "apiserver-differential.md"
    )
    path.write_text("\n".join(FIGURES) + "\n")
    WRITTEN[:] = [path]
    return path

"""The differential test's figures: filled by the test, printed by conftest at the end.

A module of its own so that the test and conftest share one list (pytest imports conftest
under another module name than `tests.apiserver.conftest`).
"""

from __future__ import annotations

__all__ = ["FIGURES"]

FIGURES: list[str] = []

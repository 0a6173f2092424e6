"""The import rule for analysis, render and cli (issue 9, STYLE lesson 1).

- analysis never imports render or cli (it returns data; rendering and commands sit above);
- render imports only analysis, engine and model (the result types it renders), itself and
  `podfence.__version__`;
- nothing imports cli, except cli and `python -m podfence` (`podfence.__main__`);
- nothing under engine imports analysis, render or cli.

Every `import` is read from the source (function-level ones included), not from what
happens to be loaded.
"""

from __future__ import annotations

import ast
from pathlib import Path

import podfence

ROOT = Path(podfence.__file__).parent

KNOWN: frozenset[tuple[str, str]] = frozenset()
"""Known exceptions to the import rules (none since the class engine stopped building
analysis.matrix's Matrix)."""


def _module(path: Path) -> str:
    parts = path.relative_to(ROOT.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return {m for m in found if m == "podfence" or m.startswith("podfence.")}


EDGES: tuple[tuple[str, str], ...] = tuple(
    sorted((_module(p), target) for p in ROOT.rglob("*.py") for target in _imports(p))
)


def _layer(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def _violations(source_layer: str, allowed: set[str]) -> list[tuple[str, str]]:
    return [
        (a, b)
        for a, b in EDGES
        if _layer(a) == source_layer and _layer(b) not in allowed and (a, b) not in KNOWN
    ]


def test_analysis_never_imports_render_or_cli() -> None:
    assert [
        (a, b) for a, b in EDGES if _layer(a) == "analysis" and _layer(b) in {"render", "cli"}
    ] == []


def test_render_imports_only_results() -> None:
    assert _violations("render", {"analysis", "engine", "model", "render", ""}) == []


def test_only_cli_imports_cli() -> None:
    users = {"cli", "__main__"}
    assert [(a, b) for a, b in EDGES if _layer(b) == "cli" and _layer(a) not in users] == []


def test_engine_imports_nothing_above_it() -> None:
    above = {"analysis", "render", "cli"}
    assert [
        (a, b)
        for a, b in EDGES
        if _layer(a) == "engine" and _layer(b) in above and (a, b) not in KNOWN
    ] == []


def test_known_exceptions_still_exist() -> None:
    """An exception that is gone must leave the list, so it cannot come back unnoticed."""
    assert [edge for edge in sorted(KNOWN) if edge not in EDGES] == []

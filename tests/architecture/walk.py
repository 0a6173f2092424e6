"""Every module under src/podfence, parsed, with every import it makes (at module level,
inside functions, under `if TYPE_CHECKING`: an import is an import)."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

__all__ = ["SRC", "Import", "Module", "modules", "top_package"]

SRC = Path(__file__).resolve().parents[2] / "src"
ROOT = "podfence"


@dataclass(frozen=True)
class Import:
    """`from <module> import <names>` (names empty for `import <module>`), at `line`."""

    module: str
    names: tuple[str, ...]
    line: int


@dataclass(frozen=True)
class Module:
    name: str
    path: Path
    tree: ast.Module

    @property
    def is_package(self) -> bool:
        return self.path.name == "__init__.py"

    @property
    def package(self) -> str:
        """The package the module belongs to (a package's `__init__` belongs to itself; the
        entry point `podfence.__main__` stands apart: it is the CLI, run as a script)."""
        if self.is_package or self.name == f"{ROOT}.__main__":
            return self.name
        return self.name.rpartition(".")[0]

    @property
    def where(self) -> str:
        return str(self.path.relative_to(SRC.parent))

    def imports(self) -> Iterator[Import]:
        """Every import of a podfence module, relative ones resolved; `from a import b` names
        the submodule `a.b` when `b` is one."""
        for node in ast.walk(self.tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if _ours(alias.name):
                        yield Import(alias.name, (), node.lineno)
            elif isinstance(node, ast.ImportFrom):
                base = self._absolute(node)
                if not _ours(base):
                    continue
                plain = tuple(a.name for a in node.names if not _is_module(f"{base}.{a.name}"))
                if plain or not node.names:
                    yield Import(base, plain, node.lineno)
                for a in node.names:
                    if _is_module(f"{base}.{a.name}"):
                        yield Import(f"{base}.{a.name}", (), node.lineno)

    def _absolute(self, node: ast.ImportFrom) -> str:
        if not node.level:
            return node.module or ""
        parts = self.package.split(".")
        parts = parts[: len(parts) - (node.level - 1)]
        return ".".join([*parts, *([node.module] if node.module else [])])


def _ours(name: str) -> bool:
    return name == ROOT or name.startswith(ROOT + ".")


@cache
def _module_names() -> frozenset[str]:
    return frozenset(m.name for m in modules())


def _is_module(name: str) -> bool:
    return name in _module_names()


@cache
def modules() -> tuple[Module, ...]:
    """Every module of the package, sorted by name."""
    found = []
    for path in sorted((SRC / ROOT).rglob("*.py")):
        parts = path.relative_to(SRC).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found.append(Module(".".join(parts), path, ast.parse(path.read_text(), str(path))))
    return tuple(sorted(found, key=lambda m: m.name))


def top_package(name: str) -> str:
    """`podfence.engine.classes.reach` -> `engine`; the root package itself -> ``."""
    parts = name.split(".")
    return parts[1] if len(parts) > 1 else ""

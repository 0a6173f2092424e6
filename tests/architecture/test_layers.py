"""Imports go one way: a layer imports only the layers below it, and packages form no cycle.

The layers, lowest first (STYLE lesson 1, issue 9):

    model -> load -> engine -> analysis -> render -> cli
                 \\-> kube (above load, below cli)
                      engine -> dataplane (above engine, below cli)

`podfence` itself (the version) is below everything; `podfence.__main__` is the CLI.
Every import counts: at module level, inside a function, under `if TYPE_CHECKING`.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

import pytest

from .pending import PENDING_MIGRATION, stale
from .walk import Module, modules, top_package

LAYERS = ("model", "load", "engine", "analysis", "render", "cli")
"""The main stack, lowest first: a layer may import every layer before it, none after."""

SIDE_LAYERS = {
    "kube": "load",  # reads a live cluster into texts for the loader
    "dataplane": "engine",  # compiles nftables rules from the resolved core; the lab
    "agent": "engine",  # `podfence agent`: watches (kube) and enforces (dataplane) on a node
}
SIDE_IMPORTS = {"agent": frozenset({"kube", "dataplane"})}
"""Side layers a side layer may import besides the stack."""
"""Layers beside the stack: each may import the stack up to the layer named, and only the
CLI imports it."""


def may_import(layer: str) -> frozenset[str]:
    """The layers `layer` may import (besides itself)."""
    if layer == "":
        return frozenset()
    if layer in SIDE_LAYERS:
        below = set(LAYERS[: LAYERS.index(SIDE_LAYERS[layer]) + 1])
        below |= SIDE_IMPORTS.get(layer, frozenset())
    else:
        below = set(LAYERS[: LAYERS.index(layer)])
        if layer == "cli":
            below |= set(SIDE_LAYERS)
    return frozenset(below | {""})


def layer_of(module: str) -> str:
    return "cli" if module == "podfence.__main__" else top_package(module)


def test_the_layer_table() -> None:
    """The table the README and docs/architecture.md draw, spelled out."""
    table = {layer: sorted(may_import(layer) - {""}) for layer in (*LAYERS, *SIDE_LAYERS)}
    assert table == {
        "model": [],
        "load": ["model"],
        "engine": ["load", "model"],
        "analysis": ["engine", "load", "model"],
        "render": ["analysis", "engine", "load", "model"],
        "cli": ["agent", "analysis", "dataplane", "engine", "kube", "load", "model", "render"],
        "kube": ["load", "model"],
        "dataplane": ["engine", "load", "model"],
        "agent": ["dataplane", "engine", "kube", "load", "model"],
    }


def test_every_module_is_in_a_layer() -> None:
    known = {"", *LAYERS, *SIDE_LAYERS}
    assert {m.name: layer_of(m.name) for m in modules() if layer_of(m.name) not in known} == {}


def upward_imports(module: Module) -> Iterator[str]:
    layer = layer_of(module.name)
    allowed = may_import(layer) | {layer}
    for imp in module.imports():
        target = layer_of(imp.module)
        if target not in allowed:
            yield f"{module.where}:{imp.line}: {layer} imports {imp.module} ({target})"


def test_no_upward_import() -> None:
    found = {
        m.name: list(upward_imports(m))
        for m in modules()
        if "upward-import" not in PENDING_MIGRATION.get(m.name, ())
    }
    problems = [line for lines in found.values() for line in lines]
    assert not problems, "imports against the layers:\n" + "\n".join(problems)


def test_pending_upward_imports_are_still_there() -> None:
    """PENDING_MIGRATION shrinks to empty: an entry whose module is fixed must go."""
    fixed = stale("upward-import", lambda m: any(upward_imports(m)))
    assert not fixed, f"remove from PENDING_MIGRATION (upward-import): {fixed}"


# -- cycles between packages --------------------------------------------------------------


def package_graph() -> dict[str, set[str]]:
    """Package -> the other packages its modules import (`podfence.engine.classes` ->
    `podfence.engine` when a module of classes imports `podfence.engine.resolve`).

    A package re-exporting its own sub-packages (`dataplane/__init__` importing `lab`) is
    containment, not a dependency: such edges are left out. So are the upward imports that
    PENDING_MIGRATION lists (they are reported, and fixed, as upward imports)."""
    by_name = {m.name: m for m in modules()}
    graph: dict[str, set[str]] = {}
    for m in modules():
        edges = graph.setdefault(m.package, set())
        pending = "upward-import" in PENDING_MIGRATION.get(m.name, ())
        allowed = may_import(layer_of(m.name)) | {layer_of(m.name)}
        for imp in m.imports():
            if pending and layer_of(imp.module) not in allowed:
                continue
            target = by_name.get(imp.module)
            package = target.package if target is not None else imp.module
            if package != m.package and not package.startswith(m.package + "."):
                edges.add(package)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one package (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_no_cycle_between_packages() -> None:
    assert cycles(package_graph()) == []


@pytest.mark.parametrize(
    ("graph", "expected"),
    [
        ({"a": {"b"}, "b": {"c"}, "c": set()}, []),
        ({"a": {"b"}, "b": {"a"}}, [["a", "b"]]),
        ({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}, [["a", "b", "c"]]),
    ],
)
def test_the_cycle_finder(graph: dict[str, set[str]], expected: list[list[str]]) -> None:
    assert cycles(graph) == expected


@pytest.mark.parametrize(
    ("name", "source", "found"),
    [
        ("podfence.engine.x", "def f():\n    from podfence.analysis import matrix", True),
        ("podfence.engine.x", "from ..analysis.matrix import Matrix", True),
        ("podfence.model.x", "import podfence.load", True),
        ("podfence.render.x", "from podfence.dataplane import nft", True),
        ("podfence.dataplane.x", "from podfence.engine.resolve import Resolver", False),
        ("podfence.kube.x", "from podfence.load import load_texts", False),
        ("podfence.cli.x", "from podfence import kube, dataplane", False),
        ("podfence.engine.x", "from . import resolve", False),
    ],
)
def test_the_import_walker(name: str, source: str, found: bool) -> None:
    path = modules()[0].path.parent / "engine" / "x.py"
    sample = Module(name, path, ast.parse(source))
    assert bool(list(upward_imports(sample))) is found

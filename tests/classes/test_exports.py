"""The public API of podfence.engine.classes and of the scale commands, pinned."""

from __future__ import annotations

import podfence.cli.scale_cmds
import podfence.engine.classes
import podfence.render.grouped


def test_scale_exports() -> None:
    assert sorted(podfence.engine.classes.__all__) == [
        "Applied",
        "Change",
        "ClassEngine",
        "ClusterPolicyChanged",
        "ClusterPolicyRemoved",
        "EndpointChanged",
        "EndpointClass",
        "EndpointRemoved",
        "GroupPortMatrix",
        "GroupedMatrix",
        "GroupedPorts",
        "PairPorts",
        "PolicyChanged",
        "PolicyRemoved",
        "PortAtoms",
    ]
    for name in podfence.engine.classes.__all__:
        assert getattr(podfence.engine.classes, name) is not None


def test_command_exports() -> None:
    assert sorted(podfence.cli.scale_cmds.__all__) == ["GROUP_ABOVE", "matrix", "watch"]
    assert "render_grouped" in podfence.render.grouped.__all__


def test_the_class_engine_imports_nothing_above_the_engine() -> None:
    """engine/classes reads the core (engine, model) and nothing of analysis, render, cli,
    load or dataplane."""
    import ast
    from pathlib import Path

    package = Path(podfence.engine.classes.__file__).parent
    for path in sorted(package.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            for name in names:
                if name.startswith("podfence."):
                    layer = name.split(".")[1]
                    assert layer in ("engine", "model"), f"{path.name} imports {name}"

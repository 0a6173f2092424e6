"""The public API of podfence.engine.classes and of the scale commands, pinned."""

from __future__ import annotations

import podfence.cli.scale_cmds
import podfence.engine.classes
import podfence.render.grouped


def test_scale_exports() -> None:
    assert sorted(podfence.engine.classes.__all__) == [
        "Change",
        "ClassEngine",
        "EndpointClass",
        "GroupPortMatrix",
        "GroupedMatrix",
        "GroupedPorts",
        "PairPorts",
        "PortAtoms",
    ]
    for name in podfence.engine.classes.__all__:
        assert getattr(podfence.engine.classes, name) is not None


def test_command_exports() -> None:
    assert sorted(podfence.cli.scale_cmds.__all__) == ["GROUP_ABOVE", "matrix", "watch"]
    assert "render_grouped" in podfence.render.grouped.__all__

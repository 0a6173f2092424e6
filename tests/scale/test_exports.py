"""The public API of podfence.scale and of the scale commands, pinned."""

from __future__ import annotations

import podfence.cli.scale_cmds
import podfence.render.grouped
import podfence.scale


def test_scale_exports() -> None:
    assert sorted(podfence.scale.__all__) == [
        "Change",
        "ClassEngine",
        "EndpointClass",
        "GroupPortMatrix",
        "GroupedMatrix",
        "GroupedPorts",
        "PairPorts",
        "PortAtoms",
        "load_fast",
    ]
    for name in podfence.scale.__all__:
        assert getattr(podfence.scale, name) is not None


def test_command_exports() -> None:
    assert sorted(podfence.cli.scale_cmds.__all__) == ["GROUP_ABOVE", "matrix", "watch"]
    assert "render_grouped" in podfence.render.grouped.__all__

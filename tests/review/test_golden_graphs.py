"""Golden Mermaid and DOT graphs of every seed example (with denied edges and policies).

Update with `PODFENCE_UPDATE_GOLDEN=1 pytest tests/review` and review the diff by eye
(render the Mermaid on GitHub or with mermaid.js, the DOT with `dot -Tsvg`).
"""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest
from tests.review.conftest import HERE, SEED_EXAMPLES, load_seed

from podfence.analysis.graph import GraphOptions, build_graph
from podfence.render.dot import render_dot
from podfence.render.mermaid import render_mermaid

GOLDEN = HERE / "golden"
OPTIONS = GraphOptions(show_denied=True, show_policies=True)
RENDERERS = {"mmd": render_mermaid, "dot": render_dot}


def _check(path: os.PathLike[str], text: str) -> None:
    from pathlib import Path

    p = Path(path)
    if os.environ.get("PODFENCE_UPDATE_GOLDEN") == "1":
        p.write_text(text, encoding="utf-8")
    assert p.exists(), f"missing golden {p}: run with PODFENCE_UPDATE_GOLDEN=1 and review it"
    assert text == p.read_text(encoding="utf-8")


@pytest.mark.parametrize("ext", sorted(RENDERERS))
@pytest.mark.parametrize("example", sorted(SEED_EXAMPLES))
def test_graph_golden(example: str, ext: str) -> None:
    graph = build_graph(load_seed(example), OPTIONS)
    _check(GOLDEN / f"graph-{example}.{ext}", RENDERERS[ext](graph))


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot is not installed")
@pytest.mark.parametrize("example", sorted(SEED_EXAMPLES))
def test_dot_goldens_render_with_graphviz(example: str) -> None:
    text = (GOLDEN / f"graph-{example}.dot").read_text(encoding="utf-8")
    done = subprocess.run(["dot", "-Tsvg"], input=text.encode(), capture_output=True, check=False)
    assert done.returncode == 0, done.stderr.decode()
    assert b"<svg" in done.stdout

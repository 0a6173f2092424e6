"""Run Graphviz's `dot` on DOT text (for `-o svg|png` and the report's inline SVG)."""

from __future__ import annotations

import shutil
import subprocess

__all__ = ["GraphvizMissing", "have_dot", "run_dot"]

_TIMEOUT = 60


class GraphvizMissing(Exception):
    """`dot` is not installed, or failed; the message says what to do."""


def have_dot() -> bool:
    return shutil.which("dot") is not None


def run_dot(text: str, fmt: str) -> bytes:
    """`dot -T<fmt>` on `text`; raises GraphvizMissing with a clear message."""
    exe = shutil.which("dot")
    if exe is None:
        raise GraphvizMissing(
            f"-o {fmt} needs Graphviz's `dot` on PATH (e.g. apt-get install graphviz); "
            "or use -o dot (or -o mermaid) and render it elsewhere"
        )
    try:
        done = subprocess.run(
            [exe, f"-T{fmt}"],
            input=text.encode(),
            capture_output=True,
            timeout=_TIMEOUT,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise GraphvizMissing(f"running dot failed: {exc}") from None
    if done.returncode != 0:
        err = done.stderr.decode(errors="replace").strip()
        raise GraphvizMissing(f"dot failed (exit {done.returncode}): {err}")
    return done.stdout

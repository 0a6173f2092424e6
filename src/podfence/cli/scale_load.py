"""Loading for every command: the fast loader, with a progress bar on a terminal."""

from __future__ import annotations

import sys
from collections.abc import Sequence

from podfence.cli.common import BadInput, cluster_or_exit
from podfence.load import LoadOptions, LoadResult
from podfence.load.fast import load_fast
from podfence.load.options import DEFAULT_OPTIONS
from podfence.model import Cluster

__all__ = ["load_scaled", "load_fast_result"]


def load_fast_result(
    paths: Sequence[str],
    namespace: str,
    options: LoadOptions = DEFAULT_OPTIONS,
    *,
    positions: bool = False,
) -> LoadResult:
    """`load_fast` (the exact loader's cluster and diagnostics, fast for plain input), with a
    progress bar on a terminal; `positions`: the line of every field, found when asked."""
    if not paths:
        raise BadInput("no input: give files, directories or - for stdin")
    stdin = sys.stdin if "-" in paths else None
    if not sys.stderr.isatty():
        return load_fast(
            list(paths), default_namespace=namespace, stdin=stdin, options=options,
            positions=positions,
        )  # fmt: skip
    from rich.console import Console
    from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeElapsedColumn

    console = Console(stderr=True)
    columns = (TextColumn("loading"), BarColumn(), DownloadColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task("load", total=None)

        def step(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        return load_fast(
            list(paths), default_namespace=namespace, stdin=stdin, progress=step,
            options=options, positions=positions,
        )  # fmt: skip


def load_scaled(
    paths: Sequence[str], namespace: str, options: LoadOptions = DEFAULT_OPTIONS
) -> Cluster:
    """Like `load_or_exit`, with `load_fast` (same cluster and diagnostics, much faster)."""
    return cluster_or_exit(load_fast_result(paths, namespace, options))

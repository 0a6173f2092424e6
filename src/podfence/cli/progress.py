"""Long work on a terminal: a spinner on stderr while an analysis of a large cluster runs
(loading has its own progress bar). Nothing is printed when stderr is not a terminal."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator

from podfence.model import Cluster

__all__ = ["SPIN_ABOVE", "working"]

SPIN_ABOVE = 1000
"""Analyses of clusters with more endpoints than this show a spinner on a terminal."""


@contextlib.contextmanager
def working(what: str, cluster: Cluster) -> Iterator[None]:
    """A spinner saying `what` (with the cluster's size) while the block runs."""
    if not sys.stderr.isatty() or len(cluster.endpoints) <= SPIN_ABOVE:
        yield
        return
    from rich.console import Console

    size = f"{len(cluster.endpoints)} pods/workloads, {len(cluster.policies)} policies"
    with Console(stderr=True).status(f"{what} ({size})"):
        yield

"""PENDING_MIGRATION: the modules that still break an architecture rule, being fixed on the
other issue-9 branches. The lead shrinks it to empty when they merge (a fixed module left
here fails `test_pending_*`, so it cannot linger).

Each entry: module -> the rules it still breaks (rules of test_layers.py and
test_semantics.py), with who fixes it and how.
"""

from __future__ import annotations

from collections.abc import Callable

from .walk import Module, modules

__all__ = ["PENDING_MIGRATION", "stale"]

_UP = "upward-import"
_MATCHES, _CONTAINS, _RANGE = "matches", "contains", "numeric-range"
_INTERVALS, _NETWORKS = "interval-construction", "network-membership"

PENDING_MIGRATION: dict[str, frozenset[str]] = {
    # -- dataplane (the data-plane engineer) ---------------------------------------------
    # The nft compiler resolves selectors and ipBlocks itself and cuts its own port and
    # address ranges: it is to compile from the Resolver (members, AddressSet, PortSet).
    # verify and the lab's matrix take the engine's matrix from analysis (above dataplane):
    # they are to use the matrix value types and the engine from below.
    "podfence.dataplane.verify": frozenset({_UP}),
    "podfence.dataplane.lab.matrix": frozenset({_UP}),
    # -- analysis (the analysis engineer) ------------------------------------------------
    # lint's what-if checks and the probe/sample generators match selectors, port ranges
    # and ipBlocks themselves: they are to ask the Resolver / Engine.
    # -- render (whoever takes render; the lead) -----------------------------------------
    # A second `merge_ranges` for the phrases: to use model.IntervalSet / PortSet.
    "podfence.render.portset": frozenset({_INTERVALS}),
}


def stale(rule: str, breaks: Callable[[Module], bool]) -> list[str]:
    """The entries listing `rule` for a module that no longer breaks it (or is gone)."""
    by_name = {m.name: m for m in modules()}
    return sorted(
        name
        for name, rules in PENDING_MIGRATION.items()
        if rule in rules and (name not in by_name or not breaks(by_name[name]))
    )

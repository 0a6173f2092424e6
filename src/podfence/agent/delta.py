"""From the ruleset in force to the next one: set elements only, or the whole table.

When two rulesets differ only in the contents of non-interval sets and verdict maps (pods
came, went or changed address; the chains, rules and declarations are the same), the change
is one nft transaction of `delete element` and `add element` commands, which leaves every
other object of the table alone. Anything else (a rule, a chain, a set's declaration, an
interval set, whose elements must be deleted exactly as they were added) replaces the table,
also in one transaction. `None` means there is nothing to do.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from podfence.dataplane.nft import emit
from podfence.dataplane.nft.emit import format_element
from podfence.dataplane.nft.ir import Element, Ruleset, Verdict, VerdictMap
from podfence.model import IPAddress

__all__ = ["Plan", "plan_change", "element_changes"]


@dataclass(frozen=True, slots=True)
class Plan:
    script: str
    incremental: bool
    added: int = 0
    """Elements added (incremental plans)."""
    removed: int = 0


def _verdict(verdict: Verdict) -> str:
    return f"{verdict.kind.value} {verdict.chain}" if verdict.chain else verdict.kind.value


def _declaration_same(old: Ruleset, new: Ruleset) -> bool:
    if (old.family, old.table, old.chains) != (new.family, new.table, new.chains):
        return False
    if [(s.name, s.key, s.interval, s.comment) for s in old.sets] != [
        (s.name, s.key, s.interval, s.comment) for s in new.sets
    ]:
        return False
    return [(m.name, m.family, m.comment) for m in old.maps] == [
        (m.name, m.family, m.comment) for m in new.maps
    ]


def _lines(verb: str, where: str, items: Iterable[str]) -> list[str]:
    items = list(items)
    return [f"{verb} element {where} {{ {', '.join(items)} }}"] if items else []


def element_changes(old: Ruleset, new: Ruleset) -> tuple[list[str], int, int] | None:
    """The element commands from `old` to `new`, or None when more than elements differ."""
    if not _declaration_same(old, new):
        return None
    table = f"{new.family} {new.table}"
    deletes: list[str] = []
    adds: list[str] = []
    added = removed = 0
    for before, after in zip(old.sets, new.sets, strict=True):
        if before.elements == after.elements:
            continue
        if after.interval:
            return None
        gone: set[Element] = set(before.elements) - set(after.elements)
        came: set[Element] = set(after.elements) - set(before.elements)
        where = f"{table} {after.name}"
        deletes += _lines(
            "delete", where, (format_element(e) for e in before.elements if e in gone)
        )
        adds += _lines("add", where, (format_element(e) for e in after.elements if e in came))
        added, removed = added + len(came), removed + len(gone)
    for old_map, new_map in zip(old.maps, new.maps, strict=True):
        d, a = _map_changes(old_map, new_map)
        where = f"{table} {new_map.name}"
        deletes += _lines("delete", where, (str(ip) for ip in d))
        adds += _lines("add", where, (f"{ip} : {_verdict(v)}" for ip, v in a))
        added, removed = added + len(a), removed + len(d)
    return deletes + adds, added, removed


def _map_changes(
    old: VerdictMap, new: VerdictMap
) -> tuple[list[IPAddress], list[tuple[IPAddress, Verdict]]]:
    before, after = dict(old.elements), dict(new.elements)
    deletes = [ip for ip, v in old.elements if after.get(ip) != v]
    adds = [(ip, v) for ip, v in new.elements if before.get(ip) != v]
    return deletes, adds


def plan_change(old: Ruleset | None, new: Ruleset) -> Plan | None:
    """How to go from `old` (what this agent last applied; None: unknown) to `new`."""
    if old is not None and old == new:
        return None
    if old is not None:
        changes = element_changes(old, new)
        if changes is not None:
            commands, added, removed = changes
            if not commands:
                return None  # only the notes differ
            header = f"# podfence agent: {added} element(s) added, {removed} removed"
            return Plan("\n".join([header, *commands]) + "\n", True, added, removed)
    return Plan(emit(new), False)

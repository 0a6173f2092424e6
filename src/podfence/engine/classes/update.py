"""What a changed policy does to the classes: their new signatures, or a rebuild.

After the universe took the change (a policy appended, the old version retired) and the
resolver caught up (`Resolver.refresh`, which matches only the new selectors), the members of
each class are asked again, through the resolver, about what is new: the groups of the
namespaces whose groups changed, the new ipBlocks (per family) and the new named ports. If
every class is still uniform, each gets its new signature; if one would split, `Rebuild`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from podfence.engine.classes.classify import Signature
from podfence.engine.classes.members import Members
from podfence.engine.resolve import Resolver

__all__ = ["Counts", "Rebuild", "resigned"]

_Values = npt.NDArray[np.int64]
_Parts = tuple[frozenset[int], frozenset[int]]
_EMPTY: frozenset[int] = frozenset()


class Rebuild(Exception):
    """The change cannot be applied in place (the message says why): recompute everything."""


@dataclass(frozen=True, slots=True)
class Counts:
    """The sizes of the universe before the change (ids from these on are new)."""

    pod_peers: int
    blocks: int
    named: int


def _uniform(m: Members, values: _Values, count: int, empty: int) -> _Values:
    """Each class's value, if all its members agree (`empty` for a class without members);
    else `Rebuild`."""
    first = m.first(count)
    present = first >= 0
    per_class = np.full(count, empty, np.int64)
    per_class[present] = values[first[present]]
    alive = m.classes >= 0
    if not np.array_equal(per_class[m.classes[alive]], values[alive]):
        raise Rebuild("a class would split")
    return per_class


def _groups(
    resolver: Resolver,
    m: Members,
    signatures: Sequence[Signature],
    namespaces: frozenset[str],
    old: int | None,
    old_classes: Iterable[int],
) -> dict[int, _Parts]:
    """The new (policies, pod peers) of the classes with members in `namespaces` or
    selected by the retired policy `old` (`old_classes`)."""
    count = len(signatures)
    found: dict[int, set[_Parts]] = {}
    asked = np.zeros(count, np.intp)
    for ns in namespaces:
        for slot in m.by_namespace.get(ns, ()):
            ep, c = m.endpoints[slot], int(m.classes[slot])
            assert ep is not None and c >= 0
            group = resolver.group_of(ep)
            found.setdefault(c, set()).add((group.policies, group.pod_peers))
            asked[c] += 1
    for c in old_classes:
        found.setdefault(c, set())
    sizes = m.sizes(count)
    out: dict[int, _Parts] = {}
    for c, parts in found.items():
        sig = signatures[c]
        if asked[c] < sizes[c] or not parts:  # members not asked keep theirs
            parts.add((sig.policies - {old}, sig.pod_peers))
        if len(parts) > 1:
            raise Rebuild("a class would split")
        out[c] = parts.pop()
    return out


def _blocks(
    resolver: Resolver, m: Members, count: int, first: int
) -> tuple[dict[int, set[int]], dict[int, set[int]]]:
    """Per class, the new blocks (ids from `first` on) that hold it over IPv4 and IPv6."""
    v4: dict[int, set[int]] = {}
    v6: dict[int, set[int]] = {}
    ids = range(first, len(resolver.universe.blocks))
    if not ids:
        return v4, v6
    index = m.addresses()
    in4 = resolver.block_members(index, ids, 4)
    in6 = resolver.block_members(index, ids, 6)
    for k, b in enumerate(ids):
        values = in4[:, k].astype(np.int64) | (in6[:, k].astype(np.int64) << 1)
        per_class = _uniform(m, values, count, 0)
        for c in np.flatnonzero(per_class & 1).tolist():
            v4.setdefault(c, set()).add(b)
        for c in np.flatnonzero(per_class & 2).tolist():
            v6.setdefault(c, set()).add(b)
    return v4, v6


def _named(
    resolver: Resolver, m: Members, count: int, first: int
) -> list[tuple[frozenset[int], ...]]:
    """Per class, the numbers of the new named ports (ids from `first` on); [] if none."""
    new = len(resolver.universe.named) - first
    if not new:
        return []
    seen: dict[tuple[frozenset[int], ...], int] = {(_EMPTY,) * new: 0}
    values = np.zeros(len(m.classes), np.int64)
    for slot, ep in enumerate(m.endpoints):
        if ep is not None and ep.ports:
            part = resolver.named_ports(ep)[first:]
            values[slot] = seen.setdefault(part, len(seen))
    parts = list(seen)
    return [parts[v] for v in _uniform(m, values, count, 0).tolist()]


def resigned(
    resolver: Resolver,
    m: Members,
    signatures: Sequence[Signature],
    namespaces: frozenset[str],
    old: int | None,
    old_classes: Iterable[int],
    counts: Counts,
) -> dict[int, Signature]:
    """The new signature of every class whose signature changes; `Rebuild` if a class would
    split. `namespaces`: those whose groups changed (`Resolver.refresh`); `old`: the retired
    policy, if any, and `old_classes` the classes it selected."""
    count = len(signatures)
    groups = _groups(resolver, m, signatures, namespaces, old, old_classes)
    v4, v6 = _blocks(resolver, m, count, counts.blocks)
    named = _named(resolver, m, count, counts.named)
    touched = range(count) if named else sorted(groups.keys() | v4.keys() | v6.keys())
    out: dict[int, Signature] = {}
    for c in touched:
        sig = signatures[c]
        policies, peers = groups.get(c, (sig.policies, sig.pod_peers))
        new = Signature(
            sig.host_network,
            sig.families,
            policies,
            peers,
            sig.v4_blocks | v4.get(c, _EMPTY),
            sig.v6_blocks | v6.get(c, _EMPTY),
            sig.named + named[c] if named else sig.named,
            sig.v4_addresses,
            sig.v6_addresses,
            sig.any_addresses,
        )
        if new != sig:
            out[c] = new
    return out

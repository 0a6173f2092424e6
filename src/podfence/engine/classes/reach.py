"""Reachability between classes: per-class masks, shared big peer sets, sparse pairs.

For classes s (source) and d (destination), as a mask over port atoms:

    egress(s, d)  = ALL if s is not egress-isolated, else the OR of its egress rules' masks
                    for the rules whose peers hold d;
    ingress(s, d) = ALL if d is not ingress-isolated, else the OR of its ingress rules'
                    masks for the rules whose peers hold s;
    allowed(s, d) = egress(s, d) & ingress(s, d)     (any two distinct members)

A rule's contribution is (its peers) x (the classes its policy selects) with its port mask
(a named port allows every number it has on the destination). It is stored one of three
ways by the size of its peer set: every class (`from`/`to` missing: one mask per subject
class); a big set (a shared class vector, and one mask per subject class and set); or a
small set (explicit pairs in a `PairTable`, tagged with the policy so that a change
removes them exactly).

A `Reach` is one IP-family view (see `views`): its peers' ipBlock membership counts the
addresses of that family only (None: any address).

With ClusterNetworkPolicies, each side then goes through the Admin and Baseline tiers
(`tiered.TierTables`): egress(s, d) and ingress(s, d) above are the NetworkPolicy tier's
masks, and the tiers turn each into `X | (NP & Y)` per side.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from podfence.engine.classes.classify import Signature
from podfence.engine.classes.pairs import PairTable, pair_keys
from podfence.engine.classes.ports import PortAtoms, Words, mask_to_words
from podfence.engine.classes.rules import ClassRule
from podfence.engine.classes.tiered import TierTables
from podfence.engine.universe import Universe
from podfence.model import Direction

__all__ = ["Reach", "RulesByPolicy", "SIDES"]

RulesByPolicy = Mapping[int, Mapping[Direction, tuple[ClassRule, ...]]]
SIDES = (Direction.EGRESS, Direction.INGRESS)
_Idx = npt.NDArray[np.intp]
_Table = npt.NDArray[np.uint64]
_Named = tuple[frozenset[int], ...]
_NONE: _Idx = np.zeros(0, np.intp)
_BLOCK_BYTES = 32 << 20


@dataclass(slots=True)
class _Side:
    """One class's view of one direction: what its isolating policies allow."""

    isolated: bool = False
    any_mask: int = 0
    big: dict[int, int] = field(default_factory=dict)
    any_named: tuple[int, ...] = ()
    """Egress only: named ports of rules without peers (resolved per destination)."""
    big_named: tuple[tuple[int, int], ...] = ()
    """Egress only: (big set, named port) of rules with a big peer set."""


class Reach:
    def __init__(
        self,
        signatures: Sequence[Signature],
        universe: Universe,
        atoms: PortAtoms,
        rules: RulesByPolicy,
        *,
        view: int | None = None,
        big_peer_set: int = 256,
    ) -> None:
        """`signatures` is read, not copied: the owner changes it, then calls `resign`."""
        self.big_peer_set = big_peer_set
        self.view = view
        self.signatures = signatures
        self.universe = universe
        self.atoms = atoms
        self.rules = rules
        words = atoms.words
        self.pairs = {d: PairTable(words) for d in SIDES}
        self.big: list[_Idx] = []
        self.big_masks: list[npt.NDArray[np.bool_]] = []
        self._big_ids: dict[tuple[tuple[int, ...], tuple[int, ...]], int] = {}
        self._rule_masks: dict[ClassRule, int] = {}
        self._side_memo: dict[tuple[Direction, frozenset[int], _Named], _Side] = {}
        self._contributions: dict[tuple[Direction, bytes, ClassRule], int] = {}
        self._keys_of: list[tuple[Direction, bytes, ClassRule]] = []
        self._owners: list[set[int]] = []
        self._of_policy: dict[int, list[int]] = {}
        self.tiers = TierTables(universe) if universe.cluster_policies else None
        """The Admin and Baseline tiers (None without ClusterNetworkPolicies)."""
        self.refresh_policies()
        self.refresh_members()
        n = self.size
        self.iso = {d: np.zeros(n, np.bool_) for d in SIDES}
        self.any = {d: np.zeros((n, words), np.uint64) for d in SIDES}
        self.big_rows = {d: np.zeros((n, 0, words), np.uint64) for d in SIDES}
        self.named_any: dict[int, tuple[int, ...]] = {}
        self.named_big: dict[int, tuple[tuple[int, int], ...]] = {}
        self.add_pairs([pid for pid, _ in universe.live()])
        self.summarise(range(n))

    @property
    def size(self) -> int:
        return len(self.signatures)

    @property
    def all_words(self) -> Words:
        return mask_to_words(self.atoms.all_mask, self.atoms.words)

    # -- memberships -------------------------------------------------------------------

    def refresh_policies(self) -> None:
        """Recompute which live policies isolate each direction."""
        self._directed: dict[Direction, set[int]] = {
            d: {pid for pid, p in self.universe.live() if d in p.directions} for d in Direction
        }

    def refresh_members(self) -> None:
        """Recompute which classes each peer, block and policy matches (signatures changed)."""
        peers: dict[int, list[int]] = {}
        blocks: dict[int, list[int]] = {}
        selected: dict[int, list[int]] = {}
        for c, sig in enumerate(self.signatures):
            for m in sig.pod_peers:
                peers.setdefault(m, []).append(c)
            for b in sig.blocks(self.view):
                blocks.setdefault(b, []).append(c)
            for p in sig.policies:
                selected.setdefault(p, []).append(c)
        self.peer_members = _arrays(peers)
        self.block_members = _arrays(blocks)
        self.selected = _arrays(selected)
        self._peer_cache: dict[tuple[tuple[int, ...], tuple[int, ...]], _Idx] = {}
        self._named_words: dict[int, _Table] = {}
        self._side_memo.clear()
        self._reset_tiers()

    def _reset_tiers(self) -> None:
        if self.tiers is not None:
            self.tiers.reset()

    def resign(self, before: Mapping[int, Signature]) -> None:
        """The signatures of some classes changed (`before`: their previous ones): update
        which classes each policy, pod peer and block holds."""
        view = self.view
        parts: tuple[tuple[dict[int, _Idx], Callable[[Signature], frozenset[int]]], ...] = (
            (self.selected, lambda sig: sig.policies),
            (self.peer_members, lambda sig: sig.pod_peers),
            (self.block_members, lambda sig: sig.blocks(view)),
        )
        for table, part in parts:
            added: dict[int, list[int]] = {}
            removed: dict[int, list[int]] = {}
            for c, old in before.items():
                was, now = part(old), part(self.signatures[c])
                for i in now - was:
                    added.setdefault(i, []).append(c)
                for i in was - now:
                    removed.setdefault(i, []).append(c)
            for i in added.keys() | removed.keys():
                found = table.get(i, np.zeros(0, np.intp))
                found = np.union1d(found, np.asarray(added.get(i, ()), np.intp))
                found = np.setdiff1d(found, np.asarray(removed.get(i, ()), np.intp))
                if len(found):
                    table[i] = found.astype(np.intp)
                else:
                    table.pop(i, None)
        self._reset_tiers()

    def swap(
        self, old: int | None, new: int | None, before: Mapping[int, Signature], *, named: bool
    ) -> set[int]:
        """Policy `old` was retired and `new` admitted (its rules are in `rules`); the classes
        in `before` (with their previous signatures) were resigned, and named ports were
        added if `named`. Update memberships and pairs, and summarise the classes either
        policy selects; those classes."""
        was = set() if old is None else set(self.selected.get(old, _NONE).tolist())
        self.resign(before)
        self.forget(named=named)
        if old is not None:
            self.retire(old)
            self.remove_pairs(old)
        if new is not None:
            self.admit(new)
            self.add_pairs([new])
        affected = was | set(self.selected.get(new, _NONE).tolist() if new is not None else ())
        self.summarise(sorted(affected))
        return affected

    def forget(self, *, named: bool) -> None:
        """Drop caches after memberships were edited in place (and named ports, if `named`)."""
        self._peer_cache.clear()
        self._side_memo.clear()
        if named:
            self._named_words.clear()
        self._reset_tiers()

    def peers(self, rule: ClassRule) -> _Idx | None:
        """The classes a rule's peers match (None: every class)."""
        if rule.any_peer:
            return None
        key = (rule.pod_peers, rule.blocks)
        found = self._peer_cache.get(key)
        if found is None:
            parts = [self.peer_members.get(m) for m in rule.pod_peers]
            parts += [self.block_members.get(b) for b in rule.blocks]
            arrays = [p for p in parts if p is not None]
            found = np.unique(np.concatenate(arrays)) if arrays else np.zeros(0, np.intp)
            self._peer_cache[key] = found
        return found

    def _big_id(self, rule: ClassRule, peers: _Idx) -> int | None:
        key = (rule.pod_peers, rule.blocks)
        found = self._big_ids.get(key)
        if found is None and len(peers) >= max(self.big_peer_set, self.size // 16):
            found = self._big_ids[key] = len(self.big)
            self.big.append(peers)
            mask = np.zeros(self.size, np.bool_)
            mask[peers] = True
            self.big_masks.append(mask)
            for d in SIDES:
                self.big_rows[d] = np.pad(self.big_rows[d], ((0, 0), (0, 1), (0, 0)))
        return found

    def named_words(self, nid: int) -> _Table:
        """Per class, the mask of the atoms of the numbers named port `nid` has on it."""
        found = self._named_words.get(nid)
        if found is None:
            _, protocol = self.universe.named[nid]
            found = np.zeros((self.size, self.atoms.words), np.uint64)
            for c, sig in enumerate(self.signatures):
                for number in sig.named[nid]:
                    bit = self.atoms.atom(number, protocol)
                    found[c, bit // 64] |= np.uint64(1) << np.uint64(bit % 64)
            self._named_words[nid] = found
        return found

    def named_mask(self, named: _Named, nid: int) -> int:
        """The atoms of the numbers of named port `nid`, given a class's named ports."""
        protocol = self.universe.named[nid][1]
        mask = 0
        for number in named[nid]:
            mask |= 1 << self.atoms.atom(number, protocol)
        return mask

    def rule_mask(self, rule: ClassRule) -> int:
        found = self._rule_masks.get(rule)
        if found is None:
            found = self._rule_masks[rule] = rule.base_mask(self.atoms)
        return found

    # -- contributions -----------------------------------------------------------------

    def add_pairs(self, pids: Sequence[int]) -> None:
        """The explicit pairs of the policies' rules with a small peer set.

        Equal contributions (same subjects, same rule) of several policies are stored once,
        and kept while any of those policies is. New ones are built together, vectorised.
        """
        batch: dict[Direction, list[tuple[_Idx, _Idx, ClassRule, int]]] = {d: [] for d in SIDES}
        for pid in pids:
            subjects = self.selected.get(pid)
            if subjects is None or not len(subjects):
                continue
            mine = self._of_policy.setdefault(pid, [])
            for direction in SIDES:
                for rule in self.rules[pid][direction]:
                    peers = self.peers(rule)
                    if peers is None or not len(peers) or self._big_id(rule, peers) is not None:
                        continue
                    key = (direction, subjects.tobytes(), rule)
                    cid = self._contributions.get(key)
                    if cid is None:
                        cid = self._contributions[key] = len(self._keys_of)
                        self._keys_of.append(key)
                        self._owners.append(set())
                        batch[direction].append((subjects, peers, rule, cid))
                    self._owners[cid].add(pid)
                    mine.append(cid)
        for direction, items in batch.items():
            if items:
                self._contribute(direction, items)

    def _contribute(
        self, direction: Direction, items: list[tuple[_Idx, _Idx, ClassRule, int]]
    ) -> None:
        """Add (subjects x peers) entries for each item, all at once."""
        words = self.atoms.words
        subjects = [s for s, _, _, _ in items]
        peers = [p for _, p, _, _ in items]
        ls = np.asarray([len(s) for s in subjects], np.intp)
        lp = np.asarray([len(p) for p in peers], np.intp)
        # The source side repeats each element; the destination side tiles its whole set.
        if direction is Direction.EGRESS:
            rep, rep_len, til, til_len = subjects, lp, peers, lp
            rep_count = ls
        else:
            rep, rep_len, til, til_len = peers, ls, subjects, ls
            rep_count = lp
        counts = ls * lp
        total = int(counts.sum())
        src = np.repeat(np.concatenate(rep), np.repeat(rep_len, rep_count))
        offsets = np.cumsum(counts) - counts
        local = np.arange(total) - np.repeat(offsets, counts)
        til_off = np.cumsum([len(t) for t in til]) - np.asarray([len(t) for t in til])
        dst = np.concatenate(til)[np.repeat(til_off, counts) + local % np.repeat(til_len, counts)]
        masks = np.zeros((len(items), words), np.uint64)
        for i, (_, _, rule, _) in enumerate(items):
            masks[i] = mask_to_words(self.rule_mask(rule), words)
        mask = np.repeat(masks, counts, axis=0)
        for i, (_, _, rule, _) in enumerate(items):
            if rule.named:
                at = slice(int(offsets[i]), int(offsets[i] + counts[i]))
                for nid in rule.named:
                    mask[at] |= self.named_words(nid)[dst[at]]
        tags = np.repeat(np.asarray([cid for _, _, _, cid in items], np.int64), counts)
        keep = mask.any(axis=1)
        self.pairs[direction].add_tagged(pair_keys(src[keep], dst[keep]), mask[keep], tags[keep])

    def remove_pairs(self, pid: int) -> None:
        """Forget policy `pid`'s contributions (those no other policy shares)."""
        dead: dict[Direction, set[int]] = {d: set() for d in SIDES}
        for cid in self._of_policy.pop(pid, ()):
            owners = self._owners[cid]
            owners.discard(pid)
            if not owners:
                key = self._keys_of[cid]
                if self._contributions.pop(key, None) is not None:
                    dead[key[0]].add(cid)
        for direction, cids in dead.items():
            self.pairs[direction].remove(cids)

    def admit(self, pid: int) -> None:
        """A new live policy: count it among the isolating ones of its directions."""
        policy = self.universe.policies[pid]
        assert policy is not None
        for d in policy.directions:
            self._directed[d].add(pid)

    def retire(self, pid: int) -> None:
        for pids in self._directed.values():
            pids.discard(pid)

    def _side(self, sig: Signature, direction: Direction) -> _Side:
        pids = sig.policies & self._directed[direction]
        if not pids:
            return _Side()
        named = sig.named if direction is Direction.INGRESS else ()
        key = (direction, pids, named)
        found = self._side_memo.get(key)
        if found is not None:
            return found
        side = _Side(isolated=True)
        any_named: set[int] = set()
        big_named: set[tuple[int, int]] = set()
        for pid in pids:
            for rule in self.rules[pid][direction]:
                peers = self.peers(rule)
                big = None if peers is None else self._big_id(rule, peers)
                if peers is not None and big is None:
                    continue  # explicit pairs
                mask = self.rule_mask(rule)
                if direction is Direction.INGRESS:
                    for nid in rule.named:
                        mask |= self.named_mask(named, nid)
                elif big is None:
                    any_named.update(rule.named)
                else:
                    big_named.update((big, nid) for nid in rule.named)
                if big is None:
                    side.any_mask |= mask
                elif mask:
                    side.big[big] = side.big.get(big, 0) | mask
        side.any_named = tuple(sorted(any_named))
        side.big_named = tuple(sorted(big_named))
        self._side_memo[key] = side
        return side

    def summarise(self, classes: Iterable[int]) -> None:
        """(Re)compute isolation, peer-less masks and big-set masks of `classes`."""
        words = self.atoms.words
        for c in classes:
            for direction in SIDES:
                side = self._side(self.signatures[c], direction)
                self.iso[direction][c] = side.isolated
                self.any[direction][c] = mask_to_words(side.any_mask, words)
                rows = self.big_rows[direction]
                rows[c] = 0
                for j, mask in side.big.items():
                    rows[c, j] = mask_to_words(mask, words)
                if direction is Direction.EGRESS:
                    _set(self.named_any, c, side.any_named)
                    _set(self.named_big, c, side.big_named)
        self._reset_tiers()  # isolation may have changed: so may the profiles

    # -- answers -----------------------------------------------------------------------

    def pair(self, src: int, dst: int) -> Words:
        """allowed(src, dst) as words (for two distinct members)."""
        egress = self.all_words.copy()
        if self.iso[Direction.EGRESS][src]:
            egress = self.any[Direction.EGRESS][src].copy()
            for j, mask in enumerate(self.big_masks):
                if mask[dst]:
                    egress |= self.big_rows[Direction.EGRESS][src, j]
            for big, nid in self.named_big.get(src, ()):
                if self.big_masks[big][dst]:
                    egress |= self.named_words(nid)[dst]
            for nid in self.named_any.get(src, ()):
                egress |= self.named_words(nid)[dst]
            found = self.pairs[Direction.EGRESS].get(src, dst)
            if found is not None:
                egress |= found
        tiers = self.tiers
        if tiers is not None:
            egress = tiers.egress_pair(self, src, dst, egress)
        if not self.iso[Direction.INGRESS][dst]:
            both = egress
        else:
            ingress = self.any[Direction.INGRESS][dst].copy()
            for j, mask in enumerate(self.big_masks):
                if mask[src]:
                    ingress |= self.big_rows[Direction.INGRESS][dst, j]
            found = self.pairs[Direction.INGRESS].get(src, dst)
            if found is not None:
                ingress |= found
            both = egress & ingress
        if tiers is not None:
            return tiers.ingress_pair(self, src, dst, egress, both)
        return both

    def rows(self, sources: _Idx) -> _Table:
        """allowed[s, d] for the (sorted) `sources` and every class d: (s, d, words)."""
        n, words = self.size, self.atoms.words
        eg, ing = Direction.EGRESS, Direction.INGRESS
        iso = self.iso[eg][sources]
        out = np.empty((len(sources), n, words), np.uint64)
        out[:] = self.all_words
        out[iso] = self.any[eg][sources[iso]][:, None, :]
        for j, peers in enumerate(self.big):
            contrib = self.big_rows[eg][sources, j]
            hit = np.flatnonzero(contrib.any(axis=1) & iso)
            if len(hit):
                out[hit[:, None], peers[None, :]] |= contrib[hit][:, None, :]
        for r, s in enumerate(sources.tolist()):
            if not iso[r]:
                continue
            for big, nid in self.named_big.get(s, ()):
                out[r, self.big[big]] |= self.named_words(nid)[self.big[big]]
            for nid in self.named_any.get(s, ()):
                out[r] |= self.named_words(nid)
        at, dst, masks = self.pairs[eg].rows(sources)
        out[at, dst] |= masks
        if self.tiers is not None:
            out = self.tiers.egress_rows(self, sources, out)
        base = np.where(self.iso[ing][:, None], self.any[ing], self.all_words)
        final = out & base[None]
        for j, mask in enumerate(self.big_masks):
            hit = np.flatnonzero(mask[sources])
            cols = np.flatnonzero(self.big_rows[ing][:, j].any(axis=1))
            if len(hit) and len(cols):
                grid = np.ix_(hit, cols)
                final[grid] |= out[grid] & self.big_rows[ing][cols, j][None]
        at, dst, masks = self.pairs[ing].rows(sources)
        final[at, dst] |= out[at, dst] & masks
        if self.tiers is not None:
            final = self.tiers.ingress_rows(self, sources, out, final)
        return final

    def rows_of(self, sources: _Idx, destinations: _Idx) -> _Table:
        block = self.rows(sources)
        if len(destinations) == self.size and bool((destinations[1:] > destinations[:-1]).all()):
            return block  # every class, in order (after updates, groups may be in another)
        out: _Table = block[:, destinations]
        return out

    def chunk_rows(self) -> int:
        tables = 3 if self.tiers is None else self.tiers.chunk_factor()
        per_row = max(1, self.size * self.atoms.words * 8 * tables)
        return max(1, _BLOCK_BYTES // per_row)

    def split_atom(self, atoms: PortAtoms, old_bit: int, new_bit: int) -> None:
        """A new atom cut from `old_bit`'s: every mask that held the old bit holds both."""
        if atoms.words > self.atoms.words:
            extra = atoms.words - self.atoms.words
            for d in SIDES:
                self.any[d] = np.pad(self.any[d], ((0, 0), (0, extra)))
                self.big_rows[d] = np.pad(self.big_rows[d], ((0, 0), (0, 0), (0, extra)))
                self.pairs[d].widen(atoms.words)
        self.atoms = atoms
        for d in SIDES:
            for table in (self.any[d], self.big_rows[d]):
                src = table[..., old_bit // 64] >> np.uint64(old_bit % 64) & np.uint64(1)
                table[..., new_bit // 64] |= src << np.uint64(new_bit % 64)
            self.pairs[d].copy_bit(old_bit, new_bit)
        self._rule_masks.clear()
        self._named_words.clear()
        self._side_memo.clear()
        self._reset_tiers()


def _arrays(lists: dict[int, list[int]]) -> dict[int, _Idx]:
    return {k: np.asarray(v, dtype=np.intp) for k, v in lists.items()}


def _set(
    table: dict[int, tuple[int, ...]] | dict[int, tuple[tuple[int, int], ...]],
    key: int,
    value: tuple[object, ...],
) -> None:
    if value:
        table[key] = value  # type: ignore[assignment]
    else:
        table.pop(key, None)

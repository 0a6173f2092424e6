"""The Admin and Baseline tiers over classes: per side, what the ClusterNetworkPolicies do.

The per-pair engine walks the tiers (`engine.tier_walk`, `Engine._tiered_allows`); here the
same walk runs over every peer class and every port atom at once, with bit masks. For one
side (the egress of a source class, or the ingress of a destination class), per peer class
and atom:

    AD = an Admin rule may deny it        (some order of equal priorities denies)
    AA = the Admin tier can only accept it (every outcome is an Accept)
    BD = a Baseline rule may deny it      (only when no NetworkPolicy isolates the side)

    side = AA | (NP & ~(AD | BD))         (NP: the NetworkPolicy tier's mask, ALL when
                                           no NetworkPolicy isolates the side)

which is `_tiered_allows`: a possible Admin Deny denies; an Admin tier that accepts whatever
the order allows; else the NetworkPolicies decide if one isolates the pod, else Baseline
(a possible Deny denies), else the default allows. So a side's tier is two masks per peer
class, X = AA and Y = ~(AD | BD), and `side = X | (NP & Y)`.

What the tiers do to a side depends only on its profile: which Admin CNPs select the class,
which Baseline CNPs (none when a NetworkPolicy isolates it: Baseline is not consulted then),
and, for ingress, the numbers of the CNP named ports on the class (the destination). Classes
are grouped by profile and each profile's X and Y are computed once over every peer class:

- the CNPs of a tier in order (lower priority first); per priority, each CNP's rules in
  written order: a rule matches the atoms of its ports (a `destinationNamedPort`: its
  numbers on the destination) for the peer classes its peers hold, and takes the atoms
  still undecided for this CNP; the atoms any CNP of the priority matched are decided, with
  the effects of every CNP that matched them (equal priorities that disagree give several);
- a rule's peers: `namespaces`/`pods` are pod peers (the class's signature says which match
  it: never a hostNetwork class), `networks`/`nodes` are the class's CNP address peers in
  the view's family, `domainNames` match no endpoint (a pod is never known by a name), and a
  fail-closed Deny or Pass matches every class and port (a fail-closed Accept nothing).

Everything a rule looks at comes from the signatures (read from the `Resolver`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol as TypingProtocol
from typing import assert_never

import numpy as np
import numpy.typing as npt

from podfence.engine.classes.classify import Signature
from podfence.engine.classes.ports import PortAtoms, Words, mask_to_words
from podfence.engine.match import AnyPeer, AnyPort, PodPeer, PortRangeMatcher
from podfence.engine.tiers import (
    AnyProtocolNamedPort,
    CompiledClusterRule,
    DomainsMatcher,
    NetworksMatcher,
    NodesMatcher,
)
from podfence.engine.universe import Universe
from podfence.model import Action, Direction, Protocol, Tier

__all__ = [
    "TierClassPolicy",
    "TierClassRule",
    "TierHost",
    "TierTables",
    "tier_policies",
    "tier_port_ranges",
]

_Idx = npt.NDArray[np.intp]
_Table = npt.NDArray[np.uint64]
_Bool = npt.NDArray[np.bool_]
_SIDES = (Direction.EGRESS, Direction.INGRESS)


@dataclass(frozen=True, slots=True)
class TierClassRule:
    """A CNP rule in class terms (universe ids), with what it does when it matches."""

    effect: Action
    any_peer: bool
    pod_peers: tuple[int, ...]
    addresses: tuple[int, ...]
    """Ids of `universe.cluster_addresses` (`networks`, `nodes`)."""
    any_port: bool
    ranges: tuple[tuple[Protocol, int, int], ...]
    named: tuple[int, ...]
    """Named port ids (a `destinationNamedPort` is one per protocol)."""

    def base_mask(self, atoms: PortAtoms) -> int:
        """The atoms of its port numbers and ranges (named ports aside)."""
        return atoms.ranges_mask(self.any_port, self.ranges)


@dataclass(frozen=True, slots=True)
class TierClassPolicy:
    key: str
    tier: Tier
    priority: int
    subject: int
    """The pod peer id of its subject."""
    ingress: tuple[TierClassRule, ...]
    egress: tuple[TierClassRule, ...]

    def rules(self, direction: Direction) -> tuple[TierClassRule, ...]:
        return self.ingress if direction is Direction.INGRESS else self.egress


def _class_rule(rule: CompiledClusterRule, universe: Universe) -> TierClassRule:
    any_peer = False
    peers: list[int] = []
    addresses: list[int] = []
    for peer in rule.peers:
        match peer:
            case AnyPeer():
                any_peer = True
            case PodPeer():
                peers.append(universe.peer_id(peer))
            case NetworksMatcher() | NodesMatcher():
                addresses.append(universe.address_id(peer))
            case DomainsMatcher():
                pass  # never an endpoint: a pod is not known by a name
            case _:
                assert_never(peer)
    any_port = False
    ranges: list[tuple[Protocol, int, int]] = []
    named: list[int] = []
    for port in rule.ports:
        match port:
            case AnyPort():
                any_port = True
            case PortRangeMatcher(protocol, rng):
                ranges.append((protocol, rng.first, rng.last))
            case AnyProtocolNamedPort(name):
                named.extend(universe.named_id((name, protocol)) for protocol in Protocol)
            case _:
                assert_never(port)
    return TierClassRule(
        rule.effect,
        any_peer,
        tuple(sorted(set(peers))),
        tuple(sorted(set(addresses))),
        any_port,
        tuple(sorted(set(ranges), key=lambda r: (r[0].value, r[1], r[2]))),
        tuple(sorted(set(named))),
    )


def tier_policies(universe: Universe) -> tuple[TierClassPolicy, ...]:
    """The universe's ClusterNetworkPolicies in class terms, in evaluation order (lower
    priority first; equal priorities by name, an order that decides nothing)."""
    ordered = sorted(universe.cluster_policies, key=lambda p: p.order)
    return tuple(
        TierClassPolicy(
            p.key,
            p.tier,
            p.priority,
            universe.peer_id(p.subject),
            tuple(_class_rule(r, universe) for r in p.ingress),
            tuple(_class_rule(r, universe) for r in p.egress),
        )
        for p in ordered
    )


def tier_port_ranges(universe: Universe) -> set[tuple[Protocol, int, int]]:
    """The numeric ports and ranges of every CNP rule (they cut the port atoms)."""
    found: set[tuple[Protocol, int, int]] = set()
    for policy in universe.cluster_policies:
        for rule in (*policy.ingress, *policy.egress):
            for port in rule.ports:
                if isinstance(port, PortRangeMatcher):
                    found.add((port.protocol, port.ports.first, port.ports.last))
    return found


class TierHost(TypingProtocol):
    """What the tier tables read of one view's reach (`Reach` is one)."""

    @property
    def size(self) -> int: ...
    @property
    def view(self) -> int | None: ...
    @property
    def atoms(self) -> PortAtoms: ...
    @property
    def signatures(self) -> Sequence[Signature]: ...
    @property
    def peer_members(self) -> Mapping[int, _Idx]: ...
    @property
    def iso(self) -> Mapping[Direction, _Bool]: ...
    def named_words(self, nid: int) -> _Table: ...


@dataclass(slots=True)
class _Side:
    """One direction's profiles: each class's profile (the last row: no CNP applies) and
    each profile's X and Y over every peer class."""

    codes: _Idx
    x: _Table
    """(profiles + 1, peer classes, words)."""
    y: _Table
    active: bool
    """Some class has a profile."""
    chosen: _Idx
    """The classes with a profile, in order."""


class TierTables:
    """The tiers of one view, per profile; built on first use, dropped by `reset` whenever
    the signatures, the isolation by NetworkPolicies or the port atoms change."""

    def __init__(self, universe: Universe) -> None:
        self.universe = universe
        self.policies = tier_policies(universe)
        self._sides: dict[Direction, _Side] | None = None
        self._matches: dict[tuple[Direction, TierClassRule], _Table] = {}
        self._addresses: dict[int, _Idx] | None = None

    def reset(self) -> None:
        self._sides = None
        self._matches.clear()
        self._addresses = None

    # -- answers -----------------------------------------------------------------------

    def egress_rows(self, host: TierHost, sources: _Idx, out: _Table) -> _Table:
        """The egress sides of `sources` (rows of `out`: their NetworkPolicy masks towards
        every class) through the tiers."""
        side = self._sides_of(host)[Direction.EGRESS]
        if not side.active:
            return out
        codes = side.codes[sources]
        none = len(side.x) - 1
        for code in np.unique(codes).tolist():
            if code == none:
                continue
            rows = np.flatnonzero(codes == code)
            block = out[rows]
            block &= side.y[code][None]
            block |= side.x[code][None]
            out[rows] = block
        return out

    def ingress_rows(self, host: TierHost, sources: _Idx, egress: _Table, both: _Table) -> _Table:
        """The answers for `sources` x every class: `egress` the tiered egress sides, `both`
        that AND the NetworkPolicy ingress sides; the ingress sides through the tiers."""
        side = self._sides_of(host)[Direction.INGRESS]
        if not side.active:
            return both
        cols = side.chosen
        codes = side.codes[cols]
        # per profile, its masks for these sources; then per destination, its profile's
        x = np.take(side.x[:, sources].transpose(1, 0, 2), codes, axis=1)
        y = np.take(side.y[:, sources].transpose(1, 0, 2), codes, axis=1)
        x &= egress[:, cols]
        y &= both[:, cols]
        x |= y
        both[:, cols] = x
        return both

    def egress_pair(self, host: TierHost, src: int, dst: int, egress: Words) -> Words:
        side = self._sides_of(host)[Direction.EGRESS]
        code = side.codes[src]
        out: Words = side.x[code, dst] | (egress & side.y[code, dst])
        return out

    def ingress_pair(self, host: TierHost, src: int, dst: int, egress: Words, both: Words) -> Words:
        side = self._sides_of(host)[Direction.INGRESS]
        code = side.codes[dst]
        out: Words = (egress & side.x[code, src]) | (both & side.y[code, src])
        return out

    def chunk_factor(self) -> int:
        """How many (sources x classes) tables a block of rows holds at once."""
        return 5

    # -- profiles ----------------------------------------------------------------------

    def _sides_of(self, host: TierHost) -> dict[Direction, _Side]:
        if self._sides is None:
            self._sides = {d: self._side(host, d) for d in _SIDES}
        return self._sides

    def _side(self, host: TierHost, direction: Direction) -> _Side:
        n, words = host.size, host.atoms.words
        applying = [(k, p) for k, p in enumerate(self.policies) if p.rules(direction)]
        selects = np.zeros((n, len(applying)), np.bool_)
        baseline = np.zeros(len(applying), np.bool_)
        for j, (_, policy) in enumerate(applying):
            members = host.peer_members.get(policy.subject)
            if members is not None:
                selects[members, j] = True
            baseline[j] = policy.tier is Tier.BASELINE
        # Baseline is not consulted for a side some NetworkPolicy isolates
        selects[np.ix_(host.iso[direction], baseline)] = False
        named_ids: tuple[int, ...] = ()
        if direction is Direction.INGRESS:
            named_ids = tuple(
                sorted({nid for _, p in applying for r in p.rules(direction) for nid in r.named})
            )
        keys: dict[tuple[bytes, tuple[frozenset[int], ...]], int] = {}
        firsts: list[int] = []
        codes = np.full(n, -1, np.intp)
        packed = np.packbits(selects, axis=1)
        chosen = np.flatnonzero(selects.any(axis=1))
        sigs = host.signatures
        for c in chosen.tolist():
            named = tuple(sigs[c].named[nid] for nid in named_ids)
            key = (packed[c].tobytes(), named)
            code = keys.get(key)
            if code is None:
                code = keys[key] = len(firsts)
                firsts.append(c)
            codes[c] = code
        count = len(firsts)
        codes[codes < 0] = count
        all_words = mask_to_words(host.atoms.all_mask, words)
        x = np.zeros((count + 1, n, words), np.uint64)
        y = np.empty((count + 1, n, words), np.uint64)
        y[:] = all_words
        for code, c in enumerate(firsts):
            ids = [applying[j][0] for j in np.flatnonzero(selects[c]).tolist()]
            self._profile(host, direction, ids, sigs[c], x[code], y[code])
        return _Side(codes, x, y, bool(count), chosen)

    def _profile(
        self,
        host: TierHost,
        direction: Direction,
        ids: list[int],
        subject: Signature,
        x: _Table,
        y: _Table,
    ) -> None:
        """Fill one profile's X and Y (`ids`: the CNPs that apply, in evaluation order)."""
        for tier in (Tier.ADMIN, Tier.BASELINE):
            ordered = [self.policies[k] for k in ids if self.policies[k].tier is tier]
            if not ordered:
                continue
            effects = self._walk(host, direction, ordered, subject)
            deny = effects[Action.DENY]
            y &= ~deny
            if tier is Tier.ADMIN:
                x |= effects[Action.ACCEPT] & ~(deny | effects[Action.PASS])

    def _walk(
        self,
        host: TierHost,
        direction: Direction,
        ordered: list[TierClassPolicy],
        subject: Signature,
    ) -> dict[Action, _Table]:
        """Per effect, the (peer class, atom) cells some outcome of the tier gives it."""
        shape = (host.size, host.atoms.words)
        effects = {a: np.zeros(shape, np.uint64) for a in Action}
        undecided = np.empty(shape, np.uint64)
        undecided[:] = mask_to_words(host.atoms.all_mask, host.atoms.words)
        at = 0
        while at < len(ordered):
            priority = ordered[at].priority
            decided = np.zeros(shape, np.uint64)
            while at < len(ordered) and ordered[at].priority == priority:
                remaining = undecided.copy()
                for rule in ordered[at].rules(direction):
                    hit = self._match(host, direction, rule, subject) & remaining
                    effects[rule.effect] |= hit
                    remaining &= ~hit
                decided |= undecided & ~remaining
                at += 1
            undecided &= ~decided
        return effects

    def _match(
        self, host: TierHost, direction: Direction, rule: TierClassRule, subject: Signature
    ) -> _Table:
        """The (peer class, atom) cells a rule matches on a side whose subject has
        `subject`'s named ports (ingress: the subject is the destination)."""
        cached = direction is Direction.EGRESS or not rule.named
        if cached:
            found = self._matches.get((direction, rule))
            if found is not None:
                return found
        n, atoms = host.size, host.atoms
        ports = np.broadcast_to(mask_to_words(rule.base_mask(atoms), atoms.words), (n, atoms.words))
        if rule.named:
            ports = ports.copy()
            if direction is Direction.EGRESS:  # on the destination: the peer class
                for nid in rule.named:
                    ports |= host.named_words(nid)
            else:
                ports |= mask_to_words(self._named_mask(atoms, subject, rule.named), atoms.words)
        peers = self._peers(host, rule)
        out: _Table = np.where(peers[:, None], ports, np.uint64(0))
        if cached:
            self._matches[(direction, rule)] = out
        return out

    def _named_mask(self, atoms: PortAtoms, subject: Signature, named: tuple[int, ...]) -> int:
        """The atoms of the numbers the named ports `named` have on `subject`."""
        mask = 0
        for nid in named:
            protocol = self.universe.named[nid][1]
            for number in subject.named[nid]:
                mask |= 1 << atoms.atom(number, protocol)
        return mask

    def _peers(self, host: TierHost, rule: TierClassRule) -> _Bool:
        n = host.size
        if rule.any_peer:
            return np.ones(n, np.bool_)
        out = np.zeros(n, np.bool_)
        for pid in rule.pod_peers:
            members = host.peer_members.get(pid)
            if members is not None:
                out[members] = True
        if rule.addresses:
            by_address = self._address_members(host)
            for aid in rule.addresses:
                members = by_address.get(aid)
                if members is not None:
                    out[members] = True
        return out

    def _address_members(self, host: TierHost) -> dict[int, _Idx]:
        if self._addresses is None:
            found: dict[int, list[int]] = {}
            for c, sig in enumerate(host.signatures):
                for aid in sig.addresses(host.view):
                    found.setdefault(aid, []).append(c)
            self._addresses = {k: np.asarray(v, np.intp) for k, v in found.items()}
        return self._addresses

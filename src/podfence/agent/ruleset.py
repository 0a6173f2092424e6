"""A node's ruleset, from the cluster-wide one the nft compiler makes (pure IR transforms).

- `node_view`: the compiler isolates pods through verdict maps keyed by the pod's address
  (`egress-pods-v4`: source, `ingress-pods-v4`: destination). On a node only its own pods'
  traffic must be judged there: egress of local pods (the packet leaves through this node)
  and ingress of local pods (it arrives here). Remote pods stay in the peer sets, by address.
  So the maps keep local addresses only; chains and sets nothing refers to any more go.
  With ClusterNetworkPolicies the same holds for the tiers: the subject sets (`subjN-v4`,
  which pods a CNP applies to) keep local addresses only, and a dispatch rule on a subject
  set left empty goes; peer, network and node sets stay whole.
- `with_quarantine`: a base chain hooked before the compiler's (priority `filter - 1`) drops
  every new connection from (egress) or to (ingress) quarantined local addresses. A drop in
  any base chain is final, so nothing the other chain allows can open them.
- `stable_names`: the compiler numbers its sets in order of use (`peer0`, `peer1`...), so a
  set that empties renumbers every later one and a change of contents looks like a new
  table. Named after what they stand for instead (`peer-3fa2c1d09b-v4`, from the set's
  prefix, comment and declaration), sets keep their names while only their elements change,
  and the agent can update them in place.
- `bootstrap`: what a node with no ruleset gets before the agent is synced: every new
  forwarded connection is dropped (replies of established ones pass).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import replace

from podfence.dataplane.nft.ir import (
    AddrInSet,
    AddrProtoPortInSet,
    AddrRange,
    Chain,
    CtState,
    Family,
    Field,
    Hook,
    NamedSet,
    ProtoPortInSet,
    Rule,
    Ruleset,
    Verdict,
    VerdictKind,
    VerdictMap,
    VmapDispatch,
)
from podfence.model import Direction, IPAddress

__all__ = [
    "QUARANTINE_CHAIN",
    "bootstrap",
    "node_view",
    "referenced_chains",
    "referenced_sets",
    "stable_names",
    "with_quarantine",
]

QUARANTINE_CHAIN = "quarantine"
_ESTABLISHED = Rule(
    (CtState(("established", "related")),),
    Verdict(VerdictKind.ACCEPT),
    "replies of allowed connections",
)


def referenced_sets(chains: Iterable[Chain]) -> set[str]:
    names = set()
    for chain in chains:
        for rule in chain.rules:
            for match in rule.matches:
                if isinstance(match, AddrInSet | ProtoPortInSet | AddrProtoPortInSet):
                    names.add(match.set_name)
    return names


def referenced_chains(chains: Iterable[Chain], maps: Iterable[VerdictMap]) -> set[str]:
    """Base chains, and every chain a rule or a map element jumps or goes to, transitively."""
    chains = tuple(chains)
    by_name = {c.name: c for c in chains}
    targets: dict[str, set[str]] = {c.name: set() for c in chains}
    map_targets = {m.name: {v.chain for _, v in m.elements if v.chain} for m in maps}
    for chain in chains:
        for rule in chain.rules:
            if isinstance(rule.verdict, Verdict) and rule.verdict.chain:
                targets[chain.name].add(rule.verdict.chain)
            elif isinstance(rule.verdict, VmapDispatch):
                targets[chain.name] |= {t for t in map_targets.get(rule.verdict.map_name, ())}
    seen: set[str] = set()
    todo = [c.name for c in chains if c.hook is not None]
    while todo:
        name = todo.pop()
        if name in seen or name not in by_name:
            continue
        seen.add(name)
        todo += targets[name]
    return seen


_SUBJECTS = re.compile(r"^subj[0-9]+-v[46]$")
"""The sets of the pods a ClusterNetworkPolicy applies to (see `dataplane.nft.tiers`)."""


def node_view(ruleset: Ruleset, local: Iterable[IPAddress]) -> Ruleset:
    """`ruleset` judging only the traffic of the pods whose addresses are `local`."""
    mine = set(local)
    maps = []
    for vmap in ruleset.maps:
        elements = tuple((ip, v) for ip, v in vmap.elements if ip in mine)
        if elements:
            maps.append(replace(vmap, elements=elements))
    kept_maps = {m.name for m in maps}
    narrowed: dict[str, NamedSet | None] = {}
    for named in ruleset.sets:
        if _SUBJECTS.match(named.name):
            kept = tuple(e for e in named.elements if isinstance(e, AddrRange) and e.first in mine)
            narrowed[named.name] = replace(named, elements=kept) if kept else None
    gone = {name for name, found in narrowed.items() if found is None}

    def dropped(r: Rule) -> bool:
        if isinstance(r.verdict, VmapDispatch) and r.verdict.map_name not in kept_maps:
            return True
        return any(isinstance(m, AddrInSet) and m.set_name in gone for m in r.matches)

    chains = []
    for chain in ruleset.chains:
        rules = tuple(r for r in chain.rules if not dropped(r))
        chains.append(replace(chain, rules=rules))
    live = referenced_chains(chains, maps)
    chains = [c for c in chains if c.name in live]
    used = referenced_sets(chains)
    notes = (*ruleset.notes, f"node view: {len(mine)} local pod address(es)")
    sets = (narrowed.get(s.name, s) for s in ruleset.sets if s.name in used)
    return replace(
        ruleset,
        sets=tuple(s for s in sets if s is not None),
        maps=tuple(maps),
        chains=tuple(chains),
        notes=notes,
    )


_NUMBERED = re.compile(r"^([a-z]+)[0-9]+(-v[46])?$")


def _stable(named: NamedSet) -> str | None:
    found = _NUMBERED.match(named.name)
    if found is None:
        return None
    identity = f"{found[1]}|{named.comment}|{[k.value for k in named.key]}|{named.interval}"
    digest = hashlib.sha256(identity.encode()).hexdigest()[:10]
    return f"{found[1]}-{digest}{found[2] or ''}"


def stable_names(ruleset: Ruleset) -> Ruleset:
    """`ruleset` with each numbered set named after what it stands for (unchanged when two
    sets would get one name: then the compiler's names stay)."""
    renames = {s.name: _stable(s) for s in ruleset.sets}
    wanted = [new for new in renames.values() if new is not None]
    if len(set(wanted)) != len(wanted) or set(wanted) & set(renames):
        return ruleset
    names = {old: new for old, new in renames.items() if new is not None}

    def rule(r: Rule) -> Rule:
        matches = tuple(
            replace(m, set_name=names.get(m.set_name, m.set_name))
            if isinstance(m, AddrInSet | ProtoPortInSet | AddrProtoPortInSet)
            else m
            for m in r.matches
        )
        return replace(r, matches=matches)

    return replace(
        ruleset,
        sets=tuple(replace(s, name=names.get(s.name, s.name)) for s in ruleset.sets),
        chains=tuple(replace(c, rules=tuple(rule(r) for r in c.rules)) for c in ruleset.chains),
    )


def _set_name(direction: Direction, family: Family) -> str:
    return f"quarantine-{direction.rules_field}-{family.suffix}"


def with_quarantine(
    ruleset: Ruleset, addresses: dict[Direction, frozenset[IPAddress]], reasons: Iterable[str]
) -> Ruleset:
    """`ruleset` plus a chain that drops new connections of quarantined local addresses."""
    sets: list[NamedSet] = []
    rules = [_ESTABLISHED]
    for direction in (Direction.EGRESS, Direction.INGRESS):
        field = Field.SADDR if direction is Direction.EGRESS else Field.DADDR
        for family in (Family.IPV4, Family.IPV6):
            ips = sorted(
                (ip for ip in addresses.get(direction, ()) if Family.of(ip) is family), key=int
            )
            if not ips:
                continue
            name = _set_name(direction, family)
            comment = f"local pods podfence cannot enforce exactly: no {direction} at all"
            sets.append(
                NamedSet(name, (family.addr_type,), tuple(AddrRange(ip, ip) for ip in ips), False)
            )
            rules.append(
                Rule((AddrInSet(family, field, name),), Verdict(VerdictKind.DROP), comment)
            )
    if not sets:
        return ruleset
    chain = Chain(
        QUARANTINE_CHAIN,
        tuple(rules),
        Hook(priority="filter - 1"),
        "fail closed: pods of rejected policies or objects",
    )
    notes = (*ruleset.notes, *(f"quarantine: {r}" for r in reasons))
    return replace(
        ruleset,
        sets=(*ruleset.sets, *sets),
        chains=(chain, *ruleset.chains),
        notes=notes,
    )


def bootstrap(family: str, table: str) -> Ruleset:
    """Default deny for new forwarded connections, until the agent has synced."""
    chain = Chain(
        "forward",
        (
            _ESTABLISHED,
            Rule((CtState(("invalid",)),), Verdict(VerdictKind.DROP)),
            Rule((), Verdict(VerdictKind.DROP), "podfence agent not synced yet: default deny"),
        ),
        Hook(),
        "podfence agent starting: nothing is allowed until every policy is known",
    )
    notes = ("bootstrap: the agent has not listed the cluster yet; new connections drop",)
    return Ruleset(family, table, (), (), (chain,), notes)

"""The Admin and Baseline tiers of ClusterNetworkPolicy as nftables chains (pure).

Semantics: `podfence.engine.tier_walk` (and upstream network-policy-api v1alpha2). Per side
of a new connection (the source's egress, then the destination's ingress) the forward chain
jumps to `egress_tiers` / `ingress_tiers`; from there every step is a `goto`, so that

- `return` anywhere means "this side is allowed" (back to `forward`, which checks the other
  side, then accepts),
- `drop` means denied (final for the packet),
- `goto X` means "go on with X" (the next rule of a policy never needs a return address).

The chains of one side, in order:

1. Admin, one level per priority (ascending). A level with one CNP: `<d>_admin_p<P>`
   dispatches the CNP's subjects (`ip saddr @subjN-v4 goto <d>_cnp_<name>`, egress; the
   destination for ingress) and goes on to the next level; the CNP's chain holds its rules in
   written order, each compiled to one nft rule per (peer, family, port form), with the
   rule's verdict: Accept `return`, Deny `drop`, Pass `goto` the next tier; when no rule
   matches, `goto` the next level.
2. The NetworkPolicy tier, `<d>_np`: the verdict maps of the isolated pods (`goto
   egress-<ns>`, whose rules `return` (egress) or `accept` (ingress) and whose last rule
   drops), then `goto` Baseline.
3. Baseline, as Admin; its Pass and its end `return` (the default allows).

**Equal priorities.** Upstream lets an implementation apply the CNPs of one priority in any
order; podfence (the engine, `TierWalk.effects`) allows a side only if every order allows it.
Each CNP's first matching rule gives an effect; their combination is: any Deny: denied; else
any Pass: the next tier; else any Accept: allowed; else the next level. So a level with
several CNPs is three scans over them, each CNP's rules in written order (a match of an
other effect stops that CNP, as its first match): the deny scan (Deny `drop`), the pass scan
(Pass `goto` the next tier), the accept scan (Accept `return`). Each scan keeps a CNP's
rules only up to its last rule of the scan's effect. No packet mark is used, so the ruleset
composes with a CNI's or kube-proxy's marks on a real node.

**Fail closed** is the engine's compiled form: a rule with a field podfence does not know is
an Accept that matches nothing (no nft rule) or a Deny of every peer and port (`drop`).

**Peers.** `namespaces`/`pods`: the resolver's members (never hostNetwork pods), the same
`peer` sets as NetworkPolicy peers; `networks` and `nodes`: interval sets of the resolver's
addresses (node addresses from the Node objects); `domainNames`: what a name leads to is
known only to DNS at run time, so a domainNames peer compiles to the addresses the
`dns` map (address -> names, as `can --dns`) makes the resolver match, and to nothing
without one; a note says so. **Protocols**: numbers and ranges as NetworkPolicy ports;
`destinationNamedPort`: a `daddr . l4proto . dport` set of every pod's container ports of
that name, in every protocol.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from typing import Protocol as Interface
from typing import assert_never

from podfence.dataplane.nft.ir import (
    AddrInSet,
    AddrProtoPort,
    AddrProtoPortInSet,
    AddrRange,
    Chain,
    Element,
    Family,
    Field,
    KeyType,
    Match,
    Rule,
    Verdict,
    VerdictKind,
)
from podfence.dataplane.nft.sets import VERSION, Sets, addresses, named_order, peer_text, port_forms
from podfence.engine.match import AnyPeer, AnyPort, PodPeer, PortRangeMatcher
from podfence.engine.resolve import Resolver, named_numbers
from podfence.engine.tiers import (
    AnyProtocolNamedPort,
    ClusterPeerMatcher,
    CompiledClusterPolicy,
    CompiledClusterRule,
    DomainsMatcher,
    NetworksMatcher,
    NodesMatcher,
)
from podfence.model import Action, Direction, Endpoint, External, IPAddress, Protocol, Tier

__all__ = ["DNS_NOTE", "TierCompiler", "side_chain"]

FAMILIES = (Family.IPV4, Family.IPV6)
DNS_NOTE = "depends on DNS at run time:"
"""The start of the notes about domainNames peers (the CLI repeats them on stderr)."""
_RETURN = Verdict(VerdictKind.RETURN)
_DROP = Verdict(VerdictKind.DROP)
_SCANS = (Action.DENY, Action.PASS, Action.ACCEPT)
_MAX_NAME = 200


class Context(Interface):
    """What the tier compiler needs of the NetworkPolicy compiler it runs inside."""

    resolver: Resolver
    with_ips: tuple[Endpoint, ...]
    sets: Sets
    notes: list[str]

    def members_of(self, peer_id: int) -> tuple[Endpoint, ...]: ...


def side_chain(direction: Direction) -> str:
    """`egress_tiers` / `ingress_tiers` (namespace names have no `_`: no NetworkPolicy chain
    `egress-<ns>` can take these names)."""
    return f"{direction.rules_field}_tiers"


def _safe(name: str) -> str:
    clean = re.sub(r"[^A-Za-z0-9_.-]", "_", name)
    if len(clean) > _MAX_NAME:
        digest = hashlib.sha256(clean.encode()).hexdigest()[:10]
        clean = f"{clean[: _MAX_NAME - 11]}.{digest}"
    return clean


def _goto(chain: str) -> Verdict:
    return Verdict(VerdictKind.GOTO, chain)


def _scan(scan: Action, final: Verdict, stop: Verdict) -> Callable[[Action], Verdict]:
    """In the scan for `scan`: a rule of that effect decides (`final`); a rule of another
    effect is the CNP's first match, so the CNP has nothing to say in this scan (`stop`)."""
    return lambda effect: final if effect is scan else stop


class TierCompiler:
    """The chains of the tiers of one cluster (`chains`, once per direction)."""

    def __init__(self, ctx: Context, dns: Mapping[IPAddress, tuple[str, ...]]) -> None:
        self.ctx = ctx
        self.dns = dns
        self._noted: set[str] = set()
        r = ctx.resolver
        order = sorted(r.universe.cluster_policies, key=lambda p: p.order)
        self.policies: list[tuple[CompiledClusterPolicy, tuple[Endpoint, ...]]] = []
        for p in order:
            subjects = ctx.members_of(r.universe.peer_id(p.subject))
            if subjects:
                self.policies.append((p, subjects))
            else:
                self._note(f"{p.key} selects no pod with an IP")

    def _note(self, text: str) -> None:
        if text not in self._noted:
            self._noted.add(text)
            self.ctx.notes.append(text)

    # -- the side ------------------------------------------------------------------------

    def chains(self, direction: Direction, np_rules: Sequence[Rule]) -> list[Chain]:
        """Every chain of one side, `side_chain(direction)` first; none when nothing (no
        CNP with rules for the direction, no isolated pod) judges that side."""
        d = direction.rules_field
        baseline, baseline_entry = self._tier(Tier.BASELINE, direction, _RETURN, _RETURN)
        np: list[Chain] = []
        np_entry = baseline_entry
        if np_rules:
            name = f"{d}_np"
            then = "Baseline tier" if baseline else "allowed (no Baseline CNP)"
            last = Rule((), baseline_entry, f"not isolated by a NetworkPolicy: {then}")
            np = [Chain(name, (*np_rules, last), None, f"NetworkPolicy tier, {d}")]
            np_entry = _goto(name)
        admin, entry = self._tier(Tier.ADMIN, direction, np_entry, np_entry)
        if not (admin or np or baseline):
            return []
        side = Chain(
            side_chain(direction),
            (Rule((), entry, f"{d}: Admin, NetworkPolicy, Baseline tiers"),),
            None,
            f"{d} of new connections through the tiers (return: allowed)",
        )
        return [side, *admin, *np, *baseline]

    def _tier(
        self, tier: Tier, direction: Direction, after: Verdict, next_tier: Verdict
    ) -> tuple[list[Chain], Verdict]:
        """The chains of one tier and where it starts; `after`: when no rule of the tier
        matches; `next_tier`: where a Pass goes."""
        levels: dict[int, list[tuple[CompiledClusterPolicy, tuple[Endpoint, ...]]]] = {}
        for p, subjects in self.policies:
            if p.tier is tier and p.rules(direction):
                levels.setdefault(p.priority, []).append((p, subjects))
        chains: list[Chain] = []
        entry = after
        for priority in sorted(levels, reverse=True):
            found, entry = self._level(
                tier, direction, priority, levels[priority], entry, next_tier
            )
            chains = found + chains
        return chains, entry

    # -- one priority level ----------------------------------------------------------------

    def _final(self, effect: Action, next_tier: Verdict) -> Verdict:
        match effect:
            case Action.ACCEPT:
                return _RETURN
            case Action.DENY:
                return _DROP
            case Action.PASS:
                return next_tier
            case _:
                assert_never(effect)

    def _level(
        self,
        tier: Tier,
        direction: Direction,
        priority: int,
        level: Sequence[tuple[CompiledClusterPolicy, tuple[Endpoint, ...]]],
        after: Verdict,
        next_tier: Verdict,
    ) -> tuple[list[Chain], Verdict]:
        d = direction.rules_field
        base = f"{d}_{tier.value.lower()}_p{priority}"
        if len(level) == 1:
            policy, subjects = level[0]
            target = _safe(f"{d}_cnp_{policy.name}")
            rules = self._policy_rules(
                policy, direction, lambda e: self._final(e, next_tier), len(policy.rules(direction))
            )
            end = Rule((), after, f"no rule of {policy.key} matches: next")
            body = Chain(target, (*rules, end), None, f"{policy.key} {d}, priority {priority}")
            dispatch = self._dispatch(base, policy, subjects, direction, target, after)
            return [dispatch, body], _goto(base)
        chains: list[Chain] = []
        nxt = after
        for scan in reversed(_SCANS):
            final = self._final(scan, next_tier)
            word = scan.value.lower()
            for policy, subjects in reversed(level):
                written = policy.rules(direction)
                upto = max((i + 1 for i, r in enumerate(written) if r.effect is scan), default=0)
                if not upto:
                    continue
                target = _safe(f"{d}_cnp_{policy.name}_{word}")
                rules = self._policy_rules(policy, direction, _scan(scan, final, nxt), upto)
                end = Rule((), nxt, f"no {scan.value} of {policy.key} first: next")
                comment = f"{policy.key} {d}, priority {priority} (tied): {word} scan"
                chains.insert(0, Chain(target, (*rules, end), None, comment))
                name = _safe(f"{base}_{word}_{policy.name}")
                chains.insert(0, self._dispatch(name, policy, subjects, direction, target, nxt))
                nxt = _goto(name)
        if not chains:
            return [], after
        return chains, nxt

    def _dispatch(
        self,
        name: str,
        policy: CompiledClusterPolicy,
        subjects: Sequence[Endpoint],
        direction: Direction,
        target: str,
        after: Verdict,
    ) -> Chain:
        field = Field.SADDR if direction is Direction.EGRESS else Field.DADDR
        rules: list[Rule] = []
        for family in FAMILIES:
            subject = self.ctx.sets.get(
                "subj",
                self.ctx.resolver.universe.peer_id(policy.subject),
                family,
                (family.addr_type,),
                lambda: addresses(subjects, family),  # noqa: B023 (called at once)
                lambda: f"subjects: {peer_text(policy.subject)}",
            )
            if subject is not None:
                rules.append(Rule((AddrInSet(family, field, subject),), _goto(target)))
        rules.append(Rule((), after, f"not a subject of {policy.key}: next"))
        return Chain(name, tuple(rules), None, f"{policy.tier.value} {policy.key}")

    # -- the rules of one policy -----------------------------------------------------------

    def _policy_rules(
        self,
        policy: CompiledClusterPolicy,
        direction: Direction,
        verdict: Callable[[Action], Verdict],
        upto: int,
    ) -> list[Rule]:
        out: list[Rule] = []
        for rule in policy.rules(direction)[:upto]:
            out += self._rule(rule, direction, verdict(rule.effect))
        return out

    def _rule(
        self, rule: CompiledClusterRule, direction: Direction, verdict: Verdict
    ) -> list[Rule]:
        field = Field.DADDR if direction is Direction.EGRESS else Field.SADDR
        any_port = any(isinstance(m, AnyPort) for m in rule.ports)
        numeric = tuple(m for m in rule.ports if isinstance(m, PortRangeMatcher))
        names = tuple(sorted({m.name for m in rule.ports if isinstance(m, AnyProtocolNamedPort)}))
        forms = [()] if any_port else port_forms(self.ctx.sets, numeric)
        out: list[Rule] = []
        if rule.unknown:
            self._note(f"{rule.ref} fails closed ({'; '.join(rule.unknown)})")
        for k, peer in enumerate(rule.peers):
            ref = replace(rule.ref, peer=None if rule.unknown else k)
            comment = f"{ref} {rule.action.value}"
            before = len(out)
            for family, match in self._peer_forms(peer, field, ref):
                out += [Rule(match + form, verdict, comment) for form in forms]
                for fam in (family,) if family is not None else FAMILIES:
                    named = self._named(names, fam) if names and not any_port else None
                    if named is not None:
                        entry = AddrProtoPortInSet(fam, Field.DADDR, named)
                        out.append(Rule((*match, entry), verdict, comment))
            if len(out) == before and not isinstance(peer, DomainsMatcher):
                self._note(f"{ref} matches no connection here: no rule")
        if not rule.peers and not rule.unknown:
            self._note(f"{rule.ref} has no peer: no rule")
        return out

    def _peer_forms(
        self, peer: ClusterPeerMatcher, field: Field, ref: object
    ) -> list[tuple[Family | None, tuple[Match, ...]]]:
        if isinstance(peer, AnyPeer):
            return [(None, ())]
        out: list[tuple[Family | None, tuple[Match, ...]]] = []
        for family in FAMILIES:
            name = self._peer_set(peer, family, ref)
            if name is not None:
                out.append((family, (AddrInSet(family, field, name),)))
        return out

    def _peer_set(self, peer: ClusterPeerMatcher, family: Family, ref: object) -> str | None:
        ctx, r = self.ctx, self.ctx.resolver
        key = (family.addr_type,)
        version = VERSION[family]
        match peer:
            case AnyPeer():
                raise AssertionError("every peer has no set")
            case PodPeer():
                peer_id = r.universe.peer_id(peer)
                return ctx.sets.get(
                    "peer",
                    peer_id,
                    family,
                    key,
                    lambda: addresses(ctx.members_of(peer_id), family),
                    lambda: peer_text(peer),
                )
            case NetworksMatcher(networks):
                return ctx.sets.get(
                    "net",
                    peer,
                    family,
                    key,
                    lambda: [AddrRange(a, b) for a, b in r.networks(peer).ranges(version)],
                    lambda: "networks " + ", ".join(str(n) for n in networks),
                    interval=True,
                )
            case NodesMatcher(selector):
                return ctx.sets.get(
                    "node",
                    selector,
                    family,
                    key,
                    lambda: [
                        AddrRange(a, b) for a, b in r.node_addresses(selector).ranges(version)
                    ],
                    lambda: f"addresses of nodes {selector}",
                    interval=True,
                )
            case DomainsMatcher(names):
                found = ctx.sets.get(
                    "dns",
                    peer,
                    family,
                    key,
                    lambda: self._by_name(peer, version),
                    lambda: "domainNames " + ", ".join(names),
                )
                if family is Family.IPV6:  # one note per peer
                    given = "the addresses --dns gives" if self.dns else "nothing"
                    self._note(f"{DNS_NOTE} {ref} domainNames {', '.join(names)}: {given}")
                return found
            case _:
                assert_never(peer)

    def _by_name(self, peer: DomainsMatcher, version: int) -> list[Element]:
        """The addresses the `dns` map gives that the resolver says `peer` matches, outside
        the cluster (a pod is never matched by name: its address is the pod's)."""
        r = self.ctx.resolver
        pods = {ip for ep in self.ctx.with_ips for ip in ep.ips}
        found = [
            ip
            for ip, names in self.dns.items()
            if ip.version == version
            and ip not in pods
            and r.cluster_peer_matches(peer, External(ip, names), version)
        ]
        return [AddrRange(ip, ip) for ip in sorted(found, key=int)]

    def _named(self, names: tuple[str, ...], family: Family) -> str | None:
        """Every (address, protocol, number) a container port of one of `names` gives."""
        ctx = self.ctx
        version = VERSION[family]

        def elements() -> list[Element]:
            found: set[AddrProtoPort] = {
                AddrProtoPort(ip, protocol, number)
                for ep in ctx.with_ips
                for ip in ep.ips
                if ip.version == version
                for name in names
                for protocol in Protocol
                for number in named_numbers(ep, name, protocol)
            }
            return [e for e in sorted(found, key=named_order)]

        return ctx.sets.get(
            "cnamed",
            names,
            family,
            (family.addr_type, KeyType.INET_PROTO, KeyType.INET_SERVICE),
            elements,
            lambda: "destinationNamedPort " + ", ".join(names),
        )

"""Compile a cluster's NetworkPolicies into the nftables intermediate form (pure).

Layout of table `inet podfence`, hooked on the node's forward path:

- chain `forward`: replies and related packets of allowed connections pass, invalid ones
  drop; a new connection then jumps through `egress-pods-*` (keyed by source address) to
  `egress-<namespace>` and through `ingress-pods-*` (keyed by destination) to
  `ingress-<namespace>`. Pods absent from those maps are not isolated and are not touched.
- chain `egress-<ns>`: one rule per (policy rule, peer, family, port form); a match
  `return`s to `forward` (egress allowed, ingress still to check); the last rule drops.
- chain `ingress-<ns>`: the same shape; a match accepts, the last rule drops.

Pods live only in sets and maps, so the rule count grows with policies and rules, never with
pods x pods. Rule comments point back to the policy rule (`shop/web ingress[0].from[1]`).
"""

from __future__ import annotations

import re
from collections.abc import Hashable, Mapping, Sequence
from typing import assert_never

from podfence.dataplane.nft.ir import (
    AddrInSet,
    AddrProtoPort,
    AddrProtoPortInSet,
    AddrRange,
    Chain,
    CtState,
    Element,
    Family,
    Field,
    Hook,
    KeyType,
    Match,
    Rule,
    Ruleset,
    Verdict,
    VerdictKind,
    VerdictMap,
    VmapDispatch,
)
from podfence.dataplane.nft.sets import VERSION as _VERSION
from podfence.dataplane.nft.sets import Sets as _Sets
from podfence.dataplane.nft.sets import addresses as _addresses
from podfence.dataplane.nft.sets import named_order as _named_order
from podfence.dataplane.nft.sets import peer_text as _peer_text
from podfence.dataplane.nft.sets import port_forms as _port_forms
from podfence.dataplane.nft.sets import set_names as _set_names
from podfence.dataplane.nft.tiers import TierCompiler, side_chain
from podfence.engine.compiled import CompiledPolicy, CompiledRule
from podfence.engine.match import (
    AnyPeer,
    IPPeer,
    NamedPortMatcher,
    PeerMatcher,
    PodPeer,
    PortRangeMatcher,
)
from podfence.engine.resolve import Placement, Resolver, named_numbers
from podfence.engine.universe import Universe
from podfence.model import (
    Cluster,
    Direction,
    Endpoint,
    IPAddress,
    RuleRef,
)

__all__ = ["compile_ruleset", "TABLE", "FAMILY", "chain_name"]

TABLE = "podfence"
FAMILY = "inet"
FAMILIES = (Family.IPV4, Family.IPV6)
DIRECTIONS = (Direction.EGRESS, Direction.INGRESS)


def chain_name(direction: Direction, namespace: str) -> str:
    """`egress-<ns>` / `ingress-<ns>` (namespace names are DNS labels; others are escaped)."""
    return f"{direction.rules_field}-{re.sub(r'[^A-Za-z0-9_.-]', '_', namespace)}"


def compile_ruleset(
    cluster: Cluster,
    *,
    resolver: Resolver | None = None,
    dns: Mapping[IPAddress, tuple[str, ...]] | None = None,
) -> Ruleset:
    """The ruleset enforcing every policy of `cluster` on pods that have an IP: its
    NetworkPolicies and, when it has ClusterNetworkPolicies, the Admin and Baseline tiers
    around them (`tiers`).

    `resolver` (built from the cluster's policies, CNPs, namespaces and nodes when not given)
    is the only source of which pods policies select and peers match, of ipBlock, network and
    node addresses and of the numbers of named ports: the compiler only lays its answers out
    as sets and rules. `dns`: the names outside addresses are known by (for `domainNames`
    peers, which otherwise match nothing: only DNS knows at run time).
    """
    if resolver is None:
        universe = Universe.of(cluster.policies, cluster.cluster_policies)
        resolver = Resolver(
            universe, {ns.name: ns.labels for ns in cluster.namespaces}, cluster.nodes
        )
    return _Compiler(cluster, resolver, dns or {}).run()


class _Compiler:
    def __init__(
        self, cluster: Cluster, resolver: Resolver, dns: Mapping[IPAddress, tuple[str, ...]]
    ) -> None:
        self.cluster = cluster
        self.resolver = resolver
        self.dns = dns
        self.tiered = bool(resolver.universe.cluster_policies)
        """The cluster has ClusterNetworkPolicies: each side goes through the tiers."""
        endpoints = sorted(cluster.endpoints, key=lambda ep: ep.id)
        self.with_ips: tuple[Endpoint, ...] = tuple(ep for ep in endpoints if ep.ips)
        self.without_ips = tuple(ep for ep in endpoints if not ep.ips)
        self.placement: Placement = resolver.placement(self.with_ips)
        self.sets = _Sets()
        self.notes: list[str] = []
        self.isolated: dict[tuple[Direction, Family], dict[int, tuple[IPAddress, str]]] = {
            (d, f): {} for d in DIRECTIONS for f in FAMILIES
        }
        self.chains: dict[tuple[str, Direction], list[Rule]] = {}
        self.port_forms: dict[tuple[PortRangeMatcher, ...], list[tuple[Match, ...]]] = {}

    def at(self, positions: Sequence[int]) -> tuple[Endpoint, ...]:
        return tuple(self.with_ips[i] for i in positions)

    def members_of(self, peer_id: int) -> tuple[Endpoint, ...]:
        return self.at(self.placement.members_of(peer_id))

    def run(self) -> Ruleset:
        for ep in self.without_ips:
            self.notes.append(f"{ep.id} has no IP: not enforced")
        live = sorted(self.resolver.universe.live(), key=lambda i: (i[1].namespace, i[1].key))
        for pid, policy in live:
            subjects = self.at(self.placement.subjects_of(pid))
            if not subjects:
                self.notes.append(f"{policy.key} selects no pod with an IP")
                continue
            for direction in DIRECTIONS:
                if direction in policy.directions:
                    self._policy(policy, direction, subjects)
        chains = self._chains()
        used = {name for chain in chains for rule in chain.rules for name in _set_names(rule)}
        sets = tuple(s for s in self.sets.sets if s.name in used)
        return Ruleset(FAMILY, TABLE, sets, self._maps(), chains, tuple(self.notes))

    def _policy(
        self, policy: CompiledPolicy, direction: Direction, subjects: Sequence[Endpoint]
    ) -> None:
        ns = policy.namespace
        tables = {_VERSION[f]: self.isolated[(direction, f)] for f in FAMILIES}
        for ep in subjects:
            for ip in ep.ips:
                _, owner = tables[ip.version].setdefault(int(ip), (ip, ns))
                if owner != ns:
                    self.notes.append(f"{ep.id}: address {ip} already used in {owner}")
        rules = self.chains.setdefault((ns, direction), [])
        for rule in policy.rules(direction):
            rules += _RuleCompiler(self, policy, direction, subjects).compile(rule)

    def _maps(self) -> tuple[VerdictMap, ...]:
        maps = []
        for direction in DIRECTIONS:
            for family in FAMILIES:
                table = self.isolated[(direction, family)]
                if not table:
                    continue
                kind = VerdictKind.GOTO if self.tiered else VerdictKind.JUMP
                jumps = {
                    ns: Verdict(kind, chain_name(direction, ns))
                    for ns in {ns for _, ns in table.values()}
                }
                elements = tuple((table[k][0], jumps[table[k][1]]) for k in sorted(table))
                name = f"{direction.rules_field}-pods-{family.suffix}"
                comment = f"pods isolated for {direction.rules_field}"
                maps.append(VerdictMap(name, family, elements, comment))
        return tuple(maps)

    def _chains(self) -> tuple[Chain, ...]:
        forward = [
            Rule(
                (CtState(("established", "related")),),
                Verdict(VerdictKind.ACCEPT),
                "replies of allowed connections",
            ),
            Rule((CtState(("invalid",)),), Verdict(VerdictKind.DROP)),
        ]
        tiers: list[Chain] = []
        compiler = TierCompiler(self, self.dns) if self.tiered else None
        for direction in DIRECTIONS:
            field = Field.SADDR if direction is Direction.EGRESS else Field.DADDR
            dispatch = [
                Rule(
                    (), VmapDispatch(family, field, f"{direction.rules_field}-pods-{family.suffix}")
                )
                for family in FAMILIES
                if self.isolated[(direction, family)]
            ]
            if compiler is None:
                forward += dispatch
                continue
            side = compiler.chains(direction, dispatch)
            if side:
                forward.append(Rule((), Verdict(VerdictKind.JUMP, side_chain(direction))))
                tiers += side
        comment = "NetworkPolicy for new connections"
        if self.tiered:
            comment = "ClusterNetworkPolicy tiers and NetworkPolicy for new connections"
        chains = [Chain("forward", tuple(forward), Hook(), comment), *tiers]
        order = sorted(self.chains.items(), key=lambda i: (i[0][0], DIRECTIONS.index(i[0][1])))
        for (ns, direction), rules in order:
            last = Rule(
                (), Verdict(VerdictKind.DROP), f"{ns}: isolated for {direction}, no rule allows"
            )
            comment = f"{direction} of pods isolated in namespace {ns}"
            chains.append(Chain(chain_name(direction, ns), (*rules, last), None, comment))
        return tuple(chains)


class _RuleCompiler:
    """The nft rules of one policy rule: one per (peer, family, port form)."""

    def __init__(
        self,
        compiler: _Compiler,
        policy: CompiledPolicy,
        direction: Direction,
        subjects: Sequence[Endpoint],
    ) -> None:
        self.c = compiler
        self.policy = policy
        self.direction = direction
        self.subjects = subjects
        egress = direction is Direction.EGRESS
        self.subject_field = Field.SADDR if egress else Field.DADDR
        self.peer_field = Field.DADDR if egress else Field.SADDR
        self.verdict = Verdict(VerdictKind.RETURN if egress else VerdictKind.ACCEPT)
        self.guard = not policy.pod_selector.is_empty

    def compile(self, rule: CompiledRule) -> list[Rule]:
        named = tuple(m for m in rule.ports if isinstance(m, NamedPortMatcher))
        numeric = tuple(m for m in rule.ports if isinstance(m, PortRangeMatcher))
        port_forms = [()] if not rule.ports_listed else self._numeric(numeric)
        peers: list[tuple[int | None, PeerMatcher]] = (
            list(enumerate(rule.peers)) if rule.peers_listed else [(None, AnyPeer())]
        )
        out: list[Rule] = []
        for k, peer in peers:
            comment = str(RuleRef(self.policy.key, self.direction, rule.index, k))
            before = len(out)
            if port_forms:
                for base in self._address_forms(peer):
                    out += [Rule(base + form, self.verdict, comment) for form in port_forms]
            for family in FAMILIES if named else ():
                matches = self._named(peer, named, family, comment)
                if matches is not None:
                    out.append(Rule(matches, self.verdict, comment))
            if len(out) == before:
                self.c.notes.append(f"{comment} matches no connection here: no rule")
        return out

    def _guard(self, family: Family) -> str | None:
        policy = self.policy
        return self.c.sets.get(
            "pol",
            policy.key,
            family,
            (family.addr_type,),
            lambda: _addresses(self.subjects, family),
            lambda: f"{policy.key} podSelector {policy.pod_selector}",
        )

    def _peer(self, peer: IPPeer | PodPeer, family: Family) -> str | None:
        c = self.c
        match peer:
            case IPPeer(block):
                return c.sets.get(
                    "cidr",
                    c.resolver.universe.block_id(block),
                    family,
                    (family.addr_type,),
                    lambda: [
                        AddrRange(first, last)
                        for first, last in c.resolver.block(block).ranges(_VERSION[family])
                    ],
                    lambda: f"ipBlock {block}",
                    interval=True,
                )
            case PodPeer():
                peer_id = c.resolver.universe.peer_id(peer)
                return c.sets.get(
                    "peer",
                    peer_id,
                    family,
                    (family.addr_type,),
                    lambda: _addresses(c.members_of(peer_id), family),
                    lambda: _peer_text(peer),
                )
            case _:
                assert_never(peer)

    def _address_forms(self, peer: PeerMatcher) -> list[tuple[Match, ...]]:
        """Address matches for the subject and the peer, one tuple per family needed."""
        if isinstance(peer, AnyPeer) and not self.guard:
            return [()]
        forms: list[tuple[Match, ...]] = []
        for family in FAMILIES:
            matches: list[Match] = []
            if not isinstance(peer, AnyPeer):
                name = self._peer(peer, family)
                if name is None:
                    continue
                matches.append(AddrInSet(family, self.peer_field, name))
            if self.guard:
                guard = self._guard(family)
                if guard is None:
                    continue
                matches.insert(0, AddrInSet(family, self.subject_field, guard))
            forms.append(tuple(matches))
        return forms

    def _numeric(self, matchers: tuple[PortRangeMatcher, ...]) -> list[tuple[Match, ...]]:
        found = self.c.port_forms.get(matchers)
        if found is None:
            found = self.c.port_forms[matchers] = self._port_forms(matchers)
        return found

    def _port_forms(self, matchers: tuple[PortRangeMatcher, ...]) -> list[tuple[Match, ...]]:
        return _port_forms(self.c.sets, matchers)

    def _named_identity(self, peer: PeerMatcher, entries: tuple[NamedPortMatcher, ...]) -> Hashable:
        """What a named-port set's content depends on (its destinations and entries)."""
        if self.direction is Direction.INGRESS:
            return ("subjects", self.policy.namespace, self.policy.pod_selector, entries)
        match peer:
            case AnyPeer():
                return ("any", entries)
            case IPPeer(block):
                return ("block", block, entries)
            case PodPeer():
                return ("peer", peer, entries)
            case _:
                assert_never(peer)

    def _destinations(self, peer: PeerMatcher) -> list[tuple[Endpoint, IPAddress]]:
        """Where a named port is resolved: the peer's pods (egress) or the subjects."""
        c = self.c
        if self.direction is Direction.INGRESS:
            return [(ep, ip) for ep in self.subjects for ip in ep.ips]
        match peer:
            case AnyPeer():
                return [(ep, ip) for ep in c.with_ips for ip in ep.ips]
            case IPPeer(block):
                return [(c.with_ips[i], ip) for i, ip in c.resolver.addresses_in(c.with_ips, block)]
            case PodPeer():
                peer_id = c.resolver.universe.peer_id(peer)
                return [(ep, ip) for ep in c.members_of(peer_id) for ip in ep.ips]
            case _:
                assert_never(peer)

    def _named(
        self,
        peer: PeerMatcher,
        entries: tuple[NamedPortMatcher, ...],
        family: Family,
        comment: str,
    ) -> tuple[Match, ...] | None:
        matches: list[Match] = []
        if self.direction is Direction.EGRESS and self.guard:
            guard = self._guard(family)
            if guard is None:
                return None
            matches.append(AddrInSet(family, Field.SADDR, guard))
        if self.direction is Direction.INGRESS and not isinstance(peer, AnyPeer):
            name = self._peer(peer, family)
            if name is None:
                return None
            matches.append(AddrInSet(family, Field.SADDR, name))

        def elements() -> list[Element]:
            found: set[AddrProtoPort] = {
                AddrProtoPort(ip, entry.protocol, number)
                for ep, ip in self._destinations(peer)
                if Family.of(ip) is family
                for entry in entries
                for number in named_numbers(ep, entry.name, entry.protocol)
            }
            ordered = sorted(found, key=_named_order)
            return list(ordered)

        def text() -> str:
            names = ", ".join(sorted({f"{entry.name}/{entry.protocol}" for entry in entries}))
            return f"{comment} named ports {names}"

        key = (family.addr_type, KeyType.INET_PROTO, KeyType.INET_SERVICE)
        nset = self.c.sets.get(
            "named", self._named_identity(peer, entries), family, key, elements, text
        )
        if nset is None:
            return None
        matches.append(AddrProtoPortInSet(family, Field.DADDR, nset))
        return tuple(matches)

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
from collections.abc import Callable, Hashable, Sequence

from podfence.dataplane.nft.intervals import ALL_PORTS, block_ranges, merge_ranges, to_address
from podfence.dataplane.nft.ir import (
    AddrInSet,
    AddrProtoPort,
    AddrProtoPortInSet,
    AddrRange,
    Chain,
    CtState,
    DPort,
    Element,
    Family,
    Field,
    Hook,
    KeyType,
    L4Proto,
    Match,
    NamedSet,
    ProtoPortInSet,
    ProtoPorts,
    Rule,
    Ruleset,
    Verdict,
    VerdictKind,
    VerdictMap,
    VmapDispatch,
)
from podfence.dataplane.nft.resolve import PodIndex, named_port_numbers, peer_key
from podfence.model import (
    Cluster,
    Direction,
    Endpoint,
    IPAddress,
    NetworkPolicy,
    Peer,
    PolicyPort,
    PortRange,
    Protocol,
    RuleRef,
)
from podfence.model import (
    Rule as PolicyRule,
)

__all__ = ["compile_ruleset", "TABLE", "FAMILY", "chain_name"]

TABLE = "podfence"
FAMILY = "inet"
FAMILIES = (Family.IPV4, Family.IPV6)
DIRECTIONS = (Direction.EGRESS, Direction.INGRESS)


def chain_name(direction: Direction, namespace: str) -> str:
    """`egress-<ns>` / `ingress-<ns>` (namespace names are DNS labels; others are escaped)."""
    return f"{direction.rules_field}-{re.sub(r'[^A-Za-z0-9_.-]', '_', namespace)}"


def compile_ruleset(cluster: Cluster) -> Ruleset:
    """The ruleset enforcing every policy of `cluster` on pods that have an IP."""
    return _Compiler(PodIndex(cluster)).run()


class _Sets:
    """Named sets, deduplicated by identity, numbered in order of first use."""

    def __init__(self) -> None:
        self.sets: list[NamedSet] = []
        self._names: dict[tuple[str, Hashable, Family | None], str | None] = {}
        self._numbers: dict[tuple[str, Hashable], int] = {}
        self._next: dict[str, int] = {}

    def get(
        self,
        prefix: str,
        identity: Hashable,
        family: Family | None,
        key: tuple[KeyType, ...],
        elements: Callable[[], Sequence[Element]],
        comment: str,
        *,
        interval: bool = False,
    ) -> str | None:
        """The name of the set; None when it would be empty (a rule on it never matches).
        `elements` is only called the first time an identity is seen."""
        full = (prefix, identity, family)
        if full in self._names:
            return self._names[full]
        found = tuple(elements())
        if not found:
            self._names[full] = None
            return None
        if (prefix, identity) not in self._numbers:
            self._numbers[(prefix, identity)] = self._next.get(prefix, 0)
            self._next[prefix] = self._numbers[(prefix, identity)] + 1
        name = f"{prefix}{self._numbers[(prefix, identity)]}"
        if family is not None:
            name += f"-{family.suffix}"
        self._names[full] = name
        self.sets.append(NamedSet(name, key, found, interval, comment))
        return name


def _addresses(endpoints: Sequence[Endpoint], family: Family) -> list[Element]:
    ips = {ip for ep in endpoints for ip in ep.ips if Family.of(ip) is family}
    return [AddrRange(ip, ip) for ip in sorted(ips, key=int)]


def _named_order(element: AddrProtoPort) -> tuple[int, str, int]:
    return (int(element.address), element.protocol.value, element.port)


def _peer_text(policy: NetworkPolicy, peer: Peer) -> str:
    scope, pods, namespaces = peer_key(policy, peer)
    if namespaces is None:
        return f"pods {pods} in {scope}"
    if pods is None:
        return f"pods in namespaces {namespaces}"
    return f"pods {pods} in namespaces {namespaces}"


def _set_names(rule: Rule) -> list[str]:
    names = []
    for match in rule.matches:
        if isinstance(match, AddrInSet | ProtoPortInSet | AddrProtoPortInSet):
            names.append(match.set_name)
    return names


class _Compiler:
    def __init__(self, index: PodIndex) -> None:
        self.index = index
        self.sets = _Sets()
        self.notes: list[str] = []
        self.isolated: dict[tuple[Direction, Family], dict[IPAddress, str]] = {
            (d, f): {} for d in DIRECTIONS for f in FAMILIES
        }
        self.chains: dict[tuple[str, Direction], list[Rule]] = {}

    def run(self) -> Ruleset:
        for ep in self.index.without_ips:
            self.notes.append(f"{ep.id} has no IP: not enforced")
        policies = sorted(self.index.cluster.policies, key=lambda p: (p.namespace, p.name))
        for policy in policies:
            subjects = self.index.selected(policy)
            if not subjects:
                self.notes.append(f"{policy.key} selects no pod with an IP")
                continue
            for direction in DIRECTIONS:
                if policy.affects(direction):
                    self._policy(policy, direction, subjects)
        chains = self._chains()
        used = {name for chain in chains for rule in chain.rules for name in _set_names(rule)}
        sets = tuple(s for s in self.sets.sets if s.name in used)
        return Ruleset(FAMILY, TABLE, sets, self._maps(), chains, tuple(self.notes))

    def _policy(
        self, policy: NetworkPolicy, direction: Direction, subjects: Sequence[Endpoint]
    ) -> None:
        ns = policy.namespace
        for ep in subjects:
            for ip in ep.ips:
                table = self.isolated[(direction, Family.of(ip))]
                if table.setdefault(ip, ns) != ns:
                    self.notes.append(f"{ep.id}: address {ip} already used in {table[ip]}")
        rules = self.chains.setdefault((ns, direction), [])
        for r, rule in enumerate(policy.rules(direction)):
            rules += _RuleCompiler(self, policy, direction, subjects).compile(r, rule)

    def _maps(self) -> tuple[VerdictMap, ...]:
        maps = []
        for direction in DIRECTIONS:
            for family in FAMILIES:
                table = self.isolated[(direction, family)]
                if not table:
                    continue
                elements = tuple(
                    (ip, Verdict(VerdictKind.JUMP, chain_name(direction, ns)))
                    for ip, ns in sorted(table.items(), key=lambda item: int(item[0]))
                )
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
        for direction in DIRECTIONS:
            field = Field.SADDR if direction is Direction.EGRESS else Field.DADDR
            for family in FAMILIES:
                if self.isolated[(direction, family)]:
                    name = f"{direction.rules_field}-pods-{family.suffix}"
                    forward.append(Rule((), VmapDispatch(family, field, name)))
        chains = [Chain("forward", tuple(forward), Hook(), "NetworkPolicy for new connections")]
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
        policy: NetworkPolicy,
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

    def compile(self, index: int, rule: PolicyRule) -> list[Rule]:
        numeric = [p for p in rule.ports if not p.is_named]
        named = [p for p in rule.ports if p.is_named]
        port_forms = [()] if not rule.ports else self._numeric(numeric)
        peers: list[tuple[int | None, Peer | None]] = list(enumerate(rule.peers)) or [(None, None)]
        out: list[Rule] = []
        for k, peer in peers:
            comment = str(RuleRef(self.policy.key, self.direction, index, k))
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
            f"{policy.key} podSelector {policy.pod_selector}",
        )

    def _peer(self, peer: Peer, family: Family) -> str | None:
        block = peer.ip_block
        if block is not None:
            version = block.cidr.version
            if version != (4 if family is Family.IPV4 else 6):
                return None
            return self.c.sets.get(
                "cidr",
                block,
                family,
                (family.addr_type,),
                lambda: [
                    AddrRange(to_address(a, version), to_address(b, version))
                    for a, b in block_ranges(block)
                ],
                f"ipBlock {block}",
                interval=True,
            )
        return self.c.sets.get(
            "peer",
            peer_key(self.policy, peer),
            family,
            (family.addr_type,),
            lambda: _addresses(self.c.index.peer_pods(self.policy, peer), family),
            _peer_text(self.policy, peer),
        )

    def _address_forms(self, peer: Peer | None) -> list[tuple[Match, ...]]:
        """Address matches for the subject and the peer, one tuple per family needed."""
        if peer is None and not self.guard:
            return [()]
        forms: list[tuple[Match, ...]] = []
        for family in FAMILIES:
            matches: list[Match] = []
            if peer is not None:
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

    def _numeric(self, entries: Sequence[PolicyPort]) -> list[tuple[Match, ...]]:
        if not entries:
            return []
        ranges: dict[Protocol, list[tuple[int, int]]] = {}
        for entry in entries:
            span = entry.numeric_range() if entry.port is not None else ALL_PORTS
            assert span is not None
            ranges.setdefault(entry.protocol, []).append((span.first, span.last))
        items = [
            ProtoPorts(proto, PortRange(first, last))
            for proto in sorted(ranges, key=lambda p: p.value)
            for first, last in merge_ranges(ranges[proto])
        ]
        if len(items) == 1:
            only = items[0]
            if only.ports.first <= 1 and only.ports.last == 65535:
                return [(L4Proto(only.protocol),)]
            return [(L4Proto(only.protocol), DPort(only.ports))]
        text = ", ".join(f"{i.protocol} {i.ports}" for i in items)
        key = (KeyType.INET_PROTO, KeyType.INET_SERVICE)
        name = self.c.sets.get("ports", tuple(items), None, key, lambda: items, text, interval=True)
        assert name is not None
        return [(ProtoPortInSet(name),)]

    def _named_identity(self, peer: Peer | None, entries: tuple[PolicyPort, ...]) -> Hashable:
        """What a named-port set's content depends on (its destinations and entries)."""
        if self.direction is Direction.INGRESS:
            return ("subjects", self.policy.namespace, self.policy.pod_selector, entries)
        if peer is None:
            return ("any", entries)
        if peer.ip_block is not None:
            return ("block", peer.ip_block, entries)
        return ("peer", peer_key(self.policy, peer), entries)

    def _destinations(self, peer: Peer | None) -> list[tuple[Endpoint, IPAddress]]:
        """Where a named port is resolved: the peer's pods (egress) or the subjects."""
        index = self.c.index
        if self.direction is Direction.INGRESS:
            return [(ep, ip) for ep in self.subjects for ip in ep.ips]
        if peer is None:
            return [(ep, ip) for ep in index.every_pod() for ip in ep.ips]
        if peer.ip_block is not None:
            return list(index.in_block(peer.ip_block))
        return [(ep, ip) for ep in index.peer_pods(self.policy, peer) for ip in ep.ips]

    def _named(
        self, peer: Peer | None, entries: Sequence[PolicyPort], family: Family, comment: str
    ) -> tuple[Match, ...] | None:
        matches: list[Match] = []
        if self.direction is Direction.EGRESS and self.guard:
            guard = self._guard(family)
            if guard is None:
                return None
            matches.append(AddrInSet(family, Field.SADDR, guard))
        if self.direction is Direction.INGRESS and peer is not None:
            name = self._peer(peer, family)
            if name is None:
                return None
            matches.append(AddrInSet(family, Field.SADDR, name))
        entries = tuple(entries)

        def elements() -> list[Element]:
            found: set[AddrProtoPort] = {
                AddrProtoPort(ip, entry.protocol, number)
                for ep, ip in self._destinations(peer)
                if Family.of(ip) is family
                for entry in entries
                for number in named_port_numbers(ep, entry)
            }
            ordered = sorted(found, key=_named_order)
            return list(ordered)

        names = ", ".join(sorted({f"{entry.port}/{entry.protocol}" for entry in entries}))
        key = (family.addr_type, KeyType.INET_PROTO, KeyType.INET_SERVICE)
        text = f"{comment} named ports {names}"
        nset = self.c.sets.get(
            "named", self._named_identity(peer, entries), family, key, elements, text
        )
        if nset is None:
            return None
        matches.append(AddrProtoPortInSet(family, Field.DADDR, nset))
        return tuple(matches)

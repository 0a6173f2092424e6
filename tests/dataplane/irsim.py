"""A tiny interpreter of the compiler's intermediate form, for one new connection.

It lets the compiler be checked against the reference for thousands of clusters without a
kernel; the lab tests then check that the kernel agrees with the same intermediate form.
Only the constructs the compiler emits are understood; anything else fails loudly.
"""

from __future__ import annotations

from podfence.dataplane.nft.ir import (
    AddrInSet,
    AddrProtoPort,
    AddrProtoPortInSet,
    AddrRange,
    CtState,
    DPort,
    Family,
    Field,
    L4Proto,
    Match,
    ProtoPortInSet,
    ProtoPorts,
    Rule,
    Ruleset,
    Verdict,
    VerdictKind,
    VmapDispatch,
)
from podfence.model import IPAddress, Protocol

__all__ = ["forward_accepts"]


class _Packet:
    def __init__(self, src: IPAddress, dst: IPAddress, protocol: Protocol, port: int) -> None:
        self.src, self.dst, self.protocol, self.port = src, dst, protocol, port

    def addr(self, field: Field) -> IPAddress:
        return self.src if field is Field.SADDR else self.dst


def _in_range(item: AddrRange, ip: IPAddress) -> bool:
    return item.first.version == ip.version and int(item.first) <= int(ip) <= int(item.last)


class _Sim:
    def __init__(self, ruleset: Ruleset, packet: _Packet) -> None:
        self.rs, self.p = ruleset, packet

    def elements(self, name: str) -> tuple[object, ...]:
        found = self.rs.set(name)
        assert found is not None, f"undeclared set {name}"
        return found.elements

    def match(self, m: Match) -> bool:
        p = self.p
        if isinstance(m, CtState):
            return "new" in m.states  # every packet here opens a new connection
        if isinstance(m, AddrInSet):
            ip = p.addr(m.field)
            if Family.of(ip) is not m.family:
                return False
            return any(
                isinstance(e, AddrRange) and _in_range(e, ip) for e in self.elements(m.set_name)
            )
        if isinstance(m, L4Proto):
            return p.protocol is m.protocol
        if isinstance(m, DPort):
            return p.port in m.ports
        if isinstance(m, ProtoPortInSet):
            return any(
                isinstance(e, ProtoPorts) and e.protocol is p.protocol and p.port in e.ports
                for e in self.elements(m.set_name)
            )
        if isinstance(m, AddrProtoPortInSet):
            ip = p.addr(m.field)
            if Family.of(ip) is not m.family:
                return False
            return AddrProtoPort(ip, p.protocol, p.port) in self.elements(m.set_name)
        raise AssertionError(f"unknown match {m!r}")

    def lookup(self, dispatch: VmapDispatch) -> Verdict | None:
        ip = self.p.addr(dispatch.field)
        for vmap in self.rs.maps:
            if vmap.name == dispatch.map_name:
                if Family.of(ip) is not vmap.family:
                    return None
                return dict(vmap.elements).get(ip)
        raise AssertionError(f"undeclared map {dispatch.map_name}")

    def run(self, name: str, depth: int = 0) -> str | None:
        """'accept' / 'drop' when decided, None when the chain returns or ends. A `goto`
        replaces the current chain (no return address: its end or `return` goes back to
        whoever jumped here); a `jump` pushes one (at most 16 deep, as the kernel)."""
        assert depth < 16, "jump stack overflow"
        seen: set[str] = set()
        while True:
            assert name not in seen, f"goto loop through {name}"
            seen.add(name)
            chain = self.rs.chain(name)
            assert chain is not None, f"undeclared chain {name}"
            target = self._chain(chain.rules, depth)
            if not isinstance(target, _Goto):
                return target
            name = target.chain

    def _chain(self, rules: tuple[Rule, ...], depth: int) -> str | None | _Goto:
        for rule in rules:
            if not all(self.match(m) for m in rule.matches):
                continue
            verdict = rule.verdict
            if isinstance(verdict, VmapDispatch):
                found = self.lookup(verdict)
                if found is None:
                    continue
                verdict = found
            if verdict.kind is VerdictKind.ACCEPT:
                return "accept"
            if verdict.kind is VerdictKind.DROP:
                return "drop"
            if verdict.kind is VerdictKind.RETURN:
                return None
            assert verdict.chain is not None
            if verdict.kind is VerdictKind.GOTO:
                return _Goto(verdict.chain)
            decided = self.run(verdict.chain, depth + 1)
            if decided is not None:
                return decided
        return None


class _Goto:
    def __init__(self, chain: str) -> None:
        self.chain = chain


def forward_accepts(
    ruleset: Ruleset, src: IPAddress, dst: IPAddress, protocol: Protocol, port: int
) -> bool:
    """Does the forward hook let the first packet of this connection through?"""
    decided = _Sim(ruleset, _Packet(src, dst, protocol, port)).run("forward")
    forward = ruleset.chain("forward")
    assert forward is not None and forward.hook is not None
    return (decided or forward.hook.policy.value) == "accept"

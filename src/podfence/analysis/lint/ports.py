"""Ports that cannot match: PF008 (named port nobody defines) and PF009 (port nobody declares).

The destination of an ingress rule is the pods its policy isolates; of an egress rule, the
pods its peers match (a rule without peers, or with an ipBlock, may go outside the cluster).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from podfence.analysis.lint.context import LintContext, RuleSite
from podfence.analysis.lint.finding import Finding
from podfence.analysis.lint.words import agree, who
from podfence.engine.match import PortMatcher
from podfence.engine.resolve import declared_ports
from podfence.model import Direction, Endpoint, PolicyPort

__all__ = ["check_ports", "rule_destinations"]


def rule_destinations(ctx: LintContext, site: RuleSite) -> tuple[tuple[Endpoint, ...], bool]:
    """The pods a rule's ports apply to, and whether the outside may be a destination too."""
    if site.direction is Direction.INGRESS:
        return ctx.selected(site.policy, Direction.INGRESS), False
    if not site.rule.peers:
        return ctx.cluster.endpoints, True
    found: dict[str, Endpoint] = {}
    for peer in site.rule.peers:
        for ep in ctx.peer_endpoints(site.policy, peer):
            found[ep.id] = ep
    outside = any(p.ip_block is not None for p in site.rule.peers)
    return tuple(found[k] for k in sorted(found)), outside


def _declared(pods: Sequence[Endpoint]) -> str:
    ports = sorted({(cp.protocol.value, cp.port) for ep in pods for cp in ep.ports})
    return ", ".join(f"{proto} {port}" for proto, port in ports)


def _allowed(ctx: LintContext, matcher: PortMatcher, pods: Sequence[Endpoint]) -> bool:
    """Does the `ports` item allow some port that one of `pods` declares? (Asked once per
    set of declared ports: named ports resolve by them.)"""
    seen: set[object] = set()
    for ep in pods:
        if ep.ports in seen:
            continue
        seen.add(ep.ports)
        if ctx.engine.resolver.ports(matcher, ep) & declared_ports(ep):
            return True
    return False


def _named(
    ctx: LintContext, site: RuleSite, i: int, port: PolicyPort, pods: Sequence[Endpoint]
) -> Finding | None:
    assert isinstance(port.port, str)
    name, proto = port.port, port.protocol
    if _allowed(ctx, ctx.compiled_rule(site).ports[i], pods):
        return None
    other = sorted({cp.protocol.value for ep in pods for cp in ep.ports if cp.name == name})
    consequence = (
        f"ports[{i}] matches nothing: none of {who(pods)} defines a {proto} container port "
        f"named {name}"
    )
    if other:
        consequence += f" (it is defined for {', '.join(other)})"
        fix = f"set protocol: {other[0]} on ports[{i}], or define the port for {proto}"
    else:
        fix = (
            "use the port number, or name the container port in the pod template:\n"
            f"ports:\n  - name: {name}\n    containerPort: PORT\n    protocol: {proto}"
        )
    return ctx.policy_finding(
        "PF008",
        site.policy,
        f"{site.field}.ports[{i}].port",
        message=f"named port {name} ({proto}) is defined by no destination pod",
        consequence=consequence,
        fix=fix,
    )


def _numeric(
    ctx: LintContext, site: RuleSite, i: int, port: PolicyPort, pods: Sequence[Endpoint]
) -> Finding | None:
    if port.port is None or port.is_named:
        return None
    proto, written = port.protocol, str(port)
    if _allowed(ctx, ctx.compiled_rule(site).ports[i], pods):
        return None
    same_proto = sorted({cp.port for ep in pods for cp in ep.ports if cp.protocol is proto})
    suggestion = (
        f"use the port the pods declare, e.g. {{protocol: {proto}, port: {same_proto[0]}}}"
        if same_proto
        else f"check the protocol: the pods declare {_declared(pods)}"
    )
    return ctx.policy_finding(
        "PF009",
        site.policy,
        f"{site.field}.ports[{i}]",
        message=f"{written} is declared by none of the destination pods",
        consequence=(
            f"{who(pods)} {agree(pods, 'declares', 'declare')} only {_declared(pods)}: "
            f"if nothing listens on {written}, this entry allows nothing (policies see "
            "the pod's port, after a Service translated its own port)"
        ),
        fix=suggestion,
    )


def check_ports(ctx: LintContext) -> Iterator[Finding]:
    for site in ctx.rule_sites():
        if not site.rule.ports:
            continue
        pods, outside = rule_destinations(ctx, site)
        if not pods:
            continue
        all_declare = not outside and all(ep.ports for ep in pods)
        for i, port in enumerate(site.rule.ports):
            found = None
            if port.is_named:
                found = _named(ctx, site, i, port, pods)
            elif all_declare:
                found = _numeric(ctx, site, i, port, pods)
            if found is not None:
                yield found

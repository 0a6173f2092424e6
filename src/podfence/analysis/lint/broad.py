"""PF010 allow-all: a rule that allows every peer on every port where something else denies.

A rule is broad when it has no ports and its peers include everything: no `from`/`to` at all,
`namespaceSelector: {}` (with no or an empty podSelector: every pod of every namespace), or an
ipBlock of a whole address family without `except`. It fires when the pods it applies to would
otherwise be denied something: another policy isolates them for that direction, or the same
policy has narrower rules that the broad one makes moot. A policy made only of broad rules and
alone on its pods changes nothing and is left alone.
"""

from __future__ import annotations

from collections.abc import Iterator

from podfence.analysis.lint.context import LintContext
from podfence.analysis.lint.finding import Finding
from podfence.analysis.lint.words import agree, and_join, who
from podfence.model import AddressSet, Direction, Peer, Rule

__all__ = ["check_broad", "broad_peer", "is_broad"]


_EVERY_ADDRESS = AddressSet.everything()


def broad_peer(ctx: LintContext, peer: Peer) -> str | None:
    """What a peer opens to, when it is everything; None otherwise."""
    if peer.ip_block is not None:
        block = peer.ip_block
        version = block.cidr.version
        if ctx.engine.resolver.block(block).family(version) == _EVERY_ADDRESS.family(version):
            return f"every IPv{version} address ({block.cidr})"
        return None
    ns, pod = peer.namespace_selector, peer.pod_selector
    if ns is not None and ns.is_empty and (pod is None or pod.is_empty):
        return "every pod of every namespace"
    return None


def is_broad(ctx: LintContext, rule: Rule) -> bool:
    return not rule.ports and (not rule.peers or any(broad_peer(ctx, p) for p in rule.peers))


def check_broad(ctx: LintContext) -> Iterator[Finding]:
    for site in ctx.rule_sites():
        rule = site.rule
        if not is_broad(ctx, rule):
            continue
        if not rule.peers:
            what = "every peer (pods of every namespace and every address)"
            field = site.field
        else:
            j, what = next((j, w) for j, p in enumerate(rule.peers) if (w := broad_peer(ctx, p)))
            field = f"{site.field}.{site.direction.peers_field}[{j}]"
        direction = site.direction
        subjects = ctx.selected(site.policy, direction)
        if not subjects:
            continue
        others = sorted(
            {
                p.key
                for ep in subjects
                for p in ctx.engine.selecting(ep, direction)
                if p.key != site.policy.key
            }
        )
        narrower = [
            i
            for i, r in enumerate(site.policy.rules(direction))
            if i != site.index and not is_broad(ctx, r)
        ]
        if not others and not narrower:
            continue
        reasons = []
        if others:
            reasons.append(f"they are otherwise isolated by {and_join(others)}")
        if narrower:
            rules = and_join([f"{direction.rules_field}[{i}]" for i in narrower])
            reasons.append(f"this policy's narrower {rules} become moot")
        verb = (
            f"{agree(subjects, 'accepts', 'accept')} connections from"
            if direction is Direction.INGRESS
            else "can reach"
        )
        side = "from" if direction is Direction.INGRESS else "to"
        declared = [cp for ep in subjects for cp in ep.ports if direction is Direction.INGRESS]
        example = (
            f"{{protocol: {declared[0].protocol}, port: {declared[0].port}}}"
            if declared
            else "{protocol: TCP, port: 8080}"
        )
        yield ctx.policy_finding(
            "PF010",
            site.policy,
            field,
            message=f"{site.label.split(' ', 1)[1]} allows {what} on every port",
            consequence=(
                f"{who(subjects)} {verb} {what} on every port and protocol, although "
                + " and ".join(reasons)
            ),
            fix=(
                f"limit the rule to the peers and ports that need it, e.g.\n"
                f"- {side}:\n"
                f"    - podSelector: {{matchLabels: {{app: client}}}}\n"
                f"  ports:\n"
                f"    - {example}"
            ),
        )

"""PF030-PF035: ClusterNetworkPolicy findings, each decided by asking the engine.

The connections are those of `tier_samples` (every pod and sampled outside address to every
other a CNP applies to, on every port span that matters, per IP family); a rule's own match is
`Engine.cluster_rule_matches`, what decided is the verdict's `decided_by`/`passed`, and what
the namespaces' NetworkPolicies alone say is `Engine.network_policy_allows`. Above the work
limit the checks are skipped (PF015), like the redundancy check.

- PF030 cnp-shadowed-rule: a rule that matches some connection where its tier is consulted,
  yet never decides (nor passes) one: rules checked before it take them all;
- PF031 cnp-priority-conflict: a side whose outcomes differ because CNPs of one tier and
  priority disagree (reported once per pair of policies);
- PF032 cnp-pass-to-nothing: an Admin Pass none of whose passed connections meets a
  NetworkPolicy (a Baseline Pass: always, it ends in the default allow);
- PF033 baseline-overridden: a Baseline Deny all of whose matches are on pods NetworkPolicies
  isolate (so the Baseline tier is never reached for them);
- PF034 admin-accept-over-default-deny: an Admin Accept that decides a connection the pod's
  NetworkPolicies deny;
- PF035 cnp-dns-trap: a CNP Deny that decides a pod's DNS (UDP/TCP 53 to CoreDNS) against it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Sequence

from podfence.analysis.lint.catalogue import rule_info
from podfence.analysis.lint.context import LintContext
from podfence.analysis.lint.dns import DNS_PROTOCOLS, dns_port, dns_servers
from podfence.analysis.lint.finding import Finding, Level
from podfence.analysis.lint.tier_samples import Sample, decider, outcomes, reached, tier_samples
from podfence.analysis.lint.words import and_join, who
from podfence.engine import TierRule
from podfence.model import (
    Action,
    ClusterNetworkPolicy,
    ClusterRuleRef,
    Connection,
    Direction,
    Endpoint,
    Tier,
)

__all__ = ["TIER_RULES", "check_tiers"]

TIER_RULES = frozenset({"PF030", "PF031", "PF032", "PF033", "PF034", "PF035"})

_Key = tuple[str, Direction, int]
"""(CNP name, direction, rule index)."""


def _key(rule: TierRule) -> _Key:
    ref = rule.ref
    assert ref.rule is not None
    return (ref.policy, ref.direction, ref.rule)


def _label(ref: ClusterRuleRef) -> str:
    """`cnp/guard ingress[1] "deny-rest"` (rule level)."""
    return str(dataclasses.replace(ref, peer=None, protocol=None))


def _field(direction: Direction, index: int) -> str:
    return f"spec.{direction.rules_field}[{index}]"


def _conn(s: Sample) -> str:
    c = s.connection
    return f"{c.source} -> {c.destination} {c.port}/{c.protocol}"


class _Walk:
    """The samples, and per rule what happened to it."""

    def __init__(self, ctx: LintContext, samples: Sequence[Sample]) -> None:
        self.ctx = ctx
        self.samples = samples
        self.by_name = {p.name: p for p in ctx.cluster.cluster_policies}

    def rule_samples(
        self, policy: ClusterNetworkPolicy, direction: Direction, index: int
    ) -> Iterator[Sample]:
        """The samples of `direction` where the rule matches on its own."""
        engine = self.ctx.engine
        for s in self.samples:
            if s.direction is direction and engine.cluster_rule_matches(
                policy.key,
                direction,
                index,
                subject=s.subject,
                peer=s.peer,
                c=s.connection,
                family=s.family,
            ):
                yield s

    def rules(self) -> Iterator[tuple[ClusterNetworkPolicy, Direction, int]]:
        for policy in self.ctx.cluster.cluster_policies:
            for direction in Direction:
                for i in range(len(policy.rules(direction))):
                    yield policy, direction, i


def _shadowed(walk: _Walk) -> Iterator[Finding]:
    for policy, direction, i in walk.rules():
        used = False
        before: dict[str, None] = {}
        for s in walk.rule_samples(policy, direction, i):
            for o in outcomes(s.side):
                if not reached(o, policy.tier):
                    continue
                rule = decider(o, policy.tier)
                if rule is not None and _key(rule) == (policy.name, direction, i):
                    used = True
                    break
                if rule is not None:
                    before[_label(rule.ref)] = None
            if used:
                break
        if used or not before:
            continue
        ref = ClusterRuleRef(policy.name, direction, i, policy.rules(direction)[i].name)
        earlier = and_join(list(before))
        yield walk.ctx.cluster_policy_finding(
            "PF030",
            policy,
            _field(direction, i),
            message=f"{_label(ref)} never decides: {earlier} decides everything it matches first",
            consequence=(
                f"its {policy.rules(direction)[i].action} has no effect: every connection it "
                f"matches is decided by {earlier}, checked before it in the {policy.tier} tier"
            ),
            fix=(
                "move the rule before the rules that take its connections (or give its policy "
                "a lower priority number), or remove it"
            ),
        )


def _conflicts(walk: _Walk) -> Iterator[Finding]:
    seen: set[frozenset[str]] = set()
    for s in walk.samples:
        if not s.side.alternatives:
            continue
        rules: dict[str, TierRule] = {}
        for o in outcomes(s.side):
            for tier in Tier:
                rule = decider(o, tier)
                if rule is not None:
                    rules.setdefault(rule.ref.policy, rule)
        by_level: dict[tuple[Tier, int], list[TierRule]] = {}
        for rule in rules.values():
            by_level.setdefault((rule.tier, rule.priority), []).append(rule)
        for (tier, priority), same in by_level.items():
            if len({r.effect for r in same}) < 2:
                continue
            names = frozenset(r.ref.policy for r in same)
            if names in seen:
                continue
            seen.add(names)
            first = walk.by_name[min(names)]
            what = and_join([f"{_label(r.ref)} ({r.action})" for r in same])
            yield walk.ctx.cluster_policy_finding(
                "PF031",
                first,
                "spec.priority",
                message=(
                    f"{and_join(sorted(f'cnp/{n}' for n in names))} share {tier} priority "
                    f"{priority} and disagree (e.g. on {_conn(s)})"
                ),
                consequence=(
                    f"{what} all match it; upstream leaves their order undefined, so an "
                    "implementation may apply either: podfence reports it denied unless every "
                    "order allows"
                ),
                fix="give the policies different priorities (the one to win: the lower number)",
            )


def _passes(walk: _Walk) -> Iterator[Finding]:
    passed: dict[_Key, list[Sample]] = {}
    met: set[_Key] = set()
    for s in walk.samples:
        for o in outcomes(s.side):
            for rule in o.passed:
                key = _key(rule)
                passed.setdefault(key, []).append(s)
                if rule.tier is Tier.ADMIN and o.isolated:
                    met.add(key)
    for (name, direction, i), samples in passed.items():
        if (name, direction, i) in met:
            continue
        policy = walk.by_name[name]
        ref = ClusterRuleRef(name, direction, i, policy.rules(direction)[i].name)
        pods = sorted({s.subject.id for s in samples})
        if policy.tier is Tier.ADMIN:
            yield walk.ctx.cluster_policy_finding(
                "PF032",
                policy,
                _field(direction, i),
                message=f"{_label(ref)} passes to namespace owners who have no {direction} policy",
                consequence=(
                    f"no NetworkPolicy isolates {and_join(pods)} for {direction}: what the rule "
                    "passes falls through to the Baseline tier, or is allowed"
                ),
                fix=(
                    "add NetworkPolicies for these pods (the Pass delegates to them), or decide "
                    "in the Admin tier with Accept or Deny"
                ),
            )
        else:
            yield walk.ctx.cluster_policy_finding(
                "PF032",
                policy,
                _field(direction, i),
                message=f"{_label(ref)} is a Baseline Pass: it allows what it matches",
                consequence=(
                    "below the Baseline tier there is only the default, allow: the Pass skips "
                    f"the rest of the Baseline tier for {and_join(pods)}"
                ),
                fix="write Accept if that is the intent (same effect, clearer)",
                level=Level.INFO,
            )


def _overridden(walk: _Walk) -> Iterator[Finding]:
    for policy, direction, i in walk.rules():
        rule = policy.rules(direction)[i]
        if policy.tier is not Tier.BASELINE or rule.action is not Action.DENY:
            continue
        matched = list(walk.rule_samples(policy, direction, i))
        if not matched or not all(o.isolated for s in matched for o in outcomes(s.side)):
            continue
        by = sorted({k for s in matched for k in s.side.selected_by})
        pods = sorted({s.subject.id for s in matched})
        ref = ClusterRuleRef(policy.name, direction, i, rule.name)
        yield walk.ctx.cluster_policy_finding(
            "PF033",
            policy,
            _field(direction, i),
            message=f"{_label(ref)} never applies: NetworkPolicies isolate every pod it matches",
            consequence=(
                f"{and_join(pods)} {'is' if len(pods) == 1 else 'are'} isolated for "
                f"{direction} by {and_join(by)}; the NetworkPolicy tier decides all of its "
                "connections and the Baseline tier is never reached"
            ),
            fix="keep it as a guardrail for pods to come, or remove it",
        )


def _punches(walk: _Walk) -> Iterator[Finding]:
    engine = walk.ctx.engine
    found: dict[_Key, list[tuple[Sample, tuple[str, ...]]]] = {}
    for s in walk.samples:
        rule = s.side.decided_by
        if rule is None or rule.tier is not Tier.ADMIN or rule.effect is not Action.ACCEPT:
            continue
        if not s.side.isolated:
            continue
        if engine.network_policy_allows(
            s.direction, subject=s.subject, peer=s.peer, c=s.connection, family=s.family
        ):
            continue
        found.setdefault(_key(rule), []).append((s, s.side.selected_by))
    for (name, direction, i), hits in found.items():
        policy = walk.by_name[name]
        ref = ClusterRuleRef(name, direction, i, policy.rules(direction)[i].name)
        namespaces = sorted({s.subject.namespace for s, _ in hits})
        by = sorted({k for _, keys in hits for k in keys})
        example = hits[0][0]
        yield walk.ctx.cluster_policy_finding(
            "PF034",
            policy,
            _field(direction, i),
            message=(
                f"{_label(ref)} punches through the default deny of "
                f"{'namespace' if len(namespaces) == 1 else 'namespaces'} {and_join(namespaces)}"
            ),
            consequence=(
                f"it accepts connections {and_join(by)} deny (e.g. {_conn(example)}); an Admin "
                "Accept is final, so those NetworkPolicies are not consulted"
            ),
            fix=(
                "if intended, say so to the namespace owners (their policies do not show it); "
                "otherwise narrow the rule's peers or protocols, or use Pass"
            ),
        )


def _dns(walk: _Walk) -> Iterator[Finding]:
    ctx, engine = walk.ctx, walk.ctx.engine
    servers = dns_servers(ctx.cluster)
    found: dict[_Key, tuple[dict[str, Endpoint], dict[str, None]]] = {}
    for client in ctx.cluster.endpoints:
        if client.host_network or client in servers:
            continue
        for proto in DNS_PROTOCOLS:
            for server in servers:
                asked = Connection(client, server, dns_port(server, proto), proto)
                for family in engine.families(asked):
                    v = engine.evaluate(dataclasses.replace(asked, family=family))
                    for side in (v.egress, v.ingress):
                        rule = side.decided_by
                        if side.allowed or rule is None or rule.effect is not Action.DENY:
                            continue
                        clients, protos = found.setdefault(_key(rule), ({}, {}))
                        clients[client.id] = client
                        protos[f"{proto} {asked.port}"] = None
    for (name, direction, i), (clients, protos) in found.items():
        policy = walk.by_name[name]
        ref = ClusterRuleRef(name, direction, i, policy.rules(direction)[i].name)
        pods = list(clients.values())
        admin = policy.tier is Tier.ADMIN
        yield walk.ctx.cluster_policy_finding(
            "PF035",
            policy,
            _field(direction, i),
            message=f"{_label(ref)} blocks DNS ({and_join(list(protos))}) for {len(pods)} "
            f"{'pod' if len(pods) == 1 else 'pods'}",
            consequence=(
                f"{who(pods)} cannot resolve names: {_label(ref)} denies "
                f"{and_join(list(protos))} to {and_join([s.id for s in servers])}"
                + (
                    "; an Admin Deny is final, no NetworkPolicy can re-open it"
                    if admin
                    else "; a NetworkPolicy that allows DNS would override this Baseline Deny"
                )
            ),
            fix=(
                "add an Accept rule for DNS before it (earlier in the policy, or a policy with "
                "a lower priority number):\n"
                "  - name: allow-dns\n"
                "    action: Accept\n"
                f"    {'to' if direction is Direction.EGRESS else 'from'}:\n"
                "      - pods:\n"
                "          namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: "
                "kube-system}}\n"
                "          podSelector: {matchLabels: {k8s-app: kube-dns}}\n"
                "    protocols: [{udp: {destinationPort: {number: 53}}}, "
                "{tcp: {destinationPort: {number: 53}}}]"
                if admin
                else "allow DNS in the namespaces' NetworkPolicies, or accept it in the Baseline"
            ),
            level=None if admin else Level.WARNING,
        )


def check_tiers(ctx: LintContext, limit: int) -> Iterator[Finding]:
    if not ctx.cluster.cluster_policies:
        return
    samples = tier_samples(ctx, limit)
    if isinstance(samples, int):
        info = rule_info("PF015")
        first = min(ctx.cluster.cluster_policies, key=lambda p: (p.location.file, p.location.line))
        yield ctx.cluster_policy_finding(
            "PF015",
            first,
            None,
            message=f"the ClusterNetworkPolicy checks (PF030-PF035) were skipped: "
            f"at least {samples} connections to evaluate, above the limit of {limit}",
            consequence="shadowed, conflicting and DNS-blocking CNP rules are not reported",
            fix=f"raise the limit (--max-work) to run them; {info.summary}",
        )
        return
    walk = _Walk(ctx, samples)
    yield from _shadowed(walk)
    yield from _conflicts(walk)
    yield from _passes(walk)
    yield from _overridden(walk)
    yield from _punches(walk)
    yield from _dns(walk)

"""Peers that select nothing: PF003 (namespaceSelector), PF004 (podSelector in the wrong
namespace) and PF007 (any other peer that matches nothing), never two for one peer."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from podfence.analysis.lint.context import LintContext, PeerSite
from podfence.analysis.lint.finding import Finding, Level
from podfence.analysis.lint.words import (
    and_join,
    made_by_operators,
    operator_note,
    selector_text,
    selector_yaml,
    unknown_resources_note,
    who,
    yaml_scalar,
)
from podfence.analysis.operators import OperatorPod
from podfence.model import (
    NAME_LABEL,
    Direction,
    Endpoint,
    LabelSelector,
    Namespace,
    Operator,
    Peer,
)

__all__ = ["check_peers", "label_arguments", "misplaced_pods"]


def _subjects(ctx: LintContext, ps: PeerSite) -> str:
    pods = ctx.selected(ps.policy, ps.site.direction)
    return who(pods) if pods else f"the pods {ps.policy.key} selects"


def _blocked(ctx: LintContext, ps: PeerSite, others: Sequence[Endpoint]) -> str:
    """`X cannot reach Y` with X and Y set by the rule's direction."""
    if ps.site.direction is Direction.INGRESS:
        return f"{who(others)} cannot reach {_subjects(ctx, ps)}"
    return f"{_subjects(ctx, ps)} cannot reach {who(others)}"


def _name_hints(
    ctx: LintContext, selector: LabelSelector
) -> list[tuple[Namespace, list[tuple[str, str]]]]:
    """Namespaces (of the input, or that every cluster has) named like a value the selector
    asks for, with the labels the selector asks of them."""
    wanted: list[tuple[str, str]] = list(selector.match_labels)
    for req in selector.match_expressions:
        if req.operator is Operator.IN:
            wanted += [(req.key, v) for v in req.values]
    hints: list[tuple[Namespace, list[tuple[str, str]]]] = []
    for _, value in wanted:
        ns = ctx.known_namespace(value)
        if ns is None or any(h[0].name == ns.name for h in hints):
            continue
        labels = ctx.namespace_labels.get(ns.name, {})
        lacking = [(k, v) for k, v in selector.match_labels if labels.get(k) != v]
        hints.append((ns, lacking or [(k, value) for k, v in wanted if v == value]))
    return hints


def label_arguments(selector: LabelSelector) -> list[str]:
    """`key=value` arguments of `kubectl label` that give a namespace labels the selector
    asks for: its matchLabels, the first value of each `In`, a placeholder for `Exists`
    (`NotIn` and `DoesNotExist` ask for no label)."""
    args = [f"{k}={v}" for k, v in selector.match_labels]
    for req in selector.match_expressions:
        if req.operator is Operator.IN and req.values:
            args.append(f"{req.key}={req.values[0]}")
        elif req.operator is Operator.EXISTS:
            args.append(f"{req.key}=VALUE")
    return args


def _by_name(names: Sequence[str]) -> str:
    """The namespaceSelector that selects these namespaces by their name label."""
    if len(names) == 1:
        return f"{{matchLabels: {{{NAME_LABEL}: {yaml_scalar(names[0])}}}}}"
    values = ", ".join(yaml_scalar(n) for n in names)
    return f"{{matchExpressions: [{{key: {NAME_LABEL}, operator: In, values: [{values}]}}]}}"


def _unknown_labels(ctx: LintContext, ns: Namespace) -> str:
    if ctx.is_well_known_absent(ns):
        return (
            f"namespace {ns.name} exists in every cluster but the input does not define it, so "
            f"its labels beyond {NAME_LABEL} are unknown"
        )
    return f"namespace {ns.name} is not defined in the input, so its labels are unknown"


def _check_namespace_selector(ctx: LintContext, ps: PeerSite) -> Finding | None:
    selector = ps.peer.namespace_selector
    if selector is None or selector.is_empty or ctx.namespaces_matching(selector, well_known=True):
        return None
    hints = _name_hints(ctx, selector)
    field = f"{ps.field}.namespaceSelector"
    known = [(ns, lacking) for ns, lacking in hints if not ctx.labels_unknown(ns)]
    unknown = [(ns, lacking) for ns, lacking in hints if ctx.labels_unknown(ns)]
    commands = "\n".join(
        f"kubectl label namespace {ns.name} " + " ".join(f"{k}={v}" for k, v in lacking)
        for ns, lacking in hints
    )
    if known:
        names = [ns.name for ns, _ in hints]
        # what the peer would match if those namespaces had the labels: its podSelector (or
        # every pod) in each of them
        in_there = Peer(pod_selector=ps.peer.pod_selector or LabelSelector())
        found = {ep.id for name in names for ep in ctx.would_match(in_there, name)}
        others = [ep for ep in ctx.cluster.endpoints if ep.id in found]
        lacks = and_join(
            [
                f"namespace {ns.name} exists but has no label "
                + and_join([f"{k}={v}" for k, v in lacking])
                for ns, lacking in known
            ]
            + [_unknown_labels(ctx, ns) for ns, _ in unknown]
        )
        consequence = f"the peer allows nothing: {lacks}"
        if others:
            consequence += f", so {_blocked(ctx, ps, others)}"
        fix = (
            f"label the namespace:\n{commands}\n"
            f"or select it by name (every namespace has this label):\n"
            f"namespaceSelector: {_by_name(names)}"
        )
        level = Level.ERROR
    elif unknown:
        names = [ns.name for ns, _ in unknown]
        asked = and_join(
            [
                f"{ns.name} carries {and_join([f'{k}={v}' for k, v in lacking])}"
                for ns, lacking in unknown
            ]
        )
        consequence = (
            f"the peer allows nothing unless {asked}: "
            + and_join([_unknown_labels(ctx, ns) for ns, _ in unknown])
            + f" (a namespace has only {NAME_LABEL} unless someone labels it)"
        )
        fix = (
            f"select it by name (every namespace has this label):\n"
            f"namespaceSelector: {_by_name(names)}\n"
            f"or make sure the namespace has the label:\n{commands}"
        )
        level = Level.WARNING
    else:
        unknown_ns = [ns.name for ns in ctx.cluster.namespaces if ctx.labels_unknown(ns)]
        consequence = (
            f"the peer allows nothing: no namespace in the input has the labels "
            f"{selector_text(selector)} (if it exists outside this input, it needs them)"
        )
        if unknown_ns:
            consequence += (
                f"; the labels of {and_join(unknown_ns)} are unknown (not defined in the input)"
            )
        args = label_arguments(selector)
        by_name = f"select it by name: namespaceSelector: {{matchLabels: {{{NAME_LABEL}: NAME}}}}"
        if args:
            fix = (
                f"label the namespace you mean (kubectl label namespace NAME {' '.join(args)}), "
                f"or {by_name}"
            )
        else:
            fix = by_name
        level = Level.WARNING
    return ctx.policy_finding(
        "PF003",
        ps.policy,
        field,
        message=f"namespaceSelector {selector_text(selector)} selects no namespace",
        consequence=consequence,
        fix=fix,
        level=level,
    )


def _operator_matches(
    ctx: LintContext, ps: PeerSite, namespaces: Sequence[str]
) -> list[OperatorPod]:
    """The operator-created pods of `namespaces` that the peer matches (by the engine)."""
    return [
        p
        for p in ctx.operator_pods_in(namespaces)
        if ctx.engine.peer_matches(ps.policy, ps.peer, p.endpoint)
    ]


def misplaced_pods(ctx: LintContext, ps: PeerSite) -> tuple[Endpoint, ...]:
    """For a podSelector-only peer that matches nothing in the policy's namespace: the pods
    of other namespaces with those labels (empty otherwise)."""
    peer = ps.peer
    selector = peer.pod_selector
    if (
        selector is None
        or selector.is_empty
        or peer.namespace_selector is not None
        or peer.ip_block is not None
        or ctx.peer_endpoints(ps.policy, peer)
        or _operator_matches(ctx, ps, [ps.policy.namespace])
    ):
        return ()
    anywhere = Peer(pod_selector=selector, namespace_selector=LabelSelector())
    return tuple(
        ep
        for ep in ctx.would_match(anywhere, ps.policy.namespace)
        if ep.namespace != ps.policy.namespace
    )


def _check_wrong_namespace(ctx: LintContext, ps: PeerSite) -> Finding | None:
    elsewhere = misplaced_pods(ctx, ps)
    if not elsewhere or ps.peer.pod_selector is None:
        return None
    selector = ps.peer.pod_selector
    names = sorted({ep.namespace for ep in elsewhere})
    if len(names) == 1:
        ns_yaml = f"{{matchLabels: {{{NAME_LABEL}: {yaml_scalar(names[0])}}}}}"
    else:
        values = ", ".join(yaml_scalar(n) for n in names)
        ns_yaml = f"{{matchExpressions: [{{key: {NAME_LABEL}, operator: In, values: [{values}]}}]}}"
    return ctx.policy_finding(
        "PF004",
        ps.policy,
        f"{ps.field}.podSelector",
        message=(
            f"podSelector {selector_text(selector)} matches no pod in namespace "
            f"{ps.policy.namespace}, only in {and_join(names)}"
        ),
        consequence=(
            f"{_blocked(ctx, ps, elsewhere)}: a podSelector without namespaceSelector only "
            f"selects pods of the policy's own namespace ({ps.policy.namespace})"
        ),
        fix=(
            "select their namespace in the same item (both selectors in one item = AND):\n"
            f"- podSelector: {selector_yaml(selector)}\n"
            f"  namespaceSelector: {ns_yaml}"
        ),
    )


def _label_values(pods: Sequence[Endpoint], selector: LabelSelector) -> str:
    parts = []
    for key in sorted(selector.keys):
        values = sorted({dict(ep.labels)[key] for ep in pods if key in dict(ep.labels)})
        if values:
            parts.append(f"{key}: {', '.join(values)}")
        else:
            parts.append(f"no {key} label")
    return "; ".join(parts)


def _check_matches_nothing(ctx: LintContext, ps: PeerSite) -> Finding | None:
    peer = ps.peer
    if peer.ip_block is not None:
        block = peer.ip_block
        if ctx.engine.resolver.block(block):
            return None
        return ctx.policy_finding(
            "PF007",
            ps.policy,
            f"{ps.field}.ipBlock",
            message=f"ipBlock {block} matches no address",
            consequence="the peer allows nothing: its except entries together cover the CIDR",
            fix="remove the except entries that cover the CIDR, or remove the peer",
        )
    if ctx.peer_endpoints(ps.policy, peer):
        return None
    if peer.namespace_selector is None:
        namespaces = [ps.policy.namespace]
    else:
        namespaces = [ns.name for ns in ctx.namespaces_matching(peer.namespace_selector)]
    candidates = [ep for name in namespaces for ep in ctx.endpoints_in(name) if not ep.host_network]
    selector = peer.pod_selector
    if not candidates or selector is None:
        return None
    where = (
        f"namespace {namespaces[0]}"
        if len(namespaces) == 1
        else (f"namespaces {and_join(namespaces)}")
    )
    made = _operator_matches(ctx, ps, namespaces)
    if made:
        return ctx.policy_finding(
            "PF007",
            ps.policy,
            f"{ps.field}.podSelector",
            message=(
                f"podSelector {selector_text(selector)} matches no pod of {where} in the input, "
                f"but it matches {made_by_operators(made)}"
            ),
            consequence=(
                f"the peer {ps.site.direction.peers_field}[{ps.index}] allows those pods once "
                f"the operator runs them: {operator_note()}"
            ),
            fix=(
                "nothing to fix if these are the pods meant; to check them like any pod, add "
                f"them to the input (kubectl get pods -n {made[0].endpoint.namespace} -o yaml)"
            ),
            level=Level.INFO,
        )
    unknown = [r for name in namespaces for r in ctx.unknown_resources(name)]
    note = unknown_resources_note(unknown, namespaces[0]) if len(namespaces) == 1 else ""
    return ctx.policy_finding(
        "PF007",
        ps.policy,
        f"{ps.field}.podSelector",
        message=f"podSelector {selector_text(selector)} matches no pod in {where}",
        consequence=(
            f"the peer {ps.site.direction.peers_field}[{ps.index}] allows nothing: no pod of "
            f"{where} has the labels {selector_text(selector)}{note}"
        ),
        fix=(
            f"fix the selector or the pods' labels; pods there have "
            f"{_label_values(candidates, selector)}"
        ),
    )


def check_peers(ctx: LintContext) -> Iterator[Finding]:
    for ps in ctx.peer_sites():
        for check in (_check_namespace_selector, _check_wrong_namespace, _check_matches_nothing):
            found = check(ctx, ps)
            if found is not None:
                yield found
                break

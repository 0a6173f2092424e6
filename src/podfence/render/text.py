"""Text for people: verdicts, policy accounts, matrices, diagnostics."""

from __future__ import annotations

from collections.abc import Sequence

from podfence.analysis.explain import (
    DirectionAccount,
    Isolation,
    PeerAccount,
    PodAccount,
    PolicyAccount,
)
from podfence.analysis.matrix import Matrix, PortMatrix
from podfence.analysis.named_ports import NamedPort, NamedPortMatrix, Query, QueryMatrix, port_names
from podfence.engine import DirectionVerdict, Miss, NearMiss, PeerMiss, Reason, Verdict
from podfence.model import Cluster, Diagnostic, Direction, Endpoint, Party
from podfence.render.phrases import peer_phrase, ports_phrase, selector_phrase
from podfence.render.tiers import tiered_side
from podfence.render.words import count

__all__ = [
    "near_miss_text",
    "render_account",
    "render_accounts",
    "render_diagnostics",
    "render_matrix",
    "render_query",
    "render_pod_account",
    "render_verdict",
    "validated_summary",
]

_MISS = {
    Miss.PORT: "the peer matched, the port or protocol did not",
    Miss.NAMED_PORT: "the peer matched, but the named port is not defined on the destination",
    Miss.PEER: "the port matched, the peer did not",
    Miss.NO_RULES: "the policy has no rule for this direction: it only isolates",
}

_PEER_MISS = {
    PeerMiss.NOT_A_POD: "it selects pods, and the other side is an address outside the cluster",
    PeerMiss.HOST_NETWORK: "pod and namespace selectors never match a hostNetwork pod",
    PeerMiss.OTHER_NAMESPACE: (
        "a podSelector alone selects pods of the policy's own namespace only"
    ),
    PeerMiss.NAMESPACE_SELECTS_NONE: "its namespaceSelector selects no namespace in the input",
    PeerMiss.NAMESPACE_NOT_SELECTED: (
        "its namespaceSelector does not select the other side's namespace"
    ),
    PeerMiss.POD_LABELS: (
        "the namespace fits, its podSelector does not match the other side's labels"
    ),
    PeerMiss.NO_ADDRESS: (
        "an ipBlock matches addresses, and the other side's address (of this IP family) is "
        "not in the input"
    ),
    PeerMiss.OUTSIDE_BLOCK: "the address is outside its ipBlock",
    PeerMiss.EXCEPTED: "the address is inside its ipBlock, in an except",
}


def near_miss_text(miss: NearMiss) -> str:
    """`the port matched, the peer did not: from[0]: its namespaceSelector selects ...`."""
    text = _MISS[miss.miss]
    if miss.peers:
        field = miss.ref.direction.peers_field
        text += ": " + "; ".join(f"{field}[{i}]: {_PEER_MISS[p]}" for i, p in enumerate(miss.peers))
    return text


def _misses(v: DirectionVerdict, pad: str = "    ") -> list[str]:
    if not v.near_misses:
        return []
    return [f"{pad}closest rules:"] + [
        f"{pad}  {m.ref}: {near_miss_text(m)}" for m in v.near_misses
    ]


def _side(v: DirectionVerdict) -> list[str]:
    if v.tiers:
        return tiered_side(v, _misses)
    what = "egress of" if v.direction is Direction.EGRESS else "ingress of"
    head = f"  {what} {v.party}: "
    match v.reason:
        case Reason.SELF:
            return [head + "allowed: a pod may always reach itself"]
        case Reason.OUTSIDE:
            return [head + "allowed: outside the cluster, no policy applies"]
        case Reason.HOST_NETWORK:
            return [head + "allowed: hostNetwork pod, NetworkPolicies do not apply to it"]
        case Reason.NOT_ISOLATED:
            return [head + f"allowed: not isolated (no policy selects it for {v.direction})"]
        case Reason.ALLOWED_BY_RULE:
            lines = [head + f"allowed (isolated by {', '.join(v.selected_by)})"]
            lines += [f"    allowed by {ref}" for ref in v.allowed_by]
            return lines
        case Reason.DENIED:
            lines = [head + f"DENIED: isolated by {', '.join(v.selected_by)}, no rule allows it"]
            return lines + _misses(v)
    raise AssertionError(v.reason)  # pragma: no cover


def _word(verdict: Verdict) -> str:
    return "ALLOWED" if verdict.allowed else "DENIED"


def _head(verdict: Verdict, ports: str | None) -> str:
    """`a -> b 80/TCP`, or with `ports` how the port is said (`on every TCP port`)."""
    c = verdict.connection
    if ports is None:
        return str(c)
    over = f" over IPv{c.family}" if c.family is not None else ""
    return f"{c.source} -> {c.destination} {ports}{over}"


def render_verdict(verdict: Verdict, *, ports: str | None = None) -> str:
    """The answer and both sides; when the answer differs between the IP families the two
    parties can use, the answer of each family and its sides (allowed only if every family
    allows it). `ports`: how to say the port when the verdict stands for several (the
    report's port classes), instead of the connection's own number."""
    head = _head(verdict, ports)
    if not verdict.by_family:
        lines = [f"{head}: {_word(verdict)}"]
        lines += _side(verdict.egress)
        lines += _side(verdict.ingress)
        return "\n".join(lines) + "\n"
    each = ", ".join(f"over IPv{v.connection.family}: {_word(v)}" for v in verdict.by_family)
    lines = [f"{head}: {_word(verdict)} ({each})"]
    for v in verdict.by_family:
        lines.append(f"over IPv{v.connection.family}: {_word(v)}")
        lines += _side(v.egress)
        lines += _side(v.ingress)
    return "\n".join(lines) + "\n"


def _direction(acc: DirectionAccount, policy_namespace: str) -> list[str]:
    name = acc.direction.value
    if not acc.isolates:
        line = f"  {name}: not affected (policyTypes does not list {name})"
        if acc.ignored_rules:
            rules = count(acc.ignored_rules, f"{acc.direction.rules_field} rule")
            verb = "is" if acc.ignored_rules == 1 else "are"
            line += f"; its {rules} {verb} IGNORED"
        return [line]
    if not acc.rules:
        return [f"  {name}: isolates the selected pods and allows nothing (deny all {name})"]
    side = "from" if acc.direction is Direction.INGRESS else "to"
    lines = [f"  {name}: isolates the selected pods; allowed is any ONE of these rules (OR):"]
    for rule in acc.rules:
        if not rule.peers:
            who = f"{side} anywhere (every pod of every namespace and every address)"
        else:
            who = f"{side} " + ", OR ".join(
                f"[{p.ref.peer}] {peer_phrase(p.peer, policy_namespace)}" for p in rule.peers
            )
        lines.append(f"    {rule.ref.field}: {who}, {ports_phrase(rule.ports)}")
        for p in rule.peers:
            lines.append(f"      [{p.ref.peer}] matches: {_matches(p)}")
    return lines


def _matches(account: PeerAccount) -> str:
    """What a peer matches: the endpoints of the input; for an ipBlock, its range first."""
    block = account.peer.ip_block
    pods = ", ".join(account.matched)
    if block is None or account.addresses is None:
        return pods or "nothing in the input"
    if not account.addresses:
        return "no address at all: its except entries cover the cidr"
    excepts = ", ".join(str(e) for e in block.excepts)
    where = f"addresses {block.cidr}" + (f" except {excepts}" if excepts else "")
    outside = "parties outside the cluster with those addresses"
    if pods:
        return f"{where} ({outside}, and the pods of the input with one: {pods})"
    return f"{where} ({outside}; no pod of the input has one)"


def render_accounts(accounts: Sequence[PolicyAccount], *, tiered: bool = False) -> str:
    """Every policy's account; with none (and no ClusterNetworkPolicy: `tiered`), that
    nothing isolates any pod."""
    if not accounts and not tiered:
        return (
            "No NetworkPolicy in the input: every pod is open. Nothing isolates any pod, so "
            "each accepts connections from everywhere and can reach everything, on every port.\n"
        )
    return "\n".join(render_account(a) for a in accounts)


def render_account(acc: PolicyAccount) -> str:
    pol = acc.policy
    sel = pol.pod_selector
    who = (
        f"every pod in namespace {pol.namespace}"
        if sel.is_empty
        else f"pods with {selector_phrase(sel)} in namespace {pol.namespace}"
    )
    lines = [f"NetworkPolicy {pol.key} ({pol.location})", f"  selects {who}"]
    lines.append(
        "  selected: " + (", ".join(acc.selected) if acc.selected else "nothing in the input")
    )
    types = ", ".join(d.value for d in Direction if d in pol.policy_types)
    note = " (defaulted: policyTypes was not set)" if pol.policy_types_defaulted else ""
    lines.append(f"  policyTypes: {types}{note}")
    lines += _direction(acc.ingress, pol.namespace)
    lines += _direction(acc.egress, pol.namespace)
    return "\n".join(lines) + "\n"


def render_pod_account(acc: PodAccount) -> str:
    """What applies to a pod, direction by direction, then each selecting policy."""
    ep = acc.endpoint
    lines = [f"{ep.kind} {ep.id}"]
    for side in (acc.ingress, acc.egress):
        d = side.direction
        match side.isolation:
            case Isolation.HOST_NETWORK:
                lines.append(f"  {d}: hostNetwork pod, NetworkPolicies do not apply")
            case Isolation.ISOLATED:
                lines.append(f"  {d}: isolated by {', '.join(side.selected_by)}")
            case Isolation.NOT_ISOLATED:
                lines.append(f"  {d}: not isolated (no policy selects it): all {d} allowed")
    header = "\n".join(lines) + "\n"
    body = "\n".join(render_account(a) for a in acc.policies)
    return header + ("\n" if body else "") + body


def _resolution(pm: NamedPortMatrix) -> list[str]:
    """Where a named port resolved to which numbers, and where it is not defined."""
    by_numbers: dict[tuple[int, ...], list[int]] = {}
    for j, numbers in enumerate(pm.resolved):
        by_numbers.setdefault(numbers, []).append(j)
    parts = [
        f"{', '.join(map(str, numbers))} on {', '.join(f'[{j}]' for j in columns)}"
        for numbers, columns in sorted(by_numbers.items())
        if numbers
    ]
    lines = [f"  {pm.port} is " + ("; ".join(parts) if parts else "defined on no endpoint")]
    if pm.undefined:
        columns = ", ".join(f"[{j}]" for j in pm.undefined)
        lines.append(f"  not defined on {columns}: no such port there, so those columns are denied")
    return lines


def render_matrix(matrix: Matrix | QueryMatrix) -> str:
    ids = matrix.endpoints
    width = max((len(i) for i in ids), default=4)
    out: list[str] = []
    grid: PortMatrix | NamedPortMatrix
    for grid in matrix.matrices:
        if isinstance(grid, NamedPortMatrix):
            title = f"{grid.port} (named port)"
        else:
            title = f"{grid.port}/{grid.protocol}"
        out.append(f"{title}  (row: source, column: destination)")
        out.append(" " * width + "  " + " ".join(str(j) for j in range(len(ids))))
        for i, (ident, row) in enumerate(zip(ids, grid.allowed, strict=True)):
            cells = " ".join(("." if ok else "X").rjust(len(str(j))) for j, ok in enumerate(row))
            out.append(f"{ident.ljust(width)}  {cells}   [{i}]")
        out.append("  . allowed   X denied")
        if isinstance(grid, NamedPortMatrix):
            out += _resolution(grid)
        out.append("")
    return "\n".join(out)


def _names(party: Party) -> str:
    if not isinstance(party, Endpoint):
        return "it is outside the cluster"
    names = port_names(party)
    return f"it names {', '.join(names)}" if names else "it names no port"


def render_query(query: Query) -> str:
    """`can`'s answer: the verdict itself for a number; for a name, what it resolved to and
    the verdict on each number (or why there is none)."""
    if not isinstance(query.port, NamedPort):
        return render_verdict(query.verdicts[0])
    head = f"{query.source} -> {query.destination} {query.port}"
    if not query.verdicts:
        return (
            f"{head}: DENIED\n"
            f"  {query.destination} has no container port named {query.port.name} for "
            f"{query.port.protocol} ({_names(query.destination)})\n"
        )
    word = "ALLOWED" if query.allowed else "DENIED"
    numbers = ", ".join(map(str, query.numbers))
    lines = [f"{head}: {word} (on {query.destination} the name means {numbers})"]
    return "\n".join(lines) + "\n" + "".join(render_verdict(v) for v in query.verdicts)


def render_diagnostics(diagnostics: Sequence[Diagnostic]) -> str:
    return "".join(f"{d}\n" for d in diagnostics)


def validated_summary(cluster: Cluster) -> str:
    """What a valid input holds: `2 namespaces, 3 pods/workloads, 2 policies`, then its
    ClusterNetworkPolicies and Nodes when it has any."""
    parts = [
        count(len(cluster.namespaces), "namespace"),
        count(len(cluster.endpoints), "pod/workload", "pods/workloads"),
        count(len(cluster.policies), "policy"),
    ]
    if cluster.cluster_policies:
        cnps = len(cluster.cluster_policies)
        parts.append(count(cnps, "ClusterNetworkPolicy", "ClusterNetworkPolicies"))
    if cluster.nodes:
        parts.append(count(len(cluster.nodes), "node"))
    return ", ".join(parts)

"""Plain-language phrases for selectors, peers and ports (shared by the text renderers)."""

from __future__ import annotations

from collections.abc import Sequence

from podfence.model import LabelSelector, Operator, Peer, PolicyPort, Requirement

__all__ = ["selector_phrase", "peer_phrase", "ports_phrase", "requirement_phrase"]


def requirement_phrase(req: Requirement) -> str:
    match req.operator:
        case Operator.IN:
            if len(req.values) == 1:
                return f"{req.key}={req.values[0]}"
            return f"{req.key} in ({', '.join(req.values)})"
        case Operator.NOT_IN:
            return f"{req.key} not in ({', '.join(req.values)}) or without {req.key}"
        case Operator.EXISTS:
            return f"any {req.key} label"
        case Operator.DOES_NOT_EXIST:
            return f"no {req.key} label"
    raise AssertionError(req.operator)  # pragma: no cover


def selector_phrase(selector: LabelSelector) -> str:
    """`app=web AND tier in (a, b)`; the empty selector is said by the caller."""
    return " AND ".join(requirement_phrase(r) for r in selector.requirements)


def peer_phrase(peer: Peer, policy_namespace: str) -> str:
    if peer.ip_block is not None:
        return f"addresses in {peer.ip_block}"
    if peer.pod_selector is None or peer.pod_selector.is_empty:
        pods = "every pod"
    else:
        pods = f"pods with {selector_phrase(peer.pod_selector)}"
    if peer.namespace_selector is None:
        where = f"in namespace {policy_namespace} (the policy's own)"
    elif peer.namespace_selector.is_empty:
        where = "in every namespace"
    else:
        where = f"in namespaces labelled {selector_phrase(peer.namespace_selector)}"
    both = pods != "every pod" and where.startswith("in namespaces labelled")
    joiner = " AND " if both else " "
    return f"{pods}{joiner}{where}"


def ports_phrase(ports: Sequence[PolicyPort]) -> str:
    if not ports:
        return "on every port and protocol"
    parts = []
    for p in ports:
        if p.port is None:
            parts.append(f"every {p.protocol} port")
        elif isinstance(p.port, str):
            parts.append(f"{p.protocol} port named {p.port!r}")
        elif p.end_port is not None:
            parts.append(f"{p.protocol} {p.port}-{p.end_port}")
        else:
            parts.append(f"{p.protocol} {p.port}")
    return "on " + " OR ".join(parts)

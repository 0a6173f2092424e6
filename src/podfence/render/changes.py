"""A semantic diff in words (`-o text`) and as data (`-o json`)."""

from __future__ import annotations

import dataclasses
from typing import Any

from podfence.analysis.diff import Change, ChangedCell, ChangeGroup, Diff
from podfence.engine import Reason
from podfence.model import ClusterRuleRef, Direction, RuleRef
from podfence.render.phrases import peer_phrase
from podfence.render.portset import probes_phrase
from podfence.render.words import count

__all__ = ["render_diff_text", "diff_data", "group_head", "group_why", "summary_line", "rule_text"]


def _names(items: tuple[str, ...]) -> str:
    return ", ".join(items)


def group_head(group: ChangeGroup, diff: Diff) -> str:
    """`default/web now reaches kube-system/coredns on TCP 53; UDP 53`."""
    ports = probes_phrase(group.ports, diff.probes)
    one = len(group.subjects) == 1
    now = "now" if group.change is Change.GAINED else "no longer"
    if group.side is Direction.EGRESS:
        verb = "reaches" if one else "reach"
        return f"{_names(group.subjects)} {now} {verb} {_names(group.peers)} on {ports}"
    verb = "accepts" if one else "accept"
    return f"{_names(group.subjects)} {now} {verb} {ports} from {_names(group.peers)}"


def rule_text(ref: RuleRef | ClusterRuleRef, diff: Diff, change: Change) -> str:
    """`ns/name egress[0].to[0] (every pod in namespaces labelled name=kube-system)`;
    `cnp/guard ingress[1] "deny-rest" (Admin Deny)` for a ClusterNetworkPolicy rule."""
    cluster = diff.new if change is Change.GAINED else diff.old
    if isinstance(ref, ClusterRuleRef):
        cnp = cluster.cluster_policy(ref.policy)
        if cnp is None or ref.rule is None:
            return str(ref)
        return f"{ref} ({cnp.tier} {cnp.rules(ref.direction)[ref.rule].action})"
    policy = cluster.policy(ref.policy)
    if policy is None or ref.rule is None:
        return str(ref)
    rule = policy.rules(ref.direction)[ref.rule]
    if ref.peer is None:
        who = "every peer" if not rule.peers else ""
    else:
        who = peer_phrase(rule.peers[ref.peer], policy.namespace)
    return f"{ref} ({who})" if who else str(ref)


def _isolated(cell: ChangedCell) -> str:
    if cell.now.decided_by is not None:
        rule = cell.now.decided_by
        ref = dataclasses.replace(rule.ref, peer=None, protocol=None)
        return f"denied by {ref} ({rule.tier} {rule.action})"
    if cell.now.reason is Reason.DENIED:
        return f"isolated by {', '.join(cell.now.selected_by)}"
    return "denied"


def group_why(group: ChangeGroup, diff: Diff, cell: ChangedCell | None = None) -> str:
    """`gained via <rules>`, or why no rule was needed (no policy isolates it any more)."""
    side = f"{group.side}".lower()
    if group.via:
        rules = "; ".join(rule_text(r, diff, group.change) for r in group.via)
        word = "gained via" if group.change is Change.GAINED else "was allowed by"
        text = f"{word} {rules}"
    elif group.change is Change.GAINED:
        text = f"gained: no policy isolates it for {side} any more"
        if cell is not None and cell.now.tiers:
            text = f"gained: no tier decides it for {side} any more (allowed by default)"
    else:
        text = f"was allowed: nothing isolated it for {side}"
    if cell is not None and cell.now.tiers and group.change is Change.GAINED:
        text += f"; was {_isolated(cell)}"
    if group.change is Change.LOST and cell is not None:
        text += f"; now {_isolated(cell)}"
    return text


def _first_cell(group: ChangeGroup, diff: Diff) -> ChangedCell | None:
    return next(
        (
            c
            for c in diff.cells
            if c.change is group.change and c.side is group.side and c.via == group.via
        ),
        None,
    )


def summary_line(diff: Diff) -> str:
    gained, lost = diff.connections(Change.GAINED), diff.connections(Change.LOST)
    if not gained and not lost:
        return "no change: both allow exactly the same connections"
    inside = sum("/" in party for party in diff.parties)  # outside: an address, no slash
    outside = len(diff.parties) - inside
    compared = count(inside, "pod/workload", "pods/workloads")
    if outside:
        compared += f" and {count(outside, 'outside address')}"
    return (
        f"{count(gained, 'connection')} gained, {lost} lost "
        f"(compared {compared} on {count(len(diff.probes), 'port class')})"
    )


def render_diff_text(diff: Diff) -> str:
    lines = [summary_line(diff)]
    for title, sign, groups in (("gained", "+", diff.gained), ("lost", "-", diff.lost)):
        if not groups:
            continue
        lines += ["", f"{title}:"]
        for g in groups:
            lines.append(f"  {sign} {group_head(g, diff)}")
            lines.append(f"      {group_why(g, diff, _first_cell(g, diff))}")
    return "\n".join(lines) + "\n"


def _cell_data(c: ChangedCell) -> dict[str, Any]:
    return {
        "change": c.change.value,
        "source": c.source,
        "destination": c.destination,
        "protocol": c.probe.protocol.value,
        "ports": str(c.probe.ports),
        "side": c.side.value,
        "via": [str(r) for r in c.via],
        "reason": c.reason.value,
    }


def diff_data(diff: Diff) -> dict[str, Any]:
    return {
        "gained": diff.connections(Change.GAINED),
        "lost": diff.connections(Change.LOST),
        "groups": [
            {
                "change": g.change.value,
                "side": g.side.value,
                "subjects": list(g.subjects),
                "peers": list(g.peers),
                "ports": probes_phrase(g.ports, diff.probes),
                "via": [str(r) for r in g.via],
                "reason": g.reason.value,
                "text": group_head(g, diff),
                "why": group_why(g, diff, _first_cell(g, diff)),
            }
            for g in diff.groups
        ],
        "cells": [_cell_data(c) for c in diff.cells],
    }

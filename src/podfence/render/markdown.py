"""A semantic diff as Markdown for a pull-request comment: a summary line, then tables."""

from __future__ import annotations

from podfence.analysis.diff import Change, ChangeGroup, Diff
from podfence.model import Direction
from podfence.render.changes import group_why, rule_text, summary_line
from podfence.render.portset import probes_phrase

__all__ = ["render_diff_markdown", "md_cell"]


def md_cell(text: str) -> str:
    """Text safe inside a table cell: pipes escaped, no line breaks."""
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def _code(items: tuple[str, ...]) -> str:
    return ", ".join(f"`{md_cell(i)}`" for i in items)


def _row(g: ChangeGroup, diff: Diff) -> str:
    verb = "reach" if g.side is Direction.EGRESS else "accept from"
    what = ("now " if g.change is Change.GAINED else "no longer ") + verb
    if g.via:
        why = "<br>".join(md_cell(rule_text(r, diff, g.change)) for r in g.via)
    else:
        why = md_cell(group_why(g, diff))
    cells = [_code(g.subjects), what, _code(g.peers), md_cell(probes_phrase(g.ports, diff.probes))]
    return "| " + " | ".join(cells + [why]) + " |"


def render_diff_markdown(diff: Diff) -> str:
    head = summary_line(diff)
    lines = [f"**podfence diff**: {head}"]
    for title, change in (("Gained", Change.GAINED), ("Lost", Change.LOST)):
        groups = [g for g in diff.groups if g.change is change]
        lines += ["", f"#### {title} ({diff.connections(change)})", ""]
        if not groups:
            lines.append("_none_")
            continue
        by = "Allowed by" if change is Change.GAINED else "Was allowed by"
        lines.append(f"| Who | Change | Peers | Ports | {by} |")
        lines.append("| --- | --- | --- | --- | --- |")
        lines += [_row(g, diff) for g in groups]
    return "\n".join(lines) + "\n"

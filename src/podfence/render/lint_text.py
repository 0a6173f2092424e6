"""Lint findings and the rule list as text for people; coloured with rich when asked."""

from __future__ import annotations

import io
from collections.abc import Sequence

from rich.console import Console
from rich.text import Text

from podfence.analysis.lint import Finding, Level, LintResult, RuleInfo
from podfence.analysis.summary import NamespaceSummary, Openness
from podfence.model import Direction

__all__ = ["posture_lines", "render_lint_text", "render_rules_text"]

_STYLE = {Level.ERROR: "bold red", Level.WARNING: "yellow", Level.INFO: "cyan"}


def _emit(lines: Sequence[Text], color: bool) -> str:
    if not color:
        return "".join(line.plain + "\n" for line in lines)
    buffer = io.StringIO()
    console = Console(
        file=buffer,
        force_terminal=True,
        color_system="standard",
        highlight=False,
        emoji=False,
        soft_wrap=True,
        width=200,
    )
    for line in lines:
        console.print(line)
    return buffer.getvalue()


def _block(label: str, body: str, style: str, indent: str) -> list[Text]:
    first, *rest = body.split("\n")
    lines = [Text.assemble((f"{indent}{label}: ", "dim"), (first, style))]
    lines += [Text(f"{indent}  {line}", style=style) for line in rest]
    return lines


def _finding(f: Finding) -> list[Text]:
    head = Text.assemble(
        (f"  {f.line}: ", "dim"),
        (str(f.level), _STYLE[f.level]),
        " ",
        (f"{f.rule} {f.slug}", "bold"),
        "  ",
        f.obj,
    )
    if f.field:
        head.append(f"  {f.field}", style="dim")
    indent = "      "
    lines = [head, Text(f"{indent}{f.message}")]
    lines += _block("consequence", f.consequence, "", indent)
    lines += _block("fix", f.fix, "green", indent)
    return lines


def _count(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 or word == "info" else "s")


def _openness(s: NamespaceSummary, direction: Direction) -> str:
    state = s.openness(direction)
    name = direction.value.lower()
    if state is Openness.PARTIAL:
        return f"{name} partial ({s.isolated(direction)} of {s.endpoints} isolated)"
    return f"{name} {state.value}"


def _reachable(ids: Sequence[str], limit: int = 6) -> str:
    if not ids:
        return "none"
    if len(ids) <= limit:
        return ", ".join(ids)
    return f"{', '.join(ids[:limit])} and {len(ids) - limit} more"


def posture_lines(posture: Sequence[NamespaceSummary]) -> list[Text]:
    """A few lines: per namespace, isolated or not per direction, and the endpoints that
    addresses outside the cluster can reach."""
    lines = [Text("posture (what NetworkPolicy lets through):", style="bold")]
    for s in posture:
        if not s.endpoints:
            lines.append(Text(f"  {s.namespace}: no pods in the input"))
            continue
        pods = f"{s.endpoints} pod{'/workload' if s.endpoints == 1 else 's/workloads'}"
        sides = ", ".join(_openness(s, d) for d in Direction)
        outside = _reachable(s.reachable_from_outside)
        lines.append(
            Text(f"  {s.namespace}: {pods}; {sides}; reachable from outside the cluster: {outside}")
        )
    return lines


def render_lint_text(
    result: LintResult,
    *,
    color: bool = False,
    posture: Sequence[NamespaceSummary] | None = None,
) -> str:
    """Findings grouped by file (in file order), the posture (when given), then a summary
    line."""
    lines: list[Text] = []
    current: str | None = None
    for f in result.findings:
        if f.file != current:
            if current is not None:
                lines.append(Text(""))
            lines.append(Text(f.file, style="bold underline"))
            current = f.file
        lines += _finding(f)
    counts = {level: sum(f.level is level for f in result.findings) for level in Level}
    if posture:
        if lines:
            lines.append(Text(""))
        lines += posture_lines(posture)
    if lines:
        lines.append(Text(""))
    if result.findings:
        summary = ", ".join(
            _count(counts[level], str(level)) for level in (Level.ERROR, Level.WARNING, Level.INFO)
        )
    else:
        summary = "no findings"
    if result.suppressed:
        summary += f" ({result.suppressed} suppressed by podfence.io/ignore)"
    lines.append(Text(summary, style="bold"))
    return _emit(lines, color)


def render_rules_text(rules: Sequence[RuleInfo], *, color: bool = False) -> str:
    """`--list-rules`: ID, slug, default level, summary and rationale."""
    width = max(len(r.slug) for r in rules)
    lines: list[Text] = []
    for r in rules:
        lines.append(
            Text.assemble(
                (r.id, "bold"),
                "  ",
                r.slug.ljust(width),
                "  ",
                (str(r.level).ljust(7), _STYLE[r.level]),
                "  ",
                r.summary,
            )
        )
        lines.append(Text(f"{' ' * (len(r.id) + 2)}{r.rationale}", style="dim"))
    return _emit(lines, color)

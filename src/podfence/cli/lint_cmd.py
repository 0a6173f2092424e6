"""`podfence lint`: find the mistakes that open or break a cluster. Thin: load, lint, render."""

from __future__ import annotations

import os
import sys

import click

from podfence.analysis.lint import (
    DEFAULT_WORK_LIMIT,
    RULES,
    Level,
    LintResult,
    parse_rule_list,
)
from podfence.analysis.lint import lint as run_lint
from podfence.analysis.summary import summarize
from podfence.cli.cluster_source import Live, cluster_options, load_input
from podfence.cli.common import (
    EXIT_FINDINGS,
    EXIT_OK,
    BadInput,
    input_options,
    load_with_positions,
    namespace_option,
    paths_argument,
)
from podfence.cli.progress import working
from podfence.engine import Engine
from podfence.load import LoadOptions
from podfence.render.lint_json import lint_data, rules_data
from podfence.render.lint_text import render_lint_text, render_rules_text
from podfence.render.sarif import render_sarif
from podfence.render.serialize import dump

__all__ = ["lint"]

_FAIL_ON = {"error": Level.ERROR, "warning": Level.WARNING, "info": Level.INFO}


def _use_color(choice: bool | None) -> bool:
    if choice is not None:
        return choice
    if os.environ.get("NO_COLOR"):
        return False
    return sys.stdout.isatty()


def _failed(result: LintResult, fail_on: str) -> bool:
    threshold = _FAIL_ON.get(fail_on)
    if threshold is None:
        return False
    return any(f.level.rank >= threshold.rank for f in result.findings)


@click.command("lint")
@paths_argument
@namespace_option
@input_options
@cluster_options
@click.option(
    "-o",
    "--output",
    type=click.Choice(["text", "json", "sarif"]),
    default="text",
    show_default=True,
    help="Output format.",
)
@click.option(
    "--fail-on",
    type=click.Choice(["error", "warning", "info", "never"]),
    default="warning",
    show_default=True,
    help="Exit 1 when a finding is at least this severe.",
)
@click.option(
    "--disable",
    "disabled",
    multiple=True,
    metavar="ID",
    help="Skip a rule, by ID (PF002) or name (dns-trap); repeatable or comma-separated.",
)
@click.option(
    "--max-work",
    type=click.IntRange(min=0),
    default=DEFAULT_WORK_LIMIT,
    show_default=True,
    help="Most work (sides of connections x sampled ports) the redundancy check (PF011) "
    "does before it is skipped.",
)
@click.option("--color/--no-color", "color", default=None, help="Colour the text output.")
@click.option("--list-rules", is_flag=True, help="List every rule and exit.")
def lint(
    paths: tuple[str, ...],
    namespace: str,
    output: str,
    fail_on: str,
    disabled: tuple[str, ...],
    max_work: int,
    color: bool | None,
    list_rules: bool,
    live: Live,
    loading: LoadOptions,
) -> None:
    """Find the mistakes that open or break a cluster: open namespaces, the DNS trap,
    selectors that match nothing, OR instead of AND, ports that cannot match, allow-all and
    redundant rules, policyTypes surprises, hostNetwork pods.

    Exit 0 when no finding is at or above --fail-on, 1 when one is, 2 on bad input. Ignore
    rules for one NetworkPolicy or Namespace with the annotation podfence.io/ignore: "ID,ID".
    """
    use_color = _use_color(color)
    if list_rules:
        if output == "text":
            click.echo(render_rules_text(RULES, color=use_color), nl=False, color=use_color)
        else:
            click.echo(dump(rules_data(RULES), "json"), nl=False)
        return
    off: set[str] = set()
    for key in disabled:
        try:
            off |= parse_rule_list(key)
        except KeyError as exc:
            raise BadInput(
                f"--disable: unknown rule {exc.args[0]!r} (see podfence lint --list-rules)"
            ) from None
    loaded = load_input(paths, namespace, live, loading, load_files=load_with_positions)
    engine = Engine(loaded)
    with working("linting", loaded):
        result = run_lint(loaded, disabled=sorted(off), max_work=max_work, engine=engine)
    if output == "text":
        text = render_lint_text(result, color=use_color, posture=summarize(loaded, engine))
        click.echo(text, nl=False, color=use_color)
    elif output == "sarif":
        click.echo(dump(render_sarif(result, RULES, root=os.getcwd()), "json"), nl=False)
    else:
        click.echo(dump(lint_data(result, summarize(loaded, engine)), "json"), nl=False)
    raise SystemExit(EXIT_FINDINGS if _failed(result, fail_on) else EXIT_OK)

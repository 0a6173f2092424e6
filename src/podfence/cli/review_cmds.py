"""`podfence graph`, `report` and `diff`: see and review a cluster's connectivity.

Thin: load (files or --cluster), call an analysis, render, write, exit with a code.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from podfence.analysis.diff import diff_clusters
from podfence.analysis.graph import GraphOptions, build_graph
from podfence.analysis.graph_classes import COLLAPSE_ABOVE
from podfence.analysis.samples import PortSpan
from podfence.analysis.scale import NOTE_ABOVE
from podfence.cli.cluster_source import Live, cluster_options, load_input
from podfence.cli.common import (
    EXIT_FINDINGS,
    EXIT_OK,
    BadInput,
    input_options,
    load_or_exit,
    namespace_option,
    paths_argument,
    ports_option,
)
from podfence.cli.progress import working
from podfence.load import LoadOptions
from podfence.model import ProtocolPort
from podfence.render.changes import diff_data, render_diff_text
from podfence.render.dot import render_dot
from podfence.render.graphviz import GraphvizMissing, run_dot
from podfence.render.markdown import render_diff_markdown
from podfence.render.mermaid import render_mermaid
from podfence.render.serialize import dump

__all__ = ["graph", "report", "diff"]


def _write(data: str | bytes, out_file: str | None) -> None:
    if out_file is None or out_file == "-":
        if isinstance(data, bytes):
            sys.stdout.flush()
            sys.stdout.buffer.write(data)
            sys.stdout.buffer.flush()
        else:
            click.echo(data, nl=False)
        return
    path = Path(out_file)
    try:
        if isinstance(data, bytes):
            path.write_bytes(data)
        else:
            path.write_text(data, encoding="utf-8")
    except OSError as exc:
        raise BadInput(f"cannot write {out_file}: {exc.strerror or exc}") from None


@click.command()
@paths_argument
@ports_option(help="Only this PORT[/PROTOCOL] (repeatable); default: every port that matters.")
@click.option(
    "-o",
    "--output",
    type=click.Choice(["mermaid", "dot", "svg", "png"]),
    default="mermaid",
    show_default=True,
    help="Format (svg and png run Graphviz's dot).",
)
@click.option("--file", "out_file", metavar="FILE", help="Write to FILE instead of stdout.")
@click.option("--show-denied", is_flag=True, help="Add dashed edges for denied connections.")
@click.option("--show-policies", is_flag=True, help="Add policies and the pods they select.")
@click.option(
    "--merge-min",
    type=click.IntRange(min=0),
    default=3,
    show_default=True,
    help="Merge look-alike pods into one node when at least this many (0: never).",
)
@click.option(
    "--collapse",
    "collapse_above",
    type=click.IntRange(min=0),
    default=COLLAPSE_ABOVE,
    show_default=True,
    help="Above this many pods and workloads, draw classes of pods that no policy tells "
    "apart instead of pods (0: never).",
)
@click.option(
    "--max-denied",
    type=click.IntRange(min=0),
    default=12,
    show_default=True,
    help="At most this many denied edges (hacker-like sources first).",
)
@namespace_option
@input_options
@cluster_options
def graph(
    paths: tuple[str, ...],
    ports: tuple[ProtocolPort, ...],
    output: str,
    out_file: str | None,
    show_denied: bool,
    show_policies: bool,
    merge_min: int,
    collapse_above: int,
    max_denied: int,
    namespace: str,
    live: Live,
    loading: LoadOptions,
) -> None:
    """Draw who can reach whom: namespaces, pods, CIDRs and allowed edges with their ports."""
    loaded = load_input(paths, namespace, live, loading)
    options = GraphOptions(
        ports=tuple(PortSpan.single(p) for p in dict.fromkeys(ports)),
        show_denied=show_denied,
        show_policies=show_policies,
        merge_min=merge_min,
        max_denied=max_denied,
        collapse_above=collapse_above,
    )
    with working("drawing the graph", loaded):
        result = build_graph(loaded, options)
    if output == "mermaid":
        _write(render_mermaid(result), out_file)
        return
    text = render_dot(result)
    if output == "dot":
        _write(text, out_file)
        return
    try:
        _write(run_dot(text, output), out_file)
    except GraphvizMissing as exc:
        raise BadInput(str(exc)) from None


def _split_to(args: tuple[str, ...]) -> tuple[list[str], list[str]]:
    old: list[str] = []
    new: list[str] = []
    target = old
    for arg in args:
        if arg == "--to":
            target = new
        elif arg.startswith("--to="):
            new.append(arg[len("--to=") :])
            target = new
        elif arg.startswith("-") and arg != "-":
            raise BadInput(f"no such option: {arg}")
        else:
            target.append(arg)
    return old, new


@click.command(context_settings={"ignore_unknown_options": True})
@click.argument("args", nargs=-1, type=click.UNPROCESSED, metavar="OLD_PATH... --to NEW_PATH...")
@click.option(
    "-o",
    "--output",
    type=click.Choice(["text", "json", "markdown"]),
    default="text",
    show_default=True,
    help="Output format (markdown: ready to paste as a pull-request comment).",
)
@click.option("--fail-on-gain", is_flag=True, help="Exit 1 when any connection is gained.")
@click.option("--fail-on-change", is_flag=True, help="Exit 1 when anything changed.")
@namespace_option
@input_options
@cluster_options
def diff(
    args: tuple[str, ...],
    output: str,
    fail_on_gain: bool,
    fail_on_change: bool,
    namespace: str,
    live: Live,
    loading: LoadOptions,
) -> None:
    """Connections gained and lost between two sets of manifests, computed semantically.

    With --cluster, OLD is the live cluster: `podfence diff --cluster --to NEW_PATH...`.
    """
    old_paths, new_paths = _split_to(args)
    if not new_paths:
        raise BadInput("give the new manifests after --to: podfence diff OLD... --to NEW...")
    old = load_input(old_paths, namespace, live, loading)
    new = load_or_exit(new_paths, namespace, loading)
    with working("comparing the two clusters", new):
        result = diff_clusters(old, new)
    if result.per_pair is not None and len(result.parties) > NOTE_ABOVE:
        click.echo(
            f"podfence: note: every pair was compared one by one: {result.per_pair}", err=True
        )
    if output == "text":
        click.echo(render_diff_text(result), nl=False)
    elif output == "markdown":
        click.echo(render_diff_markdown(result), nl=False)
    else:
        click.echo(dump(diff_data(result), "json"), nl=False)
    gained = bool(result.gained)
    changed = bool(result.cells)
    failed = (fail_on_gain and gained) or (fail_on_change and changed)
    raise SystemExit(EXIT_FINDINGS if failed else EXIT_OK)


@click.command()
@paths_argument
@click.option(
    "-o",
    "--output",
    type=click.Choice(["html", "json"]),
    default="html",
    show_default=True,
    help="Format: one self-contained HTML page, or the data behind it as JSON.",
)
@click.option(
    "--out",
    "out_file",
    metavar="FILE",
    default=None,
    help="Write to FILE (default: standard output).",
)
@click.option("--title", default=None, help="Title of the report (default: the inputs).")
@namespace_option
@input_options
@cluster_options
def report(
    paths: tuple[str, ...],
    output: str,
    out_file: str | None,
    title: str | None,
    namespace: str,
    live: Live,
    loading: LoadOptions,
) -> None:
    """The review of a cluster in one self-contained HTML page (summary, interactive matrix,
    graph, policies explained), or the data behind it (-o json)."""
    from podfence.analysis.review import build_review

    loaded = load_input(paths, namespace, live, loading)  # the page shows no line numbers
    name = title or (", ".join(paths) if paths else "live cluster")
    with working("building the report", loaded):
        review = build_review(loaded, title=name)
    if output == "json":
        from podfence.render.review_data import review_data

        _write(dump(review_data(review), "json"), out_file)
    else:
        from podfence.render.html import render_html

        _write(render_html(review), out_file)
    if out_file is not None and out_file != "-":
        click.echo(f"wrote {out_file}", err=True)

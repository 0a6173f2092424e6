"""The review as one self-contained HTML file: inline CSS, JS and SVG; fetches nothing.

The matrix data and every cell's explanation (the engine's verdict in words) are embedded
as JSON; a small script draws the matrix, filters it by port and namespace, and shows the
explanation of the cell under the mouse.
"""

from __future__ import annotations

import json
import re
from html import escape
from typing import Any

from podfence.analysis.heatmap import Heatmap, HeatPorts
from podfence.analysis.review import MAX_ACCOUNTS, PortClass, Review
from podfence.analysis.summary import Openness
from podfence.engine import Verdict
from podfence.model import Direction
from podfence.render.cnp_text import render_cluster_account
from podfence.render.dot import render_dot
from podfence.render.graphviz import GraphvizMissing, have_dot, run_dot
from podfence.render.html_assets import CSS, HEAT_JS, JS
from podfence.render.mermaid import render_mermaid
from podfence.render.portset import span_ranges
from podfence.render.svg import render_svg
from podfence.render.text import render_account, render_verdict
from podfence.render.words import count, plural

__all__ = ["render_html", "port_label", "matrix_json", "heatmap_json"]

_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; "
    "img-src data:; font-src data:"
)


def port_label(pc: PortClass | HeatPorts) -> tuple[str, str]:
    """(the menu's label: `TCP 5432`, `TCP (every port)`, `TCP other ports`; the caption
    with the exact ports: `TCP 5432`, `every TCP port`, `TCP 1-5431, 5433-65535`)."""
    ranges = ", ".join(str(r) for r in span_ranges(pc.probes))
    if ranges == "1-65535":
        return f"{pc.protocol} (every port)", f"every {pc.protocol} port"
    if len(pc.probes) == 1 and pc.probes[0].is_single:
        return f"{pc.protocol} {ranges}", f"{pc.protocol} {ranges}"
    return f"{pc.protocol} other ports", f"{pc.protocol} {ranges}"


def _template(verdict: Verdict, pc: PortClass) -> str:
    """The verdict's text for every port of its class, with its parties as {S} and {D} (the
    page puts them back, {D} first), so that cells differing only by their parties share one
    text: without this the page carries a text per cell and port class (140 MB at 150 pods).
    The verdict was computed on the class's first port: it stands for every port of the
    class, which the text says instead of that one number."""
    c = verdict.connection
    text = render_verdict(verdict, ports=f"on {port_label(pc)[1]}")
    if not pc.same_reasons:
        first, rest = text.split("\n", 1)
        note = (
            f"  (every port of these gets this answer; the rules named are those for "
            f"{c.port}/{c.protocol})"
        )
        text = f"{first}\n{note}\n{rest}"
    return text.replace(c.source.id, "{S}").replace(c.destination.id, "{D}")


def matrix_json(review: Review) -> dict[str, Any]:
    texts: dict[str, int] = {}
    cells: list[list[str]] = []
    explain: list[list[list[int]]] = []
    for pc in review.ports:
        cells.append(
            [
                "".join("S" if i == j else ("A" if ok else "D") for j, ok in enumerate(row))
                for i, row in enumerate(pc.allowed)
            ]
        )
        explain.append(
            [[texts.setdefault(_template(v, pc), len(texts)) for v in row] for row in pc.verdicts]
        )
    eps = [review.cluster.endpoint(i) for i in review.endpoints]
    return {
        "endpoints": [
            {"id": e.id, "ns": e.namespace, "name": e.name, "kind": e.kind} for e in eps if e
        ],
        "namespaces": sorted({e.namespace for e in eps if e}),
        "ports": [
            dict(zip(("label", "caption"), port_label(pc), strict=True)) for pc in review.ports
        ],
        "cells": cells,
        "explain": explain,
        "texts": list(texts),
    }


def heatmap_json(heat: Heatmap) -> dict[str, Any]:
    """The overview's data: namespaces and their sizes, classes (their namespaces by index,
    their members), and per port class the allowed pairs of classes and the heatmap's cells
    (both flattened: `[s, d, s, d, ...]`, `[a, b, n, a, b, n, ...]`)."""
    index = {ns: i for i, ns in enumerate(heat.namespaces)}
    return {
        "mode": "heatmap",
        "namespaces": list(heat.namespaces),
        "sizes": list(heat.sizes),
        "classes": [
            {
                "label": g.selector,
                "ns": [index[ns] for ns in g.namespaces],
                "size": len(g.members),
                "members": list(g.members),
            }
            for g in heat.classes
        ],
        "ports": [dict(zip(("label", "title"), port_label(hp), strict=True)) for hp in heat.ports],
        "pairs": [[i for pair in hp.pairs for i in pair] for hp in heat.ports],
        "cells": [[i for cell in hp.cells for i in cell] for hp in heat.ports],
    }


def _page_data(review: Review) -> dict[str, Any]:
    return heatmap_json(review.heatmap) if review.heatmap is not None else matrix_json(review)


_HEATMAP = (
    '<div class="controls"><label>Port <select id="f-port"></select></label>'
    '<label>From namespace <select id="f-src"></select></label>'
    '<label>To namespace <select id="f-dst"></select></label>'
    '<button id="f-show" type="button">Show the pairs</button></div>'
    '<p class="legend"><span id="heat-count"></span> &middot; rows: source namespace, columns: '
    "destination namespace &middot; the darker, the larger the share of pairs of pods allowed "
    "&middot; click a cell for the classes of pods behind it</p>"
    '<div id="heat-wrap"><canvas id="heat"></canvas></div>'
    '<div id="heat-info">Point at a cell.</div><div id="drill"></div>'
)


def _badge(kind: str, text: str | None = None) -> str:
    return f'<span class="badge b-{escape(kind)}">{escape(text or kind)}</span>'


def _summary(review: Review) -> str:
    rows = []
    for s in review.summary:
        cells = [escape(s.namespace), str(s.endpoints), str(s.policies)]
        for d in Direction:
            state = s.openness(d)
            text = state.value
            if state is Openness.PARTIAL:
                text = f"partial: {s.isolated(d)} of {s.endpoints} isolated"
            cells.append(_badge(state.value, text))
        cells.append(escape(", ".join(s.reachable_from_outside)) or "none")
        rows.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    head = "".join(
        f"<th>{h}</th>"
        for h in (
            "Namespace",
            "Pods/workloads",
            "Policies",
            "Ingress",
            "Egress",
            "Reachable from outside the cluster",
        )
    )
    note = (
        '<p class="note">open: nothing isolates the pods for that direction, so every '
        "connection is allowed; isolated: only what a rule allows gets through. Reachable "
        "from outside the cluster: some address outside it may connect on some port.</p>"
    )
    return f'<table class="plain" id="summary-table"><tr>{head}</tr>{"".join(rows)}</table>{note}'


def _lint(review: Review) -> str:
    if review.lint is None:
        return '<p class="note">The lint package is not installed: no findings.</p>'
    if not review.lint.findings:
        return "<p>No lint findings.</p>"
    counts = " ".join(_badge(level, count(n, level)) for level, n in review.lint.counts)
    rows = "".join(
        f"<tr><td>{_badge(level)}</td><td>{escape(rule)}</td><td>{escape(obj)}</td>"
        f"<td>{escape(message)}</td></tr>"
        for level, rule, obj, message in review.lint.findings
    )
    head = "<tr><th>Level</th><th>Rule</th><th>Object</th><th>Finding</th></tr>"
    return f'<p id="lint-counts">{counts}</p><table class="plain">{head}{rows}</table>'


def _svg_of_dot(review: Review) -> str | None:
    if not have_dot():
        return None
    try:
        svg = run_dot(render_dot(review.graph), "svg").decode("utf-8")
    except GraphvizMissing:
        return None
    return svg[svg.find("<svg") :]


def _graph(review: Review) -> str:
    if review.graph.collapsed:
        mermaid = escape(render_mermaid(review.graph))
        nodes = len(review.graph.nodes)
        return (
            f'<p class="note">{nodes} classes of pods: too many to draw readably (the heatmap '
            "above is the overview). The graph over classes, as Mermaid:</p>"
            f'<details><summary>Mermaid source</summary><pre class="source">{mermaid}</pre>'
            "</details>"
        )
    svg = _svg_of_dot(review)
    mermaid = escape(render_mermaid(review.graph))
    if svg is not None:
        source = "Drawn by Graphviz. The same graph as Mermaid (paste into GitHub Markdown):"
        return (
            f'<div id="graph" data-by="graphviz">{svg}</div>'
            f'<details><summary>{source}</summary><pre class="source">{mermaid}</pre></details>'
        )
    return (
        f'<div id="graph" data-by="podfence">{render_svg(review.graph)}</div>'
        '<p class="note">Graphviz is not installed: a simple layout is drawn. The Mermaid '
        "source below renders on GitHub as is:</p>"
        f'<pre class="source">{mermaid}</pre>'
    )


def _policies(review: Review) -> str:
    policies = len(review.cluster.policies)
    if not review.accounts and policies > MAX_ACCOUNTS:
        return (
            f'<p class="note">{policies} NetworkPolicies: more than this page explains '
            f"({MAX_ACCOUNTS}); explain one with podfence explain --policy NS/NAME.</p>"
        )
    tiers = "".join(
        f'<pre class="policy" id="policy-{escape(a.policy.key)}">'
        f"{escape(render_cluster_account(a))}</pre>"
        for a in review.cluster_accounts
    )
    if not review.accounts:
        if tiers:
            return tiers + "<p>No NetworkPolicy.</p>"
        return "<p>No NetworkPolicy: every pod accepts and opens every connection.</p>"
    return tiers + "".join(
        f'<pre class="policy" id="policy-{escape(a.policy.key)}">{escape(render_account(a))}</pre>'
        for a in review.accounts
    )


def _script_json(data: dict[str, Any]) -> str:
    text = json.dumps(data, separators=(",", ":"), ensure_ascii=False)
    return re.sub(r"[<>&\u2028\u2029]", lambda m: f"\\u{ord(m.group()):04x}", text)


def render_html(review: Review) -> str:
    c = review.cluster
    counts = (
        f"{count(len(c.namespaces), 'namespace')}, "
        f"{count(len(c.endpoints), 'pod/workload', 'pods/workloads')}, "
        f"{len(c.policies)} {plural(len(c.policies), 'NetworkPolicy', 'NetworkPolicies')}"
    )
    if c.cluster_policies:
        cnps = len(c.cluster_policies)
        counts += f", {cnps} {plural(cnps, 'ClusterNetworkPolicy', 'ClusterNetworkPolicies')}"
    matrix = (
        '<div class="controls">'
        '<label>Port <select id="f-port"></select></label>'
        '<label>From namespace <select id="f-src"></select></label>'
        '<label>To namespace <select id="f-dst"></select></label></div>'
        '<p class="legend"><span id="matrix-count"></span> &middot; rows: source, columns: '
        "destination &middot; \u2713 allowed, \u2717 denied &middot; hover a cell for why</p>"
        '<div id="matrix-wrap"></div><div id="explain">Hover a cell to see why.</div>'
    )
    overview = review.heatmap is not None
    sections = [
        ("summary", "Summary", _summary(review)),
        ("lint", "Lint findings", _lint(review)),
        ("matrix", "Connectivity overview" if overview else "Connectivity matrix", _HEATMAP)
        if overview
        else ("matrix", "Connectivity matrix", matrix),
        ("graph-section", "Graph", _graph(review)),
        ("policies", "Policies explained", _policies(review)),
    ]
    nav = "".join(f'<a href="#{i}">{escape(t)}</a>' for i, t, _ in sections)
    body = "".join(f'<section id="{i}"><h2>{escape(t)}</h2>{h}</section>' for i, t, h in sections)
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<link rel="icon" href="data:,">'
        f"<title>podfence report: {escape(review.title)}</title><style>{CSS}</style></head>"
        f"<body><header><h1>podfence report: {escape(review.title)}</h1>"
        f"<p>{escape(counts)}</p></header><nav>{nav}</nav><main>{body}</main>"
        '<div id="tip" role="tooltip"></div>'
        f'<script type="application/json" id="podfence-data">{_script_json(_page_data(review))}'
        f"</script><script>{HEAT_JS if overview else JS}</script></body></html>\n"
    )

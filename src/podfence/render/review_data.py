"""`report -o json`: the data behind the HTML report, as plain data.

The same sections as the page: counts, the per-namespace summary, lint findings, the
matrix with every cell's explanation (exactly the JSON the page embeds), the graph's
Mermaid source and every policy explained.
"""

from __future__ import annotations

from typing import Any

from podfence.analysis.review import Review
from podfence.render.cnp_data import cluster_account_data
from podfence.render.data import account_data, summary_data
from podfence.render.html import heatmap_json, matrix_json
from podfence.render.mermaid import render_mermaid

__all__ = ["review_data"]


def _lint(review: Review) -> dict[str, Any] | None:
    if review.lint is None:
        return None
    return {
        "counts": dict(review.lint.counts),
        "findings": [
            {"level": level, "rule": rule, "object": obj, "message": message}
            for level, rule, obj, message in review.lint.findings
        ],
    }


def review_data(review: Review) -> dict[str, Any]:
    c = review.cluster
    return {
        "title": review.title,
        "counts": {
            "namespaces": len(c.namespaces),
            "endpoints": len(c.endpoints),
            "policies": len(c.policies),
            # only when there are any: the output for NetworkPolicy-only inputs is unchanged
            **({"clusterPolicies": len(c.cluster_policies)} if c.cluster_policies else {}),
        },
        "summary": summary_data(review.summary),
        "lint": _lint(review),
        **(
            {"heatmap": heatmap_json(review.heatmap)}
            if review.heatmap is not None
            else {"matrix": matrix_json(review)}
        ),
        "graph": {"mermaid": render_mermaid(review.graph)},
        "policies": [account_data(a) for a in review.accounts],
    } | _tiers(review)


def _tiers(review: Review) -> dict[str, Any]:
    """`clusterPolicies` (Admin, then Baseline, in evaluation order), only when there are."""
    if not review.cluster_accounts:
        return {}
    return {"clusterPolicies": [cluster_account_data(a) for a in review.cluster_accounts]}

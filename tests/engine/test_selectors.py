"""Label selector semantics as the engine applies them to pods and namespaces.

Source: k8s.io/apimachinery pkg/labels selector.go, Requirement.Matches: `In` needs the key
present with a listed value; `NotIn` matches when the key is absent or its value is not
listed; `Exists` / `DoesNotExist` test presence; all requirements (matchLabels and
matchExpressions) are ANDed. Upstream e2e: "should enforce policy based on NamespaceSelector
with MatchExpressions", "should enforce policy based on PodSelector or NamespaceSelector"
(NotIn on the namespace name label).

Standard topology: namespace x has team=red, y team=blue, z no team label; no pod has a
`role` label.
"""

from __future__ import annotations

from typing import Any

import pytest

from engine.builders import (
    Row,
    case,
    check_case,
    peer,
    policy,
    req,
    rule,
    sel,
)
from podfence.model import NAME_LABEL, LabelSelector, NetworkPolicy


def _isolate(selector: LabelSelector) -> NetworkPolicy:
    """Deny all ingress to the pods of x that `selector` selects."""
    return policy("x/p", selector)


POLICY_SELECTOR_ON_MISSING_KEY = [
    case(
        "policy-notin-selects-pod-without-key",
        _isolate(sel(None, req("role", "NotIn", "db"))),
        src="y/a",
        dst="x/a",
        allowed=False,
        ingress="denied: x/p no-rules",
    ),
    case(
        "policy-doesnotexist-selects-pod-without-key",
        _isolate(sel(None, req("role", "DoesNotExist"))),
        src="y/a",
        dst="x/a",
        allowed=False,
        ingress="denied: x/p no-rules",
    ),
    case(
        "policy-in-does-not-select-pod-without-key",
        _isolate(sel(None, req("role", "In", "db"))),
        src="y/a",
        dst="x/a",
        allowed=True,
    ),
    case(
        "policy-exists-does-not-select-pod-without-key",
        _isolate(sel(None, req("role", "Exists"))),
        src="y/a",
        dst="x/a",
        allowed=True,
    ),
    case(
        "policy-notin-does-not-select-listed-value",
        _isolate(sel(None, req("pod", "NotIn", "a", "b"))),
        src="y/a",
        dst="x/a",
        allowed=True,
    ),
    case(
        "policy-notin-selects-unlisted-value",
        _isolate(sel(None, req("pod", "NotIn", "b", "c"))),
        src="y/a",
        dst="x/a",
        allowed=False,
        ingress="denied: x/p no-rules",
    ),
]


@pytest.mark.parametrize("row", POLICY_SELECTOR_ON_MISSING_KEY)
def test_policy_selector_operators(row: Row) -> None:
    check_case(row)


def _from_namespaces(selector: LabelSelector) -> NetworkPolicy:
    return policy("x/p", sel({"pod": "a"}), ingress=[rule(peer(namespaces=selector))])


ALLOWED = "allowed by x/p ingress[0].from[0]"
DENIED = "denied: x/p ingress[0] peer"


def _ns_case(case_id: str, selector: LabelSelector, src: str, ingress: str) -> Any:
    return case(
        case_id,
        _from_namespaces(selector),
        src=src,
        dst="x/a",
        allowed=ingress == ALLOWED,
        ingress=ingress,
    )


NAMESPACE_SELECTOR_OPERATORS = [
    _ns_case(
        "notin-matches-namespace-without-key",
        sel(None, req("team", "NotIn", "red")),
        "z/a",
        ALLOWED,
    ),
    _ns_case("notin-matches-other-value", sel(None, req("team", "NotIn", "red")), "y/a", ALLOWED),
    _ns_case("notin-excludes-listed-value", sel(None, req("team", "NotIn", "red")), "x/b", DENIED),
    _ns_case(
        "doesnotexist-matches-namespace-without-key",
        sel(None, req("team", "DoesNotExist")),
        "z/a",
        ALLOWED,
    ),
    _ns_case(
        "doesnotexist-excludes-namespace-with-key",
        sel(None, req("team", "DoesNotExist")),
        "y/a",
        DENIED,
    ),
    _ns_case(
        "in-excludes-namespace-without-key",
        sel(None, req("team", "In", "blue", "red")),
        "z/a",
        DENIED,
    ),
    _ns_case(
        "in-matches-listed-value", sel(None, req("team", "In", "blue", "red")), "y/a", ALLOWED
    ),
    _ns_case(
        "exists-excludes-namespace-without-key", sel(None, req("team", "Exists")), "z/a", DENIED
    ),
    _ns_case("exists-matches-any-value", sel(None, req("team", "Exists")), "y/a", ALLOWED),
    _ns_case("notin-on-name-label", sel(None, req(NAME_LABEL, "NotIn", "x")), "z/a", ALLOWED),
    _ns_case("notin-on-name-label-own", sel(None, req(NAME_LABEL, "NotIn", "x")), "x/b", DENIED),
    # matchLabels AND matchExpressions: both must hold.
    _ns_case(
        "match-labels-and-expression-both-hold",
        sel({NAME_LABEL: "y"}, req("team", "In", "blue")),
        "y/a",
        ALLOWED,
    ),
    _ns_case(
        "match-labels-hold-expression-does-not",
        sel({NAME_LABEL: "y"}, req("team", "In", "red")),
        "y/a",
        DENIED,
    ),
    _ns_case(
        "expression-holds-match-labels-do-not",
        sel({NAME_LABEL: "z"}, req("team", "DoesNotExist")),
        "x/b",
        DENIED,
    ),
    _ns_case(
        "several-expressions-all-must-hold",
        sel(None, req("team", "Exists"), req("team", "NotIn", "blue")),
        "y/a",
        DENIED,
    ),
]


@pytest.mark.parametrize("row", NAMESPACE_SELECTOR_OPERATORS)
def test_namespace_selector_operators(row: Row) -> None:
    check_case(row)

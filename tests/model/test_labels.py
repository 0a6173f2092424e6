"""Label selectors: Requirement and LabelSelector matching and their text forms.

Source: k8s.io/apimachinery pkg/labels selector.go, Requirement.Matches -- `In` needs the key
present with a listed value; `NotIn` and `DoesNotExist` match a missing key; `Exists` and
`In` do not; a selector ANDs its requirements; an empty selector matches everything
(NetworkPolicySpec.podSelector: "An empty selector matches all pods").
(mattfenwick/cyclonus treats NotIn on a missing key as no match: upstream does not.)
"""

from __future__ import annotations

import pytest

from podfence.model import LabelSelector, Operator, Requirement, frozen_labels

IN, NOT_IN = Operator.IN, Operator.NOT_IN
EXISTS, DOES_NOT_EXIST = Operator.EXISTS, Operator.DOES_NOT_EXIST


@pytest.mark.parametrize(
    ("operator", "values", "labels", "expected"),
    [
        pytest.param(IN, ("a", "b"), {"k": "a"}, True, id="in-listed"),
        pytest.param(IN, ("a", "b"), {"k": "c"}, False, id="in-unlisted"),
        pytest.param(IN, ("a", "b"), {}, False, id="in-missing-key"),
        pytest.param(IN, ("a",), {"other": "a"}, False, id="in-value-under-other-key"),
        pytest.param(IN, ("",), {"k": ""}, True, id="in-empty-value-present"),
        pytest.param(IN, ("",), {}, False, id="in-empty-value-missing-key"),
        pytest.param(NOT_IN, ("a", "b"), {"k": "a"}, False, id="notin-listed"),
        pytest.param(NOT_IN, ("a", "b"), {"k": "c"}, True, id="notin-unlisted"),
        pytest.param(NOT_IN, ("a", "b"), {}, True, id="notin-missing-key"),
        pytest.param(NOT_IN, ("",), {"k": ""}, False, id="notin-empty-value-present"),
        pytest.param(NOT_IN, ("",), {}, True, id="notin-empty-value-missing-key"),
        pytest.param(EXISTS, (), {"k": ""}, True, id="exists-empty-value"),
        pytest.param(EXISTS, (), {"k": "a"}, True, id="exists-present"),
        pytest.param(EXISTS, (), {}, False, id="exists-missing-key"),
        pytest.param(DOES_NOT_EXIST, (), {"k": "a"}, False, id="doesnotexist-present"),
        pytest.param(DOES_NOT_EXIST, (), {"k": ""}, False, id="doesnotexist-empty-value"),
        pytest.param(DOES_NOT_EXIST, (), {}, True, id="doesnotexist-missing-key"),
    ],
)
def test_requirement_matches(
    operator: Operator, values: tuple[str, ...], labels: dict[str, str], expected: bool
) -> None:
    assert Requirement("k", operator, values).matches(labels) is expected


@pytest.mark.parametrize(
    ("requirement", "text"),
    [
        pytest.param(Requirement("tier", IN, ("a",)), "tier in (a)", id="in-one"),
        pytest.param(Requirement("tier", IN, ("a", "b")), "tier in (a,b)", id="in-several"),
        pytest.param(Requirement("tier", NOT_IN, ("b", "a")), "tier notin (a,b)", id="notin"),
        pytest.param(Requirement("tier", EXISTS), "tier", id="exists"),
        pytest.param(Requirement("tier", DOES_NOT_EXIST), "!tier", id="doesnotexist"),
    ],
)
def test_requirement_str(requirement: Requirement, text: str) -> None:
    assert str(requirement) == text


def _sel(labels: dict[str, str] | None = None, *exprs: Requirement) -> LabelSelector:
    return LabelSelector(frozen_labels(labels or {}), exprs)


@pytest.mark.parametrize(
    ("selector", "labels", "expected"),
    [
        pytest.param(_sel(), {}, True, id="empty-matches-no-labels"),
        pytest.param(_sel(), {"a": "1"}, True, id="empty-matches-anything"),
        pytest.param(
            _sel({"app": "web"}),
            {"app": "web", "x": "y"},
            True,
            id="match-labels-extra-labels-ignored",
        ),
        pytest.param(_sel({"app": "web"}), {"app": "db"}, False, id="match-labels-other-value"),
        pytest.param(_sel({"app": "web"}), {}, False, id="match-labels-missing-key"),
        pytest.param(_sel({"app": ""}), {"app": ""}, True, id="match-labels-empty-value"),
        pytest.param(_sel({"app": ""}), {}, False, id="match-labels-empty-value-missing-key"),
        pytest.param(
            _sel({"app": "web", "tier": "f"}),
            {"app": "web"},
            False,
            id="match-labels-all-must-hold",
        ),
        pytest.param(
            _sel({"app": "web"}, Requirement("env", NOT_IN, ("prod",))),
            {"app": "web"},
            True,
            id="labels-and-notin-missing-key",
        ),
        pytest.param(
            _sel({"app": "web"}, Requirement("env", NOT_IN, ("prod",))),
            {"app": "web", "env": "prod"},
            False,
            id="labels-hold-expression-fails",
        ),
        pytest.param(
            _sel({"app": "web"}, Requirement("env", EXISTS)),
            {"env": "dev"},
            False,
            id="expression-holds-labels-fail",
        ),
        pytest.param(
            _sel(None, Requirement("a", EXISTS), Requirement("b", DOES_NOT_EXIST)),
            {"a": "1"},
            True,
            id="expressions-all-hold",
        ),
        pytest.param(
            _sel(None, Requirement("a", EXISTS), Requirement("b", DOES_NOT_EXIST)),
            {"a": "1", "b": "2"},
            False,
            id="expressions-one-fails",
        ),
    ],
)
def test_selector_matches(selector: LabelSelector, labels: dict[str, str], expected: bool) -> None:
    assert selector.matches(labels) is expected


@pytest.mark.parametrize(
    ("selector", "text"),
    [
        pytest.param(_sel(), "{}", id="empty"),
        pytest.param(_sel({"app": "web"}), "app=web", id="one-label"),
        pytest.param(_sel({"tier": "f", "app": "web"}), "app=web,tier=f", id="labels-sorted"),
        pytest.param(
            _sel(
                {"app": "web"},
                Requirement("tier", IN, ("a", "b")),
                Requirement("legacy", DOES_NOT_EXIST),
            ),
            "app=web,!legacy,tier in (a,b)",
            id="labels-then-expressions",
        ),
        pytest.param(_sel(None, Requirement("env", EXISTS)), "env", id="expression-only"),
    ],
)
def test_selector_str(selector: LabelSelector, text: str) -> None:
    assert str(selector) == text


def test_selector_parts() -> None:
    selector = _sel({"app": "web"}, Requirement("env", NOT_IN, ("prod",)))
    assert not selector.is_empty
    assert _sel().is_empty
    assert selector.requirements == (
        Requirement("app", IN, ("web",)),
        Requirement("env", NOT_IN, ("prod",)),
    )
    assert selector.keys == frozenset({"app", "env"})
    assert _sel().requirements == ()
    assert _sel().keys == frozenset()


def test_frozen_labels_is_sorted_and_hashable() -> None:
    frozen = frozen_labels({"b": "2", "a": "1"})
    assert frozen == (("a", "1"), ("b", "2"))
    assert hash(frozen) == hash((("a", "1"), ("b", "2")))
    assert frozen_labels({}) == ()


@pytest.mark.parametrize("operator", list(Operator), ids=lambda o: o.value)
def test_operator_values_are_the_api_spelling(operator: Operator) -> None:
    assert operator.value in {"In", "NotIn", "Exists", "DoesNotExist"}
    assert Operator(operator.value) is operator

"""Label selectors (metav1.LabelSelector) and their exact matching semantics.

Semantics follow k8s.io/apimachinery/pkg/labels (selector.go, Requirement.Matches):
- `In`: the key must be present and its value one of the values;
- `NotIn`: matches when the key is absent, or present with a value not listed;
- `Exists` / `DoesNotExist`: presence / absence of the key, values must be empty;
- all `matchLabels` and all `matchExpressions` are ANDed; an empty selector selects everything.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass

__all__ = ["LabelSelector", "Operator", "Requirement", "Labels", "frozen_labels"]

Labels = tuple[tuple[str, str], ...]
"""Labels as a sorted tuple of (key, value) pairs: hashable and frozen."""


def frozen_labels(labels: Mapping[str, str]) -> Labels:
    """Freeze a label mapping into the canonical sorted tuple form."""
    return tuple(sorted(labels.items()))


class Operator(enum.Enum):
    IN = "In"
    NOT_IN = "NotIn"
    EXISTS = "Exists"
    DOES_NOT_EXIST = "DoesNotExist"


@dataclass(frozen=True, slots=True)
class Requirement:
    key: str
    operator: Operator
    values: tuple[str, ...] = ()

    def matches(self, labels: Mapping[str, str]) -> bool:
        present = self.key in labels
        match self.operator:
            case Operator.IN:
                return present and labels[self.key] in self.values
            case Operator.NOT_IN:
                return not present or labels[self.key] not in self.values
            case Operator.EXISTS:
                return present
            case Operator.DOES_NOT_EXIST:
                return not present
        raise AssertionError(self.operator)  # pragma: no cover

    def __str__(self) -> str:
        match self.operator:
            case Operator.IN:
                return f"{self.key} in ({','.join(sorted(self.values))})"
            case Operator.NOT_IN:
                return f"{self.key} notin ({','.join(sorted(self.values))})"
            case Operator.EXISTS:
                return self.key
            case Operator.DOES_NOT_EXIST:
                return f"!{self.key}"
        raise AssertionError(self.operator)  # pragma: no cover


@dataclass(frozen=True, slots=True)
class LabelSelector:
    """A label selector: matchLabels AND matchExpressions. Empty selects everything."""

    match_labels: Labels = ()
    match_expressions: tuple[Requirement, ...] = ()

    @property
    def is_empty(self) -> bool:
        return not self.match_labels and not self.match_expressions

    @property
    def requirements(self) -> tuple[Requirement, ...]:
        """All conditions as requirements (matchLabels k=v become `k In (v)`)."""
        eq = tuple(Requirement(k, Operator.IN, (v,)) for k, v in self.match_labels)
        return eq + self.match_expressions

    @property
    def keys(self) -> frozenset[str]:
        """Every label key this selector looks at."""
        return frozenset(k for k, _ in self.match_labels) | frozenset(
            r.key for r in self.match_expressions
        )

    def matches(self, labels: Mapping[str, str]) -> bool:
        for key, value in self.match_labels:
            if labels.get(key) != value:
                return False
        return all(r.matches(labels) for r in self.match_expressions)

    def __str__(self) -> str:
        """apimachinery's selector syntax (`app=web,tier in (a,b)`, sorted by key, as kubectl
        prints it); `{}` for the empty selector, which selects everything."""
        if self.is_empty:
            return "{}"
        parts = [(k, f"{k}={v}") for k, v in self.match_labels]
        parts += [(r.key, str(r)) for r in self.match_expressions]
        return ",".join(text for _, text in sorted(parts, key=lambda p: p[0]))

"""Counts in CLI output read as English: `1 policy`, `2 policies`, `0 warnings`."""

from __future__ import annotations

import pytest

from podfence.render.words import count, plural

COUNTS = {
    "one-policy": (1, "policy", None, "1 policy"),
    "policies": (2, "policy", None, "2 policies"),
    "zero-warnings": (0, "warning", None, "0 warnings"),
    "one-warning": (1, "warning", None, "1 warning"),
    "four-warnings": (4, "warning", None, "4 warnings"),
    "info-is-uncountable": (3, "info", None, "3 info"),
    "port-classes": (11, "port class", None, "11 port classes"),
    "one-port-class": (1, "port class", None, "1 port class"),
    "outside-addresses": (2, "outside address", None, "2 outside addresses"),
    "vowel-y": (2, "key", None, "2 keys"),
    "irregular": (3, "pod/workload", "pods/workloads", "3 pods/workloads"),
    "irregular-one": (1, "pod/workload", "pods/workloads", "1 pod/workload"),
}


@pytest.mark.parametrize(("n", "word", "many", "text"), COUNTS.values(), ids=COUNTS.keys())
def test_count(n: int, word: str, many: str | None, text: str) -> None:
    assert count(n, word, many) == text
    assert plural(n, word, many) == text.split(" ", 1)[1]

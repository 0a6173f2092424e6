"""The fast YAML reader (rapidyaml, checked; libyaml otherwise) gives the exact loader's
values, types included, or gives up (FastParseError) — never a different value."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from podfence.load.fast.yaml_values import HAVE_RAPIDYAML, FastParseError, yaml_value
from podfence.load.nodes import to_plain
from podfence.load.parse import parse_text


def _exact(text: str) -> object:
    docs, problems = parse_text("x.yaml", text)
    if problems or len(docs) != 1:
        return FastParseError
    return to_plain(docs[0])[0]


def _typed(value: object) -> object:
    """The value with every scalar's type beside it (True == 1 in Python)."""
    if isinstance(value, dict):
        return {k: _typed(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_typed(v) for v in value]
    return (type(value).__name__, value)


def _fast(text: str) -> object:
    try:
        return yaml_value(text)
    except FastParseError:
        return FastParseError


def _agree(text: str) -> None:
    fast = _fast(text)
    if fast is FastParseError:
        return  # the exact loader decides
    assert _typed(fast) == _typed(_exact(text)), text


TRICKY = [
    "yes", "Yes", "NO", "on", "Off", "y", "n", "true", "True", "TRUE", "false", "FALSE",
    "~", "null", "Null", "NULL", "", "0", "-0", "+1", "007", "08", "0x1F", "0o17", "0b101",
    "1_000", "1:30", "1:30.5", "1e3", "1E3", "1e+3", "1.5e3", "1.5e+3", "1.5E-3", "0.5e3",
    ".5", "-.5", "1.", "5.e+3", ".inf", "-.Inf", ".NaN", "4e51234567", "12345678901234567890123",
    "80", "8080", "1.25", "10.0.0.1", "2024-01-01", "2024-01-01T00:00:00Z", "=", "<<",
    "a b", "http://x:80/", "1.0", "-1", "9223372036854775808", "0.1", "1e400", "6e816997",
]  # fmt: skip


@pytest.mark.skipif(not HAVE_RAPIDYAML, reason="rapidyaml not installed")
@pytest.mark.parametrize("scalar", TRICKY)
@pytest.mark.parametrize("quote", ["", "'", '"'])
def test_every_tricky_scalar_is_typed_as_the_exact_loader_types_it(scalar: str, quote: str) -> None:
    value = f"{quote}{scalar}{quote}"
    _agree(f"a: {value}\nb: [{value}, x]\nc:\n- {value}\n{scalar or 'e'}: k\n")
    _agree(f"items:\n- port: {value}\n  name: web\n- {{x: {value}}}\n")


def test_a_list_of_tricky_scalars_in_one_document() -> None:
    body = "\n".join(f"k{i}: {s}" for i, s in enumerate(TRICKY))
    _agree(body + "\n")
    quoted = "\n".join(f"k{i}: '{s}'" for i, s in enumerate(TRICKY))
    _agree(quoted + "\n")


@pytest.mark.parametrize(
    "text",
    [
        "a: &x 1\nb: *x\n",
        "a: !!str 80\n",
        "<<: {a: 1}\nb: 2\n",
        "? a\n: 1\n",
        "a: 1\na: 2\n",
        'a: "tab\\there"\n',
        'a: "ctl \\x01"\n',
        "a: b\r\nc: d\r\n",
        "a:\n  b:\n    c: [1, {d: e}]\n",
        "a: |\n  yes\n  1e3\nb: >-\n  folded\n  text\n",
        "a: multi\n  line plain\n",
        "a: 'it''s'\nb: \"q \\\" q\"\nc: back\\slash\n",
        'a: "\\u00e9\\N"\n',
        "- 1\n- yes\n- '1e3'\n",
        'a: "x\\": 4e5"\nb: 4e5\n',
        "a: [4e5, '4e5', 5]\n",
    ],
)
def test_unusual_documents(text: str) -> None:
    _agree(text)


_SCALAR = st.one_of(
    st.sampled_from(TRICKY),
    st.from_regex(r"[-+.0-9eE_xob:]{1,8}", fullmatch=True),
    st.from_regex(r"[a-zA-Z0-9 ._/:-]{0,12}", fullmatch=True),
)


def _render(scalar: str, quote: str) -> str:
    if quote == "'":
        return "'" + scalar.replace("'", "''") + "'"
    if quote == '"':
        return '"' + scalar.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return scalar


@settings(deadline=None, max_examples=300)
@given(
    st.lists(
        st.tuples(_SCALAR, st.sampled_from(["", "'", '"']), st.sampled_from(["map", "list"])),
        min_size=1,
        max_size=8,
    )
)
def test_random_documents_agree(entries: list[tuple[str, str, str]]) -> None:
    lines = []
    for i, (scalar, quote, where) in enumerate(entries):
        value = _render(scalar, quote)
        if where == "map":
            lines.append(f"k{i}: {value}")
        else:
            lines.append(f"l{i}:\n- {value}\n- [{value}]")
    _agree("\n".join(lines) + "\n")


@settings(deadline=None, max_examples=300)
@given(st.text(alphabet='" :\n\tab\\', max_size=40))
def test_key_ends_counts_as_the_regular_expression(text: str) -> None:
    from podfence.load.fast.yaml_values import _KEY_END, key_ends

    assert key_ends(text) == len(_KEY_END.findall(text))

"""One YAML document's plain value, fast: rapidyaml (C++) when it types every scalar as the
exact loader does, libyaml otherwise; or `FastParseError` (the exact loader decides).

rapidyaml parses and emits JSON in C++, and orjson reads that JSON: about 30 times faster
than PyYAML's C loader. The two disagree on what a plain (unquoted) scalar means: the exact
loader resolves scalars as YAML 1.1 does (PyYAML: `yes`, `on`, `~`, `0x1F`, `017`, `1_000`
and `.inf` are not strings; `1e3` is a string), rapidyaml as YAML 1.2 and JSON do. The
emitted JSON shows which way rapidyaml went: a number it wrote without quotes, or a string
it wrote with quotes. So each document is checked before its value is trusted:

- every unquoted number in the JSON must mean, to YAML 1.1, the same number of the same type
  (`1e3`, `0.5e3`, a 30-digit integer do not);
- no quoted string in the JSON may be one that YAML 1.1 reads as a bool, int, float or null
  but rapidyaml reads as a string when unquoted (`yes`, `True`, `~`, `0x1F`): it may have
  been unquoted in the source (quoted ones are fine, but the JSON cannot tell them apart);
- the source has no tag, anchor, alias or merge key, no complex key, no carriage return and
  no Unicode line break (where the two parsers differ, or rapidyaml keeps what the exact
  loader expands).

A document that fails a check is read with libyaml (PyYAML's C loader) instead. A key that
may be duplicated, a syntax error, or control characters in a string raise FastParseError,
so that the exact loader reports them at their line.
"""

from __future__ import annotations

import contextlib
import functools
import os
import re
import sys
from collections.abc import Callable, Iterator

import orjson
import yaml

from podfence.load.parse import MAX_NODES, scalar_value

__all__ = ["FastParseError", "yaml_value", "json_value", "HAVE_RAPIDYAML"]

try:  # a dependency; without it (an unusual install) libyaml reads every document
    import ryml  # type: ignore[import-untyped]

    HAVE_RAPIDYAML = True
except ImportError:  # pragma: no cover - rapidyaml is a dependency
    ryml = None
    HAVE_RAPIDYAML = False


class FastParseError(Exception):
    """The fast path cannot read this input exactly; use the exact loader."""


_TAG = "tag:yaml.org,2002:"
_TYPED = ("bool", "int", "float", "null")


def _resolver_pattern() -> str:
    """PyYAML's own patterns (verbose, unanchored) for the YAML 1.1 scalars that are not
    strings: bools, ints, floats and nulls."""
    found: dict[str, str] = {}
    for resolvers in yaml.resolver.Resolver.yaml_implicit_resolvers.values():
        for tag, regexp in resolvers:
            if tag.removeprefix(_TAG) in _TYPED:
                pattern = regexp.pattern
                assert pattern.startswith("^") and pattern.endswith("$"), pattern
                found[tag] = pattern[1:-1]
    return "|".join(f"(?:{p})" for p in found.values())


_PATTERN = _resolver_pattern()
_YAML11 = re.compile(_PATTERN, re.X)
"""A plain scalar that YAML 1.1 (the exact loader) does not read as a string."""
_QUOTED_TYPED = re.compile(r'"(?=[-+.0-9~yYnNoOtTfF])(' + _PATTERN + r')"(?![ \t\n]*:)', re.X)
"""A JSON string (not a key: a key is followed by a colon) that YAML 1.1 would not read as a
string had it been unquoted."""
_LEXEME = r"([-+.0-9][0-9a-zA-Z.+_-]*)"
_VALUE = re.compile(r'": ' + _LEXEME)
"""A bare value of a map in the emitted JSON (also `\\": 1` inside a string: cautious)."""
_ITEM = (re.compile(r"\[\s*" + _LEXEME), re.compile(r",\s*" + _LEXEME))
"""A bare item of a list in the emitted JSON (also some text inside strings: cautious)."""
_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[-+.0-9][0-9a-zA-Z.+_-]*')
"""A JSON string, or a bare token that may be a number."""
_RISKY_CHARS = (
    *("!", "&", "*", "<<", "?", ":]", ":}", ":,", "[:", "{:", ",:", " :"),
    *("\r", "\x85", "\u2028", "\u2029"),
)
_SOURCE_RISK = re.compile(
    r"(?:^|[\s\[{,])[!&*][^\s,\]}]|<<[ \t]*:|(?:^|[\s\[{,])\?(?:\s|$)"
    r"|[\r\x85\u2028\u2029]|:[\]},]|[\[{,][ \t]*:|(?:^|[ \t]):[^\s]",
    re.M,
)
"""A tag, an anchor or alias, a merge key, a complex key, CR or a Unicode line break, or a
colon that YAML 1.2 reads and YAML 1.1 rejects (`[x:]`, `[:x]`)."""
_WORD = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.+-")
_QUOTES = frozenset("\"'")
_KEY_END = re.compile(r'"\s*:')
_KEY_END_SPACED = re.compile(r'"\s+:')


def key_ends(text: str) -> int:
    """How many times `_KEY_END` occurs in `text` (as `len(_KEY_END.findall(text))`): a `"`
    is followed at once by `:` (counted in C) or by blanks and then `:` (rare: a regex)."""
    return text.count('":') + sum(1 for _ in _KEY_END_SPACED.finditer(text))


_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"(\s*:)?')
MAX_DEPTH = 200
"""As the exact loader's: deeper input is an error there."""


_LOADER = getattr(yaml, "CSafeLoader", None)


def _compose(text: str) -> yaml.Node | None:
    if _LOADER is None:
        raise FastParseError("no libyaml")
    try:
        return yaml.compose(text, Loader=_LOADER)
    except yaml.YAMLError as exc:
        raise FastParseError(f"invalid YAML: {exc}") from None


def _plain(root: yaml.Node) -> object:
    """A composed document as the exact loader reads it (keys are their text; scalars typed
    by `podfence.load.parse.scalar_value`; aliases expanded), or FastParseError for what it
    would report: a duplicate key, a key that is not a scalar, a bad value, a recursive
    alias, too many nodes; and for a merge key (expanded there)."""
    active: set[int] = set()
    count = 0

    def convert(node: yaml.Node, depth: int) -> object:
        nonlocal count
        count += 1
        if depth > MAX_DEPTH or id(node) in active or count > MAX_NODES:
            raise FastParseError("too deep, too large or recursive (the exact loader reports it)")
        active.add(id(node))
        try:
            return _node(node, depth)
        finally:
            active.discard(id(node))

    def _node(node: yaml.Node, depth: int) -> object:
        if isinstance(node, yaml.MappingNode):
            out: dict[str, object] = {}
            for key, value in node.value:
                if not isinstance(key, yaml.ScalarNode) or key.tag == _TAG + "merge":
                    raise FastParseError("a merge or a complex key")
                name = str(key.value)
                if name in out:
                    raise FastParseError("a duplicate key (the exact loader reports it)")
                out[name] = convert(value, depth + 1)
            return out
        if isinstance(node, yaml.SequenceNode):
            return [convert(item, depth + 1) for item in node.value]
        assert isinstance(node, yaml.ScalarNode)
        try:
            return scalar_value(node)
        except ValueError:
            raise FastParseError("a value the exact loader reports") from None

    return convert(root, 0)


def _entries(value: object) -> int:
    """How many keys the maps of a parsed value hold; FastParseError when nested deeper than
    the exact loader allows (iterative: any depth is safe)."""
    entries, stack = 0, [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            entries += len(item)
            if item and depth >= MAX_DEPTH:
                raise FastParseError("nested too deeply (the exact loader reports it)")
            stack.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, list):
            if item and depth >= MAX_DEPTH:
                raise FastParseError("nested too deeply (the exact loader reports it)")
            stack.extend((v, depth + 1) for v in item)
    return entries


def _parsed_keys(value: object) -> int:
    """How many keys the maps of a parsed value hold; FastParseError when nested deeper than
    the exact loader allows. In C where it can: orjson writes the value indented, where a
    node at depth d starts a line indented 2d, and every key ends with `": ` (inside a
    string, a quote is escaped: `\\": `, then the value is walked in Python instead)."""
    try:
        dumped = orjson.dumps(value, option=orjson.OPT_INDENT_2)
    except orjson.JSONEncodeError:
        raise FastParseError("nested too deeply (the exact loader reports it)") from None
    if b"\n" + b" " * (2 * (MAX_DEPTH + 1)) in dumped:
        raise FastParseError("nested too deeply (the exact loader reports it)")
    if b'\\": ' in dumped:
        return _entries(value)
    return dumped.count(b'": ')


def no_duplicate_keys(text: str, value: object) -> None:
    """Raise unless every key of the JSON text survived parsing (none was a duplicate).

    Cheap first: every key ends with `"` and `:`, so when that pattern occurs exactly as
    often as the parsed maps hold keys, no key was lost. Only when strings contain it too
    (an annotation holding JSON) are the keys counted exactly, string by string."""
    parsed = _parsed_keys(value)
    if key_ends(text) == parsed:
        return
    keys = sum(1 for match in _STRING.finditer(text) if match.group(1))
    if keys != parsed:
        raise FastParseError("a duplicate key (the exact loader reports it)")


def json_value(text: str) -> object:
    """A JSON text's value (orjson), unless a key is duplicated or it nests too deeply."""
    try:
        value = orjson.loads(text)
    except orjson.JSONDecodeError as exc:
        raise FastParseError(f"invalid JSON: {exc}") from None
    no_duplicate_keys(text, value)
    return value


_STR = object()
"""What `_yaml11` gives for a scalar that YAML 1.1 reads as a string."""


@functools.lru_cache(maxsize=4096)
def _yaml11(lexeme: str) -> object:
    """What the exact loader makes of a plain scalar (PyYAML's resolution), or `_STR`."""
    if not _YAML11.fullmatch(lexeme):
        return _STR
    try:
        root = yaml.compose(f"[{lexeme}]", Loader=_LOADER or yaml.SafeLoader)
        assert isinstance(root, yaml.SequenceNode)
        value = scalar_value(root.value[0])
    except (yaml.YAMLError, ValueError, AssertionError, IndexError):
        return _STR
    return _STR if isinstance(value, str) else value


@functools.lru_cache(maxsize=4096)
def _ryml_bare(lexeme: str) -> bool:
    """Whether rapidyaml writes this plain scalar unquoted in JSON (a number, bool, null)."""
    try:
        with _quiet_stderr():
            emitted = str(ryml.emit_json(ryml.parse_in_arena(f"[{lexeme}]".encode())))
    except Exception:
        return False
    return not emitted.strip()[1:].lstrip().startswith('"')


@contextlib.contextmanager
def _quiet_stderr() -> Iterator[None]:
    """Standard error (the file descriptor) silenced: rapidyaml prints parse errors there."""
    sys.stderr.flush()
    saved = os.dup(2)
    try:
        with open(os.devnull, "wb") as null:
            os.dup2(null.fileno(), 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


_OK, _QUOTE, _FAIL = "ok", "quote", "fail"


@functools.lru_cache(maxsize=65536)
def _number_status(lexeme: str) -> str:
    """Of a bare token of the emitted JSON: `ok` when the exact loader reads it as the same
    number, `quote` when it reads it as a string (rapidyaml took `4e51` for a number), `fail`
    otherwise. A token found inside a string is judged too: merely cautious."""
    expected = _yaml11(lexeme)
    try:
        got = orjson.loads(lexeme)
    except orjson.JSONDecodeError:
        got = _STR
    if expected is _STR:
        if got is _STR and "." in lexeme:
            return _OK  # not a JSON number (10.0.0.1): text inside a string
        return _QUOTE if "." not in lexeme else _FAIL  # rapidyaml may have rewritten `1.`
    if got is _STR:
        return _FAIL
    return _OK if type(got) is type(expected) and got == expected else _FAIL


def _plain_somewhere(source: str, lexeme: str) -> bool:
    """Whether `lexeme` may stand unquoted in the YAML source (cautious: anywhere it is not
    part of a longer word and not right inside quotes)."""
    at = source.find(lexeme)
    while at >= 0:
        before = source[at - 1] if at else " "
        end = at + len(lexeme)
        after = source[end] if end < len(source) else " "
        alone = before not in _WORD and after not in _WORD
        if alone and (before not in _QUOTES or after not in _QUOTES):
            return True
        at = source.find(lexeme, end)
    return False


def _rewritten_from(lexeme: str) -> list[str]:
    """The plain scalars rapidyaml rewrites into this JSON number (`.5`, `-.5`, `1.`)."""
    forms = []
    sign, digits = (lexeme[0], lexeme[1:]) if lexeme[:1] in "-+" else ("", lexeme)
    if digits.startswith("0.") and len(digits) > 2:
        forms.append(sign + digits[1:])
    if digits.endswith(".0"):
        forms.append(sign + digits[:-1])
    return forms


def _typed_alike(source: str, emitted: str) -> str | None:
    """The emitted JSON with every scalar typed as the exact loader types it, or None when
    libyaml must read the document."""
    values = set(_VALUE.findall(emitted))
    items = set(_ITEM[0].findall(emitted)) | set(_ITEM[1].findall(emitted))
    quote = set()
    for lexeme in values | items:
        if any(_plain_somewhere(source, form) for form in _rewritten_from(lexeme)):
            return None  # rapidyaml wrote `-.5` as `-0.5`: YAML 1.1 reads a string there
        status = _number_status(lexeme)
        if status == _FAIL:
            return None
        if status == _QUOTE:
            quote.add(lexeme)
    for match in set(_QUOTED_TYPED.findall(emitted)):
        if match.lower().lstrip("-+") in (".inf", ".nan"):
            return None  # rapidyaml rewrites `.Inf` as `.inf`: the source cannot be searched
        if not _ryml_bare(match) and _plain_somewhere(source, match):
            return None
    if not quote:
        return emitted
    if quote.isdisjoint(items) and '\\"' not in emitted:
        # Only map values, and no escaped quote: `": ` occurs at the end of keys alone.
        alternatives = "|".join(re.escape(q) for q in sorted(quote, key=len, reverse=True))
        pattern = re.compile(r'": (' + alternatives + r")(?=[,}\s])")
        return pattern.sub(r'": "\1"', emitted)

    def fix(match: re.Match[str]) -> str:
        token = match.group(0)
        return f'"{token}"' if token in quote else token

    return _TOKEN.sub(fix, emitted)


def _ryml_value(text: str) -> object | None:
    """The value by rapidyaml, or None when a check says libyaml must read it."""
    if any(c in text for c in _RISKY_CHARS) and _SOURCE_RISK.search(text):
        return None
    try:
        with _quiet_stderr():  # rapidyaml prints its errors too
            tree = ryml.parse_in_arena(text.encode())
        emitted = str(ryml.emit_json(tree))
    except Exception as exc:  # rapidyaml's own exceptions: invalid YAML
        raise FastParseError(f"invalid YAML: {exc}") from None
    if '"": ' in emitted:
        return None  # an empty key (`- :`): libyaml reads it as null, which is an error
    typed = _typed_alike(text, emitted)
    if typed is None:
        return None
    emitted = typed
    try:
        value: object = orjson.loads(emitted)
    except orjson.JSONDecodeError:
        return None  # control characters in a string, an odd number: libyaml decides
    no_duplicate_keys(emitted, value)
    return value


def _libyaml_value(text: str) -> object:
    try:
        root = _compose(text)
    except RecursionError:
        raise FastParseError("nested too deeply") from None
    return None if root is None else _plain(root)


def yaml_value(text: str, *, reader: Callable[[str], object | None] | None = None) -> object:
    """The value of one YAML document (a text without `---` separators)."""
    if reader is None:
        reader = _ryml_value if HAVE_RAPIDYAML else (lambda _: None)
    value = reader(text)
    if value is None:
        value = _libyaml_value(text)
    return value

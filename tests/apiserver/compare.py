"""Outcomes of one case on both sides (the API server's reply, podfence's LoadResult) and
whether they agree.

The API server decodes first and validates only what decoded: on a type error it reports that
one error (its path without list indices: `spec.ingress.ports.port`), otherwise every unknown
or duplicate field, otherwise (status 422) every validation error with its field path.
podfence reports every problem at once, decoding problems of an object first. So:

- accept/reject must always agree;
- for a case with a single mutation that both reject, the field paths must agree: the 422's
  set of paths against podfence's set of error paths (and the messages too, word for word,
  but for the random part of a name made from generateName); a type error against
  podfence's first error (a type error too, its path without indices); unknown and
  duplicate fields against podfence's unknown-field and duplicate-key errors, which must
  come first;
- for every case both reject, podfence's first error must be one the API server gives (for
  a type error: the one it gives);
- for a case both accept, every warning of the API server must be one of podfence's.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from tests.apiserver.server import Reply

from podfence.load import LoadResult
from podfence.load.schema import UNKNOWN_FIELD, is_type_error
from podfence.model import Severity

__all__ = ["Outcome", "Verdict", "compare", "podfence_outcome", "server_outcome", "strip_indices"]

_STRICT = re.compile(r'(?:unknown|duplicate) field "([^"]*)"')
_TYPE = re.compile(r"Go struct field [A-Za-z0-9_]+\.(\S+) of type")
_TIME = re.compile(r'parsing time "((?:[^"\\]|\\.)*)"')
_INDEX = re.compile(r"\[\d+\]")
_WARNING = re.compile(r'^\d{3} \S+ ("(?:[^"\\]|\\.)*")')


def strip_indices(path: str) -> str:
    """`spec.ingress[0].ports[1].port` -> `spec.ingress.ports.port` (Go's decoder's paths)."""
    return _INDEX.sub("", path)


@dataclass(frozen=True, slots=True)
class Outcome:
    """`stage` is ok, type (a type error stopped decoding), strict (unknown or duplicate
    fields), or invalid (validation). `paths` are the error paths that stage reports."""

    accepted: bool
    stage: str
    paths: frozenset[str]
    messages: frozenset[str] = frozenset()
    warnings: frozenset[str] = frozenset()
    first: str = ""


def _fields_with_value(tree: Any, value: str, path: str = "") -> Iterator[str]:
    if isinstance(tree, dict):
        for key, item in tree.items():
            yield from _fields_with_value(item, value, f"{path}.{key}" if path else key)
    elif isinstance(tree, list):
        for item in tree:
            yield from _fields_with_value(item, value, path)
    elif tree == value:
        yield path


def _warning_text(header: str) -> str:
    match = _WARNING.match(header)
    return str(json.loads(match[1])) if match else header


def _generated(messages: frozenset[str], body: Any) -> frozenset[str]:
    """The name the API server made up from generateName (5 random characters), written as
    podfence writes it: `web-*`."""
    meta = body.get("metadata") if isinstance(body, dict) else None
    prefix = meta.get("generateName") if isinstance(meta, dict) and not meta.get("name") else None
    if not isinstance(prefix, str) or not prefix:
        return messages
    base = json.dumps(prefix.encode()[:58].decode(errors="ignore"))[:-1]
    made_up = re.compile(re.escape(f"metadata.name: Invalid value: {base}") + r'[a-z0-9]{5}"')
    return frozenset(made_up.sub(f'metadata.name: Invalid value: {base}*"', m) for m in messages)


def server_outcome(reply: Reply, body: Any) -> Outcome:
    """The API server's answer to a dry-run create; `body` is what was sent (to find the
    field of a time it could not parse: its message gives the value, not the path)."""
    message = str(reply.body.get("message", ""))
    if reply.status == 201:
        warnings = frozenset(_warning_text(w) for w in reply.warnings)
        return Outcome(True, "ok", frozenset(), warnings=warnings)
    if reply.status == 422:
        causes = reply.body.get("details", {}).get("causes", [])
        paths = frozenset(str(c.get("field", "")) for c in causes)
        messages = frozenset(f"{c.get('field', '')}: {c.get('message', '')}" for c in causes)
        messages = _generated(messages, body)
        first = str(causes[0].get("field", "")) if causes else ""
        return Outcome(False, "invalid", paths, messages, first=first)
    if reply.status == 400:
        if (found := _TYPE.search(message)) is not None:
            return Outcome(False, "type", frozenset([found[1]]), first=found[1])
        if (found := _TIME.search(message)) is not None:
            value = json.loads(f'"{found[1]}"')
            paths = frozenset(strip_indices(p) for p in _fields_with_value(body, value))
            return Outcome(False, "type", paths or frozenset(["?"]), first=min(paths, default=""))
        strict = _STRICT.findall(message)
        if strict:
            return Outcome(False, "strict", frozenset(strict), first=strict[0])
    raise AssertionError(f"unexpected reply {reply.status}: {message[:500]}")


def _stage(message: str) -> str:
    if is_type_error(message):
        return "type"
    if message.startswith((UNKNOWN_FIELD, "duplicate key")):
        return "strict"
    return "invalid"


def podfence_outcome(result: LoadResult) -> Outcome:
    errors = [d for d in result.diagnostics if d.severity is Severity.ERROR]
    warnings = frozenset(
        f"{d.field}: {d.message}" for d in result.diagnostics if d.severity is Severity.WARNING
    )
    if not errors:
        return Outcome(True, "ok", frozenset(), warnings=warnings)
    first = errors[0]
    stage = _stage(first.message)
    if stage == "type":
        paths = frozenset([strip_indices(first.field or "")])
    else:
        paths = frozenset(d.field or "" for d in errors if _stage(d.message) == stage)
    messages = frozenset(f"{d.field or ''}: {d.message}" for d in errors)
    return Outcome(False, stage, paths, messages, warnings, first.field or "")


@dataclass(frozen=True, slots=True)
class Verdict:
    """How one case compares. `paths` is None when the field paths are not compared (an
    accepted case, or a case with two mutations); `messages` (the 422's error messages, word
    for word) likewise."""

    accept: bool
    paths: bool | None
    messages: bool | None
    warnings: bool | None
    first: bool | None

    @property
    def agrees(self) -> bool:
        checks = (self.paths, self.messages, self.warnings, self.first)
        return self.accept and all(check is not False for check in checks)


def compare(
    server: Outcome, podfence: Outcome, *, single: bool, exact_warnings: bool = True
) -> Verdict:
    accept = server.accepted == podfence.accepted
    paths = messages = warnings = first = None
    if accept and server.accepted:
        if exact_warnings:
            warnings = server.warnings <= podfence.warnings
        else:  # the wording may differ between versions: compare the fields warned about
            fields = {w.partition(": ")[0] for w in podfence.warnings}
            warnings = all(w.partition(": ")[0] in fields for w in server.warnings)
    elif accept:
        first = server.stage == podfence.stage and (
            strip_indices(podfence.first) == server.first
            if server.stage == "type"
            else podfence.first in server.paths
        )
        if single:
            paths = server.stage == podfence.stage and server.paths == podfence.paths
            if server.stage == "invalid":
                messages = server.messages == podfence.messages
    return Verdict(accept, paths, messages, warnings, first)

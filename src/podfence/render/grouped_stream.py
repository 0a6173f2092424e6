"""Grouped matrices as machine output that grows with what is allowed, written as produced.

`matrix --group -o json|yaml` and `matrix --all-ports -o json|yaml` print:

    {"format": "grouped", "ports": [{"port": 80, "protocol": "TCP"}],
     "groups": [GROUP, ...],
     "allowed": [{"from": 0, "to": 1, "ports": "TCP 80", "ranges": [RANGE]}, ...]}

- `format` is `grouped` (the ports asked with `-p`) or `grouped-all-ports` (every port; then
  there is no `ports` key); the dense matrix (`{"endpoints", "matrices"}`) has no `format`;
- GROUP is `{"id", "namespace" (null when several), "namespaces", "selector", "size",
  "members"}`; ids are positions in `groups`;
- `allowed` has one entry per pair of groups with something allowed (a member of `from` may
  open a connection to a member of `to`: two different pods; a group of one pod reaches
  itself), and only those: `ports` says which as text (`TCP 80,8080-8090; UDP 53`, `TCP
  all`, `all`), RANGE is `{"protocol", "first", "last"}`, ports merged into ranges.

JSON is written one group or entry per line, YAML one list item at a time: nothing is held
whole, so the output of 150,000 pods costs the memory of one line.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

import orjson
import yaml

from podfence.engine.classes import EndpointClass
from podfence.model import ProtocolPort

__all__ = ["Entry", "stream_grouped", "group_item"]

Entry = tuple[int, int, str, Sequence[dict[str, Any]]]
"""(from, to, ports as text, ranges) of one allowed pair of groups."""


def group_item(group: EndpointClass) -> dict[str, Any]:
    return {
        "id": group.id,
        "namespace": group.namespace,
        "namespaces": list(group.namespaces),
        "selector": group.selector,
        "size": len(group.members),
        "members": list(group.members),
    }


def _entry(entry: Entry) -> dict[str, Any]:
    source, destination, text, ranges = entry
    return {"from": source, "to": destination, "ports": text, "ranges": list(ranges)}


def _json(
    head: dict[str, Any], groups: Iterable[dict[str, Any]], entries: Iterable[Entry]
) -> Iterator[str]:
    yield orjson.dumps(head).decode()[:-1] + ',\n"groups": ['
    for i, g in enumerate(groups):
        yield ("," if i else "") + "\n" + orjson.dumps(g).decode()
    yield '\n],\n"allowed": ['
    for i, e in enumerate(entries):
        yield ("," if i else "") + "\n" + orjson.dumps(_entry(e)).decode()
    yield "\n]}\n"


def _yaml_list(key: str, items: Iterable[dict[str, Any]]) -> Iterator[str]:
    empty = True
    for item in items:
        if empty:
            yield f"{key}:\n"
            empty = False
        yield yaml.safe_dump([item], sort_keys=False)
    if empty:
        yield f"{key}: []\n"


def _yaml(
    head: dict[str, Any], groups: Iterable[dict[str, Any]], entries: Iterable[Entry]
) -> Iterator[str]:
    yield yaml.safe_dump(head, sort_keys=False)
    yield from _yaml_list("groups", groups)
    yield from _yaml_list("allowed", (_entry(e) for e in entries))


def stream_grouped(
    groups: Iterable[dict[str, Any]],
    entries: Iterable[Entry],
    *,
    ports: Sequence[ProtocolPort] | None,
    output: str,
    write: Callable[[str], object],
) -> None:
    """Write the grouped document (`groups`: GROUP items, see `group_item`; `ports`: those
    asked, None: every port) as `output` (`json` or `yaml`), chunk by chunk through
    `write`."""
    head: dict[str, Any] = {"format": "grouped-all-ports" if ports is None else "grouped"}
    if ports is not None:
        head["ports"] = [{"port": p.port, "protocol": p.protocol.value} for p in ports]
    chunks = _json(head, groups, entries) if output == "json" else _yaml(head, groups, entries)
    for chunk in chunks:
        write(chunk)

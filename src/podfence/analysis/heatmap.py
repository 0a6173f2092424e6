"""The report's overview of a large cluster: namespace x namespace, per class of ports, how
many pairs of pods are allowed, with the pairs of endpoint classes behind each cell.

Read from the class engine's sparse table of allowed pairs of classes (never pods x pods):
ports are the spans that matter (see analysis.samples), merged into port classes where the
same pairs of classes are allowed; a cell counts the pairs of different pods of two
namespaces allowed on that class of ports; drilling down lists the pairs of classes (and
then their pods).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from podfence.analysis.samples import PortSpan
from podfence.engine.classes import ClassEngine, EndpointClass
from podfence.model import Protocol

__all__ = ["Heatmap", "HeatPorts", "heatmap"]


@dataclass(frozen=True, slots=True)
class HeatPorts:
    """Ports on which the same pairs of classes are allowed."""

    protocol: Protocol
    probes: tuple[PortSpan, ...]
    pairs: tuple[tuple[int, int], ...]
    """(source class, destination class), indexes into `Heatmap.classes`, sorted."""
    cells: tuple[tuple[int, int, int], ...]
    """(source namespace, destination namespace, pairs of pods allowed), indexes into
    `Heatmap.namespaces`, for every cell with something allowed."""


@dataclass(frozen=True, slots=True)
class Heatmap:
    namespaces: tuple[str, ...]
    sizes: tuple[int, ...]
    """Endpoints in each namespace."""
    classes: tuple[EndpointClass, ...]
    ports: tuple[HeatPorts, ...]


def _cells(
    pairs: Sequence[tuple[int, int]],
    spread: Sequence[Counter[int]],
) -> tuple[tuple[int, int, int], ...]:
    counts: Counter[tuple[int, int]] = Counter()
    for s, d in pairs:
        for a, ca in spread[s].items():
            for b, cb in spread[d].items():
                n = ca * cb - (ca if s == d and a == b else 0)  # not a pod and itself
                if n:
                    counts[a, b] += n
    return tuple((a, b, n) for (a, b), n in sorted(counts.items()))


def heatmap(engine: ClassEngine, probes: Sequence[PortSpan]) -> Heatmap:
    classes = engine.classes
    namespaces = tuple(sorted({ns for g in classes for ns in g.namespaces}))
    index = {ns: i for i, ns in enumerate(namespaces)}
    endpoints = {ep.id: ep for ep in engine.cluster.endpoints}
    spread: list[Counter[int]] = [
        Counter(index[endpoints[m].namespace] for m in g.members) for g in classes
    ]
    sizes = [0] * len(namespaces)
    for counter in spread:
        for ns, n in counter.items():
            sizes[ns] += n
    bits = [engine.atoms.atom(p.port, p.protocol) for p in probes]
    by_probe: list[list[tuple[int, int]]] = [[] for _ in probes]
    for pair in engine.grouped_ports().pairs():
        if pair.source == pair.destination and len(classes[pair.source].members) < 2:
            continue  # a pod and itself
        for i, bit in enumerate(bits):
            if pair.mask >> bit & 1:
                by_probe[i].append((pair.source, pair.destination))
    merged: dict[tuple[Protocol, tuple[tuple[int, int], ...]], list[PortSpan]] = {}
    for probe, found in zip(probes, by_probe, strict=True):
        merged.setdefault((probe.protocol, tuple(sorted(found))), []).append(probe)
    ports = [
        HeatPorts(protocol, tuple(members), pairs, _cells(pairs, spread))
        for (protocol, pairs), members in merged.items()
    ]
    ports.sort(
        key=lambda c: (
            list(Protocol).index(c.protocol),
            len(c.probes) > 1 or not c.probes[0].is_single,
            c.probes[0].port,
        )
    )
    return Heatmap(namespaces, tuple(sizes), classes, tuple(ports))

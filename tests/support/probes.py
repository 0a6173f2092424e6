"""The questions property tests ask of a cluster: which connections, on which ports, over
which IP family."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence

from podfence.model import (
    Cluster,
    Connection,
    EveryPort,
    External,
    Party,
    PortNumber,
    PortRangeMatch,
    Protocol,
    ProtocolPort,
)

from .vocabulary import FAMILIES, PROBE_PORTS, PROTOCOLS

__all__ = ["boundary_ports", "connections", "describe"]


def connections(
    cluster: Cluster,
    outside: Sequence[External] = (),
    ports: Iterable[ProtocolPort] = PROBE_PORTS,
    families: Iterable[int | None] = FAMILIES,
) -> Iterator[Connection]:
    """Every ordered pair of parties (endpoints, then outside addresses), on every port,
    over every family (None: not given)."""
    parties: list[Party] = [*cluster.endpoints, *outside]
    specs = tuple(ports)
    fams = tuple(families)
    for src in parties:
        for dst in parties:
            for spec in specs:
                for family in fams:
                    yield Connection(src, dst, spec.port, spec.protocol, family)


def boundary_ports(cluster: Cluster) -> list[tuple[int, Protocol]]:
    """Every port at and around every boundary a rule (of a NetworkPolicy or a
    ClusterNetworkPolicy) or a container port makes, for every protocol (what an
    implementation cutting ports into ranges could get wrong)."""
    points = {1, 2, 65534, 65535}
    for pol in cluster.policies:
        for rule in (*pol.ingress, *pol.egress):
            for p in rule.ports:
                if isinstance(p.port, int):
                    last = p.end_port if p.end_port is not None else p.port
                    points.update((p.port - 1, p.port, p.port + 1, last - 1, last, last + 1))
    for cnp in cluster.cluster_policies:
        for crule in (*cnp.ingress, *cnp.egress):
            if isinstance(crule.protocols, EveryPort):
                continue
            for entry in crule.protocols:
                if isinstance(entry, PortNumber):
                    points.update((entry.port - 1, entry.port, entry.port + 1))
                elif isinstance(entry, PortRangeMatch):
                    first, last = entry.start, entry.end
                    points.update((first - 1, first, first + 1, last - 1, last, last + 1))
    for ep in cluster.endpoints:
        for cp in ep.ports:
            points.update((cp.port - 1, cp.port, cp.port + 1))
    ports = sorted(p for p in points if 1 <= p <= 65535)
    return [(p, proto) for p in ports for proto in PROTOCOLS]


def describe(cluster: Cluster) -> str:
    """The cluster in a few lines, for a failing assertion's message."""
    lines = [f"namespace {ns.name} {dict(ns.labels)}" for ns in cluster.namespaces]
    lines += [repr(ep) for ep in cluster.endpoints]
    lines += [repr(p) for p in cluster.policies]
    lines += [repr(p) for p in cluster.cluster_policies]
    return "\n".join(lines)

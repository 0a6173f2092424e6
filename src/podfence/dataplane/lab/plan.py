"""Plan a lab from a cluster (pure): namespaces, veths, addresses, routes and listeners.

A node namespace `podfence-<lab>-node` routes between one namespace per endpoint
(`podfence-<lab>-p<N>`, N by sorted endpoint id), each joined to the node by a veth pair.
Workloads stand for one pod each. Endpoints keep their status IPs; the others get the next
free address of the pod CIDR in sorted-id order. A hostNetwork pod gets its own namespace
too, standing for its node: no selector matches it, an ipBlock can.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace

from podfence.model import (
    Cluster,
    ContainerPort,
    Endpoint,
    IPAddress,
    IPNetwork,
    Protocol,
    ProtocolPort,
)

__all__ = [
    "DEFAULT_POD_CIDR",
    "GATEWAY_V4",
    "GATEWAY_V6",
    "LabPlan",
    "PodPlan",
    "plan_lab",
    "check_lab_name",
    "node_netns",
    "pod_netns",
    "is_dns_pod",
    "listeners_for",
]

DEFAULT_POD_CIDR: IPNetwork = ipaddress.ip_network("10.244.0.0/16")
GATEWAY_V4 = ipaddress.IPv4Address("169.254.1.1")
"""The node's address on every pod veth (each pod's default gateway)."""
GATEWAY_V6 = ipaddress.IPv6Address("fe80::1")

_NAME = re.compile(r"^[a-z0-9]([a-z0-9-]{0,30}[a-z0-9])?$")


def check_lab_name(name: str) -> None:
    if not _NAME.match(name):
        raise ValueError(
            f"invalid lab name {name!r}: 1-32 lowercase letters, digits and '-', "
            "starting and ending with a letter or digit"
        )


def node_netns(lab: str) -> str:
    return f"podfence-{lab}-node"


def pod_netns(lab: str, index: int) -> str:
    return f"podfence-{lab}-p{index}"


def is_dns_pod(endpoint: Endpoint) -> bool:
    """A cluster DNS pod: namespace kube-system, label k8s-app=kube-dns."""
    return endpoint.namespace == "kube-system" and ("k8s-app", "kube-dns") in endpoint.labels


@dataclass(frozen=True, slots=True)
class PodPlan:
    endpoint: str
    netns: str
    veth: str
    """The node-side end of the pod's veth pair (the pod side is `eth0`)."""
    ips: tuple[IPAddress, ...]
    listeners: tuple[ProtocolPort, ...]
    dns: bool = False
    host_network: bool = False
    declared_ips: tuple[IPAddress, ...] = ()
    """The status IPs of the manifests (kept when free, else replaced)."""
    ports: tuple[ContainerPort, ...] = ()
    """The container ports of the manifests, with their names (for `probe --port NAME`)."""


@dataclass(frozen=True, slots=True)
class LabPlan:
    name: str
    node_netns: str
    pods: tuple[PodPlan, ...]
    cluster: Cluster
    """The cluster with every endpoint's lab addresses: what the ruleset is compiled from."""
    notes: tuple[str, ...] = ()

    @property
    def ipv6(self) -> bool:
        return any(ip.version == 6 for pod in self.pods for ip in pod.ips)

    @property
    def netns_names(self) -> tuple[str, ...]:
        return (self.node_netns, *(pod.netns for pod in self.pods))


def _free(cidr: IPNetwork, used: set[IPAddress]) -> Iterator[IPAddress]:
    for ip in cidr.hosts():
        if ip not in used:
            yield ip


def listeners_for(
    endpoint: Endpoint, serve: Iterable[ProtocolPort] = (), notes: list[str] | None = None
) -> list[ProtocolPort]:
    """The ports a pod listens on: its TCP/UDP container ports, `serve`, and 53 for DNS."""
    ports = set(serve)
    if is_dns_pod(endpoint):
        ports |= {ProtocolPort(53, Protocol.UDP), ProtocolPort(53, Protocol.TCP)}
    notes = notes if notes is not None else []
    for cport in endpoint.ports:
        if cport.protocol is Protocol.SCTP:
            notes.append(f"{endpoint.id}: no listener on {cport.port}/SCTP (no SCTP sockets)")
            continue
        ports.add(ProtocolPort(cport.port, cport.protocol))
    return sorted(ports)


def plan_lab(
    cluster: Cluster,
    name: str,
    *,
    serve: Iterable[ProtocolPort] = (),
    pod_cidr: IPNetwork = DEFAULT_POD_CIDR,
) -> LabPlan:
    """Which namespaces, links, addresses and listeners the lab needs (nothing is run)."""
    check_lab_name(name)
    serve = tuple(serve)
    endpoints = sorted(cluster.endpoints, key=lambda ep: ep.id)
    notes: list[str] = []
    used: set[IPAddress] = {GATEWAY_V4, GATEWAY_V6}
    kept: dict[str, tuple[IPAddress, ...]] = {}
    for ep in endpoints:
        mine = []
        for ip in ep.ips:
            if ip in used:
                notes.append(f"{ep.id}: address {ip} already taken; the lab assigns another")
            else:
                used.add(ip)
                mine.append(ip)
        kept[ep.id] = tuple(mine)
    free = _free(pod_cidr, used)
    pods, lab_endpoints = [], []
    for index, ep in enumerate(endpoints):
        ips = kept[ep.id]
        if not ips:
            try:
                ips = (next(free),)
            except StopIteration:
                raise ValueError(f"pod CIDR {pod_cidr} has no free address for {ep.id}") from None
        pods.append(
            PodPlan(
                endpoint=ep.id,
                netns=pod_netns(name, index),
                veth=f"pfv{index}",
                ips=ips,
                listeners=tuple(listeners_for(ep, serve, notes)),
                dns=is_dns_pod(ep),
                host_network=ep.host_network,
                declared_ips=ep.ips,
                ports=ep.ports,
            )
        )
        lab_endpoints.append(replace(ep, ips=ips))
    lab_cluster = replace(cluster, endpoints=tuple(lab_endpoints))
    return LabPlan(name, node_netns(name), tuple(pods), lab_cluster, tuple(notes))

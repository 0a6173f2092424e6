"""Nodes (core/v1 Node): what a ClusterNetworkPolicy `nodes` peer selects and matches.

Upstream: the `nodes` peer "selects the nodeIPs as the peer type by matching on the IPs present
in the node.Status.Addresses field of the node" (network-policy-api v1alpha2). The API server
does not validate node addresses, so an address is kept as written and only the ones that are
IP addresses count as node IPs.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from podfence.model.addresses import IPAddress
from podfence.model.labels import Labels
from podfence.model.source import Location, ObjectRef

__all__ = ["Node", "NodeAddress"]


@dataclass(frozen=True, slots=True)
class NodeAddress:
    """One entry of `status.addresses`: `InternalIP`, `ExternalIP`, `Hostname`, ..."""

    type: str
    address: str

    @property
    def ip(self) -> IPAddress | None:
        """The address as an IP address, or None when it is not one (a host name)."""
        try:
            return ipaddress.ip_address(self.address)
        except ValueError:
            return None


@dataclass(frozen=True, slots=True)
class Node:
    name: str
    labels: Labels = ()
    addresses: tuple[NodeAddress, ...] = ()
    location: Location = Location("<memory>")

    @property
    def ref(self) -> ObjectRef:
        return ObjectRef("Node", None, self.name)

    @property
    def ips(self) -> tuple[IPAddress, ...]:
        """Every address that is an IP address, whatever its type, in order, without repeats."""
        out: list[IPAddress] = []
        for address in self.addresses:
            ip = address.ip
            if ip is not None and ip not in out:
                out.append(ip)
        return tuple(out)

    def __str__(self) -> str:
        return self.name

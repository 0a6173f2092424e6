"""What podfence reads from Nodes (labels, `status.addresses`) and from `spec.nodeName`.

Upstream: pkg/apis/core/validation/validation.go. The API server validates a node's name and
labels (ValidateObjectMeta, checked with the metadata of every kind) but not its addresses; a
pod's `spec.nodeName` must be a valid node name (ValidateNodeName: a DNS subdomain).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping

from podfence.load.fielderr import invalid
from podfence.load.names import is_dns1123_subdomain
from podfence.load.report import Reporter
from podfence.load.tree import child, get_list, get_map, index

__all__ = ["IP_ADDRESS_TYPES", "validate_node", "validate_node_name"]

IP_ADDRESS_TYPES = ("InternalIP", "ExternalIP")


def validate_node_name(spec: Mapping[str, object] | None, path: str, report: Reporter) -> None:
    """`nodeName` of a pod spec at `path`: empty or a DNS subdomain."""
    name = spec.get("nodeName") if spec is not None else None
    if isinstance(name, str) and name:
        for message in is_dns1123_subdomain(name):
            report.error(child(path, "nodeName"), invalid(name, message))


def validate_node(body: Mapping[str, object], report: Reporter) -> None:
    """An InternalIP or ExternalIP address that is not an IP address is accepted upstream but
    can match no `nodes` peer: a warning."""
    for i, item in enumerate(get_list(get_map(body, "status"), "addresses") or []):
        if not isinstance(item, dict) or item.get("type") not in IP_ADDRESS_TYPES:
            continue
        address = item.get("address")
        if not isinstance(address, str):
            continue
        try:
            ipaddress.ip_address(address)
        except ValueError:
            report.warning(
                child(index("status.addresses", i), "address"),
                f'{item["type"]} "{address}" is not an IP address: no nodes peer can match it',
            )

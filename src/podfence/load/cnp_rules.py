"""The CEL rules (`x-kubernetes-validations`) of the ClusterNetworkPolicy CRD, in Python.

Each rule of the bundled CRDs is implemented here, keyed by its exact CEL text; a test fails if
the CRD holds a rule that is not. Upstream:
- `isCIDR` is k8s.io/apiserver/pkg/cel/library/cidr.go: Go's netip.ParsePrefix (no IPv6 zone,
  no leading zero in an IPv4 octet or in the prefix length, host bits allowed) and no
  IPv4-mapped IPv6 address;
- `has(x.f)` is true when the field is present after pruning (a `null` value is pruned).

A rule returns None when its inputs do not have the types it expects (the schema walk has
already reported that), so it is never evaluated on nonsense.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable, Mapping

from podfence.load.fielderr import invalid

__all__ = ["RULES", "Rule", "is_cidr", "rule_message"]

Rule = Callable[[object], bool | None]

_PREFIX = re.compile(r"0|[1-9][0-9]{0,2}", re.ASCII)
_IPV4 = re.compile(r"(0|[1-9][0-9]{0,2})(\.(0|[1-9][0-9]{0,2})){3}", re.ASCII)


def is_cidr(text: str) -> bool:
    """CEL `isCIDR`: an IPv4 or IPv6 prefix as Go's netip.ParsePrefix reads it, without an
    IPv4-mapped IPv6 address (`::ffff:1.2.3.4/128` is rejected)."""
    address_text, slash, bits_text = text.partition("/")
    if not slash or not _PREFIX.fullmatch(bits_text):
        return False
    address: ipaddress.IPv4Address | ipaddress.IPv6Address
    if ":" not in address_text:
        if not _IPV4.fullmatch(address_text):
            return False
        try:
            address = ipaddress.IPv4Address(address_text)
        except ValueError:
            return False
    else:
        if "%" in address_text or not address_text.isascii():
            return False
        try:
            address = ipaddress.IPv6Address(address_text)
        except ValueError:
            return False
        if address.ipv4_mapped is not None:
            return False
    return int(bits_text) <= address.max_prefixlen


def _has(tree: Mapping[str, object], key: str) -> bool:
    return tree.get(key) is not None


def _start_before_end(value: object) -> bool | None:
    if not isinstance(value, Mapping):
        return None
    start, end = value.get("start"), value.get("end")
    if not (_is_int(start) and _is_int(end)):
        return None
    assert isinstance(start, int) and isinstance(end, int)
    return start < end


def _is_int(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _is_cidr_rule(value: object) -> bool | None:
    return is_cidr(value) if isinstance(value, str) else None


_NO_NAMED_PORTS = ("networks", "nodes", "domainNames")


def _named_ports_only_for_pods(value: object) -> bool | None:
    """!(to.exists(peer with networks/nodes/domainNames) && has(protocols) &&
    protocols.exists(protocol with destinationNamedPort))."""
    if not isinstance(value, Mapping):
        return None
    peers, protocols = value.get("to"), value.get("protocols")
    if not isinstance(peers, list) or not all(isinstance(p, Mapping) for p in peers):
        return None
    if protocols is not None and (
        not isinstance(protocols, list) or not all(isinstance(p, Mapping) for p in protocols)
    ):
        return None
    outside = any(_has(p, k) for p in peers if isinstance(p, Mapping) for k in _NO_NAMED_PORTS)
    named = any(_has(p, "destinationNamedPort") for p in protocols or [] if isinstance(p, Mapping))
    return not (outside and named)


RULES: Mapping[str, Rule] = {
    "self.start < self.end": _start_before_end,
    "isCIDR(self)": _is_cidr_rule,
    "!(self.to.exists(peer, has(peer.networks) || has(peer.nodes) || has(peer.domainNames)) "
    "&& has(self.protocols) && self.protocols.exists(protocol, "
    "has(protocol.destinationNamedPort)))": _named_ports_only_for_pods,
}


def rule_message(value: object, message: str) -> str:
    """A failed rule as the API server words it: the value is shown for scalars only
    (field.OmitValueType for objects and lists)."""
    if isinstance(value, dict | list):
        return f"Invalid value: {message}"
    return invalid(value, message)

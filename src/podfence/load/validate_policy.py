"""NetworkPolicy validation, as networking.k8s.io/v1 on the API server.

Upstream: pkg/apis/networking/validation/validation.go (ValidateNetworkPolicySpec,
ValidateNetworkPolicyPort, ValidateNetworkPolicyPeer, ValidateIPBlock). Deliberately accepted,
as there: duplicate `policyTypes` entries and an empty `ingress: []` / `egress: []`.
`strict_cidrs` is the StrictIPCIDRValidation gate of the Kubernetes version judged by
(`LoadOptions.strict_ip_cidr`).
"""

from __future__ import annotations

from collections.abc import Mapping

from podfence.load.cidrs import (
    CIDR,
    INVALID_CIDR,
    cidr_errors,
    cidr_warnings,
    go_contains,
    parse_cidr,
)
from podfence.load.fielderr import forbidden, invalid, not_supported, required
from podfence.load.names import is_valid_port_name, is_valid_port_num
from podfence.load.report import Reporter
from podfence.load.tree import INVALID, child, get_list, get_map, index
from podfence.load.validate_meta import validate_selector

__all__ = [
    "POLICY_TYPES",
    "PROTOCOLS",
    "validate_ip_block",
    "validate_peer",
    "validate_policy_port",
    "validate_policy_spec",
]

PROTOCOLS = ("TCP", "UDP", "SCTP")
POLICY_TYPES = ("Ingress", "Egress")
_PEER_FIELDS = ("podSelector", "namespaceSelector", "ipBlock")


def validate_policy_port(port: Mapping[str, object], path: str, report: Reporter) -> None:
    """ValidateNetworkPolicyPort: protocol, then `port` (number or name) and `endPort`."""
    protocol = port.get("protocol")
    if isinstance(protocol, str) and protocol not in PROTOCOLS:
        report.error(child(path, "protocol"), not_supported(protocol, PROTOCOLS))
    number = port.get("port")
    end = port.get("endPort")
    end_path = child(path, "endPort")
    if isinstance(number, int):
        for message in is_valid_port_num(number):
            report.error(child(path, "port"), invalid(number, message))
        if isinstance(end, int):
            if end < number:  # upstream shows `port`'s value here
                report.error(end_path, invalid(number, "must be greater than or equal to `port`"))
            for message in is_valid_port_num(end):
                report.error(end_path, invalid(end, message))
    elif isinstance(number, str):
        if isinstance(end, int):
            detail = "may not be specified when `port` is non-numeric"
            report.error(end_path, invalid(end, detail))
        for message in is_valid_port_name(number):  # "80" as a string is a (bad) name
            report.error(child(path, "port"), invalid(number, message))
    elif number is None and isinstance(end, int):
        report.error(end_path, invalid(end, "may not be specified when `port` is not specified"))


def validate_peer(
    peer: Mapping[str, object], path: str, report: Reporter, *, strict_cidrs: bool
) -> None:
    """ValidateNetworkPolicyPeer: one of the three fields; ipBlock alone."""
    for name in ("podSelector", "namespaceSelector"):
        validate_selector(get_map(peer, name), child(path, name), report)
    ip_block = get_map(peer, "ipBlock")
    if ip_block is not None:
        validate_ip_block(ip_block, child(path, "ipBlock"), report, strict_cidrs=strict_cidrs)
    present = [name for name in _PEER_FIELDS if name in peer]
    if not present:
        report.error(path, required("must specify a peer"))
    elif len(present) > 1 and "ipBlock" in present:
        report.error(path, forbidden("may not specify both ipBlock and another peer"))


def _cidr(text: str, path: str, report: Reporter, *, strict: bool) -> CIDR | None:
    """IsValidCIDRForLegacyField and GetWarningsForCIDR: the CIDR when it parses at all (the
    `except` check still runs on one the strict rules reject, as upstream), else None."""
    cidr = parse_cidr(text)
    if cidr is None:
        report.error(path, invalid(text, INVALID_CIDR))
        return None
    problems = cidr_errors(cidr) if strict else []
    for message in problems:
        report.error(path, invalid(text, message))
    for warning in [] if problems else cidr_warnings(cidr):
        report.warning(path, warning)
    return cidr


def validate_ip_block(
    block: Mapping[str, object], path: str, report: Reporter, *, strict_cidrs: bool
) -> None:
    """ValidateIPBlock: a valid `cidr`; each `except` valid and a strict subset of it (with
    Go's containment, in which an IPv4-mapped IPv6 value counts as IPv4)."""
    text = block.get("cidr", "")
    cidr_path = child(path, "cidr")
    if text is INVALID:
        return
    if not isinstance(text, str) or not text:
        report.error(cidr_path, required())
        return
    cidr = _cidr(text, cidr_path, report, strict=strict_cidrs)
    if cidr is None:
        return
    for i, item in enumerate(get_list(block, "except") or []):
        if not isinstance(item, str):
            continue
        item_path = index(child(path, "except"), i)
        excepted = _cidr(item, item_path, report, strict=strict_cidrs)
        if excepted is None:
            continue
        if not go_contains(cidr, excepted) or cidr.prefix >= excepted.prefix:
            report.error(item_path, invalid(item, "must be a strict subset of `cidr`"))


def _rules(
    spec: Mapping[str, object], direction: str, peers: str, report: Reporter, *, strict: bool
) -> None:
    for i, rule in enumerate(get_list(spec, direction) or []):
        if not isinstance(rule, dict):
            continue
        rule_path = index(f"spec.{direction}", i)
        for j, port in enumerate(get_list(rule, "ports") or []):
            if isinstance(port, dict):
                validate_policy_port(port, index(child(rule_path, "ports"), j), report)
        for j, peer in enumerate(get_list(rule, peers) or []):
            if isinstance(peer, dict):
                validate_peer(peer, index(child(rule_path, peers), j), report, strict_cidrs=strict)


def _policy_types(spec: Mapping[str, object], report: Reporter) -> None:
    types = get_list(spec, "policyTypes")
    if types is None:
        return
    if len(types) > len(POLICY_TYPES):
        detail = "may not specify more than two policyTypes"
        report.error("spec.policyTypes", invalid(types, detail))
        return
    for i, value in enumerate(types):
        if isinstance(value, str) and value not in POLICY_TYPES:
            report.error(index("spec.policyTypes", i), not_supported(value, POLICY_TYPES))


def validate_policy_spec(
    spec: Mapping[str, object] | None, report: Reporter, *, strict_cidrs: bool
) -> None:
    """ValidateNetworkPolicySpec, in the API server's order."""
    if spec is None:
        return
    validate_selector(get_map(spec, "podSelector"), "spec.podSelector", report)
    _rules(spec, "ingress", "from", report, strict=strict_cidrs)
    _rules(spec, "egress", "to", report, strict=strict_cidrs)
    _policy_types(spec, report)

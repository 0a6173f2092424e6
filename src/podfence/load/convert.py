"""Decoded (and valid) trees -> pieces of the frozen model: labels, selectors, ports, peers.

Only called on data that passed validation, except by the linking stage, which converts the
selectors of workloads that may be invalid and so catches `ConversionError`.
"""

from __future__ import annotations

from collections.abc import Mapping

from podfence.load.cidrs import parse_cidr, parse_ip
from podfence.load.tree import get_bool, get_int, get_list, get_map, get_str
from podfence.model import (
    ContainerPort,
    IPAddress,
    IPBlock,
    IPNetwork,
    Labels,
    LabelSelector,
    Operator,
    Peer,
    PolicyPort,
    Protocol,
    Requirement,
    Rule,
    frozen_labels,
)

__all__ = [
    "ConversionError",
    "to_container_ports",
    "to_host_network",
    "to_ip_block",
    "to_labels",
    "to_peer",
    "to_pod_ips",
    "to_policy_port",
    "to_rule",
    "to_selector",
]


class ConversionError(ValueError):
    """A value the model cannot represent (only possible for unvalidated input)."""


def to_labels(tree: Mapping[str, object] | None) -> Labels:
    return frozen_labels({k: v for k, v in (tree or {}).items() if isinstance(v, str)})


def _requirement(tree: Mapping[str, object]) -> Requirement:
    key = get_str(tree, "key")
    operator = get_str(tree, "operator")
    values = get_list(tree, "values") or []
    if key is None or operator not in {o.value for o in Operator}:
        raise ConversionError(f"bad requirement {tree!r}")
    if not all(isinstance(v, str) for v in values):
        raise ConversionError(f"bad values {values!r}")
    return Requirement(key, Operator(operator), tuple(str(v) for v in values))


def to_selector(tree: Mapping[str, object]) -> LabelSelector:
    """A metav1.LabelSelector; `{}` is the empty selector (selects everything)."""
    expressions = get_list(tree, "matchExpressions") or []
    if not all(isinstance(e, dict) for e in expressions):
        raise ConversionError(f"bad matchExpressions {expressions!r}")
    return LabelSelector(
        match_labels=to_labels(get_map(tree, "matchLabels")),
        match_expressions=tuple(_requirement(e) for e in expressions if isinstance(e, dict)),
    )


def to_policy_port(tree: Mapping[str, object]) -> PolicyPort:
    port = tree.get("port")
    if port is not None and not isinstance(port, int | str):
        raise ConversionError(f"bad port {port!r}")
    return PolicyPort(
        protocol=Protocol(get_str(tree, "protocol") or "TCP"),
        port=port,
        end_port=get_int(tree, "endPort"),
    )


def _network(text: str | None) -> IPNetwork:
    cidr = parse_cidr(text or "")
    if cidr is None:
        raise ConversionError(f"bad CIDR {text!r}")
    return cidr.network


def to_ip_block(tree: Mapping[str, object]) -> IPBlock:
    """An ipBlock; a CIDR with host bits set means its network (the API server accepts it)."""
    excepts = [e for e in get_list(tree, "except") or [] if isinstance(e, str)]
    return IPBlock(_network(get_str(tree, "cidr")), tuple(_network(e) for e in excepts))


def _optional_selector(tree: Mapping[str, object], key: str) -> LabelSelector | None:
    value = get_map(tree, key)
    return None if value is None else to_selector(value)


def to_peer(tree: Mapping[str, object]) -> Peer:
    """A peer; a selector key that is absent stays None, `{}` is the empty selector."""
    block = get_map(tree, "ipBlock")
    return Peer(
        pod_selector=_optional_selector(tree, "podSelector"),
        namespace_selector=_optional_selector(tree, "namespaceSelector"),
        ip_block=None if block is None else to_ip_block(block),
    )


def to_rule(tree: Mapping[str, object], peers_field: str) -> Rule:
    """A rule; `from`/`to` and `ports` missing or `[]` both become () (every peer/port)."""
    peers = [p for p in get_list(tree, peers_field) or [] if isinstance(p, dict)]
    ports = [p for p in get_list(tree, "ports") or [] if isinstance(p, dict)]
    return Rule(tuple(to_peer(p) for p in peers), tuple(to_policy_port(p) for p in ports))


def to_container_ports(spec: Mapping[str, object] | None) -> tuple[ContainerPort, ...]:
    """The ports of `containers` (not of initContainers or ephemeralContainers)."""
    ports = []
    for container in get_list(spec, "containers") or []:
        for port in get_list(container if isinstance(container, dict) else None, "ports") or []:
            if not isinstance(port, dict):
                continue
            number = get_int(port, "containerPort")
            if number is None:
                raise ConversionError(f"bad container port {port!r}")
            protocol = Protocol(get_str(port, "protocol") or "TCP")
            ports.append(ContainerPort(number, protocol, get_str(port, "name") or None))
    return tuple(ports)


def to_host_network(spec: Mapping[str, object] | None) -> bool:
    return bool(get_bool(spec, "hostNetwork"))


def to_pod_ips(status: Mapping[str, object] | None) -> tuple[IPAddress, ...]:
    """`status.podIP` and every `status.podIPs[].ip`, parsed, without repeats, in order."""
    texts = [get_str(status, "podIP")]
    texts += [get_str(i, "ip") for i in get_list(status, "podIPs") or [] if isinstance(i, dict)]
    ips: list[IPAddress] = []
    for text in texts:
        if text:
            parsed = parse_ip(text)
            if parsed is None:
                raise ConversionError(f"bad IP {text!r}")
            if parsed.address not in ips:
                ips.append(parsed.address)
    return tuple(ips)

"""Validation of what podfence reads from Pods and workloads: labels, ports, IPs, selectors.

Upstream: pkg/apis/core/validation/validation.go (validateContainerPorts, pod template
labels) and apps/batch validation of `spec.selector`. Fields podfence ignores are not checked.
"""

from __future__ import annotations

from collections.abc import Mapping

from podfence.load.cidrs import INVALID_IP, ip_errors, ip_warnings, parse_ip
from podfence.load.fielderr import duplicate, invalid, not_supported, required
from podfence.load.names import is_valid_port_name, is_valid_port_num
from podfence.load.report import Reporter
from podfence.load.tree import child, get_at, get_list, get_map, index
from podfence.load.validate_meta import validate_labels, validate_selector
from podfence.load.validate_policy import PROTOCOLS

__all__ = ["validate_container_ports", "validate_pod_ips", "validate_pod_spec", "validate_workload"]

_PORT_PROTOCOLS = sorted(PROTOCOLS)
"""Core lists the protocols of a container port sorted (a set), unlike NetworkPolicy."""


def validate_container_ports(ports: list[object], path: str, report: Reporter) -> None:
    """validateContainerPorts: name, containerPort, hostPort, protocol; names unique."""
    names: set[str] = set()
    for i, port in enumerate(ports):
        if not isinstance(port, dict):
            continue
        at = index(path, i)
        name = port.get("name")
        if isinstance(name, str) and name:
            problems = is_valid_port_name(name)
            for message in problems:
                report.error(child(at, "name"), invalid(name, message))
            if not problems and name in names:
                report.error(child(at, "name"), duplicate(name))
            names.add(name)
        number = port.get("containerPort", 0)
        if number == 0:
            report.error(child(at, "containerPort"), required())
        elif isinstance(number, int):
            for message in is_valid_port_num(number):
                report.error(child(at, "containerPort"), invalid(number, message))
        host_port = port.get("hostPort", 0)
        if isinstance(host_port, int) and host_port != 0:
            for message in is_valid_port_num(host_port):
                report.error(child(at, "hostPort"), invalid(host_port, message))
        protocol = port.get("protocol")
        if isinstance(protocol, str) and protocol not in PROTOCOLS:
            report.error(child(at, "protocol"), not_supported(protocol, _PORT_PROTOCOLS))


def validate_pod_spec(spec: Mapping[str, object] | None, path: str, report: Reporter) -> None:
    for i, container in enumerate(get_list(spec, "containers") or []):
        if isinstance(container, dict):
            ports = get_list(container, "ports") or []
            at = child(index(child(path, "containers"), i), "ports")
            validate_container_ports(ports, at, report)


def validate_pod_ips(
    status: Mapping[str, object] | None, report: Reporter, *, strict_ips: bool
) -> None:
    """`status.podIP` and `status.podIPs[].ip` must be IP addresses (podfence reads them), as
    IsValidIPForLegacyField: never with a zone; `strict_ips` (the StrictIPCIDRValidation
    gate) rejects leading zeros and IPv4-mapped IPv6, which are otherwise warnings."""
    ip = status.get("podIP") if status is not None else None
    if isinstance(ip, str) and ip:
        _ip(ip, "status.podIP", report, strict=strict_ips)
    for i, item in enumerate(get_list(status, "podIPs") or []):
        value = item.get("ip") if isinstance(item, dict) else None
        if isinstance(value, str):
            _ip(value, child(index("status.podIPs", i), "ip"), report, strict=strict_ips)


def _ip(text: str, path: str, report: Reporter, *, strict: bool) -> None:
    ip = parse_ip(text)
    if ip is None:
        report.error(path, invalid(text, INVALID_IP))
    elif strict:
        for message in ip_errors(ip):
            report.error(path, invalid(text, message))
    else:
        for warning in ip_warnings(ip):
            report.warning(path, warning)


def validate_workload(
    body: Mapping[str, object],
    *,
    template: str,
    selector: str | None,
    plain: bool,
    report: Reporter,
) -> None:
    """A workload's selector (a label map when `plain`; None: not checked), template labels
    and container ports."""
    if selector is not None:
        parent, _, key = selector.rpartition(".")
        value = get_map(get_at(body, parent), key)
        if plain:
            validate_labels(value, selector, report)
        else:
            validate_selector(value, selector, report)
    pod = get_at(body, template)
    labels_path = f"{template}.metadata.labels"
    validate_labels(get_map(get_map(pod, "metadata"), "labels"), labels_path, report)
    validate_pod_spec(get_map(pod, "spec"), f"{template}.spec", report)

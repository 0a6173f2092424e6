"""PF002 dns-trap: pods that cannot reach DNS on UDP 53 and TCP 53, checked with the engine.

DNS is the kube-dns/CoreDNS pods (kube-system, `k8s-app: kube-dns`) when the input has them,
on the port they declare for each protocol. Without them, a CoreDNS pod with those labels is
assumed in kube-system, and DNS counts as reachable when that pod or any outside address is
reachable on port 53 (the resolver may live outside the cluster).

Three sides are checked: the client's egress, CoreDNS's ingress (when CoreDNS is isolated),
and CoreDNS's own egress to an upstream resolver (when CoreDNS is isolated for egress).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Sequence

from podfence.analysis.lint.context import LintContext
from podfence.analysis.lint.finding import Finding
from podfence.analysis.lint.words import agree, and_join, endpoint_name, who, yaml_scalar
from podfence.analysis.samples import outside_samples
from podfence.engine import Engine
from podfence.model import (
    NAME_LABEL,
    Cluster,
    Connection,
    ContainerPort,
    Direction,
    Endpoint,
    External,
    Location,
    Namespace,
    NetworkPolicy,
    PortSet,
    Protocol,
)

__all__ = [
    "DNS_NAMESPACE",
    "DNS_LABEL",
    "ASSUMED_DNS",
    "check_dns",
    "dns_servers",
    "dns_port",
]

DNS_NAMESPACE = "kube-system"
DNS_LABEL = ("k8s-app", "kube-dns")
DNS_PROTOCOLS = (Protocol.UDP, Protocol.TCP)
_DNS_PORT_NAMES = ("dns", "dns-udp", "dns-tcp", "udp-53", "tcp-53")

ASSUMED_DNS = Endpoint(
    namespace=DNS_NAMESPACE,
    name="coredns",
    labels=(DNS_LABEL,),
    ports=(
        ContainerPort(53, Protocol.UDP, "dns"),
        ContainerPort(53, Protocol.TCP, "dns-tcp"),
    ),
    location=Location("<assumed>"),
)
"""The CoreDNS pod assumed when the input has none."""


def dns_servers(cluster: Cluster) -> tuple[Endpoint, ...]:
    key, value = DNS_LABEL
    return tuple(
        ep
        for ep in cluster.endpoints
        if ep.namespace == DNS_NAMESPACE and dict(ep.labels).get(key) == value
    )


def dns_port(server: Endpoint, protocol: Protocol) -> int:
    """The port the server declares for DNS over `protocol` (53 when it declares none)."""
    mine = [cp for cp in server.ports if cp.protocol is protocol]
    for cp in mine:
        if cp.name in _DNS_PORT_NAMES:
            return cp.port
    for cp in mine:
        if cp.port == 53:
            return cp.port
    return mine[0].port if len(mine) == 1 else 53


def _with_assumed_dns(cluster: Cluster) -> Cluster:
    namespaces = cluster.namespaces
    if cluster.namespace(DNS_NAMESPACE) is None:
        implicit = Namespace(DNS_NAMESPACE, labels=((NAME_LABEL, DNS_NAMESPACE),), implicit=True)
        namespaces = (*namespaces, implicit)
    endpoints = tuple(sorted((*cluster.endpoints, ASSUMED_DNS), key=lambda ep: ep.id))
    return dataclasses.replace(cluster, namespaces=namespaces, endpoints=endpoints)


def _protocols(protos: Sequence[Protocol], server_ports: dict[Protocol, int]) -> str:
    return and_join([f"{p} {server_ports[p]}" for p in protos])


def _ports_yaml(protos: Sequence[Protocol], server_ports: dict[Protocol, int], indent: str) -> str:
    return "\n".join(f"{indent}- {{protocol: {p}, port: {server_ports[p]}}}" for p in protos)


def _anchor(policy: NetworkPolicy, direction: Direction) -> str:
    """The field to point at: the rules of `direction`, or policyTypes when it has none."""
    if policy.rules(direction):
        return f"spec.{direction.rules_field}"
    return "spec.policyTypes"


_PORT_53 = (
    PortSet.span(Protocol.TCP, 53)
    | PortSet.span(Protocol.UDP, 53)
    | PortSet.span(Protocol.SCTP, 53)
)


def _dns_policy(
    ctx: LintContext, policies: Sequence[NetworkPolicy], server: Endpoint
) -> NetworkPolicy:
    """The policy to point at: one with an egress `ports` item that allows port 53 (by
    number, or by a name the DNS server gives it), else the first."""
    resolver = ctx.engine.resolver
    for policy in policies:
        for rule in ctx.compiled(policy).egress:
            if rule.ports_listed and any(resolver.ports(m, server) & _PORT_53 for m in rule.ports):
                return policy
    return policies[0]


def _policies(ctx: LintContext, keys: Sequence[str]) -> list[NetworkPolicy]:
    found = [ctx.cluster.policy(k) for k in keys]
    return [p for p in found if p is not None]


def _allow_dns_yaml(namespace: str, protos: Sequence[Protocol], ports: dict[Protocol, int]) -> str:
    return (
        "apiVersion: networking.k8s.io/v1\n"
        "kind: NetworkPolicy\n"
        "metadata:\n"
        "  name: allow-dns\n"
        f"  namespace: {yaml_scalar(namespace)}\n"
        "spec:\n"
        "  podSelector: {}\n"
        "  policyTypes: [Egress]\n"
        "  egress:\n"
        "    - to:\n"
        f"        - namespaceSelector: {{matchLabels: {{{NAME_LABEL}: {DNS_NAMESPACE}}}}}\n"
        f"          podSelector: {{matchLabels: {{{DNS_LABEL[0]}: {DNS_LABEL[1]}}}}}\n"
        "      ports:\n" + _ports_yaml(protos, ports, "        ")
    )


def _effect(missing: Sequence[Protocol]) -> str:
    if set(missing) == set(DNS_PROTOCOLS):
        return "cannot resolve any name"
    if Protocol.UDP in missing:
        return "cannot resolve names (lookups go over UDP first; only TCP is allowed)"
    return "fail on large answers and TCP retries (TCP 53 is denied; UDP is allowed)"


class _Groups:
    """Clients grouped by (namespace or server, policies, missing protocols)."""

    def __init__(self) -> None:
        self.groups: dict[tuple[str, tuple[str, ...], tuple[Protocol, ...]], list[Endpoint]] = {}

    def add(self, key: tuple[str, tuple[str, ...], tuple[Protocol, ...]], ep: Endpoint) -> None:
        self.groups.setdefault(key, []).append(ep)


def check_dns(ctx: LintContext) -> Iterator[Finding]:
    servers = dns_servers(ctx.cluster)
    assumed = not servers
    engine = ctx.engine
    if assumed:
        engine = Engine(_with_assumed_dns(ctx.cluster))
        servers = (ASSUMED_DNS,)
    outside = outside_samples(ctx.engine)
    ports = {p: dns_port(servers[0], p) for p in DNS_PROTOCOLS}

    egress: dict[tuple[str, tuple[Protocol, ...]], tuple[list[Endpoint], dict[str, None]]] = {}
    ingress = _Groups()
    for client in ctx.cluster.endpoints:
        if client.host_network or client in servers:
            continue
        out_missing: list[Protocol] = []
        out_by: dict[str, None] = {}
        in_missing: dict[tuple[str, ...], list[Protocol]] = {}
        for proto in DNS_PROTOCOLS:
            if assumed and any(engine.allowed(Connection(client, x, 53, proto)) for x in outside):
                continue
            for server in servers:
                asked = Connection(client, server, dns_port(server, proto), proto)
                for family in engine.families(asked):  # each side, over each IP family
                    verdict = engine.evaluate(dataclasses.replace(asked, family=family))
                    if not verdict.egress.allowed:
                        if proto not in out_missing:
                            out_missing.append(proto)
                        out_by.update(dict.fromkeys(verdict.egress.selected_by))
                    if not verdict.ingress.allowed:
                        keyed = in_missing.setdefault(verdict.ingress.selected_by, [])
                        if proto not in keyed:
                            keyed.append(proto)
        if out_missing:
            group = egress.setdefault((client.namespace, tuple(out_missing)), ([], {}))
            group[0].append(client)
            group[1].update(out_by)
        for by, denied in in_missing.items():
            ingress.add((DNS_NAMESPACE, by, tuple(denied)), client)

    target = (
        f"CoreDNS (not in the input: assumed in {DNS_NAMESPACE} with "
        f"{DNS_LABEL[0]}={DNS_LABEL[1]}) or any address outside the cluster"
        if assumed
        else and_join([endpoint_name(s) for s in servers])
    )
    for (namespace, missing), (clients, by_keys) in egress.items():
        denied_by = sorted(by_keys)
        policies = _policies(ctx, denied_by)
        if not policies:
            continue
        protos = _protocols(missing, ports)
        anchor = _dns_policy(ctx, policies, servers[0])
        yield ctx.policy_finding(
            "PF002",
            anchor,
            _anchor(anchor, Direction.EGRESS),
            message=f"DNS is blocked: egress to {protos} is denied for pods of {namespace}",
            consequence=(
                f"{who(clients)} {_effect(missing)}: egress to {target} on {protos} is denied "
                f"by {and_join(denied_by)}"
            ),
            fix="allow DNS egress for these pods:\n" + _allow_dns_yaml(namespace, missing, ports),
        )
    for (_, by, missing), clients in ingress.groups.items():
        policies = _policies(ctx, by)
        if not policies:
            continue
        protos = _protocols(missing, ports)
        yield ctx.policy_finding(
            "PF002",
            policies[0],
            _anchor(policies[0], Direction.INGRESS),
            message=(
                f"CoreDNS does not admit DNS queries on {protos} from {len(clients)} "
                f"{agree(clients, 'pod', 'pods')}"
            ),
            consequence=(
                f"{who(clients)} {_effect(missing)}: ingress of {target} on {protos} is denied "
                f"by {and_join(list(by))}"
            ),
            fix=(
                "add an ingress rule to the policy that isolates CoreDNS:\n"
                "  ingress:\n"
                "    - from:\n"
                "        - namespaceSelector: {}\n"
                "      ports:\n" + _ports_yaml(missing, ports, "        ")
            ),
        )
    if not assumed:
        yield from _upstream(ctx, servers, outside)


def _upstream(
    ctx: LintContext, servers: Sequence[Endpoint], outside: Sequence[External]
) -> Iterator[Finding]:
    """CoreDNS itself, when isolated for egress, must reach some resolver outside on 53."""
    groups = _Groups()
    for server in servers:
        if server.host_network or not ctx.isolated(server, Direction.EGRESS):
            continue
        missing = tuple(
            proto
            for proto in DNS_PROTOCOLS
            if not any(ctx.engine.allowed(Connection(server, x, 53, proto)) for x in outside)
        )
        if missing:
            by = tuple(p.key for p in ctx.engine.selecting(server, Direction.EGRESS))
            groups.add((server.namespace, by, missing), server)
    for (_, by, missing), members in groups.groups.items():
        policies = _policies(ctx, by)
        if not policies:
            continue
        protos = and_join([f"{p} 53" for p in missing])
        upstream = {p: 53 for p in DNS_PROTOCOLS}
        yield ctx.policy_finding(
            "PF002",
            policies[0],
            _anchor(policies[0], Direction.EGRESS),
            message=f"CoreDNS cannot reach an upstream resolver on {protos}",
            consequence=(
                f"{who(members)} cannot forward queries outside the cluster: egress to every "
                f"outside address on {protos} is denied by {and_join(list(by))}, so names "
                "outside the cluster do not resolve"
            ),
            fix=(
                "allow CoreDNS to reach its upstream resolver (use its address):\n"
                "  egress:\n"
                "    - to:\n"
                "        - ipBlock: {cidr: 203.0.113.53/32}  # your upstream resolver\n"
                "      ports:\n" + _ports_yaml(missing, upstream, "        ")
            ),
        )

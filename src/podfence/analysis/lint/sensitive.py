"""PF017 sensitive-port-exposed: the internet can reach SSH, etcd, kubelet, API server or
database ports of a pod.

Asked of the engine, not read from the text: for every pod, the ports of `SENSITIVE_PORTS`
it declares (and, when policies isolate it for ingress, those their `ports` entries name for
it: a number, a range short of every port, or a named port that resolves to one), from one
public address per region the ipBlocks tell apart (`samples.public_atoms`: private, shared,
link-local and documentation ranges are not the internet), over each IP family the pod has.

- A pod isolated for ingress: each rule that admits such a connection is reported once,
  with the pods and ports it opens.
- A pod that no policy isolates for ingress accepts everything; PF001 says so for its
  namespace, and this rule adds, once per namespace, which sensitive ports that leaves open
  to the internet (system namespaces are left out, as PF001 leaves them).

hostNetwork pods are not asked: policies do not apply to them (PF014).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import assert_never

from podfence.analysis.lint.context import LintContext
from podfence.analysis.lint.finding import Finding
from podfence.analysis.lint.open_network import SYSTEM_NAMESPACES
from podfence.analysis.lint.words import agree, who
from podfence.analysis.samples import AddressAtom, public_atoms
from podfence.engine.match import AnyPort, NamedPortMatcher, PortMatcher, PortRangeMatcher
from podfence.engine.resolve import party_families
from podfence.model import Connection, Direction, Endpoint, Protocol, RuleRef
from podfence.model.intervals import MAX_PORT

__all__ = ["SENSITIVE_PORTS", "check_sensitive_ports", "exposed_ports"]

SENSITIVE_PORTS: dict[int, str] = {
    22: "SSH",
    2379: "etcd",
    2380: "etcd peers",
    6443: "the Kubernetes API server",
    10250: "the kubelet",
    3306: "MySQL",
    5432: "PostgreSQL",
    6379: "Redis",
    27017: "MongoDB",
}
"""TCP ports that should never be open to the internet, and what usually listens there."""


@dataclass(frozen=True, slots=True)
class Exposure:
    """`pod` accepts connections on TCP `port` from the public address `sample`, because
    of `rules` (empty: no policy isolates it for ingress)."""

    pod: Endpoint
    port: int
    sample: AddressAtom
    rules: tuple[RuleRef, ...]


def _candidates(ctx: LintContext, pod: Endpoint) -> list[int]:
    """The sensitive ports the pod declares or that its ingress policies name for it."""
    ports = {cp.port for cp in pod.ports if cp.protocol is Protocol.TCP}
    resolver = ctx.engine.resolver
    for policy in ctx.engine.selecting(pod, Direction.INGRESS):
        for rule in policy.ingress:
            for matcher in rule.ports:
                if not _names_ports(matcher):
                    continue
                ports |= {
                    p
                    for p in SENSITIVE_PORTS
                    if resolver.port_matches(
                        matcher, destination=pod, port=p, protocol=Protocol.TCP
                    )
                }
    return sorted(p for p in ports if p in SENSITIVE_PORTS)


def _names_ports(matcher: PortMatcher) -> bool:
    """Whether a `ports` entry names ports: a number, a name, or a range short of every port
    (an entry without `port` allows every port of its protocol, as no `ports` at all does)."""
    match matcher:
        case AnyPort():
            return False
        case PortRangeMatcher(_, ports):
            return (ports.first, ports.last) != (1, MAX_PORT)
        case NamedPortMatcher():
            return True
        case _:
            assert_never(matcher)


def exposed_ports(ctx: LintContext, pod: Endpoint, atoms: Sequence[AddressAtom]) -> list[Exposure]:
    """Every sensitive port of `pod` that some public address can reach (one exposure per
    port: the first public address that can)."""
    families = party_families(pod)
    found: list[Exposure] = []
    for port in _candidates(ctx, pod):
        for atom in atoms:
            if families is not None and atom.version not in families:
                continue
            connection = Connection(atom.party, pod, port, Protocol.TCP, atom.version)
            verdict = ctx.engine.evaluate(connection)
            if not verdict.allowed:
                continue
            rules = tuple(
                dict.fromkeys(
                    RuleRef(r.policy, r.direction, r.rule, r.peer)
                    for r in verdict.ingress.allowed_by
                )
            )
            found.append(Exposure(pod, port, atom, rules))
            break
    return found


def _ports_text(ports: Sequence[int]) -> str:
    return ", ".join(f"TCP {p} ({SENSITIVE_PORTS[p]})" for p in sorted(set(ports)))


def _by_port(exposures: Sequence[Exposure]) -> str:
    """`TCP 5432 (PostgreSQL) on shop/db; TCP 6379 (Redis) on shop/cache`."""
    ports: dict[int, list[Endpoint]] = {}
    for e in exposures:
        if e.pod not in ports.setdefault(e.port, []):
            ports[e.port].append(e.pod)
    return "; ".join(
        f"TCP {p} ({SENSITIVE_PORTS[p]}) on {who(pods)}" for p, pods in sorted(ports.items())
    )


def _example(exposures: Sequence[Exposure]) -> str:
    return str(exposures[0].sample.address)


_WHY = (
    "NetworkPolicy keeps no internet client out, so whatever exposes these pods (a "
    "LoadBalancer or NodePort Service, an ingress, a host port) exposes these ports to everyone"
)


def check_sensitive_ports(ctx: LintContext) -> Iterator[Finding]:
    atoms = public_atoms([ctx.engine])
    open_by_namespace: dict[str, list[Exposure]] = {}
    by_rule: dict[RuleRef, list[Exposure]] = {}
    for pod in ctx.cluster.endpoints:
        if pod.host_network:
            continue
        for exposure in exposed_ports(ctx, pod, atoms):
            if not exposure.rules:
                if pod.namespace not in SYSTEM_NAMESPACES:
                    open_by_namespace.setdefault(pod.namespace, []).append(exposure)
                continue
            for ref in exposure.rules:
                by_rule.setdefault(ref, []).append(exposure)
    for namespace, exposures in open_by_namespace.items():
        pods = list(dict.fromkeys(e.pod for e in exposures))
        yield ctx.namespace_finding(
            "PF017",
            namespace,
            message=(
                f"{who(pods)} {agree(pods, 'accepts', 'accept')} connections from the internet on "
                f"{_ports_text([e.port for e in exposures])}: no policy isolates "
                f"{agree(pods, 'it', 'them')} for ingress"
            ),
            consequence=(
                f"{_by_port(exposures)} can be reached from any address, e.g. "
                f"{_example(exposures)}: {_WHY}"
            ),
            fix=(
                f"add a default deny for Ingress in {namespace} (see PF001), then admit only "
                "the clients of these ports, e.g.\n"
                "- from:\n"
                "    - podSelector: {matchLabels: {app: client}}\n"
                f"  ports:\n    - {{protocol: TCP, port: {exposures[0].port}}}"
            ),
        )
    for ref, exposures in by_rule.items():
        policy = ctx.cluster.policy(ref.policy)
        if policy is None:
            continue
        rule = policy.rules(Direction.INGRESS)[ref.rule or 0]
        peer = rule.peers[ref.peer] if ref.peer is not None and rule.peers else None
        source = (
            f"addresses in {peer.ip_block}"
            if peer is not None and peer.ip_block is not None
            else "every address"
        )
        yield ctx.policy_finding(
            "PF017",
            policy,
            f"spec.{ref.field}",
            message=(
                f"ingress[{ref.rule}] admits the internet ({source}) to "
                f"{_ports_text([e.port for e in exposures])}"
            ),
            consequence=(
                f"{_by_port(exposures)} can be reached from public addresses, e.g. "
                f"{_example(exposures)}: {_WHY}"
            ),
            fix=(
                "admit only the clients that need these ports: their pods, or your own "
                "networks by their CIDR, e.g.\n"
                "- from:\n"
                "    - podSelector: {matchLabels: {app: client}}\n"
                "    - ipBlock: {cidr: 10.0.0.0/8}\n"
                f"  ports:\n    - {{protocol: TCP, port: {exposures[0].port}}}"
            ),
        )

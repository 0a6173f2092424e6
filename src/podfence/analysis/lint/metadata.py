"""PF016 cloud-metadata: egress rules that let pods reach the cloud metadata service.

Asked of the engine, not read from the text: for every pod isolated for egress, the
connection to each metadata address on each metadata port, over that address's IP family
(a pod whose addresses are known and include none of that family is not asked). Each rule
that allows one is reported once, with the pods it lets through, whatever its shape
(`0.0.0.0/0` without an except, a rule without `to`, a wide block that contains the address).
The pods that operators create from custom resources of the input (podfence.analysis.operators)
are asked too, by the labels the operator gives them.

The addresses and the port, from the providers' documentation: AWS, Google Cloud, Azure and
OpenStack serve instance metadata at 169.254.169.254 on 80/TCP, and AWS also at
fd00:ec2::254 (IPv6). Pods that no policy isolates for egress reach them too: PF001 reports
those, and its fix (a default deny) closes this as well, so they are not reported twice.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator, Sequence

from podfence.analysis.lint.context import LintContext
from podfence.analysis.lint.finding import Finding
from podfence.analysis.lint.words import and_join, who
from podfence.engine.resolve import party_families
from podfence.model import (
    Connection,
    Direction,
    Endpoint,
    External,
    IPAddress,
    NetworkPolicy,
    Protocol,
    ProtocolPort,
    RuleRef,
)

__all__ = ["METADATA_ADDRESSES", "METADATA_PORTS", "check_metadata", "reaches_metadata"]

METADATA_ADDRESSES: tuple[IPAddress, ...] = (
    ipaddress.IPv4Address("169.254.169.254"),
    ipaddress.IPv6Address("fd00:ec2::254"),
)
METADATA_PORTS = (ProtocolPort(80, Protocol.TCP),)


def _asked(pod: Endpoint) -> Iterator[tuple[IPAddress, ProtocolPort]]:
    families = party_families(pod)
    for address in METADATA_ADDRESSES:
        if families is not None and address.version not in families:
            continue
        for port in METADATA_PORTS:
            yield address, port


def reaches_metadata(ctx: LintContext, pod: Endpoint) -> dict[RuleRef, list[IPAddress]]:
    """The egress rules (`RuleRef`s with their peer) that let `pod` reach a metadata address,
    with the addresses each lets it reach."""
    found: dict[RuleRef, list[IPAddress]] = {}
    for address, port in _asked(pod):
        connection = Connection(pod, External(address), port.port, port.protocol, address.version)
        verdict = ctx.engine.evaluate(connection)
        for allowing in verdict.egress.allowed_by:
            ref = RuleRef(allowing.policy, allowing.direction, allowing.rule, allowing.peer)
            found.setdefault(ref, [])
            if address not in found[ref]:
                found[ref].append(address)
    return found


def _except_fix(policy: NetworkPolicy, ref: RuleRef, addresses: Sequence[IPAddress]) -> str:
    """The fix for the peer `ref` points at (an ipBlock), or for a rule without `to`."""
    exclude = {a.version: f"{a}/{32 if a.version == 4 else 128}" for a in addresses}
    rule = policy.rules(Direction.EGRESS)[ref.rule or 0]
    peer = rule.peers[ref.peer] if ref.peer is not None and rule.peers else None
    if peer is not None and peer.ip_block is not None:
        block = peer.ip_block
        excepts = [str(e) for e in block.excepts]
        wanted = exclude.get(block.cidr.version)
        if wanted is not None:
            excepts.append(wanted)
        return (
            "except the metadata address from the block:\n"
            f"- ipBlock:\n    cidr: {block.cidr}\n    except: [{', '.join(excepts)}]"
        )
    blocks = [
        f"    - ipBlock: {{cidr: {'0.0.0.0/0' if v == 4 else '::/0'}, except: [{exclude[v]}]}}"
        for v in sorted(exclude)
    ]
    return (
        "list the destinations the pods need; to keep every destination but the metadata "
        "service:\n- to:\n" + "\n".join(blocks) + "\n    - namespaceSelector: {}"
    )


def check_metadata(ctx: LintContext) -> Iterator[Finding]:
    by_rule: dict[RuleRef, tuple[list[Endpoint], list[IPAddress]]] = {}
    made = tuple(p.endpoint for p in ctx.operator_pods)
    for pod in ctx.cluster.endpoints + made:
        if pod.host_network or not ctx.isolated(pod, Direction.EGRESS):
            continue
        for ref, addresses in reaches_metadata(ctx, pod).items():
            pods, seen = by_rule.setdefault(ref, ([], []))
            pods.append(pod)
            seen.extend(a for a in addresses if a not in seen)
    for ref, (pods, addresses) in by_rule.items():
        policy = ctx.cluster.policy(ref.policy)
        if policy is None:
            continue
        field = f"spec.{ref.field}"
        ports = and_join([f"{p.protocol} {p.port}" for p in METADATA_PORTS])
        where = and_join([str(a) for a in addresses])
        yield ctx.policy_finding(
            "PF016",
            policy,
            field,
            message=(
                f"egress[{ref.rule}] lets pods reach the cloud metadata service ({where}) "
                f"on {ports}"
            ),
            consequence=(
                f"{who(pods)} can reach {where} on {ports}: on a cloud VM the instance "
                "metadata service hands the node's credentials and configuration to any pod "
                "that asks, unless the provider blocks pods from it"
            ),
            fix=_except_fix(policy, ref, addresses),
        )

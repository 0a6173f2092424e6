"""The corpus for the data-plane backends: the nft ruleset through the IR interpreter, and
the kernel lab. Both need pod addresses, so a case on the base cluster (no pod IPs) gets the
addresses a lab assigns (10.244.0.1-9 in pod order), which changes no answer unless a policy
has an ipBlock: a case that matches ipBlocks against pods of unknown IP (28) asks a static
question only, and is skipped here.
"""

from __future__ import annotations

import pytest

from podfence.dataplane.lab import plan_lab
from podfence.model import Cluster, Protocol, ProtocolPort

from .backends import CASES as ALL_CASES
from .truth_table import PODS, Case, load_cluster

__all__ = ["CASES", "addressed", "case_cluster", "probed_ports", "unaddressed_ip_blocks"]

CASES = [pytest.param(case, id=case.name) for case in ALL_CASES]


def unaddressed_ip_blocks(cluster: Cluster) -> bool:
    """Does a policy match an ipBlock against a cluster whose pods have no known IP?"""
    blocks = any(
        peer.ip_block is not None
        for policy in cluster.policies
        for rule in (*policy.ingress, *policy.egress)
        for peer in rule.peers
    )
    return blocks and not any(ep.ips for ep in cluster.endpoints)


def case_cluster(case: Case) -> Cluster:
    """The case's cluster, skipping the test when the data plane cannot answer it."""
    cluster = load_cluster(*case.files)
    assert tuple(ep.id for ep in cluster.endpoints) == PODS
    if unaddressed_ip_blocks(cluster):
        pytest.skip("ipBlocks against pods of unknown IP: a static question, no data plane")
    return cluster


def addressed(cluster: Cluster) -> Cluster:
    """The cluster with the addresses a lab gives it (status IPs kept)."""
    return plan_lab(cluster, "conformance").cluster


def probed_ports(case: Case) -> list[ProtocolPort]:
    """The case's ports a lab can probe (no SCTP sockets here)."""
    return [p for p in case.expected if p.protocol is not Protocol.SCTP]

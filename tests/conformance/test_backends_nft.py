"""The conformance corpus through the nftables ruleset, interpreted (no kernel needed): each
case's policies compiled by `podfence.dataplane.nft`, every cell decided by the IR
interpreter of tests/dataplane/irsim.py for the first packet of the connection, against the
hand-written truth table (every port, SCTP included). The kernel lab runs the same corpus in
test_backends_kernel.py (netns)."""

from __future__ import annotations

import pytest

from dataplane.irsim import forward_accepts
from podfence.dataplane.nft import Ruleset, compile_ruleset
from podfence.model import Cluster, Endpoint, Protocol, ProtocolPort

from .backends import CASES as ALL_CASES
from .backends import _report
from .dataplane import CASES, addressed, case_cluster, unaddressed_ip_blocks
from .truth_table import PODS, Case, Grid, load_cluster


def _cell(rs: Ruleset, src: Endpoint, dst: Endpoint, port: int, protocol: Protocol) -> bool:
    if src.id == dst.id:
        return True  # a pod talking to itself never crosses the node
    shared = sorted({ip.version for ip in src.ips} & {ip.version for ip in dst.ips})
    assert shared, f"{src.id} and {dst.id} share no IP family"
    return all(
        forward_accepts(
            rs,
            next(ip for ip in src.ips if ip.version == family),
            next(ip for ip in dst.ips if ip.version == family),
            protocol,
            port,
        )
        for family in shared
    )


def ruleset_grids(cluster: Cluster, ports: list[ProtocolPort]) -> dict[ProtocolPort, Grid]:
    rs = compile_ruleset(cluster)
    eps = sorted(cluster.endpoints, key=lambda ep: ep.id)
    assert tuple(ep.id for ep in eps) == PODS
    return {
        p: tuple(tuple(_cell(rs, s, d, p.port, p.protocol) for d in eps) for s in eps)
        for p in ports
    }


@pytest.mark.parametrize("case", CASES)
def test_nft_ruleset_matches_truth_table(case: Case) -> None:
    cluster = addressed(case_cluster(case))
    actual = ruleset_grids(cluster, list(case.expected))
    assert actual == dict(case.expected), _report(case, "the nft ruleset", None, actual)


def test_only_the_unknown_ip_case_is_skipped() -> None:
    skipped = [c.name for c in ALL_CASES if unaddressed_ip_blocks(load_cluster(*c.files))]
    assert skipped == ["28-ipblock-unknown-pod-ips"]

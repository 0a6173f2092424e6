"""The kernel enforces the ClusterNetworkPolicy tiers as the engine says (needs root: marker
`netns`).

- every tiered case (the four `examples/cnp`, and `ties`: equal priorities, Pass chains,
  written order, nodes, networks) through `verify` (a throwaway lab, every pair on every port,
  compared with the engine cell by cell), and `ties`' verdict table probed with real packets;
- a property on one long-lived lab of the fixed universe: random NetworkPolicies and CNPs of
  both tiers (from `support`; priorities from {0, 1, 1, 2}, so ties are common; fail-closed
  rules; networks; nodes whose addresses are the hostNetwork pods'), re-applied between
  examples, probed on 80/81 TCP/UDP over every family each pair shares, against the naive
  reference with its tiers, and the engine per family. Examples:
  PODFENCE_NETNS_TIER_EXAMPLES (default 40; slow: a lab probe per example).
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from podfence.dataplane.lab import Lab
from podfence.dataplane.verify import verify
from podfence.engine import Engine
from podfence.model import Cluster, Connection, Node, NodeAddress, ProtocolPort, frozen_labels
from reference.naive import reference_allowed
from support import cluster_policies

from .conftest import require_netns
from .labtools import lab_name
from .reference import families
from .strategies import PORTS, clusters, universe, universe_ips
from .tier_cases import TIER_CASES, TIES_VERDICTS, ties

pytestmark = pytest.mark.netns

VERIFY_PORTS = [
    ProtocolPort.parse(p)
    for p in ("80/TCP", "443/TCP", "5432/TCP", "8080/TCP", "8443/TCP", "9090/TCP", "53/UDP")
]
PROBE_PORTS = [ProtocolPort(number, proto) for number, proto in PORTS]
FAST, PATIENT = 0.15, 2.0


@pytest.mark.parametrize("case", sorted(TIER_CASES))
def test_verify_tiered_case(case: str) -> None:
    require_netns()
    found = verify(TIER_CASES[case](), VERIFY_PORTS, name=lab_name("tv"))
    assert found == [], "\n".join(str(d) for d in found)


def test_ties_verdicts_with_real_packets() -> None:
    require_netns()
    c = ties()
    ports = sorted({ProtocolPort.parse(f"{row[2]}/TCP") for row in TIES_VERDICTS}, key=str)
    with Lab.up(c, name=lab_name("ties")) as lab:
        result = lab.probe(ports, timeout=0.3)
        for src, dst, port, allowed in TIES_VERDICTS:
            outcome = result.outcome(src, dst, ProtocolPort.parse(f"{port}/TCP"))
            assert outcome.allowed is allowed, (src, dst, port, outcome)


def _with_nodes(cluster: Cluster) -> Cluster:
    """One Node per hostNetwork pod, with its addresses (zones a and b, as `support`)."""
    ips = universe_ips()
    nodes = tuple(
        Node(
            f"node-{i}",
            frozen_labels({"zone": "ab"[i % 2]}),
            tuple(NodeAddress("InternalIP", str(ip)) for ip in ips[ep.id]),
        )
        for i, ep in enumerate(e for e in cluster.endpoints if e.host_network)
    )
    return Cluster(cluster.namespaces, cluster.endpoints, cluster.policies, nodes=nodes)


@st.composite
def tiered(draw: st.DrawFn) -> Cluster:
    base = _with_nodes(draw(clusters(with_ips=False)))
    cnps = tuple(draw(cluster_policies(f"cnp{i}")) for i in range(draw(st.integers(1, 3))))
    return Cluster(base.namespaces, base.endpoints, base.policies, base.nodes, cnps)


@pytest.fixture(scope="module")
def universe_lab() -> Iterator[Lab]:
    require_netns()
    lab = Lab.up(universe(), name=lab_name("tprop"), serve=PROBE_PORTS)
    try:
        yield lab
    finally:
        lab.down()


def _wrong(lab: Lab, cluster: Cluster, timeout: float) -> list[str]:
    result = lab.probe(PROBE_PORTS, timeout=timeout)
    engine = Engine(cluster)
    bad: list[str] = []
    for m in result.matrices:
        for i, src in enumerate(result.endpoints):
            for j, dst in enumerate(result.endpoints):
                s, d = cluster.endpoint(src), cluster.endpoint(dst)
                assert s is not None and d is not None
                probed = m.cells[i][j].by_family
                assert [v for v, _ in probed] == list(families(s, d)), (src, dst)
                for version, outcome in probed:
                    want = reference_allowed(cluster, s, d, m.port, m.protocol, version)
                    says = engine.allowed(Connection(s, d, m.port, m.protocol, version))
                    if outcome.allowed != want or says != want:
                        bad.append(
                            f"{src} -> {dst} {m.port}/{m.protocol} IPv{version}: kernel "
                            f"{outcome.allowed}, engine {says}, reference {want}"
                        )
    return bad


@settings(
    max_examples=int(os.environ.get("PODFENCE_NETNS_TIER_EXAMPLES", "40")),
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(cluster=tiered())
def test_kernel_matches_reference_with_tiers(universe_lab: Lab, cluster: Cluster) -> None:
    lab = universe_lab
    lab.apply(cluster)
    bound = lab.bind(cluster)
    if _wrong(lab, bound, FAST):  # a slow machine can fake a drop: look again, patiently
        bad = _wrong(lab, bound, PATIENT)
        assert not bad, "\n".join(bad) + "\n" + "\n".join(str(p) for p in bound.cluster_policies)

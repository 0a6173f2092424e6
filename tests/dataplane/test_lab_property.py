"""Property on the real kernel: random small clusters, applied to one long-lived lab (only
the ruleset changes between examples), probed with real packets on 80/81 TCP/UDP over every
IP family each pair shares, must agree with the brute-force reference on every cell and
every family; the engine, asked per family and by name, must agree with it too.

Examples: PODFENCE_NETNS_EXAMPLES (default 250).
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from hypothesis import given, settings

from podfence.dataplane.lab import Lab
from podfence.model import Cluster, ProtocolPort

from .conftest import require_netns
from .labtools import confirmed, describe, engine_mismatches, lab_name, mismatches
from .strategies import PORTS, clusters, universe, universe_ips

pytestmark = pytest.mark.netns

PROBE_PORTS = [ProtocolPort(number, proto) for number, proto in PORTS]
FAST, PATIENT = 0.15, 2.0


@pytest.fixture(scope="module")
def universe_lab() -> Iterator[Lab]:
    require_netns()
    lab = Lab.up(universe(), name=lab_name("prop"), serve=PROBE_PORTS)
    try:
        assert {p.endpoint: p.ips for p in lab.state.pods} == universe_ips()
        yield lab
    finally:
        lab.down()


@settings(settings.get_profile("podfence-netns"))
@given(cluster=clusters(with_ips=False))
def test_kernel_matches_reference(universe_lab: Lab, cluster: Cluster) -> None:
    lab = universe_lab
    lab.apply(cluster)
    bound = lab.bind(cluster)
    wrong = engine_mismatches(bound, PROBE_PORTS)
    assert not wrong, "engine:\n" + describe(wrong)
    result = lab.probe(PROBE_PORTS, timeout=FAST)
    # a slow machine can fake a drop, never an allow: confirm patiently
    bad = confirmed(lab, mismatches(result, bound), timeout=PATIENT)
    assert not bad, describe(bad)


def test_examples_are_fast_enough(universe_lab: Lab) -> None:
    """One example (apply + probe of up to 4 x 4 x 4 cells) stays well under a second."""
    started = time.monotonic()
    lab = universe_lab
    c = universe()
    lab.apply(c)
    lab.probe(PROBE_PORTS, timeout=FAST)
    assert time.monotonic() - started < 2.0

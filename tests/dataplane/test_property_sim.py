"""Property: for random small clusters, the compiled ruleset (interpreted) decides every
connection exactly as the brute-force reference does, and so does the engine, per IP family
a pair shares; asked by name, the engine allows a pair only when every family does. No
kernel needed; the netns property test then checks the kernel against the same reference.

The clusters hold duplicate port names across containers, one name with different numbers
on different pods, a name on two protocols, dual-stack pods with ipBlocks of one family,
and hostNetwork pods (`test_the_clusters_hold_the_hard_cases` checks that they do).
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from hypothesis import HealthCheck, Phase, find, given, settings

from podfence.dataplane.nft import compile_ruleset, emit
from podfence.engine import Engine
from podfence.model import Cluster, Connection, Endpoint

from .irsim import forward_accepts
from .reference import addresses, allowed, families
from .strategies import PORTS, clusters


@settings(settings.get_profile("podfence-sim"))
@given(clusters())
def test_compiled_ruleset_and_engine_match_reference(cluster: Cluster) -> None:
    rs = compile_ruleset(cluster)
    emit(rs)  # every ruleset can be written out
    engine = Engine(cluster)
    for src in cluster.endpoints:
        for dst in cluster.endpoints:
            if src.id == dst.id:
                continue
            shared = families(src, dst)
            assert shared
            for number, proto in PORTS:
                where = f"{src.id} -> {dst.id} {number}/{proto}"
                answers = []
                for family in shared:
                    pair = addresses(src, dst, family)
                    assert pair is not None
                    want = allowed(cluster, src, dst, number, proto, family)
                    got = forward_accepts(rs, pair[0], pair[1], proto, number)
                    assert got == want, f"{where} over IPv{family}: ruleset\n{emit(rs)}"
                    engine_says = engine.allowed(Connection(src, dst, number, proto, family))
                    assert engine_says == want, f"{where} over IPv{family}: engine"
                    answers.append(want)
                by_name = engine.allowed(Connection(src, dst, number, proto))
                assert by_name == all(answers) == allowed(cluster, src, dst, number, proto), where


def _pods(c: Cluster) -> tuple[Endpoint, ...]:
    return c.endpoints


def _duplicate_name(c: Cluster) -> bool:
    return any(
        len({cp.port for cp in ep.ports if (cp.name, cp.protocol) == key}) > 1
        for ep in _pods(c)
        for key in {(cp.name, cp.protocol) for cp in ep.ports}
    )


def _name_on_two_protocols(c: Cluster) -> bool:
    return any(
        len({cp.protocol for cp in ep.ports if cp.name == name}) > 1
        for ep in _pods(c)
        for name in {cp.name for cp in ep.ports}
    )


def _name_differs_across_pods(c: Cluster) -> bool:
    seen: dict[tuple[str | None, object], set[frozenset[int]]] = {}
    for ep in _pods(c):
        for key in {(cp.name, cp.protocol) for cp in ep.ports}:
            numbers = frozenset(cp.port for cp in ep.ports if (cp.name, cp.protocol) == key)
            seen.setdefault(key, set()).add(numbers)
    return any(len(v) > 1 for v in seen.values())


def _dual_stack_and_one_family_block(c: Cluster) -> bool:
    dual = any(len({ip.version for ip in ep.ips}) == 2 for ep in _pods(c))
    blocks = {
        peer.ip_block.cidr.version
        for p in c.policies
        for r in (*p.ingress, *p.egress)
        for peer in r.peers
        if peer.ip_block is not None
    }
    return dual and len(blocks) == 1


def _host_network(c: Cluster) -> bool:
    return any(ep.host_network for ep in _pods(c))


@pytest.mark.parametrize(
    "case",
    [
        _duplicate_name,
        _name_on_two_protocols,
        _name_differs_across_pods,
        _dual_stack_and_one_family_block,
        _host_network,
    ],
    ids=lambda f: f.__name__.strip("_"),
)
def test_the_clusters_hold_the_hard_cases(case: Callable[[Cluster], bool]) -> None:
    found = find(
        clusters(),
        case,
        settings=settings(
            max_examples=2000,
            phases=(Phase.generate,),  # found is enough: no shrinking
            database=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        ),
    )
    assert case(found)

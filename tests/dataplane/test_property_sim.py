"""Property: for random small clusters, the compiled ruleset (interpreted) decides every
connection exactly as the brute-force reference does. No kernel needed; the netns property
test then checks the kernel against the same reference."""

from __future__ import annotations

from hypothesis import given, settings

from podfence.dataplane.nft import compile_ruleset, emit
from podfence.model import Cluster

from .irsim import forward_accepts
from .reference import addresses, allowed
from .strategies import PORTS, clusters


@settings(settings.get_profile("podfence-sim"))
@given(clusters())
def test_compiled_ruleset_matches_reference(cluster: Cluster) -> None:
    rs = compile_ruleset(cluster)
    emit(rs)  # every ruleset can be written out
    for src in cluster.endpoints:
        for dst in cluster.endpoints:
            if src.id == dst.id:
                continue
            pair = addresses(src, dst)
            assert pair is not None
            for number, proto in PORTS:
                want = allowed(cluster, src, dst, number, proto)
                got = forward_accepts(rs, pair[0], pair[1], proto, number)
                assert got == want, f"{src.id} -> {dst.id} {number}/{proto}\n{emit(rs)}"

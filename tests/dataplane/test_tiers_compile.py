"""The ClusterNetworkPolicy tiers in the ruleset, on known clusters: golden files (reviewed;
PODFENCE_UPDATE_GOLDEN=1 rewrites them), the `ties` verdict table, and every pair of every
case through the IR interpreter against the engine and the naive reference."""

from __future__ import annotations

import ipaddress
import os
from pathlib import Path

import pytest

from podfence.dataplane.nft import check, compile_ruleset, emit
from podfence.engine import Engine
from podfence.model import Cluster, Connection, Endpoint, External, Protocol
from reference.naive import reference_allowed

from .irsim import forward_accepts
from .tier_cases import TIER_CASES, TIES_VERDICTS, ties

GOLDEN = Path(__file__).parent / "golden" / "tiers"
UPDATE = os.environ.get("PODFENCE_UPDATE_GOLDEN") == "1"
PORTS = [(p, Protocol.TCP) for p in (80, 443, 5432, 8080, 8443, 9090)]
PORTS += [(53, Protocol.UDP), (53, Protocol.TCP), (5432, Protocol.SCTP)]


@pytest.mark.parametrize("case", sorted(TIER_CASES))
def test_golden(case: str) -> None:
    text = emit(compile_ruleset(TIER_CASES[case]()))
    path = GOLDEN / f"{case}.nft"
    if UPDATE:
        path.parent.mkdir(exist_ok=True)
        path.write_text(text)
    assert path.exists(), f"no golden file {path.name}: run with PODFENCE_UPDATE_GOLDEN=1"
    assert text == path.read_text(), f"{path.name} differs (PODFENCE_UPDATE_GOLDEN=1 to accept)"


def test_no_stray_golden_files() -> None:
    assert sorted(p.stem for p in GOLDEN.glob("*.nft")) == sorted(TIER_CASES)


@pytest.mark.netns
@pytest.mark.parametrize("path", sorted(GOLDEN.glob("*.nft")), ids=lambda p: p.stem)
def test_golden_passes_nft_check(path: Path, scratch_netns: str) -> None:
    check(path.read_text(), scratch_netns)


def _ask(cluster: Cluster, src: Endpoint, dst: Endpoint, port: int, proto: Protocol) -> bool:
    rs = compile_ruleset(cluster)
    return forward_accepts(rs, src.ips[0], dst.ips[0], proto, port)


@pytest.mark.parametrize("row", TIES_VERDICTS, ids=lambda r: f"{r[0]}->{r[1]}:{r[2]}")
def test_ties_verdicts(row: tuple[str, str, int, bool]) -> None:
    """Equal priorities, Pass chains, written order within a CNP, nodes, networks."""
    source, destination, port, allowed = row
    c = ties()
    src, dst = c.endpoint(source), c.endpoint(destination)
    assert src is not None and dst is not None
    assert Engine(c).allowed(Connection(src, dst, port, Protocol.TCP)) is allowed
    assert _ask(c, src, dst, port, Protocol.TCP) is allowed


@pytest.mark.parametrize("case", sorted(TIER_CASES))
def test_every_pair_matches_engine_and_reference(case: str) -> None:
    c = TIER_CASES[case]()
    rs = compile_ruleset(c)
    engine = Engine(c)
    for src in c.endpoints:
        for dst in c.endpoints:
            if src.id == dst.id:
                continue
            for family in sorted({ip.version for ip in src.ips} & {ip.version for ip in dst.ips}):
                s = next(ip for ip in src.ips if ip.version == family)
                d = next(ip for ip in dst.ips if ip.version == family)
                for port, proto in PORTS:
                    want = reference_allowed(c, src, dst, port, proto, family)
                    conn = Connection(src, dst, port, proto, family)
                    assert engine.allowed(conn) is want, f"{conn}: engine"
                    got = forward_accepts(rs, s, d, proto, port)
                    assert got is want, f"{conn}: ruleset {got}\n{emit(rs)}"


def test_v1_output_is_unchanged_without_cluster_policies() -> None:
    """No ClusterNetworkPolicy: no tier chain, the verdict maps jump (the v1 layout)."""
    c = ties()
    plain = Cluster(c.namespaces, c.endpoints, c.policies)
    text = emit(compile_ruleset(plain))
    assert "_tiers" not in text and "goto" not in text and "jump ingress-shop" in text


def test_domain_names_compile_to_nothing_without_dns_and_say_so() -> None:
    rs = compile_ruleset(ties())
    notes = [n for n in rs.notes if n.startswith("depends on DNS at run time:")]
    assert notes == [
        'depends on DNS at run time: cnp/frontend-egress egress[0].to[0] "partner" '
        "domainNames *.example.com: nothing"
    ]
    assert not [s for s in rs.sets if s.name.startswith("dns")]


def test_domain_names_with_a_dns_map_match_outside_addresses_only() -> None:
    """`dns` (address -> names, as `can --dns NAME=IP`): the outside addresses whose names
    the peer matches; never a pod's address (podfence does not model pod DNS records)."""
    c = ties()
    outside, elsewhere = ipaddress.ip_address("192.0.2.7"), ipaddress.ip_address("192.0.2.8")
    client = ipaddress.ip_address("10.244.2.1")  # ext/client, a pod
    dns = {outside: ("api.example.com",), elsewhere: ("other.org",), client: ("x.example.com",)}
    rs = compile_ruleset(c, dns=dns)
    frontend = c.endpoint("shop/frontend")
    assert frontend is not None
    engine = Engine(c)
    for ip, want in ((outside, True), (elsewhere, False), (client, False)):
        names = dns[ip]
        party = External(ip, names) if ip != client else c.endpoint("ext/client")
        assert party is not None
        assert engine.allowed(Connection(frontend, party, 443, Protocol.TCP)) is want
        assert forward_accepts(rs, frontend.ips[0], ip, Protocol.TCP, 443) is want
    assert "the addresses --dns gives" in " ".join(rs.notes)

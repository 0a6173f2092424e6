"""The conformance corpus: each case's hand-written truth tables against every backend, cell
by cell (STYLE lesson 12): the per-pair engine, the matrix, the class engine and the naive
reference (the nftables backends are in test_backends_nft.py, through the same API).

The tables in `cases/*/expected.yaml` were written by reasoning from the Kubernetes API
reference and upstream's e2e tests (kubernetes test/e2e/network/netpol), never by pasting
podfence's output. When podfence disagrees, re-derive the table by hand first; if podfence is
wrong, set `xfail:` in the case with the reason (it does not apply to the reference).
"""

from __future__ import annotations

import pytest

from podfence.model import Cluster

from .backends import BACKENDS, CASES, Backend, case_params, check_case
from .truth_table import CASES_DIR, CONFORMANCE_DIR, PODS, Case, case_dirs, load_cluster

__all__ = ["load_cluster"]

PARAMS = [
    pytest.param(backend, *p.values, id=f"{backend.name}-{p.id}", marks=p.marks)
    for backend in BACKENDS
    for p in case_params(backend)
]


@pytest.mark.parametrize(("backend", "case", "family"), PARAMS)
def test_backend_matches_truth_table(backend: Backend, case: Case, family: int | None) -> None:
    check_case(backend, case, family)


# -- the corpus itself -------------------------------------------------------------------


def test_corpus_has_enough_cases() -> None:
    assert len(CASES) >= 25
    assert len(case_dirs()) == len(list(CASES_DIR.iterdir())), "a case directory without tables"


def test_every_backend_runs_every_case() -> None:
    names = {b.name for b in BACKENDS}
    assert names == {"engine", "matrix", "classes", "reference"}
    assert all(not b.skip for b in BACKENDS), "the in-process backends answer every case"
    assert all(not b.pending for b in BACKENDS if b.name != "classes"), "only known bugs"


def test_dual_stack_cases_have_per_family_tables() -> None:
    dual = [c for c in CASES if c.cluster_file.name == "cluster-dual-stack.yaml"]
    assert dual
    for case in dual:
        assert set(case.by_family) == {4, 6}, case.name
        for tables in case.by_family.values():
            assert set(tables) == set(case.expected), case.name


def test_base_cluster_is_the_e2e_model() -> None:
    cluster = load_cluster(CONFORMANCE_DIR / "cluster.yaml")
    assert tuple(ep.id for ep in cluster.endpoints) == PODS
    assert not cluster.policies
    for ns in cluster.namespaces:
        assert dict(ns.labels) == {"ns": ns.name, "kubernetes.io/metadata.name": ns.name}
    for ep in cluster.endpoints:
        assert dict(ep.labels) == {"pod": ep.name}
        assert not ep.ips and not ep.host_network
        served = {(cp.name, cp.port, cp.protocol.value) for cp in ep.ports}
        assert served == {
            (f"serve-{port}-{proto.lower()}", port, proto)
            for port in (80, 81)
            for proto in ("TCP", "UDP", "SCTP")
        }


def _same_but(base: Cluster, variant: Cluster, *, ips: bool, ports: bool) -> None:
    """The variant has the base's namespaces and pods; only what is named may differ."""
    assert [(n.name, n.labels) for n in base.namespaces] == [
        (n.name, n.labels) for n in variant.namespaces
    ]
    for a, b in zip(base.endpoints, variant.endpoints, strict=True):
        assert (a.id, a.labels, a.host_network) == (b.id, b.labels, b.host_network)
        if not ips:
            assert a.ips == b.ips, a.id
        if not ports:
            assert a.ports == b.ports, a.id
        else:
            assert set(a.ports) <= set(b.ports), f"{a.id} keeps the served ports"
    assert not variant.policies


def _ips(cluster: Cluster) -> dict[str, list[str]]:
    return {ep.id: [str(ip) for ip in ep.ips] for ep in cluster.endpoints}


def test_ip_variant_differs_only_by_pod_ips() -> None:
    base = load_cluster(CONFORMANCE_DIR / "cluster.yaml")
    with_ips = load_cluster(CONFORMANCE_DIR / "cluster-ips.yaml")
    assert _ips(with_ips) == {
        f"{ns}/{pod}": [f"10.0.{i}.{j}"]
        for i, ns in enumerate("xyz", 1)
        for j, pod in enumerate("abc", 1)
    }
    _same_but(base, with_ips, ips=True, ports=False)


def test_dual_stack_variant_differs_only_by_pod_ips() -> None:
    base = load_cluster(CONFORMANCE_DIR / "cluster.yaml")
    dual = load_cluster(CONFORMANCE_DIR / "cluster-dual-stack.yaml")
    assert _ips(dual) == {
        f"{ns}/{pod}": [f"10.0.{i}.{j}", f"fd00:{i}::{j}"]
        for i, ns in enumerate("xyz", 1)
        for j, pod in enumerate("abc", 1)
    }
    _same_but(base, dual, ips=True, ports=False)


def test_duplicate_names_variant_adds_container_ports_only() -> None:
    """x/a declares `http` in two containers (8080 and 9090, TCP) and over UDP (8081) in a
    third; x/b declares it once (9090/TCP); nothing else changes."""
    base = load_cluster(CONFORMANCE_DIR / "cluster.yaml")
    dup = load_cluster(CONFORMANCE_DIR / "cluster-duplicate-port-names.yaml")
    _same_but(base, dup, ips=False, ports=True)
    extra = {
        ep.id: sorted(
            (cp.name or "", cp.port, cp.protocol.value)
            for cp in ep.ports
            if cp not in set(base_ep.ports)
        )
        for ep, base_ep in zip(dup.endpoints, base.endpoints, strict=True)
    }
    assert {k: v for k, v in extra.items() if v} == {
        "x/a": [("http", 8080, "TCP"), ("http", 8081, "UDP"), ("http", 9090, "TCP")],
        "x/b": [("http", 9090, "TCP")],
    }

"""Data-plane benchmark (not a test): compile size and time, nft apply time, lab probe time.

    python bench/dataplane_bench.py [--json]

Generates clusters of 1,000 pods / 200 policies and 10,000 pods / 200 policies (as Cluster
objects), compiles both, applies both in a throwaway network namespace, brings up a small
lab and probes it, and prints ratios: the rule count must not grow with pods (x10 pods ->
x1 rules) while set elements grow linearly; nothing grows with pods x pods.
Needs root for the apply and lab parts (skipped otherwise).
"""

from __future__ import annotations

import argparse
import ipaddress
import json
import os
import shutil
import subprocess
import sys
import time
from typing import Any

from podfence.dataplane.lab import Lab
from podfence.dataplane.nft import apply, compile_ruleset, emit
from podfence.model import (
    NAME_LABEL,
    Cluster,
    ContainerPort,
    Direction,
    Endpoint,
    IPBlock,
    LabelSelector,
    Namespace,
    NetworkPolicy,
    Peer,
    PolicyPort,
    Protocol,
    ProtocolPort,
    Rule,
    frozen_labels,
)

NAMESPACES = 20
APPS = 40


def generate(pods: int, policies: int = 200) -> Cluster:
    """A cluster of `pods` pods over 20 namespaces and `policies` policies (deterministic)."""
    namespaces = tuple(
        Namespace(f"ns{i}", frozen_labels({NAME_LABEL: f"ns{i}", "team": f"t{i % 4}"}))
        for i in range(NAMESPACES)
    )
    base = int(ipaddress.IPv4Address("10.0.0.1"))
    endpoints = tuple(
        sorted(
            (
                Endpoint(
                    f"ns{i % NAMESPACES}",
                    f"pod{i:05d}",
                    labels=frozen_labels({"app": f"a{i % APPS}", "tier": f"t{i % 3}"}),
                    ports=(ContainerPort(8000 + i % 7, Protocol.TCP, "http"),),
                    ips=(ipaddress.IPv4Address(base + i),),
                )
                for i in range(pods)
            ),
            key=lambda ep: ep.id,
        )
    )

    def sel(**labels: str) -> LabelSelector:
        return LabelSelector(frozen_labels(labels))

    items = []
    for k in range(policies):
        ns = f"ns{k % NAMESPACES}"
        block = IPBlock(
            ipaddress.ip_network("10.0.0.0/8"),
            (ipaddress.ip_network(f"10.0.{k % 200}.0/24"),),
        )
        items.append(
            NetworkPolicy(
                ns,
                f"pol{k:03d}",
                sel(app=f"a{k % APPS}"),
                frozenset({Direction.INGRESS, Direction.EGRESS}),
                ingress=(
                    Rule(
                        (Peer(pod_selector=sel(tier=f"t{k % 3}")), Peer(ip_block=block)),
                        (PolicyPort(Protocol.TCP, 80), PolicyPort(Protocol.TCP, "http")),
                    ),
                    Rule(
                        (Peer(namespace_selector=sel(team=f"t{k % 4}"), pod_selector=sel()),),
                        (PolicyPort(Protocol.TCP, 9000, 9100), PolicyPort(Protocol.UDP, 53)),
                    ),
                ),
                egress=(
                    Rule(
                        (Peer(namespace_selector=LabelSelector()),),
                        (PolicyPort(Protocol.UDP, 53), PolicyPort(Protocol.TCP, 53)),
                    ),
                    Rule((Peer(pod_selector=sel(app=f"a{(k + 1) % APPS}")),), ()),
                ),
            )
        )
    return Cluster(namespaces, endpoints, tuple(items))


def measure_compile(pods: int) -> dict[str, Any]:
    cluster = generate(pods)
    started = time.perf_counter()
    ruleset = compile_ruleset(cluster)
    compiled = time.perf_counter() - started
    started = time.perf_counter()
    text = emit(ruleset)
    emitted = time.perf_counter() - started
    return {
        "pods": pods,
        "policies": len(cluster.policies),
        "compile_s": round(compiled, 3),
        "emit_s": round(emitted, 3),
        "lines": text.count("\n"),
        "bytes": len(text),
        "rules": ruleset.rule_count,
        "chains": len(ruleset.chains),
        "sets": len(ruleset.sets) + len(ruleset.maps),
        "elements": ruleset.element_count,
        "_text": text,
    }


def can_use_netns() -> str | None:
    if os.geteuid() != 0:
        return "not root"
    if shutil.which("nft") is None or shutil.which("ip") is None:
        return "ip or nft missing"
    return None


def measure_apply(text: str) -> dict[str, float]:
    name = f"podfence-bench-{os.getpid()}"
    subprocess.run(["ip", "netns", "add", name], check=True)
    try:
        started = time.perf_counter()
        apply(text, name)  # nft -c, then nft -f
        first = time.perf_counter() - started
        started = time.perf_counter()
        apply(text, name)  # replacing an existing table of the same size
        again = time.perf_counter() - started
    finally:
        subprocess.run(["ip", "netns", "delete", name], check=False)
    return {"apply_s": round(first, 3), "reapply_s": round(again, 3)}


def small_lab_cluster(pods: int) -> Cluster:
    namespace = Namespace("bench", frozen_labels({NAME_LABEL: "bench"}))
    endpoints = tuple(
        Endpoint("bench", f"p{i:02d}", labels=frozen_labels({"side": "ab"[i % 2]}))
        for i in range(pods)
    )
    only_same_side = tuple(
        NetworkPolicy(
            "bench",
            f"side-{side}",
            LabelSelector(frozen_labels({"side": side})),
            frozenset({Direction.INGRESS}),
            ingress=(Rule((Peer(pod_selector=LabelSelector(frozen_labels({"side": side}))),)),),
        )
        for side in "ab"
    )
    return Cluster((namespace,), endpoints, only_same_side)


def measure_lab(pods: int = 10) -> dict[str, Any]:
    ports = [ProtocolPort(80), ProtocolPort(53, Protocol.UDP)]
    cells = pods * pods * len(ports)
    started = time.perf_counter()
    lab = Lab.up(small_lab_cluster(pods), name=f"bench-{os.getpid()}", serve=ports)
    up = time.perf_counter() - started
    try:
        started = time.perf_counter()
        result = lab.probe(ports, timeout=0.5)
        probe = time.perf_counter() - started  # half the cells wait for the 0.5 s timeout
        allowed = sum(v for m in result.matrices for row in m.allowed for v in row)
        open_cluster = small_lab_cluster(pods)
        lab.apply(Cluster(open_cluster.namespaces, open_cluster.endpoints, ()))
        started = time.perf_counter()
        lab.probe(ports, timeout=0.5)
        all_allowed = time.perf_counter() - started
        # the baseline we avoid: one process per probed pair (timed on an allowed pair, so
        # this is process start-up alone, without any timeout)
        spawn = []
        target = str(lab.state.pods[2].ips[0])
        for _ in range(5):
            started = time.perf_counter()
            subprocess.run(
                [
                    "ip",
                    "netns",
                    "exec",
                    lab.state.pods[0].netns,
                    sys.executable,
                    "-c",
                    "import socket,sys; socket.create_connection((sys.argv[1], 80), 0.5).close()",
                    target,
                ],
                check=False,
                capture_output=True,
            )
            spawn.append(time.perf_counter() - started)
    finally:
        started = time.perf_counter()
        lab.down()
        down = time.perf_counter() - started
    per_spawn = sorted(spawn)[len(spawn) // 2]
    return {
        "pods": pods,
        "cells": cells,
        "allowed_cells": allowed,
        "up_s": round(up, 3),
        "probe_s": round(probe, 3),
        "probe_all_allowed_s": round(all_allowed, 3),
        "down_s": round(down, 3),
        "process_per_pair_s": round(per_spawn, 3),
        "process_per_pair_estimate_s": round(per_spawn * cells, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    small, large = measure_compile(1_000), measure_compile(10_000)
    report: dict[str, Any] = {"compile": [], "ratios": {}}
    reason = can_use_netns()
    for row in (small, large):
        text = row.pop("_text")
        if reason is None:
            row.update(measure_apply(text))
        report["compile"].append(row)
    report["ratios"] = {
        "pods": large["pods"] / small["pods"],
        "pods_x_pods": (large["pods"] / small["pods"]) ** 2,
        "rules": large["rules"] / small["rules"],
        "chains": large["chains"] / small["chains"],
        "elements": round(large["elements"] / small["elements"], 2),
        "lines": round(large["lines"] / small["lines"], 2),
        "compile_time": round(large["compile_s"] / max(small["compile_s"], 1e-9), 2),
    }
    if reason is None:
        report["ratios"]["apply_time"] = round(large["apply_s"] / small["apply_s"], 2)
        report["lab"] = measure_lab()
        lab = report["lab"]
        report["ratios"]["process_per_pair_vs_probe"] = round(
            lab["process_per_pair_estimate_s"] / lab["probe_all_allowed_s"], 1
        )
    else:
        report["skipped"] = f"apply and lab: {reason}"
    if args.json:
        print(json.dumps(report, indent=2))
        return
    print("compile (200 policies)")
    keys = ["pods", "compile_s", "emit_s", "lines", "bytes", "rules", "chains", "sets"]
    keys += ["elements", "apply_s", "reapply_s"]
    print("  " + "  ".join(f"{k:>10}" for k in keys))
    for row in report["compile"]:
        print("  " + "  ".join(f"{row.get(k, '-')!s:>10}" for k in keys))
    if "lab" in report:
        print("lab (small)")
        for k, v in report["lab"].items():
            print(f"  {k:>28}: {v}")
    print("ratios (10,000 pods vs 1,000)")
    for k, v in report["ratios"].items():
        print(f"  {k:>28}: {v}")
    if "skipped" in report:
        print(f"skipped {report['skipped']}")


if __name__ == "__main__":
    main()

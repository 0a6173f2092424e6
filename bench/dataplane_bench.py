"""Data-plane benchmark (not a test): compile size and time, nft apply time, lab probe time.

    python bench/dataplane_bench.py [--json] [--repeat N] [--against PATH]

Generates clusters of 1,000 pods / 200 policies and 10,000 pods / 200 policies (as Cluster
objects), compiles both, applies both in a throwaway network namespace, brings up a small
lab and probes it, and prints ratios: the rule count must not grow with pods (x10 pods ->
x1 rules) while set elements grow linearly; nothing grows with pods x pods.
Needs root for the apply and lab parts (skipped otherwise). Compile and emit times are the
best of `--repeat` runs (default 3).

`--against PATH` compares with the podfence source tree at PATH (e.g. a worktree of an
older commit), in one invocation: this very script runs in child processes, alternately on
PATH (`PYTHONPATH=PATH/src`) and on the tree it is imported from, `--rounds` times (default
3); each time is the minimum over the rounds (the machine may be shared), and `vs_baseline`
gives each time here divided by the same time there (below 1: faster now), and whether the
ruleset sizes are identical.
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
from pathlib import Path
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
    Rule,
    frozen_labels,
)

try:
    from podfence.model import ProtocolPort
except ImportError:  # a baseline before issue 9 (see --against) called it ProbePort
    from podfence.dataplane.ports import ProbePort as ProtocolPort  # type: ignore

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


def with_tiers(cluster: Cluster, count: int = 20) -> Cluster:
    """`cluster` plus `count` ClusterNetworkPolicies (half Admin, half Baseline; priorities
    in pairs, so every level is a tie of two; Accept, Deny and Pass; pod, namespace and
    network peers; ports and named ports)."""
    from podfence.model import (
        Action,
        ClusterNetworkPolicy,
        ClusterRule,
        NamedPort,
        NamespacesPeer,
        NamespacesSubject,
        NetworksPeer,
        PodsPeer,
        PortNumber,
        Tier,
    )

    def sel(**labels: str) -> LabelSelector:
        return LabelSelector(frozen_labels(labels))

    cnps = []
    for k in range(count):
        tier = Tier.ADMIN if k < count // 2 else Tier.BASELINE
        action = (Action.ACCEPT, Action.DENY, Action.PASS)[k % 3]
        cnps.append(
            ClusterNetworkPolicy(
                f"cnp{k:02d}",
                tier,
                k // 2,
                NamespacesSubject(sel(team=f"t{k % 4}")),
                ingress=(
                    ClusterRule(
                        action,
                        (PodsPeer(LabelSelector(), sel(app=f"a{k % APPS}")),),
                        (PortNumber(Protocol.TCP, 80), NamedPort("http")),
                    ),
                    ClusterRule(Action.DENY, (NamespacesPeer(sel(team=f"t{(k + 1) % 4}")),)),
                ),
                egress=(
                    ClusterRule(
                        action,
                        (NetworksPeer((ipaddress.ip_network(f"10.0.{k}.0/24"),)),),
                        (PortNumber(Protocol.TCP, 443),),
                    ),
                ),
            )
        )
    return Cluster(cluster.namespaces, cluster.endpoints, cluster.policies, (), tuple(cnps))


def _best(runs: int, action: Any) -> tuple[float, float, Any]:
    """The shortest of `runs` timings of `action()`, wall clock and CPU time of this process
    (less sensitive to other load on a shared machine), and its last result."""
    wall = cpu = float("inf")
    result = None
    for _ in range(runs):
        started, started_cpu = time.perf_counter(), time.process_time()
        result = action()
        wall = min(wall, time.perf_counter() - started)
        cpu = min(cpu, time.process_time() - started_cpu)
    return wall, cpu, result


def measure_compile(pods: int, repeat: int = 3) -> dict[str, Any]:
    cluster = generate(pods)
    compiled, compiled_cpu, ruleset = _best(repeat, lambda: compile_ruleset(cluster))
    emitted, emitted_cpu, text = _best(repeat, lambda: emit(ruleset))
    tiered = with_tiers(cluster)
    with_cnp, _, tiered_rs = _best(repeat, lambda: compile_ruleset(tiered))
    return {
        "tiers_compile_s": round(with_cnp, 3),
        "tiers_rules": tiered_rs.rule_count,
        "tiers_chains": len(tiered_rs.chains),
        "tiers_vs_plain": round(with_cnp / max(compiled, 1e-9), 2),
        "pods": pods,
        "policies": len(cluster.policies),
        "compile_s": round(compiled, 3),
        "compile_cpu_s": round(compiled_cpu, 3),
        "emit_s": round(emitted, 3),
        "emit_cpu_s": round(emitted_cpu, 3),
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


def child(tree: Path, repeat: int) -> dict[str, Any]:
    """This script's report, run on the podfence source tree at `tree` (its `src`)."""
    env = dict(os.environ, PYTHONPATH=str(tree / "src"))
    argv = [sys.executable, str(Path(__file__).resolve()), "--json", "--repeat", str(repeat)]
    done = subprocess.run(argv, cwd=tree, env=env, capture_output=True, text=True, check=True)
    report: dict[str, Any] = json.loads(done.stdout)
    return report


_TIMES = ("compile_s", "compile_cpu_s", "emit_s", "emit_cpu_s", "apply_s", "reapply_s")
_SIZES = ("lines", "rules", "chains", "sets", "elements")
_LAB_TIMES = ("up_s", "probe_s", "probe_all_allowed_s", "down_s")


def fastest(reports: list[dict[str, Any]]) -> dict[str, Any]:
    """The first report with every time replaced by its minimum over all reports."""
    out = json.loads(json.dumps(reports[0]))
    for i, row in enumerate(out["compile"]):
        for k in _TIMES:
            if k in row:
                row[k] = min(r["compile"][i][k] for r in reports)
    if "lab" in out:
        for k in _LAB_TIMES:
            out["lab"][k] = min(r["lab"][k] for r in reports)
    return out


def _ratio(now: float, then: float) -> float:
    return round(now / then, 2) if then else float("nan")


def versus(report: dict[str, Any], base: dict[str, Any]) -> dict[str, Any]:
    """Times here / times of the baseline, per cluster size and for the lab."""
    out: dict[str, Any] = {}
    for now, then in zip(report["compile"], base["compile"], strict=True):
        row = {k: _ratio(now[k], then[k]) for k in _TIMES if k in now and k in then}
        row["same_sizes"] = all(now[k] == then[k] for k in _SIZES)
        out[f"pods_{now['pods']}"] = row
    if "lab" in report and "lab" in base:
        out["lab"] = {k: _ratio(report["lab"][k], base["lab"][k]) for k in _LAB_TIMES}
    return out


def measure(repeat: int) -> dict[str, Any]:
    small, large = measure_compile(1_000, repeat), measure_compile(10_000, repeat)
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
    return report


def compared(against: Path, repeat: int, rounds: int) -> dict[str, Any]:
    """This tree's report against `against`'s, both run `rounds` times alternately."""
    import podfence

    here = Path(podfence.__file__).resolve().parents[1].parent
    mine: list[dict[str, Any]] = []
    theirs: list[dict[str, Any]] = []
    for _ in range(rounds):
        theirs.append(child(against, repeat))
        mine.append(child(here, repeat))
    report, base = fastest(mine), fastest(theirs)
    report["baseline"] = {"path": str(against), "compile": base["compile"]}
    if "lab" in base:
        report["baseline"]["lab"] = base["lab"]
    report["rounds"] = rounds
    report["vs_baseline"] = versus(report, base)
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--repeat", type=int, default=3, help="best of N compile/emit runs")
    parser.add_argument("--against", type=Path, help="compare with this source tree")
    parser.add_argument("--rounds", type=int, default=3, help="alternate runs with --against")
    args = parser.parse_args()
    if args.against:
        report = compared(args.against.resolve(), args.repeat, args.rounds)
    else:
        report = measure(args.repeat)
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
    if "vs_baseline" in report:
        print(f"vs baseline {args.against}, best of {args.rounds} alternate runs each")
        print("  (time here / time there; ruleset sizes identical?)")
        for k, v in report["vs_baseline"].items():
            print(f"  {k:>28}: {v}")
    if "skipped" in report:
        print(f"skipped {report['skipped']}")


if __name__ == "__main__":
    main()

"""What ClusterNetworkPolicies add to the class engine's analysis, measured in one run.

    python bench/tiers.py                 # 150k pods / 15k policies, with and without CNPs
    python bench/tiers.py --pods 10000 --policies 1000
    python bench/tiers.py --write DIR     # also write the CNPs and Nodes as YAML into DIR

The cluster is bench/generate.py's (the same data set as bench/run.py); the CNPs are a
realistic few dozen written against its namespaces (`cnps`): per sensitive namespace an Admin
guardrail (metrics from monitoring and the same team accepted, every other namespace denied),
Pass delegations to a few teams, an Admin deny of dev into critical prod pods, cluster-wide
Admin egress rules (DNS accepted, the metadata address denied, prod egress limited to the
cluster network and a partner range: `networks` peers that match pod addresses too), an
egress Accept to Nodes for monitoring (a `nodes` peer), and a Baseline default deny of
ingress with a Baseline Accept of monitoring before it.

One process: load once (fast path), then build the class engine and compute every allowed
port of every pair of groups (as `matrix --all-ports`) without the CNPs and with them; the
ratio of the two analysis times, the classes, profiles and peak memory (VmHWM) are printed
as JSON. Figures are ratios first: the CPU is shared.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

SENSITIVE = 20
"""Namespaces with an Admin guardrail each."""
DELEGATED = 8
"""Teams the Admin tier passes to their own NetworkPolicies."""


def _ns(name: str) -> dict[str, Any]:
    return {"matchLabels": {"kubernetes.io/metadata.name": name}}


def _cnp(name: str, tier: str, priority: int, subject: Any, **rules: Any) -> dict[str, Any]:
    spec: dict[str, Any] = {"tier": tier, "priority": priority, "subject": subject}
    spec.update(rules)
    return {
        "apiVersion": "policy.networking.k8s.io/v1alpha2",
        "kind": "ClusterNetworkPolicy",
        "metadata": {"name": name},
        "spec": spec,
    }


def cnps(namespaces: list[str]) -> list[dict[str, Any]]:
    """The ClusterNetworkPolicies (and Nodes) for a cluster with these namespaces."""
    prod = [n for n in namespaces if n.endswith("-prod")][:SENSITIVE]
    every: dict[str, Any] = {"namespaces": {}}
    monitoring = {"namespaces": {"matchLabels": {"purpose": "monitoring"}}}
    out: list[dict[str, Any]] = []
    for i, ns in enumerate(prod):
        team = ns.rsplit("-", 1)[0]
        out.append(
            _cnp(
                f"guard-{ns}",
                "Admin",
                10 + i,
                {"namespaces": _ns(ns)},
                ingress=[
                    {
                        "name": "metrics",
                        "action": "Accept",
                        "from": [monitoring],
                        "protocols": [
                            {"tcp": {"destinationPort": {"range": {"start": 9090, "end": 9100}}}}
                        ],
                    },
                    {
                        "name": "same-team",
                        "action": "Accept",
                        "from": [{"namespaces": {"matchLabels": {"team": team}}}],
                    },
                    {"name": "others", "action": "Deny", "from": [every]},
                ],
            )  # fmt: skip
        )
    for t in range(DELEGATED):
        team = {"namespaces": {"matchLabels": {"team": f"team{t}"}}}
        out.append(
            _cnp(
                f"delegate-team{t}",
                "Admin",
                50,
                team,
                ingress=[{"name": "to-owners", "action": "Pass", "from": [team]}],
                egress=[{"name": "to-owners", "action": "Pass", "to": [team]}],
            )  # fmt: skip
        )
    out.append(
        _cnp(
            "protect-critical",
            "Admin",
            5,
            {
                "pods": {
                    "namespaceSelector": {"matchLabels": {"env": "prod"}},
                    "podSelector": {"matchLabels": {"critical": "true"}},
                }
            },
            ingress=[
                {
                    "name": "no-dev",
                    "action": "Deny",
                    "from": [{"namespaces": {"matchLabels": {"env": "dev"}}}],
                }
            ],
        )  # fmt: skip
    )
    out.append(
        _cnp(
            "cluster-egress",
            "Admin",
            1,
            every,
            egress=[
                {
                    "name": "dns",
                    "action": "Accept",
                    "to": [
                        {
                            "pods": {
                                "namespaceSelector": _ns("kube-system"),
                                "podSelector": {"matchLabels": {"k8s-app": "kube-dns"}},
                            }
                        }
                    ],
                    "protocols": [
                        {"udp": {"destinationPort": {"number": 53}}},
                        {"tcp": {"destinationPort": {"number": 53}}},
                    ],
                },
                {
                    "name": "metadata",
                    "action": "Deny",
                    "to": [{"networks": ["169.254.169.254/32"]}],
                },
            ],
        )  # fmt: skip
    )
    out.append(
        _cnp(
            "prod-egress",
            "Admin",
            30,
            {"namespaces": {"matchLabels": {"env": "prod"}}},
            egress=[
                {"name": "cluster", "action": "Pass", "to": [{"networks": ["10.0.0.0/8"]}]},
                {
                    "name": "partner",
                    "action": "Accept",
                    "to": [{"networks": ["203.0.113.0/24"]}],
                    "protocols": [{"tcp": {"destinationPort": {"number": 443}}}],
                },
                {"name": "internet", "action": "Deny", "to": [{"networks": ["0.0.0.0/0"]}]},
            ],
        )  # fmt: skip
    )
    out.append(
        _cnp(
            "monitoring-to-nodes",
            "Admin",
            3,
            {"namespaces": _ns("monitoring")},
            egress=[
                {
                    "name": "kubelet",
                    "action": "Accept",
                    "to": [{"nodes": {}}],
                    "protocols": [{"tcp": {"destinationPort": {"number": 10250}}}],
                },
            ],
        )  # fmt: skip
    )
    out.append(
        _cnp(
            "baseline-monitoring",
            "Baseline",
            5,
            every,
            ingress=[
                {"name": "scrape", "action": "Accept", "from": [monitoring]},
            ],
        )  # fmt: skip
    )
    out.append(
        _cnp(
            "baseline-default-deny",
            "Baseline",
            10,
            every,
            ingress=[
                {"name": "deny-all", "action": "Deny", "from": [every]},
            ],
        )  # fmt: skip
    )
    nodes = [
        {"apiVersion": "v1", "kind": "Node",
         "metadata": {"name": f"node-{i}", "labels": {"kubernetes.io/hostname": f"node-{i}"}},
         "status": {"addresses": [{"type": "InternalIP", "address": f"192.168.0.{i + 1}"}]}}
        for i in range(10)
    ]  # fmt: skip
    return out + nodes


def _peak() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    return 0


def _analysis(cluster: Any) -> tuple[float, float, Any]:
    """(classes seconds, all-ports seconds, the engine)."""
    from podfence.engine.classes import ClassEngine

    t0 = time.perf_counter()
    engine = ClassEngine(cluster)
    t1 = time.perf_counter()
    pairs = sum(1 for _ in engine.grouped_ports().pairs())
    t2 = time.perf_counter()
    engine.pairs = pairs  # type: ignore[attr-defined]
    return t1 - t0, t2 - t1, engine


def _command(paths: list[Path]) -> dict[str, float | int]:
    """Seconds, peak memory and output size of `podfence matrix PATHS --group -p 80/TCP -o
    json` run as users run it (its own process, bytecode compiled, output to a file)."""
    import os
    import subprocess

    from commands import precompile

    precompile(HERE.parent)
    out = HERE / "out" / "tiers-matrix.json"
    env = {**os.environ, "PYTHONPATH": str(HERE.parent / "src")}
    args = [sys.executable, "-m", "podfence", "matrix", *map(str, paths)]
    with open(out, "wb") as sink:
        started = time.perf_counter()
        proc = subprocess.Popen(
            [*args, "--group", "-p", "80/TCP", "-o", "json"],
            stdout=sink, stderr=subprocess.DEVNULL, env=env,
        )  # fmt: skip
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - started
    assert os.waitstatus_to_exitcode(status) == 0
    return {
        "seconds": seconds,
        "peak_rss_bytes": usage.ru_maxrss * 1024,
        "bytes": out.stat().st_size,
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--pods", type=int, default=150_000)
    ap.add_argument("--policies", type=int, default=15_000)
    ap.add_argument("--write", type=Path, help="write the CNPs and Nodes as cnps.yaml here")
    ap.add_argument(
        "--command",
        action="store_true",
        help="also time `podfence matrix --group -p 80/TCP -o json` as a whole process "
        "(output to a file), without and with the CNPs",
    )
    args = ap.parse_args(argv)

    import yaml
    from run import _dataset

    from podfence.load import load_paths
    from podfence.load.fast.load import load_fast

    path = _dataset(args.pods, args.policies)
    result = load_fast([str(path)])
    assert result.cluster is not None
    cluster = result.cluster
    objects = cnps([ns.name for ns in cluster.namespaces])
    target = args.write or path.with_name(path.name + "-cnps")
    target.mkdir(exist_ok=True)
    (target / "cnps.yaml").write_text(yaml.safe_dump_all(objects, sort_keys=False))
    extra = load_paths([str(target / "cnps.yaml")])
    # no diagnostic at all: a warning would mean a rule failing closed, not the rule meant
    assert extra.cluster is not None and not extra.diagnostics, [str(d) for d in extra.diagnostics]
    tiered = dataclasses.replace(
        cluster,
        cluster_policies=extra.cluster.cluster_policies,
        nodes=extra.cluster.nodes,
    )
    plain_classes, plain_all, plain = _analysis(cluster)
    classes_without = plain.class_count
    del plain
    tier_classes, tier_all, engine = _analysis(tiered)
    plain_s, tier_s = plain_classes + plain_all, tier_classes + tier_all
    views = engine.state.views
    tables = views.main.tiers
    profiles = (
        {d.value: int(s.codes.max()) for d, s in tables._sides_of(views.main).items()}
        if tables is not None
        else {}
    )
    report = {
        "pods": len(cluster.endpoints),
        "policies": len(cluster.policies),
        "cluster_policies": len(tiered.cluster_policies),
        "nodes": len(tiered.nodes),
        "without": {"classes_s": plain_classes, "all_ports_s": plain_all},
        "with": {"classes_s": tier_classes, "all_ports_s": tier_all},
        "ratio_analysis": tier_s / plain_s,
        "classes_without": classes_without,
        "classes_with": engine.class_count,
        "atoms_with": engine.atoms.count,
        "views_with": len(views.reaches),
        "profiles": profiles,
        "allowed_group_pairs_with": engine.pairs,
        "peak_rss_bytes": _peak(),
    }
    if args.command:
        del engine
        report["command"] = {
            "without": _command([path]),
            "with": _command([path, target]),
        }
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

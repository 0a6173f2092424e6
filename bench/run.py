"""Benchmarks of whole-cluster analysis over equivalence classes, against podfence's own
per-pair engine, on clusters from bench/generate.py.

    python bench/run.py            # 1k, 10k, 50k, 150k pods x policies at 0.2 and 2.5 per pod
    python bench/run.py --quick    # 1k and 10k pods, and the 150k / 15k target case
    python bench/run.py --loaders  # also: exact loader vs fast JSON vs fast YAML at 10k pods

Each case runs in its own process (so that peak memory, ru_maxrss, is the case's own) and
reports: load time (fast path), classes time (ClassEngine), analysis time (every allowed port
of every pair of groups, as `matrix --all-ports` computes it), end to end; peak memory;
classes and port atoms found; one policy changed incrementally; and the speed ratio against
the naive path: `Engine.allowed` for every pair of pods on one port per port atom, timed on
a sample and extrapolated (always; a full run would take hours above 1k pods): the engine's
per-endpoint lookup of selecting policies, timed on 200 endpoints, times the pods, plus the
cached per-call time, timed on 20,000 calls among those endpoints, times pods^2 x atoms.
Results are printed and written to bench/out/results.json.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import platform
import random
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"
sys.path.insert(0, str(HERE))

FULL = [(p, r) for p in (1_000, 10_000, 50_000, 150_000) for r in (0.2, 2.5)] + [(150_000, 0.1)]
QUICK = [(1_000, 0.2), (1_000, 2.5), (10_000, 0.2), (10_000, 2.5), (150_000, 0.1)]
REAL = "real"
"""The profile shaped like a real dump: 5,413 pods, 604 namespaces, 13,678 policies."""
SAMPLE = 20_000
"""Engine.allowed calls timed for the naive estimate."""
WARM = 200
"""Endpoints whose selecting policies are looked up (and timed) for the naive estimate."""


def _dataset(pods: int, policies: int, namespaces: int = 0) -> Path:
    """Generate (in a child process, to keep this one small) unless already there."""
    path = OUT / (f"c{pods}-{policies}" + (f"-{namespaces}ns" if namespaces else ""))
    if not (path / "pods.json").exists():
        args = ["--pods", str(pods), "--policies", str(policies), "--namespaces", str(namespaces)]
        subprocess.run([sys.executable, str(HERE / "generate.py"), str(path), *args], check=True)
    return path


def _peak_rss() -> int:
    """Peak resident memory of this process (VmHWM: not inherited from the parent, unlike
    ru_maxrss on Linux); ru_maxrss where /proc is missing."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def _naive(cluster: Any, atoms: Any) -> tuple[float, float]:
    """(seconds per endpoint to find the policies selecting it, seconds per Engine.allowed
    call once that is cached), on a sample of endpoints and of pairs and ports among them."""
    from podfence.engine import Engine
    from podfence.model import Connection, Direction, Protocol

    engine = Engine(cluster)
    rng = random.Random(7)
    eps = rng.sample(cluster.endpoints, min(WARM, len(cluster.endpoints)))
    started = time.perf_counter()
    for ep in eps:
        for d in Direction:
            engine.selecting(ep, d)
    warm = (time.perf_counter() - started) / len(eps)
    ports = [(lo, p) for p in Protocol for lo, _, _ in atoms.ranges(p)]
    calls = [
        Connection(rng.choice(eps), rng.choice(eps), *rng.choice(ports)) for _ in range(SAMPLE)
    ]
    started = time.perf_counter()
    for c in calls:
        engine.allowed(c)
    return warm, (time.perf_counter() - started) / len(calls)


def _one_change(engine: Any) -> tuple[float, bool]:
    """Change one allow rule's port (an existing port number) and time the update."""
    from podfence.engine.classes import PolicyChanged
    from podfence.model import PolicyPort, Protocol

    for pol in engine.cluster.policies:
        if pol.ingress and pol.ingress[0].peers and pol.ingress[0].ports:
            rule = dataclasses.replace(pol.ingress[0], ports=(PolicyPort(Protocol.TCP, 9000),))
            new = dataclasses.replace(pol, ingress=(rule, *pol.ingress[1:]))
            started = time.perf_counter()
            change = engine.update(PolicyChanged(new))
            return time.perf_counter() - started, change.rebuilt
    return 0.0, False


def case(path: Path) -> dict[str, Any]:
    """One measurement, in this process."""
    from podfence.engine.classes import ClassEngine
    from podfence.load.fast.load import load_fast
    from podfence.model import Direction

    t0 = time.perf_counter()
    result = load_fast([str(path)])
    assert result.cluster is not None, result.diagnostics[:3]
    cluster = result.cluster
    t1 = time.perf_counter()
    engine = ClassEngine(cluster)
    t2 = time.perf_counter()
    grouped = engine.grouped_ports()
    pairs = 0
    masks: set[int] = set()
    for pair in grouped.pairs():
        pairs += 1
        masks.add(pair.mask)
    t3 = time.perf_counter()
    rss = _peak_rss()
    update, rebuilt = _one_change(engine)
    warm, rate = _naive(cluster, engine.atoms)
    n = len(cluster.endpoints)
    naive = warm * n + rate * n * n * engine.atoms.count
    return {
        "pods": n,
        "policies": len(cluster.policies),
        "namespaces": len(cluster.namespaces),
        "bytes": sum(f.stat().st_size for f in path.glob("*.json")),
        "load_s": t1 - t0,
        "classes_s": t2 - t1,
        "analysis_s": t3 - t2,
        "end_to_end_s": t3 - t0,
        "after_load_s": t3 - t1,
        "peak_rss_bytes": rss,
        "classes": engine.class_count,
        "groups": len(grouped.groups),
        "atoms": engine.atoms.count,
        "allowed_group_pairs": pairs,
        "distinct_port_sets": len(masks),
        "views": len(engine.state.views.reaches),
        "explicit_pairs": sum(
            len(r.pairs[d]) for r in engine.state.views.reaches.values() for d in Direction
        ),
        "big_peer_sets": sum(len(r.big) for r in engine.state.views.reaches.values()),
        "update_s": update,
        "update_rebuilt": rebuilt,
        "naive_call_s": rate,
        "naive_selecting_s": warm,
        "naive_estimate_s": naive,
        "speedup_after_load": naive / max(t3 - t1, 1e-9),
    }


def loaders(path: Path) -> dict[str, float]:
    """Exact loader (JSON), fast JSON (orjson), fast YAML (libyaml) on the same objects."""
    import orjson
    import yaml

    from podfence.load import load_paths
    from podfence.load.fast.load import load_fast

    out: dict[str, float] = {}
    started = time.perf_counter()
    exact = load_paths([str(path)])
    out["exact_json_s"] = time.perf_counter() - started
    started = time.perf_counter()
    fast = load_fast([str(path)])
    out["fast_json_s"] = time.perf_counter() - started
    ydir = path.with_name(path.name + "-yaml")
    if not ydir.exists():
        ydir.mkdir()
        dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
        for f in path.glob("*.json"):
            data = orjson.loads(f.read_bytes())
            (ydir / (f.stem + ".yaml")).write_text(yaml.dump(data, Dumper=dumper))
    started = time.perf_counter()
    fast_yaml = load_fast([str(ydir)])
    out["fast_yaml_s"] = time.perf_counter() - started
    out["same_cluster_json"] = float(exact.cluster == fast.cluster)
    out["same_objects_yaml"] = float(_objects(fast_yaml.cluster) == _objects(fast.cluster))
    return out


def _objects(cluster: Any) -> Any:
    """Endpoints and policies without their locations (the files differ)."""
    if cluster is None:
        return None
    strip = dataclasses.replace
    nowhere = type(cluster.endpoints[0].location)("")
    return [strip(o, location=nowhere) for o in (*cluster.endpoints, *cluster.policies)]


def _run_case(path: Path) -> dict[str, Any]:
    proc = subprocess.run(
        [sys.executable, __file__, "--case", str(path)],
        capture_output=True,
        text=True,
        check=True,
    )
    result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


def _machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{os.cpu_count()} cores, {cpu}, Python {platform.python_version()}"


def _print(rows: list[dict[str, Any]], *, header: bool) -> None:
    head = (
        f"{'pods':>7} {'policies':>8} {'load':>7} {'classes':>7} {'analysis':>8} "
        f"{'e2e':>7} {'peak MB':>8} {'classes':>7} {'atoms':>5} {'update':>8} "
        f"{'naive est.':>11} {'ratio':>9}"
    )
    if header:
        print(head)
    for r in rows:
        print(
            f"{r['pods']:>7} {r['policies']:>8} {r['load_s']:>6.2f}s {r['classes_s']:>6.2f}s "
            f"{r['analysis_s']:>7.2f}s {r['end_to_end_s']:>6.2f}s "
            f"{r['peak_rss_bytes'] / 2**20:>8.0f} {r['classes']:>7} {r['atoms']:>5} "
            f"{r['update_s'] * 1000:>6.1f}ms {r['naive_estimate_s']:>10.0f}s "
            f"{r['speedup_after_load']:>8.0f}x",
            flush=True,
        )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--loaders", action="store_true")
    ap.add_argument("--case", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.case:
        print(json.dumps(case(args.case)))
        return 0
    OUT.mkdir(exist_ok=True)
    rows = []
    print(f"machine: {_machine()}")
    print(
        f"naive (estimate): Engine lookups x pods + Engine.allowed x pods^2 x port atoms, "
        f"from {WARM} endpoints and {SAMPLE} calls"
    )
    print("real: the profile shaped like a real dump (5,413 pods, 604 ns, 13,678 policies)")
    from generate import PROFILES

    cases = [_dataset(p, int(p * r)) for p, r in (QUICK if args.quick else FULL)]
    pods, namespaces, policies = PROFILES[REAL]
    cases.append(_dataset(pods, policies, namespaces))
    for path in cases:
        rows.append(_run_case(path))
        _print(rows[-1:], header=len(rows) == 1)
    report: dict[str, Any] = {"machine": _machine(), "cases": rows}
    if args.loaders:
        report["loaders_10k"] = loaders(_dataset(10_000, 2_000))
        print("loaders at 10,000 pods / 2,000 policies:", report["loaders_10k"])
    (OUT / "results.json").write_text(json.dumps(report, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""podfence against network-config-analyzer (IBM), the main Python peer, on the same input.

Creates bench/.venv-peer (a separate virtual environment: NCA is never a podfence
dependency) with `network-config-analyzer` from PyPI, generates clusters with
bench/generate.py, and times, on the same files:
- NCA's connectivity map: `nca --connectivity POLICIES -p PODS -n NAMESPACES -o txt`;
- podfence as users run it: `podfence matrix DIR --group --all-ports -o json` (every
  allowed port of every pair of groups), its output written to a file;
- podfence in a fresh process without start-up and imports (load, classes, pairs).

Both are whole processes; NCA's own "Total run time" line is reported too.

    python bench/peer.py                          # 2,000 pods / 300 policies, JSON pods
    python bench/peer.py --workloads --yaml       # the same as YAML, Deployments for pods
    python bench/peer.py --also-5000              # and 5,000 pods / 800 policies
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import time
import venv
from pathlib import Path

HERE = Path(__file__).resolve().parent
VENV = HERE / ".venv-peer"
OUT = HERE / "out"
sys.path.insert(0, str(HERE))

_PODFENCE = """
import sys, time
t = time.perf_counter()
from podfence.engine.classes import ClassEngine
from podfence.load.fast import load_fast
t1 = time.perf_counter()
cluster = load_fast([sys.argv[1]]).cluster
engine = ClassEngine(cluster)
pairs = sum(1 for _ in engine.grouped_ports().pairs())
print(time.perf_counter() - t1, t1 - t, pairs)
"""


def ensure_venv() -> Path:
    nca = VENV / "bin" / "nca"
    if not nca.exists():
        venv.create(VENV, with_pip=True)
        pip = VENV / "bin" / "pip"
        subprocess.run([str(pip), "install", "-q", "network-config-analyzer"], check=True)
    return nca


def _file(data: Path, stem: str) -> Path:
    return next(
        data / f"{stem}.{ext}" for ext in ("json", "yaml") if (data / f"{stem}.{ext}").exists()
    )


def run_nca(nca: Path, data: Path, timeout: float) -> tuple[float, float] | None:
    """(seconds of the whole process, NCA's own "Total run time"), None on timeout."""
    started = time.perf_counter()
    pods = (
        _file(data, "workloads")
        if (data / "workloads.json").exists() or (data / "workloads.yaml").exists()
        else _file(data, "pods")
    )
    try:
        proc = subprocess.run(
            [
                str(nca), "--connectivity", str(_file(data, "networkpolicies")),
                "-p", str(pods), "-n", str(_file(data, "namespaces")),
                "-o", "txt", "-f", str(OUT / "nca-connectivity.txt"),
            ],
            check=True, capture_output=True, timeout=timeout, text=True,
        )  # fmt: skip
    except subprocess.TimeoutExpired:
        return None
    whole = time.perf_counter() - started
    found = re.search(r"Total run time:\s*([0-9.]+)", proc.stdout + proc.stderr)
    return whole, float(found.group(1)) if found else whole


def run_podfence_command(data: Path) -> float:
    """Seconds of `podfence matrix DIR --group --all-ports -o json`, output to a file."""
    started = time.perf_counter()
    with open(OUT / "podfence-matrix.json", "wb") as sink:
        subprocess.run(
            [sys.executable, "-m", "podfence", "matrix", str(data), "--all-ports", "-o", "json"],
            check=True, stdout=sink, env={**os.environ, "PYTHONPATH": str(HERE.parent / "src")},
        )  # fmt: skip
    return time.perf_counter() - started


def run_podfence(data: Path) -> tuple[float, float]:
    """(seconds of the whole process, seconds after interpreter start-up and imports)."""
    started = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-c", _PODFENCE, str(data)], check=True, capture_output=True, text=True
    )
    whole = time.perf_counter() - started
    return whole, float(proc.stdout.split()[0])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--also-5000", action="store_true")
    ap.add_argument("--timeout", type=float, default=3600.0, help="seconds allowed to NCA")
    ap.add_argument("--workloads", action="store_true", help="Deployments instead of pods")
    ap.add_argument("--yaml", action="store_true", help="the same objects as YAML files")
    args = ap.parse_args(argv)
    from commands import as_yaml, precompile
    from generate import Spec, write

    nca_bin = ensure_venv()
    precompile(HERE.parent)
    sizes = [(2000, 300)] + ([(5000, 800)] if args.also_5000 else [])
    results = []
    for pods, policies in sizes:
        data = OUT / (f"peer{pods}-{policies}" + ("-workloads" if args.workloads else ""))
        if not (data / "namespaces.json").exists():
            write(Spec(pods, policies, workloads=args.workloads), data)
        if args.yaml:
            data = as_yaml(data)
        command = run_podfence_command(data)
        whole, inside = run_podfence(data)
        nca = run_nca(nca_bin, data, args.timeout)
        row: dict[str, float | int | str | None] = {
            "pods": pods,
            "policies": policies,
            "input": ("workloads" if args.workloads else "pods")
            + (" as YAML" if args.yaml else " as JSON"),
            "podfence_command_s": command,
            "podfence_process_s": whole,
            "podfence_s": inside,
            "nca_process_s": None if nca is None else nca[0],
            "nca_s": None if nca is None else nca[1],
        }
        if nca is not None:
            row["ratio_command"] = nca[0] / command
            row["ratio_process"] = nca[0] / whole
            row["ratio"] = nca[1] / inside
        results.append(row)
        print(
            f"{pods} pods / {policies} policies: "
            + (
                "NCA timed out"
                if nca is None
                else f"{row['input']}: whole processes: NCA {nca[0]:.1f}s, podfence matrix "
                f"--all-ports -o json {command:.2f}s: {nca[0] / command:.0f}x (load and pairs "
                f"only {whole:.2f}s); without start-up and imports: NCA {nca[1]:.1f}s "
                f'(its "Total run time"), podfence {inside:.2f}s: {nca[1] / inside:.0f}x'
            ),
            flush=True,
        )
    OUT.mkdir(exist_ok=True)
    name = "peer" + ("-workloads" if args.workloads else "") + ("-yaml" if args.yaml else "")
    (OUT / f"{name}.json").write_text(json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""podfence against network-config-analyzer (IBM), the main Python peer, on the same input.

Creates bench/.venv-peer (a separate virtual environment: NCA is never a podfence
dependency) with `network-config-analyzer` from PyPI, generates clusters with
bench/generate.py, and times, on the same JSON files:
- NCA's connectivity map: `nca --connectivity POLICIES -p PODS -n NAMESPACES -o txt`;
- podfence, in a fresh process: load, classes, and every allowed port of every pair of
  groups (`podfence matrix --all-ports` without the printing).

Both are reported as whole processes, and without interpreter start-up and imports (NCA's
own "Total run time" line; podfence's time after its imports).

    python bench/peer.py                 # 2,000 pods / 300 policies
    python bench/peer.py --also-5000     # and 5,000 pods / 800 policies
"""

from __future__ import annotations

import argparse
import json
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


def run_nca(nca: Path, data: Path, timeout: float) -> tuple[float, float] | None:
    """(seconds of the whole process, NCA's own "Total run time"), None on timeout."""
    started = time.perf_counter()
    try:
        proc = subprocess.run(
            [
                str(nca), "--connectivity", str(data / "networkpolicies.json"),
                "-p", str(data / "pods.json"), "-n", str(data / "namespaces.json"),
                "-o", "txt", "-f", str(data / "nca-connectivity.txt"),
            ],
            check=True, capture_output=True, timeout=timeout, text=True,
        )  # fmt: skip
    except subprocess.TimeoutExpired:
        return None
    whole = time.perf_counter() - started
    found = re.search(r"Total run time:\s*([0-9.]+)", proc.stdout + proc.stderr)
    return whole, float(found.group(1)) if found else whole


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
    args = ap.parse_args(argv)
    from generate import Spec, write

    nca_bin = ensure_venv()
    sizes = [(2000, 300)] + ([(5000, 800)] if args.also_5000 else [])
    results = []
    for pods, policies in sizes:
        data = OUT / f"peer{pods}-{policies}"
        if not (data / "pods.json").exists():
            write(Spec(pods, policies), data)
        whole, inside = run_podfence(data)
        nca = run_nca(nca_bin, data, args.timeout)
        row: dict[str, float | int | None] = {
            "pods": pods,
            "policies": policies,
            "podfence_process_s": whole,
            "podfence_s": inside,
            "nca_process_s": None if nca is None else nca[0],
            "nca_s": None if nca is None else nca[1],
        }
        if nca is not None:
            row["ratio_process"] = nca[0] / whole
            row["ratio"] = nca[1] / inside
        results.append(row)
        print(
            f"{pods} pods / {policies} policies: "
            + (
                "NCA timed out"
                if nca is None
                else f"whole processes: NCA {nca[0]:.1f}s, podfence {whole:.2f}s: "
                f"{nca[0] / whole:.0f}x; without start-up and imports: NCA {nca[1]:.1f}s "
                f'(its "Total run time"), podfence {inside:.2f}s: {nca[1] / inside:.0f}x'
            ),
            flush=True,
        )
    OUT.mkdir(exist_ok=True)
    (OUT / "peer.json").write_text(json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

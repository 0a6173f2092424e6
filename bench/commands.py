"""Whole-process benchmarks: every command as users run it, on a real-sized cluster.

Each command runs as its own process (`python -m podfence CMD ...`: start-up, imports,
loading, analysis and writing the output all count), its output written to a file, on
`bench/generate.py --profile real` (5,413 pods, 604 namespaces, 13,678 policies) from the
JSON files and from the same objects written as YAML (the way `kubectl get -o yaml` writes
them). Measured per run: wall time, and the child's own peak resident memory (`peak_of`:
GNU time's, whose small process starts the command; Linux carries a forking process's peak
over to its child, so `os.wait4` straight from this process would count this one's too).

    python bench/commands.py                          # this tree (src/ next to bench/)
    python bench/commands.py --base /work/base        # and an older tree, for ratios
    python bench/commands.py --only validate,can --formats json
    python bench/commands.py --big                    # also matrix --group at 150k / 15k

A run that passes `--timeout` is killed and reported as "> TIMEOUT". Runs are sequential
(never two at a time), so that they do not compete for the machine. Results are printed
and written to bench/out/commands.json.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import orjson

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from generate import PROFILES, Spec, write  # noqa: E402

__all__ = ["Case", "Measured", "cases", "measure", "main"]


@dataclass(frozen=True, slots=True)
class Case:
    name: str
    args: tuple[str, ...]
    """Arguments after `podfence`; `{out}` is replaced by the output file."""
    stdout: bool = True
    """The output goes to stdout (redirected to the output file)."""


@dataclass(frozen=True, slots=True)
class Measured:
    tree: str
    format: str
    case: str
    seconds: float | None
    """None: killed at the timeout."""
    peak_rss_bytes: int
    exit_code: int | None
    output_bytes: int


# -- datasets ---------------------------------------------------------------------------


def dataset(pods: int, policies: int, namespaces: int = 0) -> Path:
    """bench/out/cPODS-POLICIES[-Nns] (the naming of bench/run.py), generated once."""
    path = OUT / (f"c{pods}-{policies}" + (f"-{namespaces}ns" if namespaces else ""))
    if not (path / "pods.json").exists():
        write(Spec(pods, policies, namespaces), path)
    return path


def as_yaml(path: Path) -> Path:
    """The same objects as YAML, one file per JSON file (block style, sorted keys, lists
    not indented under their key: the way `kubectl get -o yaml` writes them)."""
    import yaml

    out = path.with_name(path.name + "-yaml")
    if not out.exists():
        tmp = out.with_name(out.name + ".tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir()
        dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
        for f in sorted(path.glob("*.json")):
            data = orjson.loads(f.read_bytes())
            text = yaml.dump(data, Dumper=dumper, default_flow_style=False, width=1 << 20)
            (tmp / (f.stem + ".yaml")).write_text(text)
        tmp.rename(out)
    return out


def changed(path: Path) -> Path:
    """A copy of `path` (JSON or YAML) with one policy changed: the first allow rule with a
    port gets port 9000 instead."""
    out = path.with_name(path.name + "-changed")
    if out.exists():
        return out
    tmp = out.with_name(out.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    shutil.copytree(path, tmp)
    name = "networkpolicies.json" if (path / "networkpolicies.json").exists() else None
    if name is not None:
        data = orjson.loads((tmp / name).read_bytes())
        _change_one(data["items"])
        (tmp / name).write_bytes(orjson.dumps(data, option=orjson.OPT_INDENT_2))
    else:
        import yaml

        dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        f = tmp / "networkpolicies.yaml"
        data = yaml.load(f.read_text(), Loader=loader)
        _change_one(data["items"])
        f.write_text(yaml.dump(data, Dumper=dumper, default_flow_style=False, width=1 << 20))
    tmp.rename(out)
    return out


def _change_one(items: list[dict[str, Any]]) -> None:
    for item in items:
        for rule in item["spec"].get("ingress", []):
            if rule.get("from") and rule.get("ports"):
                rule["ports"] = [{"protocol": "TCP", "port": 9000}]
                return
    raise SystemExit("no policy to change")


def parties(path: Path) -> tuple[str, str]:
    """A frontend pod and a backend pod of the same team namespace (SRC and DST)."""
    name = "pods.json" if (path / "pods.json").exists() else None
    if name is None:
        import yaml

        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        items = yaml.load((path / "pods.yaml").read_text(), Loader=loader)["items"]
    else:
        items = orjson.loads((path / name).read_bytes())["items"]
    by_ns: dict[str, dict[str, str]] = {}
    for pod in items:
        meta = pod["metadata"]
        tier = meta.get("labels", {}).get("tier")
        if tier in ("frontend", "backend"):
            by_ns.setdefault(meta["namespace"], {}).setdefault(tier, meta["name"])
    for ns, tiers in sorted(by_ns.items()):
        if len(tiers) == 2:
            return f"{ns}/{tiers['frontend']}", f"{ns}/{tiers['backend']}"
    raise SystemExit("no frontend and backend in one namespace")


def cases(path: Path, src: str, dst: str) -> list[Case]:
    d = str(path)
    return [
        Case("start-up (--version)", ("--version",)),
        Case("validate", ("validate", d)),
        Case("can", ("can", src, dst, d, "-p", "8080")),
        Case("explain --pod", ("explain", d, "--pod", dst)),
        Case("matrix --all-ports", ("matrix", d, "--all-ports", "-o", "json")),
        Case("lint", ("lint", d)),
        Case("graph", ("graph", d, "-o", "mermaid")),
        Case("report", ("report", d, "--out", "{out}"), stdout=False),
        Case("diff (one policy)", ("diff", d, "--to", str(changed(path)))),
    ]


# -- measuring --------------------------------------------------------------------------


def measure(tree: Path, case: Case, fmt: str, timeout: float, scratch: Path) -> Measured:
    """Run `python -m podfence` of `tree` (its src/ first on the path) on one case."""
    out = scratch / f"{tree.name}-{fmt}-{case.name.split()[0]}.out"
    out.unlink(missing_ok=True)
    args = [a.replace("{out}", str(out)) for a in case.args]
    if args[:1] == ["report"] and not _has_option(tree, "report", "--out"):
        args = ["-o" if a == "--out" else a for a in args]  # older trees: -o FILE
    env = {**os.environ, "PYTHONPATH": str(tree / "src")}
    env.pop("COLUMNS", None)
    command = [sys.executable, "-m", "podfence", *args]
    with open(out if case.stdout else os.devnull, "wb") as sink:
        started = time.perf_counter()
        proc = subprocess.Popen(
            [*peak_of(scratch / "peak"), *command],
            stdout=sink,
            stderr=subprocess.DEVNULL,
            stdin=subprocess.DEVNULL,
            env=env,
            start_new_session=True,
        )
        seconds: float | None = None
        code: int | None = None
        deadline = started + timeout
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                seconds = time.perf_counter() - started
                code = os.waitstatus_to_exitcode(status)
                proc.returncode = code
                break
            if time.perf_counter() > deadline:
                os.killpg(proc.pid, signal.SIGKILL)
                _, _, usage = os.wait4(proc.pid, 0)
                proc.returncode = -9
                break
            time.sleep(0.005)
    rss = read_peak(scratch / "peak", usage.ru_maxrss * 1024)
    size = out.stat().st_size if out.exists() else 0
    return Measured(tree.name, fmt, case.name, seconds, rss, code, size)


_TIME = Path("/usr/bin/time")


def peak_of(report: Path) -> list[str]:
    """A prefix that runs a command under GNU time, writing its peak RSS (KB) to `report`."""
    report.unlink(missing_ok=True)
    if _TIME.exists():
        return [str(_TIME), "-f", "%M", "-o", str(report)]
    return []


def read_peak(report: Path, fallback: int) -> int:
    """Bytes GNU time wrote to `report`; `fallback` (wait4's, an upper bound) without it
    (no GNU time, or the command was killed)."""
    try:
        return int(report.read_text().split()[-1]) * 1024
    except (OSError, ValueError, IndexError):
        return fallback


def precompile(tree: Path) -> None:
    """Byte-compile `tree`'s sources, as `pip install` does when it installs podfence: a
    user's process loads bytecode, not source. (This machine sets PYTHONDONTWRITEBYTECODE,
    so without this every timed run would also compile every module it imports.)"""
    subprocess.run(
        [sys.executable, "-m", "compileall", "-q", str(tree / "src")],
        check=True, stdout=subprocess.DEVNULL,
    )  # fmt: skip


def _has_option(tree: Path, command: str, option: str) -> bool:
    """Whether `podfence COMMAND` of `tree` has `option` (its --help says so)."""
    env = {**os.environ, "PYTHONPATH": str(tree / "src")}
    proc = subprocess.run(
        [sys.executable, "-m", "podfence", command, "--help"],
        capture_output=True, text=True, env=env, check=False,
    )  # fmt: skip
    return re.search(re.escape(option) + r"(?![\w-])", proc.stdout) is not None


def _fmt_time(m: Measured | None, timeout: float) -> str:
    if m is None:
        return "-"
    return f"> {timeout:.0f} s" if m.seconds is None else f"{m.seconds:.2f} s"


def _ratio(new: Measured | None, old: Measured | None, timeout: float) -> str:
    if new is None or old is None or new.seconds is None:
        return "-"
    if old.seconds is None:
        return f"> {timeout / new.seconds:.0f}x"
    return f"{old.seconds / new.seconds:.1f}x"


def table(results: list[Measured], trees: list[str], timeout: float) -> str:
    """A Markdown table: per case and format, each tree's time and memory, and the ratio."""
    index = {(m.tree, m.format, m.case): m for m in results}
    keys = list(dict.fromkeys((m.case, m.format) for m in results))
    head = ["command", "input"]
    for t in trees:
        head += [f"{t} time", f"{t} peak MB"]
    if len(trees) == 2:
        head.append("speed-up")
    head.append("output")
    rows = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for case, fmt in keys:
        row = [case, fmt]
        found = [index.get((t, fmt, case)) for t in trees]
        for m in found:
            row += [_fmt_time(m, timeout), f"{m.peak_rss_bytes / 2**20:.0f}" if m else "-"]
        if len(trees) == 2:
            row.append(_ratio(found[0], found[1], timeout))
        first = found[0]
        row.append(f"{first.output_bytes / 1e6:.2f} MB (exit {first.exit_code})" if first else "-")
        rows.append("| " + " | ".join(row) + " |")
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--base", type=Path, help="an older tree to compare with (its src/)")
    ap.add_argument("--formats", default="json,yaml")
    ap.add_argument("--only", default="", help="comma-separated case names (first word)")
    ap.add_argument("--timeout", type=float, default=120.0)
    ap.add_argument("--big", action="store_true", help="matrix --group at 150k pods / 15k")
    ap.add_argument(
        "--yaml", action="store_true", help="YAML parsing: PyYAML's C loader against the fast path"
    )
    ap.add_argument(
        "--loads",
        action="store_true",
        help="validate at 10k pods / 2k policies (JSON, YAML), and the real profile with "
        "workloads standing for its pods (JSON, YAML), on this tree",
    )
    ap.add_argument("--output", type=Path, default=OUT / "commands.json")
    args = ap.parse_args(argv)
    OUT.mkdir(exist_ok=True)
    pods, namespaces, policies = PROFILES["real"]
    base = dataset(pods, policies, namespaces)
    inputs = {"json": base}
    if "yaml" in args.formats:
        inputs["yaml"] = as_yaml(base)
    src, dst = parties(base)
    trees = [ROOT] + ([args.base.resolve()] if args.base else [])
    for tree in trees:
        precompile(tree)
    only = {o.strip() for o in args.only.split(",") if o.strip()}
    scratch = OUT / "commands-scratch"
    scratch.mkdir(exist_ok=True)
    results: list[Measured] = []
    for fmt in args.formats.split(","):
        path = inputs[fmt]
        for case in cases(path, src, dst):
            if only and case.name.split()[0] not in only:
                continue
            if fmt != "json" and case.name.startswith("start-up"):
                continue
            for tree in trees:
                m = measure(tree, case, fmt, args.timeout, scratch)
                results.append(m)
                print(
                    f"{tree.name:>14} {fmt:>4} {case.name:<22} {_fmt_time(m, args.timeout):>9} "
                    f"{m.peak_rss_bytes / 2**20:7.0f} MB  exit {m.exit_code}  "
                    f"out {m.output_bytes / 1e6:.2f} MB",
                    flush=True,
                )
    if args.big:  # not the older tree: it took 24 GB before it was killed (issue 10)
        results += big(trees[:1], args.timeout, scratch)
    yaml_speed = yaml_parsing(inputs.get("yaml") or as_yaml(base)) if args.yaml else None
    if args.loads:
        results += loads(args.timeout, scratch)
    names = [t.name for t in trees]
    print()
    print(table(results, names, args.timeout))
    report = {
        "trees": [str(t) for t in trees],
        "timeout_s": args.timeout,
        "results": [asdict(m) for m in results],
        "yaml_parsing": yaml_speed,
    }
    args.output.write_text(json.dumps(report, indent=2) + "\n")
    return 0


def yaml_parsing(path: Path) -> dict[str, float]:
    """Seconds to parse the YAML files of `path`: PyYAML's C loader (`yaml.load` with
    CSafeLoader, values only) against podfence's fast path (values, each object's line, every
    check), in a child process of this tree; and the ratio."""
    code = (
        "import sys, time, yaml\n"
        "from pathlib import Path\n"
        "from podfence.load.fast.parse import parse_fast\n"
        "texts = [(str(f), f.read_text()) for f in sorted(Path(sys.argv[1]).glob('*.yaml'))]\n"
        "t = time.perf_counter()\n"
        "for _, text in texts: yaml.load(text, Loader=yaml.CSafeLoader)\n"
        "t1 = time.perf_counter()\n"
        "for name, text in texts: parse_fast(name, text)\n"
        "t2 = time.perf_counter()\n"
        "print(t1 - t, t2 - t1)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    proc = subprocess.run(
        [sys.executable, "-c", code, str(path)], capture_output=True, text=True, env=env,
        check=True,
    )  # fmt: skip
    libyaml, fast = map(float, proc.stdout.split())
    found = {"pyyaml_c_s": libyaml, "podfence_fast_s": fast, "ratio": libyaml / fast}
    print(
        f"YAML parsing ({path.name}): PyYAML C loader {libyaml:.2f} s, fast path {fast:.2f} s: "
        f"{libyaml / fast:.1f}x",
        flush=True,
    )
    return found


def loads(timeout: float, scratch: Path) -> list[Measured]:
    """`validate` (loading alone, mostly) at 10,000 pods / 2,000 policies and on the real
    profile with workloads (Deployments, DaemonSets, a StatefulSet) instead of pods."""
    pods, namespaces, policies = PROFILES["real"]
    small = dataset(10_000, 2_000)
    workloads = OUT / "real-workloads"
    if not (workloads / "namespaces.json").exists():
        write(Spec(pods, policies, namespaces, workloads=True), workloads)
    found = []
    for label, path in (
        ("validate 10k/2k", small),
        ("validate 10k/2k", as_yaml(small)),
        ("validate real, workloads", workloads),
        ("validate real, workloads", as_yaml(workloads)),
    ):
        fmt = "yaml" if path.name.endswith("-yaml") else "json"
        m = measure(ROOT, Case(label, ("validate", str(path))), fmt, timeout, scratch)
        found.append(m)
        print(f"{ROOT.name:>14} {fmt:>4} {label:<24} {_fmt_time(m, timeout):>9}", flush=True)
    return found


def big(trees: list[Path], timeout: float, scratch: Path) -> list[Measured]:
    """`matrix --group -p 80/TCP -o json` at 150,000 pods / 15,000 policies, JSON and YAML."""
    path = dataset(150_000, 15_000)
    found = []
    for fmt, data in (("json", path), ("yaml", as_yaml(path))):
        case = Case("matrix --group 150k", ("matrix", str(data), "--group", "-p", "80/TCP",
                                            "-o", "json"))  # fmt: skip
        for tree in trees:
            m = measure(tree, case, fmt, timeout, scratch)
            found.append(m)
            print(
                f"{tree.name:>14} {fmt:>4} {case.name:<22} {_fmt_time(m, timeout):>9} "
                f"{m.peak_rss_bytes / 2**20:7.0f} MB  exit {m.exit_code}  "
                f"out {m.output_bytes / 1e6:.2f} MB",
                flush=True,
            )
    return found


if __name__ == "__main__":
    raise SystemExit(main())

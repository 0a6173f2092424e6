"""The corpus format: hand-written reachability truth tables, like upstream's e2e tables.

A case is a directory of `cases/` holding the policies (any `*.yaml` but `expected.yaml`)
and `expected.yaml`:

    description: what the case shows and why the table is what it is
    upstream: the upstream e2e test it is modelled on (optional)
    cluster: cluster-ips.yaml        # optional, default cluster.yaml
    xfail: why podfence is wrong     # optional: the test becomes xfail(strict=True)
    reachability:
      - ports: [80/TCP, 81/TCP]      # ports sharing this grid
        grid:
          #       a b c   a b c   a b c
          - "x/a: . X X | . . . | . . ."
          ...

Rows are sources, columns destinations, both in the order x/a x/b x/c y/a ... z/c; `.` is
allowed, `X` denied; `|` is decoration. Every case covers the six served ports (80 and 81
over TCP, UDP, SCTP), each exactly once; more ports may be added (e.g. range bounds).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from podfence.model import Protocol, ProtocolPort

__all__ = [
    "CASES_DIR",
    "CONFORMANCE_DIR",
    "PODS",
    "SERVED_PORTS",
    "Case",
    "Grid",
    "diff_grids",
    "format_grid",
    "load_case",
    "parse_grid",
]

CONFORMANCE_DIR = Path(__file__).parent
CASES_DIR = CONFORMANCE_DIR / "cases"
PODS = tuple(f"{ns}/{pod}" for ns in "xyz" for pod in "abc")
SERVED_PORTS = tuple(ProtocolPort(port, proto) for proto in Protocol for port in (80, 81))

Grid = tuple[tuple[bool, ...], ...]
"""grid[i][j]: PODS[i] may open a connection to PODS[j]."""


@dataclass(frozen=True, slots=True)
class Case:
    name: str
    description: str
    cluster_file: Path
    policy_files: tuple[Path, ...]
    expected: Mapping[ProtocolPort, Grid]
    xfail: str | None = None


def parse_grid(rows: Sequence[str], *, where: str) -> Grid:
    """Rows like `"x/a: . X X | . . . | . . ."` into booleans, checked for shape and order."""
    if len(rows) != len(PODS):
        raise ValueError(f"{where}: {len(rows)} rows, expected {len(PODS)} ({', '.join(PODS)})")
    grid = []
    for i, (row, pod) in enumerate(zip(rows, PODS, strict=True)):
        label, sep, cells = row.partition(":")
        if not sep or label.strip() != pod:
            raise ValueError(f"{where}: row {i + 1} is {row!r}, expected it to start {pod!r}")
        tokens = [t for t in cells.split() if t != "|"]
        if len(tokens) != len(PODS) or any(t not in (".", "X") for t in tokens):
            raise ValueError(f"{where}: row {pod!r} needs {len(PODS)} cells of '.' or 'X'")
        if tokens[i] != ".":
            raise ValueError(f"{where}: {pod} -> {pod} must be '.': a pod may reach itself")
        grid.append(tuple(t == "." for t in tokens))
    return tuple(grid)


def load_case(directory: Path) -> Case:
    data: dict[str, Any] = yaml.safe_load((directory / "expected.yaml").read_text())
    expected: dict[ProtocolPort, Grid] = {}
    for i, entry in enumerate(data["reachability"]):
        where = f"{directory.name}/expected.yaml reachability[{i}]"
        grid = parse_grid(entry["grid"], where=where)
        for text in entry["ports"]:
            spec = ProtocolPort.parse(str(text))
            if spec in expected:
                raise ValueError(f"{where}: {spec} has two grids")
            expected[spec] = grid
    missing = [str(p) for p in SERVED_PORTS if p not in expected]
    if missing:
        raise ValueError(f"{directory.name}/expected.yaml: no grid for {', '.join(missing)}")
    policies = tuple(p for p in sorted(directory.glob("*.yaml")) if p.name != "expected.yaml")
    if not policies:
        raise ValueError(f"{directory.name}: no policy file")
    return Case(
        name=directory.name,
        description=str(data["description"]).strip(),
        cluster_file=CONFORMANCE_DIR / data.get("cluster", "cluster.yaml"),
        policy_files=policies,
        expected=expected,
        xfail=data.get("xfail"),
    )


def format_grid(grid: Grid, *, expected: Grid | None = None) -> list[str]:
    """The grid in the corpus notation. Against `expected`, a differing cell shows as `+`
    (allowed here, denied there) or `-` (denied here, allowed there)."""
    lines = ["       " + " | ".join(" ".join("abc") for _ in "xyz")]
    for i, pod in enumerate(PODS):
        cells = []
        for j in range(len(PODS)):
            mark = "." if grid[i][j] else "X"
            if expected is not None and expected[i][j] != grid[i][j]:
                mark = "+" if grid[i][j] else "-"
            cells.append(mark)
        groups = [" ".join(cells[k : k + 3]) for k in range(0, len(cells), 3)]
        lines.append(f"  {pod}: " + " | ".join(groups))
    return lines


def diff_grids(expected: Grid, actual: Grid) -> list[str]:
    """Every differing cell as `src -> dst: expected allowed, got denied`."""
    out = []
    for i, src in enumerate(PODS):
        for j, dst in enumerate(PODS):
            if expected[i][j] != actual[i][j]:
                want = "allowed" if expected[i][j] else "denied"
                got = "allowed" if actual[i][j] else "denied"
                out.append(f"{src} -> {dst}: expected {want}, got {got}")
    return out

"""The corpus format: hand-written reachability truth tables, like upstream's e2e tables.

A case is a directory of `cases/` holding the policies (any `*.yaml` but `expected.yaml`)
and `expected.yaml`:

    description: what the case shows and why the table is what it is
    upstream: the upstream e2e test it is modelled on (optional)
    cluster: cluster-ips.yaml        # optional, default cluster.yaml
    xfail: why podfence is wrong     # optional: the test becomes xfail(strict=True)
    reachability:
      - ports: [80/TCP, 81/TCP]      # ports sharing this grid
        family: 6                    # optional: the question over one IP family
        grid:
          #       a b c   a b c   a b c
          - "x/a: . X X | . . . | . . ."
          ...

Rows are sources, columns destinations, both in the order x/a x/b x/c y/a ... z/c; `.` is
allowed, `X` denied; `|` is decoration. A grid without `family` answers the question asked
by pod name: over every family the two pods can use, allowed only if each allows it. Those
grids cover the six served ports (80 and 81 over TCP, UDP, SCTP), each exactly once; more
ports may be added (e.g. range bounds). Grids with `family: 4` or `family: 6` answer the
same question over that family only (for the dual-stack cases); they are optional.

Every cluster file holds the same nine pods (`PODS`); the variants differ from
`cluster.yaml` only where their header says (test_cases.py checks that).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from podfence.load import load_texts
from podfence.model import Cluster, Protocol, ProtocolPort

__all__ = [
    "CASES_DIR",
    "CONFORMANCE_DIR",
    "FAMILIES",
    "PODS",
    "SERVED_PORTS",
    "Case",
    "Grid",
    "case_dirs",
    "diff_grids",
    "format_grid",
    "load_case",
    "load_cluster",
    "parse_grid",
]

CONFORMANCE_DIR = Path(__file__).parent
CASES_DIR = CONFORMANCE_DIR / "cases"
PODS = tuple(f"{ns}/{pod}" for ns in "xyz" for pod in "abc")
SERVED_PORTS = tuple(ProtocolPort(port, proto) for proto in Protocol for port in (80, 81))

FAMILIES = (4, 6)
"""The IP families a grid may be restricted to (`family:`)."""

Grid = tuple[tuple[bool, ...], ...]
"""grid[i][j]: PODS[i] may open a connection to PODS[j]."""


@dataclass(frozen=True, slots=True)
class Case:
    name: str
    description: str
    cluster_file: Path
    policy_files: tuple[Path, ...]
    expected: Mapping[ProtocolPort, Grid]
    """The grids asked by pod name (no family given)."""
    xfail: str | None = None
    by_family: Mapping[int, Mapping[ProtocolPort, Grid]] = field(default_factory=dict)
    """The grids asked over one IP family, per family (only the cases that give them)."""

    @property
    def files(self) -> tuple[Path, ...]:
        """What to load: the cluster, then the case's own files."""
        return (self.cluster_file, *self.policy_files)

    def questions(self) -> tuple[tuple[int | None, Mapping[ProtocolPort, Grid]], ...]:
        """Every (family, grids) the case answers: by name (None) first, then per family."""
        return ((None, self.expected), *sorted(self.by_family.items()))


def case_dirs() -> list[Path]:
    """Every case of the corpus, in order."""
    return sorted(p for p in CASES_DIR.iterdir() if (p / "expected.yaml").is_file())


def load_cluster(*files: Path) -> Cluster:
    """Load corpus files (relative names in diagnostics); fail the test if they do not load."""
    texts = [(str(f.relative_to(CONFORMANCE_DIR)), f.read_text()) for f in files]
    result = load_texts(texts)
    errors = "\n".join(str(d) for d in result.diagnostics)
    assert result.cluster is not None, f"the case does not load:\n{errors}"
    return result.cluster


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
    tables: dict[int | None, dict[ProtocolPort, Grid]] = {}
    for i, entry in enumerate(data["reachability"]):
        where = f"{directory.name}/expected.yaml reachability[{i}]"
        family = entry.get("family")
        if family is not None and family not in FAMILIES:
            raise ValueError(f"{where}: family {family!r}, expected 4 or 6")
        grid = parse_grid(entry["grid"], where=where)
        table = tables.setdefault(family, {})
        for text in entry["ports"]:
            spec = ProtocolPort.parse(str(text))
            if spec in table:
                raise ValueError(f"{where}: {spec} has two grids")
            table[spec] = grid
    expected = tables.pop(None, {})
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
        by_family={f: tables[f] for f in sorted(t for t in tables if t is not None)},
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

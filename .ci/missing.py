"""Exit 0 when this checkout's package and every requirement of its test and dev extras are
installed at a version pyproject.toml accepts; exit 1 (saying what) otherwise.

`.ci/run` installs with pip only then, as it runs apt only for a missing tool.
"""

from __future__ import annotations

import importlib.metadata as metadata
import sys
import tomllib
from pathlib import Path

try:
    from packaging.requirements import Requirement
except ImportError:  # a bare Python: let pip install (it brings what it needs)
    print("missing: packaging (to read the requirements)")
    sys.exit(1)

ROOT = Path(__file__).resolve().parents[1]


def missing() -> list[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = [*project["dependencies"]]
    for extra in ("test", "dev"):
        wanted += project["optional-dependencies"][extra]
    out = []
    for text in wanted:
        req = Requirement(text)
        try:
            version = metadata.version(req.name)
        except metadata.PackageNotFoundError:
            out.append(f"{req.name} (not installed)")
            continue
        if not req.specifier.contains(version, prereleases=True):
            out.append(f"{req.name} {version} (wants {req.specifier})")
    try:
        import podfence
    except ImportError:
        return [*out, "podfence (not installed)"]
    where = Path(podfence.__file__).resolve()
    if not where.is_relative_to(ROOT / "src"):
        out.append(f"podfence (installed from {where.parent}, not this checkout)")
    return out


if __name__ == "__main__":
    found = missing()
    for line in found:
        print(f"missing: {line}")
    sys.exit(1 if found else 0)

"""Fixtures of the data-plane tests: the netns guard, an isolated state directory, throwaway
namespaces, and the hypothesis profiles.

Tests marked `netns` need root, iproute2 and nftables; they create only namespaces named
`podfence-*` and remove them again.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from podfence.dataplane.lab.state import STATE_ENV

settings.register_profile(
    "podfence-netns",
    max_examples=int(os.environ.get("PODFENCE_NETNS_EXAMPLES", "250")),
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile(
    "podfence-sim",
    max_examples=int(os.environ.get("PODFENCE_SIM_EXAMPLES", "400")),
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def netns_unavailable() -> str | None:
    """Why the netns tests cannot run here, or None."""
    if os.geteuid() != 0:
        return "needs root: network namespaces and nftables"
    for tool in ("ip", "nft"):
        if shutil.which(tool) is None:
            return f"needs {tool} ({'nftables' if tool == 'nft' else 'iproute2'})"
    return None


def require_netns() -> None:
    reason = netns_unavailable()
    if reason is not None:
        pytest.skip(reason)


@pytest.fixture(autouse=True)
def _netns_guard(request: pytest.FixtureRequest) -> None:
    if request.node.get_closest_marker("netns") is not None:
        require_netns()


@pytest.fixture(scope="session", autouse=True)
def state_root(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Labs of this session keep their state apart from real ones."""
    root = tmp_path_factory.mktemp("labs")
    previous = os.environ.get(STATE_ENV)
    os.environ[STATE_ENV] = str(root)
    yield root
    if previous is None:
        os.environ.pop(STATE_ENV, None)
    else:
        os.environ[STATE_ENV] = previous


@pytest.fixture(scope="module")
def scratch_netns() -> Iterator[str]:
    """A throwaway namespace for `nft -c` / `nft -f` (removed afterwards)."""
    require_netns()
    name = f"podfence-check-{os.getpid()}"
    subprocess.run(["ip", "netns", "add", name], check=True)
    try:
        yield name
    finally:
        subprocess.run(["ip", "netns", "delete", name], check=False)


def podfence_netns() -> list[str]:
    out = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True).stdout
    return sorted(line.split()[0] for line in out.splitlines() if line.startswith("podfence-"))

"""A lab killed halfway through `up` (SIGKILL: no cleanup runs) is fully removed by
`lab down --all`: no namespace, no link, no process, no state; nft tables lived only in the
removed namespaces."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import podfence
from podfence.dataplane.lab.state import lab_dir, state_root

from .conftest import podfence_netns
from .labtools import lab_name

pytestmark = pytest.mark.netns

UP_SCRIPT = """
import sys
from podfence.model import Cluster, Endpoint, Namespace
from podfence.dataplane.lab import Lab
pods = tuple(Endpoint("crash", f"pod{i:02d}") for i in range(40))
Lab.up(Cluster((Namespace("crash"),), pods, ()), name=sys.argv[1])
"""

DOWN_ALL = "from podfence.cli.dataplane_cmds import lab_group; lab_group(['down', '--all'])"


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(Path(podfence.__file__).resolve().parents[1])
    return env


def _agent_started(name: str) -> bool:
    try:
        return bool(json.loads((lab_dir(name) / "state.json").read_text())["agent_pid"])
    except (OSError, ValueError, KeyError):
        return False


def _netns_started(name: str) -> bool:
    try:
        return f"podfence-{name}-p5" in os.listdir("/run/netns")
    except OSError:
        return False


def _processes_mentioning(text: str) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                cmdline = Path(f"/proc/{entry}/cmdline").read_bytes().decode(errors="replace")
            except OSError:
                continue
            if text in cmdline:
                found.append(int(entry))
    return found


@pytest.mark.parametrize("when", ["namespaces", "agent"])
def test_down_all_after_sigkill_during_up(when: str) -> None:
    if podfence_netns():
        pytest.skip("other podfence namespaces exist; down --all would remove them")
    links_before = set(os.listdir("/sys/class/net"))
    name = lab_name("crash")
    started = _netns_started if when == "namespaces" else _agent_started
    proc = subprocess.Popen([sys.executable, "-c", UP_SCRIPT, name], env=_env())
    deadline = time.monotonic() + 20
    while not started(name):
        assert proc.poll() is None, "lab up finished before it could be killed"
        assert time.monotonic() < deadline, "lab up did not get far enough"
        time.sleep(0.002)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert podfence_netns(), "the kill left nothing behind to clean"

    done = subprocess.run(
        [sys.executable, "-c", DOWN_ALL], env=_env(), capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert f"removed {name}" in done.stdout
    assert podfence_netns() == []
    assert set(os.listdir("/sys/class/net")) == links_before
    assert not list(state_root().iterdir())
    assert _processes_mentioning(str(lab_dir(name))) == []


UP_CLI = "from podfence.cli.dataplane_cmds import lab_group; lab_group()"


def _pods_yaml(count: int) -> str:
    return "\n---\n".join(
        f"apiVersion: v1\nkind: Pod\nmetadata:\n  name: pod{i:02d}\n  namespace: default\n"
        "spec:\n  containers:\n    - name: c\n      image: x\n"
        for i in range(count)
    )


@pytest.mark.parametrize("how", ["sigint-api", "sigterm-cli"])
def test_interrupted_up_cleans_up_after_itself(how: str, tmp_path: Path) -> None:
    """Ctrl-C (KeyboardInterrupt) or SIGTERM during `up` removes what was created."""
    name = lab_name("intr")
    if how == "sigint-api":
        argv, sig = [sys.executable, "-c", UP_SCRIPT, name], signal.SIGINT
    else:
        manifest = tmp_path / "pods.yaml"
        manifest.write_text(_pods_yaml(40))
        argv = [sys.executable, "-c", UP_CLI, "up", str(manifest), "--name", name]
        sig = signal.SIGTERM
    proc = subprocess.Popen(argv, env=_env(), stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 20
    while not _netns_started(name):
        assert proc.poll() is None, "lab up finished before it could be interrupted"
        assert time.monotonic() < deadline
        time.sleep(0.002)
    os.kill(proc.pid, sig)
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode != 0
    if how == "sigterm-cli":
        assert proc.returncode == 2
        assert (
            stderr.strip().splitlines()[-1] == f"podfence: error: interrupted: lab {name} removed"
        )
    assert not [n for n in podfence_netns() if n.startswith(f"podfence-{name}-")]
    assert not lab_dir(name).exists()
    assert _processes_mentioning(str(lab_dir(name))) == []

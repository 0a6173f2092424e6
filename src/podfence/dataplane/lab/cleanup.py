"""Removing labs: processes, namespaces (and with them every link and nft table), state.

Works from the recorded state and from the namespaces actually present, so it also cleans up
after a lab killed halfway through `up`. Only processes living in podfence namespaces, or
the recorded agent whose command line names the lab, are ever signalled.
"""

from __future__ import annotations

import os
import re
import signal
import time
from contextlib import suppress
from dataclasses import dataclass

from podfence.dataplane.lab.netns import lab_netns_pattern, list_netns, netns_pids
from podfence.dataplane.lab.state import lab_dir, lab_names, load, remove
from podfence.dataplane.run import Runner, SubprocessRunner

__all__ = ["AGENT_MODULE", "LabInfo", "down_lab", "down_all", "list_labs", "agent_alive"]

AGENT_MODULE = "podfence.dataplane.lab.agent"
_ANY_LAB = re.compile(r"^podfence-(.+)-(node|p\d+)$")


def _is_agent(pid: int, lab: str) -> bool:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            cmdline = f.read().decode(errors="replace")
    except OSError:
        return False
    return AGENT_MODULE in cmdline and str(lab_dir(lab)) in cmdline


def _alive(pid: int) -> bool:
    with suppress(ChildProcessError, OSError):
        os.waitpid(pid, os.WNOHANG)
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False


def agent_alive(pid: int | None, lab: str) -> bool:
    return pid is not None and _alive(pid) and _is_agent(pid, lab)


def _kill(pids: set[int]) -> None:
    pids.discard(os.getpid())
    for sig in (signal.SIGTERM, signal.SIGKILL):
        for pid in pids:
            with suppress(ProcessLookupError):
                os.kill(pid, sig)
        deadline = time.monotonic() + 2.0
        while time.monotonic() < deadline and any(_alive(p) for p in pids):
            time.sleep(0.02)
        pids = {p for p in pids if _alive(p)}
        if not pids:
            return


def down_lab(name: str, *, runner: Runner | None = None) -> bool:
    """Stop lab `name`: its processes, namespaces (and so its links and tables), its state.
    Works on a half-built lab too. True when there was anything to remove."""
    runner = runner or SubprocessRunner()
    state = load(name)
    pattern = lab_netns_pattern(name)
    names = [n for n in list_netns(runner) if pattern.match(n)]
    pids: set[int] = set()
    if state is not None and state.agent_pid and _is_agent(state.agent_pid, name):
        pids.add(state.agent_pid)
    for netns in names:
        pids |= set(netns_pids(runner, netns))
    _kill(pids)
    for netns in sorted(names, key=lambda n: n.endswith("-node")):
        runner.run(["ip", "netns", "delete", netns], check=False)
    existed = bool(names) or lab_dir(name).exists()
    remove(name)
    return existed


def down_all(*, runner: Runner | None = None) -> list[str]:
    """Remove every lab and every podfence-* namespace, leftovers of a crash included."""
    runner = runner or SubprocessRunner()
    labs = set(lab_names())
    for netns in list_netns(runner):
        found = _ANY_LAB.match(netns)
        if found:
            labs.add(found.group(1))
    removed = [name for name in sorted(labs) if down_lab(name, runner=runner)]
    for netns in list_netns(runner):
        _kill(set(netns_pids(runner, netns)))
        runner.run(["ip", "netns", "delete", netns], check=False)
        removed.append(netns)
    return removed


@dataclass(frozen=True, slots=True)
class LabInfo:
    name: str
    status: str
    pods: int
    active: int
    agent: bool


def list_labs(*, runner: Runner | None = None) -> list[LabInfo]:
    """Every lab with a state directory, and `orphaned` ones that only left namespaces."""
    runner = runner or SubprocessRunner()
    infos = []
    names = lab_names()
    orphans: dict[str, int] = {}
    for netns in list_netns(runner):
        found = _ANY_LAB.match(netns)
        if found and found.group(1) not in names:
            orphans[found.group(1)] = orphans.get(found.group(1), 0) + 1
    for name, count in sorted(orphans.items()):
        infos.append(LabInfo(name, "orphaned", count, 0, False))
    for name in names:
        state = load(name)
        if state is None:
            infos.append(LabInfo(name, "broken", 0, 0, False))
            continue
        agent = agent_alive(state.agent_pid, name)
        infos.append(LabInfo(name, state.status, len(state.pods), len(state.active), agent))
    return sorted(infos, key=lambda info: info.name)

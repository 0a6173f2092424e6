"""Lab state on disk: one directory per lab with `state.json`, the agent's socket and log.

The directory is created (atomically, `mkdir`) before anything else, so a lab killed halfway
through `up` still leaves a record that `down` can use.
"""

from __future__ import annotations

import ipaddress
import json
import os
import shutil
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from podfence.dataplane.lab.plan import PodPlan
from podfence.model import ContainerPort, Protocol, ProtocolPort

__all__ = [
    "STATE_ENV",
    "DEFAULT_STATE_ROOT",
    "LabState",
    "state_root",
    "lab_dir",
    "create_dir",
    "save",
    "load",
    "remove",
    "lab_names",
]

STATE_ENV = "PODFENCE_STATE_DIR"
DEFAULT_STATE_ROOT = "/run/podfence/labs"
FIRST_SOURCE_PORT = 20000


@dataclass(frozen=True, slots=True)
class LabState:
    name: str
    node_netns: str
    pods: tuple[PodPlan, ...]
    status: str = "creating"
    """`creating` until the lab is complete, then `up`."""
    active: tuple[str, ...] = ()
    """The endpoints of the last applied cluster (probed by default)."""
    agent_pid: int | None = None
    next_source_port: int = FIRST_SOURCE_PORT
    notes: tuple[str, ...] = field(default=())

    def pod(self, endpoint: str) -> PodPlan | None:
        for pod in self.pods:
            if pod.endpoint == endpoint:
                return pod
        return None

    @property
    def directory(self) -> Path:
        return lab_dir(self.name)

    @property
    def control_path(self) -> Path:
        return self.directory / "agent.sock"


def state_root() -> Path:
    return Path(os.environ.get(STATE_ENV) or DEFAULT_STATE_ROOT)


def lab_dir(name: str) -> Path:
    return state_root() / name


def create_dir(name: str) -> Path:
    """Claim the lab's directory; FileExistsError when a lab of that name exists."""
    root = state_root()
    root.mkdir(parents=True, exist_ok=True)
    path = root / name
    path.mkdir(mode=0o700)
    return path


def _pod_to_json(pod: PodPlan) -> dict[str, Any]:
    data = asdict(pod)
    data["ips"] = [str(ip) for ip in pod.ips]
    data["declared_ips"] = [str(ip) for ip in pod.declared_ips]
    data["listeners"] = [[p.port, p.protocol.value] for p in pod.listeners]
    data["ports"] = [[p.port, p.protocol.value, p.name] for p in pod.ports]
    return data


def _pod_from_json(data: dict[str, Any]) -> PodPlan:
    return PodPlan(
        endpoint=data["endpoint"],
        netns=data["netns"],
        veth=data["veth"],
        ips=tuple(ipaddress.ip_address(ip) for ip in data["ips"]),
        listeners=tuple(ProtocolPort(port, Protocol(proto)) for port, proto in data["listeners"]),
        dns=bool(data["dns"]),
        host_network=bool(data["host_network"]),
        declared_ips=tuple(ipaddress.ip_address(ip) for ip in data.get("declared_ips", [])),
        ports=tuple(
            ContainerPort(port, Protocol(proto), name)
            for port, proto, name in data.get("ports", [])
        ),
    )


def save(state: LabState) -> None:
    data = {
        "version": 1,
        "name": state.name,
        "node_netns": state.node_netns,
        "status": state.status,
        "agent_pid": state.agent_pid,
        "next_source_port": state.next_source_port,
        "active": list(state.active),
        "notes": list(state.notes),
        "pods": [_pod_to_json(pod) for pod in state.pods],
    }
    path = state.directory / "state.json"
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, indent=2) + "\n")
    os.replace(tmp, path)


def load(name: str) -> LabState | None:
    """The saved state of lab `name`; None when there is none or it is unreadable."""
    path = lab_dir(name) / "state.json"
    try:
        data = json.loads(path.read_text())
        return LabState(
            name=data["name"],
            node_netns=data["node_netns"],
            pods=tuple(_pod_from_json(pod) for pod in data["pods"]),
            status=data["status"],
            active=tuple(data["active"]),
            agent_pid=data["agent_pid"],
            next_source_port=int(data["next_source_port"]),
            notes=tuple(data.get("notes", [])),
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None


def remove(name: str) -> None:
    shutil.rmtree(lab_dir(name), ignore_errors=True)


def lab_names() -> list[str]:
    root = state_root()
    if not root.is_dir():
        return []
    return sorted(p.name for p in root.iterdir() if p.is_dir())

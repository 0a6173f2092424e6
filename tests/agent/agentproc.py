"""Agent processes for tests and the bench: start `podfence agent` as a child (by PID), ask
its HTTP endpoints, wait for conditions, stop it; every wait is bounded and says what it
waited for when it gives up."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import podfence

__all__ = ["AgentProcess", "free_port", "wait_for"]

WAIT = 90.0
"""Upper bound of any wait (a failure bound, never a measured figure)."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_for(what: str, check: Callable[[], bool], timeout: float = WAIT) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up after {timeout:.0f} s waiting for {what}")
        time.sleep(0.02)


@dataclass
class AgentProcess:
    node: str
    kubeconfig: Path
    log: Path
    netns: str | None = None
    dry_run: bool = False
    extra: tuple[str, ...] = ()
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    def argv(self) -> list[str]:
        argv = [sys.executable, "-m", "podfence", "agent", "--node", self.node]
        argv += ["--kubeconfig", str(self.kubeconfig), "--listen", f"127.0.0.1:{self.port}"]
        argv += ["--kube-version", "1.36"]
        if self.netns:
            argv += ["--netns", self.netns]
        if self.dry_run:
            argv.append("--dry-run")
        return argv + list(self.extra)

    def start(self) -> AgentProcess:
        env = dict(os.environ)
        root = str(Path(podfence.__file__).resolve().parents[1])
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [root, env.get("PYTHONPATH")]))
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                self.argv(), stdout=out, stderr=out, stdin=subprocess.DEVNULL, env=env
            )
        return self

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def get(self, path: str) -> tuple[int, str]:
        try:
            url = f"http://127.0.0.1:{self.port}{path}"
            with urllib.request.urlopen(url, timeout=5) as reply:
                return reply.status, reply.read().decode()
        except urllib.error.HTTPError as err:
            return err.code, err.read().decode()
        except OSError as err:
            return 0, str(err)

    def status(self) -> dict[str, Any]:
        code, body = self.get("/status")
        return json.loads(body) if code == 200 else {}

    def metric(self, name: str, **labels: str) -> float:
        """One sample of /metrics (0 when absent)."""
        code, body = self.get("/metrics")
        want = ",".join(f'{k}="{v}"' for k, v in sorted(labels.items()))
        head = f"{name}{{{want}}}" if want else name
        for line in body.splitlines():
            if line.startswith(head + " "):
                return float(line.split()[-1])
        return 0.0

    def ready(self) -> bool:
        return self.get("/readyz")[0] == 200

    def applied_version(self, resource: str) -> int:
        versions = self.status().get("applied_resource_versions") or {}
        return int(versions.get(resource) or 0)

    def wait_applied(self, resource: str, version: int) -> None:
        """Until the agent has applied a state that includes `resource` at `version`
        (resourceVersions compared as etcd revisions: a test-only assumption)."""
        self.alive()
        wait_for(
            f"{self.node} to apply {resource} at {version} (log {self.log})",
            lambda: self.applied_version(resource) >= version,
        )

    def alive(self) -> None:
        assert self.process is not None and self.process.poll() is None, self.log.read_text()[
            -3000:
        ]

    def kill(self) -> None:
        """SIGKILL: no chance to clean up (as a crashed or OOM-killed agent)."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=15)

    def log_lines(self) -> list[dict[str, Any]]:
        out = []
        for line in self.log.read_text(errors="replace").splitlines():
            if line.startswith("{"):
                out.append(json.loads(line))
        return out

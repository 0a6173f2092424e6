"""Lab lifecycle: up, apply, probe, down, down --all, ls.

`up` records the lab's directory before creating anything and tears everything down again on
any error or Ctrl-C; `down` works from the record and from the namespaces it finds, so it
also cleans up after a lab killed halfway.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

import podfence
from podfence.dataplane.lab.agent import AgentClient, AgentError
from podfence.dataplane.lab.cleanup import AGENT_MODULE, down_lab
from podfence.dataplane.lab.matrix import (
    Cell,
    CellOutcome,
    DnsReport,
    ProbeResult,
    probe_cells,
    probe_dns,
    probe_pods,
)
from podfence.dataplane.lab.netns import (
    node_steps,
    pod_steps,
    routing_steps,
)
from podfence.dataplane.lab.plan import DEFAULT_POD_CIDR, LabPlan, PodPlan, listeners_for, plan_lab
from podfence.dataplane.lab.state import (
    LabState,
    create_dir,
    load,
    save,
)
from podfence.dataplane.nft import apply, compile_ruleset, emit
from podfence.dataplane.nft.ir import Ruleset
from podfence.dataplane.run import Runner, SubprocessRunner, ToolMissing, require_tools
from podfence.model import Cluster, IPNetwork, Protocol, ProtocolPort

__all__ = ["Lab", "LabError", "require_root"]

AGENT_START_TIMEOUT = 15.0


class LabError(RuntimeError):
    """A lab operation cannot be done; the message says why and what to do."""


def require_root() -> None:
    """Labs need root, `ip` and `nft`."""
    if os.geteuid() != 0:
        raise LabError("labs need root (network namespaces and nftables): run as root")
    try:
        require_tools("ip", "nft")
    except ToolMissing as err:
        raise LabError(str(err)) from err


@contextmanager
def _shielded() -> Iterator[None]:
    """Ignore Ctrl-C while cleaning up (main thread only)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


class Lab:
    """A running lab. Create one with `Lab.up`, or `Lab.attach` to an existing one."""

    def __init__(self, state: LabState, runner: Runner | None = None) -> None:
        self.state = state
        self.runner: Runner = runner or SubprocessRunner()
        self._agent: int | None = None
        """The agent's pid while this process started it (it outlives `lab up`: a daemon
        spawned without a Popen object, so nothing warns when this object goes away)."""

    # creation

    @classmethod
    def up(
        cls,
        cluster: Cluster,
        *,
        name: str,
        serve: Iterable[ProtocolPort] = (),
        pod_cidr: IPNetwork = DEFAULT_POD_CIDR,
        runner: Runner | None = None,
    ) -> Lab:
        require_root()
        try:
            plan = plan_lab(cluster, name, serve=serve, pod_cidr=pod_cidr)
        except ValueError as err:
            raise LabError(str(err)) from err
        ruleset = emit(compile_ruleset(plan.cluster))
        try:
            create_dir(name)
        except FileExistsError:
            raise LabError(f"lab {name} already exists: podfence lab down --name {name}") from None
        lab = cls(LabState(name, plan.node_netns, plan.pods, notes=plan.notes), runner)
        try:
            save(lab.state)
            lab._build(plan)
            lab._start_agent()
            problems = lab._listen(plan.pods)
            lab.apply_text(ruleset)
            active = tuple(sorted(pod.endpoint for pod in plan.pods))
            lab._save(status="up", active=active, notes=plan.notes + tuple(problems))
        except BaseException:
            with _shielded():
                lab.down()
            raise
        return lab

    @classmethod
    def attach(cls, name: str, *, runner: Runner | None = None) -> Lab:
        state = load(name)
        if state is None:
            raise LabError(f"no lab named {name} (podfence lab ls)")
        if state.status != "up":
            raise LabError(f"lab {name} is {state.status}: podfence lab down --name {name}")
        return cls(state, runner)

    def _save(self, **changes: object) -> None:
        self.state = replace(self.state, **changes)  # type: ignore[arg-type]
        save(self.state)

    def _build(self, plan: LabPlan) -> None:
        steps = node_steps(plan)
        for pod in plan.pods:
            steps += pod_steps(plan, pod)
        steps += routing_steps(plan, plan.pods)
        for argv, script in steps:
            self.runner.run(argv, input=script)

    def _start_agent(self) -> None:
        control = self.state.control_path
        env = dict(os.environ)  # the agent runs the very code of this process
        root = str(Path(podfence.__file__).resolve().parents[1])
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [root, env.get("PYTHONPATH")]))
        argv = ["ip", "netns", "exec", self.state.node_netns, sys.executable, "-m"]
        argv += [AGENT_MODULE, "--control", str(control)]
        with open(self.state.directory / "agent.log", "ab") as log:
            pid = os.posix_spawnp(
                "ip",
                argv,
                env,
                file_actions=[
                    (os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0),
                    (os.POSIX_SPAWN_DUP2, log.fileno(), 1),
                    (os.POSIX_SPAWN_DUP2, log.fileno(), 2),
                ],
                setsid=True,
            )
        self._agent = pid
        self._save(agent_pid=pid)
        client = AgentClient(control, timeout=2.0)
        deadline = time.monotonic() + AGENT_START_TIMEOUT
        while True:
            if _exited(pid):
                log_path = self.state.directory / "agent.log"
                raise LabError(f"lab agent exited at start: {log_path.read_text().strip()}")
            try:
                client.request({"op": "ping"})
                return
            except AgentError:
                if time.monotonic() > deadline:
                    raise LabError("lab agent did not start in time") from None
                time.sleep(0.02)

    def _listen(self, pods: Sequence[PodPlan]) -> list[str]:
        request = {
            "op": "listen",
            "pods": [
                {
                    "netns": pod.netns,
                    "ports": [[p.port, p.protocol.value] for p in pod.listeners],
                    "dns": pod.dns,
                }
                for pod in pods
            ],
        }
        errors: list[str] = AgentClient(self.state.control_path).request(request)["errors"]
        return errors

    # changing policies

    def bind(self, cluster: Cluster) -> Cluster:
        """`cluster` with the lab's addresses; its endpoints must all be in the lab."""
        endpoints = []
        for ep in cluster.endpoints:
            pod = self.state.pod(ep.id)
            if pod is None:
                raise LabError(
                    f"{ep.id} is not in lab {self.state.name}: "
                    "lab apply changes policies and labels only; bring the lab down and up"
                )
            if ep.ips and set(ep.ips) != set(pod.declared_ips) and set(ep.ips) != set(pod.ips):
                raise LabError(f"{ep.id}: its IP changed; bring the lab down and up")
            endpoints.append(replace(ep, ips=pod.ips))
        return replace(cluster, endpoints=tuple(endpoints))

    def apply(self, cluster: Cluster) -> Ruleset:
        """Recompile for `cluster` and replace the ruleset atomically (no rebuild)."""
        bound = self.bind(cluster)
        ruleset = compile_ruleset(bound)
        self.apply_text(emit(ruleset))
        pods = []
        for pod in self.state.pods:
            ep = bound.endpoint(pod.endpoint)
            if ep is not None:
                wanted = set(pod.listeners) | set(listeners_for(ep))
                pod = replace(pod, listeners=tuple(sorted(wanted)))
            pods.append(pod)
        self._save(pods=tuple(pods), active=tuple(sorted(ep.id for ep in bound.endpoints)))
        self._listen([p for p in pods if p.endpoint in self.state.active])
        return ruleset

    def apply_text(self, ruleset_text: str) -> None:
        """Apply a script as is (`nft -c`, then `nft -f`); on error the old one stays."""
        apply(ruleset_text, self.state.node_netns, runner=self.runner)
        (self.state.directory / "ruleset.nft").write_text(ruleset_text)

    # probing

    def _pods(self, endpoints: Iterable[str] | None) -> list[PodPlan]:
        pods = []
        for ident in endpoints if endpoints is not None else self.state.active:
            pod = self.state.pod(ident)
            if pod is None:
                raise LabError(f"{ident} is not in lab {self.state.name}")
            pods.append(pod)
        return pods

    def _ensure_listeners(self, pods: Sequence[PodPlan], ports: Iterable[ProtocolPort]) -> None:
        extra = {p for p in ports if p.protocol is not Protocol.SCTP}
        self._listen([replace(pod, listeners=tuple(sorted(extra))) for pod in pods])

    def probe(
        self,
        ports: Sequence[ProtocolPort],
        *,
        timeout: float = 1.0,
        endpoints: Iterable[str] | None = None,
    ) -> ProbeResult:
        """Every active pod to every active pod on `ports`, with real connections."""
        pods = self._pods(endpoints)
        self._ensure_listeners(pods, ports)
        result, next_port = probe_pods(
            pods, ports, timeout=timeout, source_port=self.state.next_source_port
        )
        self._save(next_source_port=next_port)
        return result

    def probe_cells(self, cells: Sequence[Cell], *, timeout: float = 1.0) -> list[CellOutcome]:
        """Probe a few cells again, each over every IP family its pods share."""
        pods = self._pods({c[0] for c in cells} | {c[1] for c in cells})
        self._ensure_listeners(pods, {c[2] for c in cells})
        outcomes, next_port = probe_cells(
            pods, cells, timeout=timeout, source_port=self.state.next_source_port
        )
        self._save(next_source_port=next_port)
        return outcomes

    def probe_dns(self, *, timeout: float = 1.0) -> DnsReport:
        pods = self._pods(None)
        servers = [pod for pod in pods if pod.dns]
        if not servers:
            raise LabError("no DNS pod in the lab (namespace kube-system, label k8s-app=kube-dns)")
        report, next_port = probe_dns(
            pods, servers, timeout=timeout, source_port=self.state.next_source_port
        )
        self._save(next_source_port=next_port)
        return report

    # teardown

    def down(self) -> None:
        down_lab(self.state.name, runner=self.runner)
        if self._agent is not None:
            deadline = time.monotonic() + 5
            while not _exited(self._agent) and time.monotonic() < deadline:
                time.sleep(0.02)
            self._agent = None

    def __enter__(self) -> Lab:
        return self

    def __exit__(self, *exc: object) -> None:
        with _shielded():
            self.down()


def _exited(pid: int) -> bool:
    """Has our child `pid` exited (reaping it if so)? A pid that is not our child (already
    reaped) counts as exited."""
    try:
        done, _ = os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        return True
    return done == pid

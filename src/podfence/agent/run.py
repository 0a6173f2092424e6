"""Wiring: the official client, the reflectors, the HTTP endpoints, signals; `--once`.

The agent judges objects as the API server it talks to does: `--kube-version`, or else the
version the server reports (`/version`, its emulated version), or else the newest podfence
knows. On SIGTERM or SIGINT it stops and leaves its ruleset in force (a restarted agent takes
over from it), never an unenforced node.
"""

from __future__ import annotations

import signal
import threading
from dataclasses import dataclass, replace
from types import FrameType
from typing import TextIO

from podfence.agent.http import HealthServer
from podfence.agent.logs import JsonLog
from podfence.agent.loop import Agent, AgentConfig
from podfence.agent.nft import ApplyError, NftTarget
from podfence.dataplane.nft import emit
from podfence.kube.client import ClusterError, connect
from podfence.kube.events import KubeEvents
from podfence.kube.watch import (
    CLUSTER_NETWORK_POLICIES,
    WATCHED,
    KubeListWatch,
    Listed,
    NotServed,
    Reflector,
    Unavailable,
    server_version,
)
from podfence.load import KNOWN_VERSIONS, KubeVersion, LoadOptions

__all__ = ["RunOptions", "run_agent", "AgentFailed"]

COMPONENT = "podfence-agent"


class AgentFailed(RuntimeError):
    """The agent cannot start or cannot do what `--once` asked; the message says why."""


@dataclass(frozen=True, slots=True)
class RunOptions:
    kubeconfig: str | None = None
    context: str | None = None
    netns: str | None = None
    listen: tuple[str, int] | None = None
    once: bool = False
    watch_timeout: int = 300
    kube_version: KubeVersion | None = None
    """None: the API server's own version (when podfence knows it)."""


def _options(api_client: object, wanted: KubeVersion | None, log: JsonLog) -> LoadOptions:
    if wanted is not None:
        return LoadOptions(kube_version=wanted)
    found = server_version(api_client)
    version = KubeVersion(*found) if found else None
    if version in KNOWN_VERSIONS:
        assert version is not None
        log.info("judging objects as the API server's version", kube_version=str(version))
        return LoadOptions(kube_version=version)
    log.info("API server version unknown to podfence: judging as the newest", server=found)
    return LoadOptions()


def run_agent(config: AgentConfig, options: RunOptions, *, out: TextIO, err: TextIO) -> int:
    """Run until stopped (or once); the exit status."""
    log = JsonLog(err, node=config.node)
    try:
        target = None if config.dry_run else NftTarget(options.netns)
    except (ValueError, RuntimeError) as exc:
        raise AgentFailed(str(exc)) from None
    try:
        api_client = connect(options.kubeconfig, options.context)
    except ClusterError as exc:
        raise AgentFailed(str(exc)) from None
    config = replace(config, options=_options(api_client, options.kube_version, log))
    listwatch = KubeListWatch(api_client)
    watched = (*WATCHED, CLUSTER_NETWORK_POLICIES)
    events = (
        None if config.dry_run else KubeEvents(api_client, component=COMPONENT, host=config.node)
    )
    agent = Agent(config, target=target, log=log, events=events, watched=watched)
    try:
        if options.once:
            return _once(agent, listwatch, out)
        return _forever(agent, listwatch, options)
    except ApplyError as exc:
        raise AgentFailed(str(exc)) from None
    finally:
        if events is not None:
            events.close()
        api_client.close()


def _once(agent: Agent, listwatch: KubeListWatch, out: TextIO) -> int:
    agent.start()
    for resource in agent.store.collections.values():
        try:
            items, version = listwatch.list(resource.watched)
        except Unavailable as exc:
            if exc.not_found and resource.watched.optional:
                agent.sink(NotServed(resource.watched.plural))
                continue
            raise AgentFailed(f"cannot list {resource.watched.plural}: {exc}") from None
        agent.sink(Listed(resource.watched.plural, tuple(items), version))
    agent.step(0)
    if agent.applied is None:
        raise AgentFailed(f"the ruleset was not applied: {agent.last_error}")
    if agent.config.dry_run:
        out.write(emit(agent.applied))
    return 0


def _forever(agent: Agent, listwatch: KubeListWatch, options: RunOptions) -> int:
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    server = None
    if options.listen is not None:
        server = HealthServer(
            options.listen,
            metrics=agent.metrics.render,
            healthy=agent.healthy,
            ready=agent.ready,
            status=agent.status,
        )
        server.start()
        agent.log.info("serving", address=f"{options.listen[0]}:{server.port}")
    agent.start()
    reflectors = [
        Reflector(listwatch, c.watched, agent.sink, watch_timeout=options.watch_timeout)
        for c in agent.store.collections.values()
    ]
    for reflector in reflectors:
        reflector.start()
    try:
        while not stop.is_set():
            agent.step(0.2)
    finally:
        agent.log.info("stopping: the ruleset in force stays")
        for reflector in reflectors:
            reflector.stop(timeout=2.0)
        if server is not None:
            server.stop()
    return 0

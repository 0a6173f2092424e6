"""The agent: watch events in, the node's ruleset out, one thread, one step at a time.

Reflector threads put events on a queue; `step()` takes every queued event into the store,
and once every collection has been listed since start, turns the store into the node's
ruleset and applies what changed (set elements alone when it can, else the whole table, one
nft transaction either way). The safety rules:

- start: a table already in force (the agent restarted) stays until a fresh list of every
  collection has been taken; a node with no table gets `bootstrap` (new connections drop)
  at once, so pods never run unenforced while the agent learns the policies;
- an apply nft refuses leaves the ruleset in force; it is retried with backoff (the whole
  table), and the agent is not ready meanwhile;
- the API server unreachable: the reflectors retry with backoff and jitter; the ruleset in
  force stays, the agent reports not ready until every watch is connected again;
- an object podfence rejects fails closed (`snapshot`), with a log line and an Event.
"""

from __future__ import annotations

import queue
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

from podfence.agent.delta import Plan, plan_change
from podfence.agent.logs import JsonLog
from podfence.agent.metrics import Metrics
from podfence.agent.nft import ApplyError, NftTarget
from podfence.agent.objects import ObjectCache, Rejected
from podfence.agent.ruleset import bootstrap, node_view, stable_names, with_quarantine
from podfence.agent.snapshot import Snapshot, build_snapshot
from podfence.agent.store import Store
from podfence.dataplane.nft import FAMILY, TABLE, compile_ruleset, emit
from podfence.dataplane.nft.ir import Ruleset
from podfence.kube.events import EventReport
from podfence.kube.watch import WATCHED, Broken, Event, Listed, NotServed, Watched
from podfence.load import LoadOptions
from podfence.model import Direction

__all__ = ["Agent", "AgentConfig", "EventSink"]

_SYNC = "podfence_agent_sync_duration_seconds"
_HEARTBEAT_LIMIT = 120.0


class EventSink(Protocol):
    def warning(self, report: EventReport) -> None: ...


@dataclass(frozen=True, slots=True)
class AgentConfig:
    node: str
    table: str = TABLE
    family: str = FAMILY
    options: LoadOptions = field(default_factory=LoadOptions)
    dry_run: bool = False
    retry_initial: float = 1.0
    retry_cap: float = 30.0


def _meta(obj: dict[str, Any]) -> dict[str, Any]:
    meta = obj.get("metadata")
    return meta if isinstance(meta, dict) else {}


class Agent:
    def __init__(
        self,
        config: AgentConfig,
        *,
        target: NftTarget | None,
        log: JsonLog,
        events: EventSink | None = None,
        metrics: Metrics | None = None,
        watched: Iterable[Watched] = WATCHED,
        clock: Callable[[], float] = time.monotonic,
        wall: Callable[[], float] = time.time,
    ) -> None:
        if target is None and not config.dry_run:
            raise ValueError("an agent that applies needs an nft target")
        self.config = config
        self.target = target
        self.log = log
        self.events = events
        self.metrics = metrics or Metrics()
        self.store = Store(watched)
        self.cache = ObjectCache(config.options)
        self.clock, self.wall = clock, wall
        self.queue: queue.Queue[tuple[float, Event]] = queue.Queue()
        self.applied: Ruleset | None = None
        """What this agent applied last (None: the kernel holds something it did not make)."""
        self.applied_versions: dict[str, str] = {}
        self.applied_at: float | None = None
        self.snapshot: Snapshot | None = None
        self.last_error = ""
        self.pending_since: float | None = None
        self.retry_at: float | None = None
        self._failures = 0
        self.heartbeat = clock()
        self._logged: set[tuple[str, str, str, str]] = set()
        self._evented: set[tuple[str, str, str, str]] = set()
        self._said_cnp = -1

    # events in

    def sink(self, event: Event) -> None:
        """For the reflectors (any thread)."""
        self.queue.put((self.clock(), event))

    def _take(self, at: float, event: Event) -> None:
        changed = self.store.apply(event)
        match event:
            case Listed(resource=plural, items=items, resource_version=version):
                self.metrics.inc("podfence_agent_relists_total", resource=plural)
                self.log.info("listed", resource=plural, objects=len(items), rv=version)
            case Broken(resource=plural, reason=reason, message=message):
                self.metrics.inc(
                    "podfence_agent_watch_restarts_total", resource=plural, reason=reason
                )
                if reason != "timeout":
                    self.log.warning("watch ended", resource=plural, reason=reason, error=message)
            case NotServed(resource=plural) if changed:
                self.log.info("not served", resource=plural)
        if changed and self.pending_since is None:
            self.pending_since = at

    # the loop

    def start(self) -> None:
        """Before anything is listed: keep the table in force, or install the bootstrap."""
        if self.target is None:
            return
        cfg = self.config
        if self.target.has_table(cfg.family, cfg.table):
            self.log.info("keeping the ruleset in force until synced", table=cfg.table)
            return
        self.target.apply(emit(bootstrap(cfg.family, cfg.table)))
        self.log.info("no ruleset on the node: default deny until synced", table=cfg.table)

    def step(self, timeout: float) -> None:
        """Take the queued events (waiting up to `timeout` for one), then sync if due."""
        self.heartbeat = self.clock()
        batch = []
        try:
            batch.append(
                self.queue.get(timeout=timeout) if timeout > 0 else self.queue.get_nowait()
            )
            while True:
                batch.append(self.queue.get_nowait())
        except queue.Empty:
            pass
        for at, event in batch:
            self._take(at, event)
        due = self.retry_at is None or self.clock() >= self.retry_at
        if self.store.synced and self.pending_since is not None and due:
            self.sync()
        self.metrics.set("podfence_agent_ready", float(self.ready()[0]))

    # the ruleset

    def ruleset_of(self, snapshot: Snapshot) -> Ruleset:
        cfg = self.config
        full = replace(compile_ruleset(snapshot.cluster), family=cfg.family, table=cfg.table)
        local = [ip for ep in snapshot.local for ip in ep.ips]
        ruleset = stable_names(node_view(full, local))
        ruleset = with_quarantine(
            ruleset, snapshot.quarantine.addresses, snapshot.quarantine.reasons
        )
        notes = [f"node {cfg.node}: {len(snapshot.local)} pod(s) of the node"]
        if snapshot.cluster_network_policies:
            enforced = len(snapshot.cluster.cluster_policies)
            notes.append(
                f"{snapshot.cluster_network_policies} ClusterNetworkPolicy object(s) seen: "
                f"{enforced} enforced (Admin and Baseline tiers), "
                f"{snapshot.cluster_network_policies - enforced} rejected (fail closed)"
            )
        if not snapshot.node_known:
            notes.append(f"node {cfg.node} is not registered (no Node object)")
        return replace(ruleset, notes=(*notes, *ruleset.notes))

    def sync(self) -> bool:
        """Build and apply the node's ruleset; False when the apply failed."""
        versions = self.store.versions()
        snapshot = build_snapshot(self.store, self.cache, self.config.node)
        ruleset = self.ruleset_of(snapshot)
        self.snapshot = snapshot
        self._report(snapshot)
        plan = None if self.config.dry_run else plan_change(self.applied, ruleset)
        if plan is not None and not self._apply(plan, ruleset):
            return False
        now = self.clock()
        took = now - (self.pending_since if self.pending_since is not None else now)
        self.metrics.observe(_SYNC, took)
        self.applied, self.applied_versions, self.applied_at = ruleset, versions, self.wall()
        self.pending_since = self.retry_at = None
        self.last_error, self._failures = "", 0
        self._gauges(snapshot, ruleset)
        mode = "none" if plan is None else ("incremental" if plan.incremental else "full")
        self.log.info(
            "applied",
            mode=mode,
            seconds=round(took, 6),
            rules=ruleset.rule_count,
            elements=ruleset.element_count,
            local_pods=len(snapshot.local),
            rv=versions,
            at=self.applied_at,
        )
        return True

    def _apply(self, plan: Plan, ruleset: Ruleset) -> bool:
        assert self.target is not None
        try:
            self.target.apply(plan.script)
        except ApplyError as err:
            if plan.incremental:  # the kernel is not what we think: replace the table
                self.log.warning("incremental apply refused, replacing the table", error=str(err))
                return self._apply(Plan(emit(ruleset), False), ruleset)
            self.metrics.inc("podfence_agent_apply_errors_total")
            self._failures += 1
            delay = min(
                self.config.retry_cap, self.config.retry_initial * 2.0 ** (self._failures - 1)
            )
            self.retry_at = self.clock() + delay
            self.last_error = str(err)
            self.applied = None  # unknown: the next attempt replaces the whole table
            self.log.error("apply failed: the ruleset in force stays", error=str(err), retry=delay)
            return False
        self.metrics.inc(
            "podfence_agent_applies_total", mode="incremental" if plan.incremental else "full"
        )
        return True

    def _gauges(self, snapshot: Snapshot, ruleset: Ruleset) -> None:
        m = self.metrics
        m.set("podfence_agent_rules", ruleset.rule_count)
        m.set("podfence_agent_set_elements", ruleset.element_count)
        m.set("podfence_agent_local_pods", len(snapshot.local))
        m.set("podfence_agent_rejected_objects", len(snapshot.rejected))
        for d in Direction:
            count = len(snapshot.quarantine.addresses.get(d, ()))
            m.set("podfence_agent_quarantined_addresses", count, direction=str(d).lower())
        m.set("podfence_agent_cluster_network_policies", snapshot.cluster_network_policies)

    def _report(self, snapshot: Snapshot) -> None:
        """Log each rejected object once (per resourceVersion); write an Event once it
        quarantines a pod of this node."""
        for rejected in snapshot.rejected:
            version = str(_meta(rejected.raw).get("resourceVersion") or "")
            key = (rejected.kind, rejected.namespace, rejected.name, version)
            pods = snapshot.quarantine.pods.get(f"{rejected.kind} {rejected.key}", ())
            if key not in self._logged:
                self._logged.add(key)
                self.log.warning(
                    "rejected: failing closed",
                    kind=rejected.kind,
                    object=rejected.key,
                    rv=version,
                    errors=rejected.message,
                    quarantined=list(pods),
                )
            cluster_scoped = rejected.kind == "ClusterNetworkPolicy"
            if (
                pods
                and key not in self._evented
                and self.events
                and (rejected.namespace or cluster_scoped)
            ):
                self._evented.add(key)
                self.events.warning(self._event(rejected, version, pods))
        if snapshot.cluster_network_policies != self._said_cnp:
            self._said_cnp = snapshot.cluster_network_policies
            if snapshot.cluster_network_policies:
                self.log.info(
                    "ClusterNetworkPolicies enforced (Admin and Baseline tiers)",
                    count=snapshot.cluster_network_policies,
                    enforced=len(snapshot.cluster.cluster_policies),
                )

    def _event(self, rejected: Rejected, version: str, pods: tuple[str, ...]) -> EventReport:
        api = {
            "NetworkPolicy": "networking.k8s.io/v1",
            "ClusterNetworkPolicy": "policy.networking.k8s.io/v1alpha2",
        }.get(rejected.kind, "v1")
        governs = {
            "NetworkPolicy": " in the direction(s) it governs",
            "ClusterNetworkPolicy": " in the direction(s) it has rules for",
        }.get(rejected.kind, "")
        message = (
            f"podfence cannot enforce this {rejected.kind} exactly, so on node "
            f"{self.config.node} {', '.join(pods)} get(s) no new connection{governs} "
            f"(fail closed): {rejected.message}"
        )
        return EventReport(
            kind=rejected.kind,
            api_version=api,
            namespace=rejected.namespace,
            name=rejected.name,
            uid=str(_meta(rejected.raw).get("uid") or ""),
            resource_version=version,
            reason="PolicyRejected" if "NetworkPolicy" in rejected.kind else "ObjectRejected",
            message=message,
        )

    # state for people and probes

    def ready(self) -> tuple[bool, str]:
        problems = self.store.problems()
        if not self.store.synced:
            return False, "not synced: " + "; ".join(f"{k}: {v}" for k, v in problems.items())
        if self.applied is None and not self.config.dry_run:
            return False, f"nothing applied yet: {self.last_error or 'syncing'}"
        if self.last_error:
            return False, f"last apply failed: {self.last_error}"
        if problems:
            return False, "disconnected: " + "; ".join(f"{k}: {v}" for k, v in problems.items())
        return True, "ok"

    def healthy(self) -> tuple[bool, str]:
        idle = self.clock() - self.heartbeat
        return idle < _HEARTBEAT_LIMIT, f"loop idle for {idle:.0f} s"

    def status(self) -> dict[str, Any]:
        ready, why = self.ready()
        snap = self.snapshot
        applied = self.applied
        return {
            "node": self.config.node,
            "ready": ready,
            "reason": why,
            "synced": self.store.synced,
            "applied_at": self.applied_at,
            "applied_resource_versions": self.applied_versions,
            "rules": applied.rule_count if applied else None,
            "elements": applied.element_count if applied else None,
            "local_pods": [ep.id for ep in snap.local] if snap else [],
            "rejected": [f"{r.kind} {r.key}" for r in snap.rejected] if snap else [],
            "quarantined": {
                str(d): sorted(str(ip) for ip in snap.quarantine.addresses.get(d, ()))
                for d in Direction
            }
            if snap
            else {},
            "collections": {
                plural: {
                    "objects": len(c.objects),
                    "resource_version": c.resource_version,
                    "listed": c.listed,
                    "served": c.served,
                    "connected": c.connected,
                    "problem": c.problem,
                }
                for plural, c in self.store.collections.items()
            },
        }

"""Agent benchmark (not a test): `podfence agent` against a real kube-apiserver.

    python bench/agent_bench.py [--changes 100] [--scale-changes 30] [--json]

Needs root (network namespaces, nft) and $KUBEBUILDER_ASSETS (etcd + kube-apiserver).

1. Lab: three node namespaces behind a fabric, six pods, one agent per node (the multi-node
   lab of tests/agent). `--changes` policy changes (a port of shop/web toggled: the rules
   change, tables are replaced) and as many pod relabels (shop/api becomes a web client and
   back: set elements change on two nodes, the third loses a rule)
   made through the API; for each, the time from the API request to the moment the LAST
   agent has applied it (the agents' own log of each apply, wall clock): p50, p99, max.
2. Scale: 1,000 pods / 200 policies on one node, then 10,000 pods / 200 policies across 10
   nodes (1,000 per node), from bench/generate.py, created through the API. Agents run for
   real (nft in a throwaway namespace per node, no pods: the packets are the lab's job) on
   one node, then on two of the ten. Figures: time to ready, CPU seconds (agent + its nft
   children) to the first sync and per change, resident memory (now and peak), ruleset size,
   and the apply-to-enforced latency of `--scale-changes` policy changes (a port of a policy
   selecting a whole namespace with pods on every node: rules change) and as many pod
   relabels (a client pod on another node joins or leaves its peer set: set elements).

All figures are wall-clock on a shared 2-core machine: read them as orders of magnitude and
ratios, not as absolutes.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT), str(ROOT / "bench")]

from generate import Spec, generate  # noqa: E402
from tests.agent.agentproc import AgentProcess, wait_for  # noqa: E402
from tests.agent.multinode import MultiNode  # noqa: E402
from tests.support.kube import Kube, control_plane  # noqa: E402

TICK = os.sysconf("SC_CLK_TCK")


# --- process figures ------------------------------------------------------------------------


def cpu_seconds(pid: int) -> float:
    """User + system time of the process and its waited-for children (nft)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return sum(int(fields[i]) for i in (11, 12, 13, 14)) / TICK


def memory_mib(pid: int) -> tuple[float, float]:
    """(resident now, resident peak) in MiB."""
    values = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            values[key] = int(rest.split()[0]) / 1024
    return values["VmRSS"], values["VmHWM"]


def percentiles(values: Sequence[float]) -> dict[str, float]:
    ordered = sorted(values)

    def at(q: float) -> float:
        return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))]

    return {
        "n": len(ordered),
        "p50_ms": round(statistics.median(ordered) * 1000, 1),
        "p99_ms": round(at(0.99) * 1000, 1),
        "max_ms": round(ordered[-1] * 1000, 1),
    }


def applied_at(agent: AgentProcess, resource: str, version: int) -> tuple[float, str]:
    """Wall time and mode of the agent's first apply that includes `resource` at `version`."""
    for line in agent.log_lines():
        if line.get("msg") == "applied" and int(line["rv"].get(resource) or 0) >= version:
            return float(line["at"]), str(line["mode"])
    raise AssertionError(f"{agent.node} never applied {resource} {version}")


def measure_changes(
    agents: Sequence[AgentProcess], resource: str, changes: Sequence[Callable[[], dict[str, Any]]]
) -> dict[str, Any]:
    """Make each change, wait for every agent; latency = last agent's apply - request."""
    marks: list[tuple[float, int]] = []
    for change in changes:
        start = time.time()
        stored = change()
        version = int(stored["metadata"]["resourceVersion"])
        for agent in agents:
            agent.wait_applied(resource, version)
        marks.append((start, version))
    latencies: list[float] = []
    modes: dict[str, dict[str, int]] = {}
    for start, version in marks:
        done = [applied_at(a, resource, version) for a in agents]
        latencies.append(max(t for t, _ in done) - start)
        for agent, (_, mode) in zip(agents, done, strict=True):
            counts = modes.setdefault(agent.node, {})
            counts[mode] = counts.get(mode, 0) + 1
    return {**percentiles(latencies), "modes": modes}


# --- part 1: the three-node lab -------------------------------------------------------------


def lab_part(changes: int, work: Path) -> dict[str, Any]:
    from tests.agent import test_multinode as t

    with control_plane(work / "apiserver-lab", "1.35") as plane:
        assert not isinstance(plane, str), plane
        kube = plane.kube
        for ns, labels in t.NAMESPACES.items():
            kube.namespace(ns, labels)
        for node in t.NODES:
            kube.node(node)
        for spec in t.PODS:
            ports = [{"name": n, "containerPort": p} for n, p in spec.ports]
            kube.pod(
                spec.namespace,
                spec.name,
                node=t.NODES[spec.node],
                ip=spec.ip,
                labels=spec.labels,
                ports=ports,
            )
        placement = {
            n: [t._endpoint(s) for s in t.PODS if s.node == k] for k, n in enumerate(t.NODES)
        }
        namespaces = [
            t.Namespace(n, t.labels({"kubernetes.io/metadata.name": n, **v}))
            for n, v in t.NAMESPACES.items()
        ]
        lab = MultiNode.up(f"agentb{os.getpid() % 10000}", placement, namespaces, t.PORTS)
        cluster = t.Cluster3(plane, lab, work)
        try:
            for node in t.NODES:
                cluster.start_agent(node)
            for agent in cluster.agents.values():
                wait_for("ready", agent.ready)
            cluster.set_policies(t.DENY, t.DB, t.WEB, t.TOOL)
            cluster.assert_enforced(cluster.expected())
            agents = list(cluster.agents.values())

            def web_port(i: int) -> Callable[[], dict[str, Any]]:
                spec = {**t.WEB["spec"], "ingress": [{"ports": [{"port": 80 + i % 2}]}]}
                return lambda: kube.apply_policy({**t.WEB, "spec": spec})

            def relabel(i: int) -> Callable[[], dict[str, Any]]:
                labels = {"app": "web" if i % 2 == 0 else "api"}
                return lambda: kube.relabel_pod("shop", "api", labels)

            policy = measure_changes(
                agents, "networkpolicies", [web_port(i + 1) for i in range(changes)]
            )
            pods = measure_changes(agents, "pods", [relabel(i) for i in range(changes)])
            cluster.policies.pop("shop/web")
            cluster.set_policies(t.DENY, t.DB, t.WEB, t.TOOL)
            cluster.assert_enforced(cluster.expected())  # still exact after the churn
            return {"policy_changes": policy, "pod_relabels": pods}
        finally:
            for agent in cluster.agents.values():
                agent.stop()
            lab.down()


# --- part 2: scale --------------------------------------------------------------------------


def _create_all(kube: Kube, pods: int, policies: int, nodes: int) -> list[dict[str, Any]]:
    """Namespaces, Nodes, Pods (pod i on node-(i % nodes)) and policies; the pods."""
    namespaces, pod_items, policy_items = generate(Spec(pods, policies))
    system = {"kube-system", "default", "kube-public", "kube-node-lease"}
    for ns in namespaces:
        if ns["metadata"]["name"] not in system:
            kube.namespace(ns["metadata"]["name"], ns["metadata"].get("labels") or {})
        else:
            path = f"/api/v1/namespaces/{ns['metadata']['name']}/serviceaccounts"
            kube.call("POST", path, {"metadata": {"name": "default"}})
    for n in range(nodes):
        kube.node(f"node-{n}")

    def make_pod(item: tuple[int, dict[str, Any]]) -> None:
        i, pod = item
        meta, spec = pod["metadata"], dict(pod["spec"])
        spec["nodeName"] = f"node-{i % nodes}"
        body = {
            "metadata": {k: meta[k] for k in ("name", "namespace", "labels") if k in meta},
            "spec": spec,
        }
        created = kube.ok("POST", f"/api/v1/namespaces/{meta['namespace']}/pods", body)
        created["status"] = pod["status"]
        kube.ok(
            "PUT", f"/api/v1/namespaces/{meta['namespace']}/pods/{meta['name']}/status", created
        )

    def make_policy(item: dict[str, Any]) -> None:
        kube.apply_policy({k: item[k] for k in ("apiVersion", "kind", "metadata", "spec")})

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(make_pod, enumerate(pod_items)))
        list(pool.map(make_policy, policy_items))
    for i, pod in enumerate(pod_items):
        pod["spec"]["nodeName"] = f"node-{i % nodes}"
    return pod_items


def _bench_objects(pods: list[dict[str, Any]], nodes: int) -> tuple[str, str, str]:
    """The namespace with most pod-network pods, and two of its pods on nodes no agent runs
    on when there are such nodes: (namespace, permanent client, toggled client)."""
    by_ns: dict[str, list[dict[str, Any]]] = {}
    for pod in pods:
        if not pod["spec"].get("hostNetwork"):
            by_ns.setdefault(pod["metadata"]["namespace"], []).append(pod)
    namespace, members = max(by_ns.items(), key=lambda item: len(item[1]))
    far = [p for p in members if p["spec"]["nodeName"] not in ("node-0", "node-1")] or members
    return namespace, far[0]["metadata"]["name"], far[-1]["metadata"]["name"]


def _netns(name: str) -> None:
    subprocess.run(["ip", "netns", "add", name], check=True)


def scale_part(
    pods: int, policies: int, nodes: int, agent_nodes: int, changes: int, work: Path
) -> dict[str, Any]:
    names = [f"podfence-agentb{os.getpid() % 10000}-s{n}" for n in range(agent_nodes)]
    agents: list[AgentProcess] = []
    with control_plane(work / f"apiserver-{pods}", "1.36") as plane:
        assert not isinstance(plane, str), plane
        began = time.monotonic()
        pod_items = _create_all(plane.kube, pods, policies, nodes)
        created = time.monotonic() - began
        kube = plane.kube
        namespace, steady, toggled = _bench_objects(pod_items, nodes)
        labels = {p["metadata"]["name"]: p["metadata"].get("labels") or {} for p in pod_items}
        steady_labels, toggled_labels = labels[steady], labels[toggled]
        kube.relabel_pod(namespace, steady, {**steady_labels, "bench": "client"})
        bench = {
            "apiVersion": "networking.k8s.io/v1",
            "kind": "NetworkPolicy",
            "metadata": {"name": "bench", "namespace": namespace},
            "spec": {
                "podSelector": {},
                "ingress": [
                    {
                        "from": [{"podSelector": {"matchLabels": {"bench": "client"}}}],
                        "ports": [{"port": 8080}],
                    }
                ],
            },
        }
        kube.apply_policy(bench)
        try:
            for name in names:
                _netns(name)
            starts = []
            for n, name in enumerate(names):
                agent = AgentProcess(
                    f"node-{n}",
                    plane.kubeconfig,
                    work / f"{name}.log",
                    netns=name,
                    extra=("--watch-timeout", "600"),
                )
                starts.append(time.monotonic())
                agents.append(agent.start())
            ready = []
            for agent, start in zip(agents, starts, strict=True):
                wait_for(f"{agent.node} ready", agent.ready, timeout=900)
                ready.append(time.monotonic() - start)
            cpu_sync = [cpu_seconds(a.pid) for a in agents]
            mem_sync = [memory_mib(a.pid) for a in agents]
            status = agents[0].status()

            def port(i: int) -> Callable[[], dict[str, Any]]:
                rule = {**bench["spec"]["ingress"][0], "ports": [{"port": 8080 + i % 2}]}
                body = {**bench, "spec": {**bench["spec"], "ingress": [rule]}}
                return lambda: kube.apply_policy(body)

            def relabel(i: int) -> Callable[[], dict[str, Any]]:
                labels = {**toggled_labels, **({"bench": "client"} if i % 2 == 0 else {})}
                return lambda: kube.relabel_pod(namespace, toggled, labels)

            cpu_before = [cpu_seconds(a.pid) for a in agents]
            ports = [port(i + 1) for i in range(changes)]
            latency = measure_changes(agents, "networkpolicies", ports)
            relabels = measure_changes(agents, "pods", [relabel(i) for i in range(changes)])
            cpu_per_change = [
                (cpu_seconds(a.pid) - b) / (2 * changes)
                for a, b in zip(agents, cpu_before, strict=True)
            ]
            mem_end = [memory_mib(a.pid) for a in agents]
            return {
                "pods": pods,
                "policies": policies,
                "nodes": nodes,
                "agents": len(agents),
                "create_seconds": round(created, 1),
                "local_pods": len(status["local_pods"]),
                "rules": status["rules"],
                "elements": status["elements"],
                "ready_seconds": [round(r, 2) for r in ready],
                "cpu_seconds_to_first_sync": [round(c, 2) for c in cpu_sync],
                "rss_mib_synced": [round(m[0], 1) for m in mem_sync],
                "cpu_seconds_per_change": [round(c, 3) for c in cpu_per_change],
                "rss_mib_end": [round(m[0], 1) for m in mem_end],
                "rss_mib_peak": [round(m[1], 1) for m in mem_end],
                "policy_changes": latency,
                "pod_relabels": relabels,
            }
        finally:
            for agent in agents:
                agent.stop()
            for name in names:
                subprocess.run(["ip", "netns", "delete", name], check=False)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--changes", type=int, default=100)
    ap.add_argument("--scale-changes", type=int, default=30)
    ap.add_argument("--skip-lab", action="store_true")
    ap.add_argument("--skip-scale", action="store_true")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    if os.geteuid() != 0:
        print("needs root (network namespaces, nft)", file=sys.stderr)
        return 2
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="podfence-agent-bench-") as tmp:
        work = Path(tmp)
        os.environ.setdefault("PODFENCE_STATE_DIR", str(work / "labs"))
        if not args.skip_lab:
            results["lab"] = lab_part(args.changes, work)
        if not args.skip_scale:
            results["scale_1k"] = scale_part(1000, 200, 1, 1, args.scale_changes, work)
            results["scale_10k"] = scale_part(10000, 200, 10, 2, args.scale_changes, work)
    print(json.dumps(results, indent=2) if args.json else _text(results))
    return 0


def _text(results: dict[str, Any]) -> str:
    lines = []
    for part, data in results.items():
        lines.append(f"== {part}")
        for key, value in data.items():
            lines.append(f"  {key}: {value}")
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main())

"""A deterministic generator of realistic clusters, written like `kubectl get -o json` dumps.

Shape: namespaces per team and environment (labels team, env, kubernetes.io/metadata.name),
apps with tiers (frontend, backend, data, worker) and replicas, named container ports;
system namespaces kube-system (CoreDNS with named ports dns/dns-tcp, hostNetwork kube-proxy),
monitoring (Prometheus, hostNetwork node-exporter) and ingress-nginx. Policies, per team
namespace, in this order until its share of the budget is spent: default deny, DNS egress to
kube-system, monitoring ingress on the named `metrics` port, ingress from ingress-nginx to
frontends, then per-app allow rules (tier to tier, numeric, named and endPort ranges), egress
to the internet as an ipBlock with except, and matchExpressions peers across namespaces.

    python bench/generate.py --pods 10000 --policies 2000 OUT_DIR
    python bench/generate.py --profile real OUT_DIR      # 5,413 pods, 604 ns, 13,678 policies
    python bench/generate.py --pods 2000 --workloads OUT_DIR   # workloads stand for the pods

Writes OUT_DIR/namespaces.json, pods.json and networkpolicies.json (each a v1 `List`); with
`--workloads`, workloads.json instead of pods.json: one Deployment per app (a DaemonSet for
the hostNetwork pods, a StatefulSet for Prometheus) with as many replicas as it had pods, its
template the pods' labels (without pod-template-hash) and container ports.
The same arguments always give the same bytes.
"""

from __future__ import annotations

import argparse
import random
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

__all__ = ["Spec", "PROFILES", "generate", "write"]

Obj = dict[str, Any]

PROFILES: dict[str, tuple[int, int, int]] = {
    "real": (5413, 604, 13678),
}
"""name: (pods, namespaces, policies)."""

ENVS = ("dev", "staging", "prod")
TIERS: dict[str, tuple[tuple[str, int, str], ...]] = {
    "frontend": (("http", 8080, "TCP"), ("metrics", 9090, "TCP")),
    "backend": (("http", 8080, "TCP"), ("grpc", 9000, "TCP"), ("metrics", 9090, "TCP")),
    "data": (("postgres", 5432, "TCP"), ("metrics", 9187, "TCP")),
    "worker": (("metrics", 9090, "TCP"),),
}
APP_WORDS = (
    "web", "api", "auth", "cart", "search", "orders", "billing", "users", "catalog", "media",
    "notify", "report", "gateway", "ledger", "stock", "ship", "review", "promo", "chat", "feed",
)  # fmt: skip
NAME_LABEL = "kubernetes.io/metadata.name"


@dataclass(frozen=True, slots=True)
class Spec:
    pods: int
    policies: int
    namespaces: int = 0
    """0: one namespace per 50 pods (at least 4)."""
    seed: int = 1
    workloads: bool = False
    """Workloads (Deployments, DaemonSets, a StatefulSet) instead of pods."""

    @property
    def namespace_count(self) -> int:
        return self.namespaces or max(4, self.pods // 50)


@dataclass(slots=True)
class _App:
    namespace: str
    name: str
    tier: str
    replicas: int


@dataclass(slots=True)
class _State:
    rng: random.Random
    teams: int = 1
    ip: int = 0
    node_ip: int = 0
    pods: list[Obj] = field(default_factory=list)

    def pod_ip(self) -> str:
        self.ip += 1
        n = self.ip
        return f"10.{(n >> 16) & 255}.{(n >> 8) & 255}.{n & 255}"

    def host_ip(self) -> str:
        self.node_ip += 1
        n = self.node_ip
        return f"192.168.{(n >> 8) & 255}.{n & 255}"


def _list(items: list[Obj]) -> Obj:
    return {"apiVersion": "v1", "items": items, "kind": "List", "metadata": {"resourceVersion": ""}}


def _namespace(name: str, labels: dict[str, str]) -> Obj:
    return {
        "apiVersion": "v1",
        "kind": "Namespace",
        "metadata": {"name": name, "labels": {**labels, NAME_LABEL: name}},
        "spec": {"finalizers": ["kubernetes"]},
        "status": {"phase": "Active"},
    }


def _pod(
    st: _State,
    ns: str,
    name: str,
    labels: dict[str, str],
    ports: tuple[tuple[str, int, str], ...],
    *,
    host: bool = False,
) -> None:
    ip = st.host_ip() if host else st.pod_ip()
    spec: Obj = {
        "containers": [
            {
                "name": "main",
                "image": f"registry.example/{labels.get('app', name)}:1.0",
                "ports": [
                    {"name": n, "containerPort": p, "protocol": proto} for n, p, proto in ports
                ],
            }
        ],
        "nodeName": f"node-{st.rng.randrange(200)}",
    }
    if host:
        spec["hostNetwork"] = True
    st.pods.append(
        {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": name, "namespace": ns, "labels": labels},
            "spec": spec,
            "status": {"phase": "Running", "podIP": ip, "podIPs": [{"ip": ip}]},
        }
    )


def _replicas(st: _State, app: _App, team: str, env: str) -> None:
    template_hash = f"{st.rng.getrandbits(32):08x}"[:10]
    labels = {
        "app": app.name,
        "tier": app.tier,
        "team": team,
        "version": st.rng.choice(("v1", "v1", "v2")),
        "pod-template-hash": template_hash,
    }
    if env == "prod" and st.rng.random() < 0.3:
        labels["critical"] = "true"
    for r in range(app.replicas):
        suffix = f"{st.rng.getrandbits(20):05x}"
        _pod(st, app.namespace, f"{app.name}-{template_hash}-{suffix}{r}", labels, TIERS[app.tier])


def _system(st: _State, nodes: int) -> list[Obj]:
    namespaces = [
        _namespace("kube-system", {}),
        _namespace("monitoring", {"purpose": "monitoring"}),
        _namespace("ingress-nginx", {"purpose": "ingress"}),
    ]
    dns = (("dns", 53, "UDP"), ("dns-tcp", 53, "TCP"), ("metrics", 9153, "TCP"))
    for i in range(2):
        _pod(st, "kube-system", f"coredns-{i}", {"k8s-app": "kube-dns"}, dns)
    for i in range(nodes):
        _pod(st, "kube-system", f"kube-proxy-{i}", {"k8s-app": "kube-proxy"}, (), host=True)
        _pod(st, "monitoring", f"node-exporter-{i}", {"app": "node-exporter"},
             (("metrics", 9100, "TCP"),), host=True)  # fmt: skip
    _pod(st, "monitoring", "prometheus-0", {"app": "prometheus"}, (("web", 9090, "TCP"),))
    for i in range(2):
        _pod(st, "ingress-nginx", f"controller-{i}",
             {"app.kubernetes.io/name": "ingress-nginx"}, (("http", 80, "TCP"),))  # fmt: skip
    return namespaces


def _sel(**labels: str) -> Obj:
    return {"matchLabels": dict(labels)}


def _policy(ns: str, name: str, spec: Obj) -> Obj:
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": {"name": name, "namespace": ns},
        "spec": spec,
    }


def _base_policies(ns: str) -> Iterator[Obj]:
    yield _policy(ns, "default-deny", {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]})
    yield _policy(ns, "allow-dns", {
        "podSelector": {},
        "policyTypes": ["Egress"],
        "egress": [{
            "to": [{"namespaceSelector": _sel(**{NAME_LABEL: "kube-system"}),
                    "podSelector": _sel(**{"k8s-app": "kube-dns"})}],
            "ports": [{"protocol": "UDP", "port": 53}, {"protocol": "TCP", "port": 53}],
        }],
    })  # fmt: skip
    yield _policy(ns, "allow-monitoring", {
        "podSelector": {},
        "policyTypes": ["Ingress"],
        "ingress": [{
            "from": [{"namespaceSelector": _sel(purpose="monitoring"),
                      "podSelector": _sel(app="prometheus")}],
            "ports": [{"port": "metrics"}],
        }],
    })  # fmt: skip
    yield _policy(ns, "allow-ingress-controller", {
        "podSelector": _sel(tier="frontend"),
        "policyTypes": ["Ingress"],
        "ingress": [{
            "from": [{"namespaceSelector": _sel(purpose="ingress")}],
            "ports": [{"port": "http"}],
        }],
    })  # fmt: skip


_UPSTREAM = {"frontend": "backend", "backend": "data", "worker": "data", "data": "backend"}
_PORTS: dict[str, list[Obj]] = {
    "backend": [{"port": 8080}, {"port": "grpc"}],
    "data": [{"port": 5432}],
    "frontend": [{"port": "http"}],
    "worker": [{"port": 8000, "endPort": 8100}],
}


def _app_policies(st: _State, apps: list[_App], team: str, env: str) -> Iterator[Obj]:
    """Per-app policies, cycling through kinds; endless (the caller takes what it needs)."""
    ns = apps[0].namespace
    n = 0
    while True:
        for app in apps:
            n += 1
            kind = n % 5
            peers = [a for a in apps if a.tier == _UPSTREAM[app.tier]] or apps
            other = peers[n % len(peers)]
            name = f"{app.name}-{n}"
            if kind == 0 or kind == 1:  # ingress from an app of the tier in front
                yield _policy(ns, f"allow-{other.name}-to-{name}", {
                    "podSelector": _sel(app=app.name),
                    "policyTypes": ["Ingress"],
                    "ingress": [{"from": [{"podSelector": _sel(app=other.name)}],
                                 "ports": _PORTS[app.tier]}],
                })  # fmt: skip
            elif kind == 2:  # egress to the next tier, and the internet except private ranges
                yield _policy(ns, f"egress-{name}", {
                    "podSelector": _sel(app=app.name),
                    "policyTypes": ["Egress"],
                    "egress": [
                        {"to": [{"podSelector": _sel(app=other.name)}],
                         "ports": _PORTS[other.tier]},
                        {"to": [{"ipBlock": {"cidr": "0.0.0.0/0",
                                             "except": ["10.0.0.0/8", "192.168.0.0/16"]}}],
                         "ports": [{"port": 443}]},
                    ],
                })  # fmt: skip
            elif kind == 3:  # the same team's other environments, except prod
                yield _policy(ns, f"team-{name}", {
                    "podSelector": {"matchExpressions": [
                        {"key": "tier", "operator": "In", "values": ["backend", "worker"]}]},
                    "policyTypes": ["Ingress"],
                    "ingress": [{"from": [{
                        "namespaceSelector": {"matchLabels": {"team": team},
                                              "matchExpressions": [{"key": "env",
                                                                    "operator": "NotIn",
                                                                    "values": ["prod"]}]},
                        "podSelector": {"matchExpressions": [
                            {"key": "tier", "operator": "Exists"}]},
                    }], "ports": [{"port": 8080}, {"port": 9000, "endPort": 9010}]}],
                })  # fmt: skip
            else:  # a partner team's frontends, on a UDP port as well
                partner = f"team{st.rng.randrange(st.teams)}"
                yield _policy(ns, f"partner-{name}", {
                    "podSelector": _sel(app=app.name, tier=app.tier),
                    "policyTypes": ["Ingress"],
                    "ingress": [{"from": [{"namespaceSelector": _sel(team=partner, env=env),
                                           "podSelector": _sel(tier="frontend")}],
                                 "ports": [{"port": 8443}, {"protocol": "UDP", "port": 4500}]}],
                })  # fmt: skip


def generate(spec: Spec) -> tuple[list[Obj], list[Obj], list[Obj]]:
    """(namespaces, pods, policies) as kubectl would print their items."""
    rng = random.Random(spec.seed)
    st = _State(rng)
    nodes = max(3, spec.pods // 100)
    namespaces = _system(st, min(nodes, max(1, spec.pods // 20)))
    team_ns = max(1, spec.namespace_count - len(namespaces))
    budget = max(0, spec.pods - len(st.pods))
    teams = st.teams = max(1, team_ns // 6)
    layout: list[tuple[str, str, str, list[_App]]] = []
    for i in range(team_ns):
        team, env = f"team{i % teams}", ENVS[(i // teams) % len(ENVS)]
        name = f"{team}-{env}" if i < teams * len(ENVS) else f"{team}-{env}-{i}"
        labels = {"team": team, "env": env}
        if rng.random() < 0.5:
            labels["istio-injection"] = rng.choice(("enabled", "disabled"))
        namespaces.append(_namespace(name, labels))
        layout.append((name, team, env, []))
    # pods: spread the budget over namespaces, apps of 1-8 replicas (mean ~3)
    for i in range(budget):
        name, _, _, apps = layout[i % team_ns]
        if not apps or apps[-1].replicas >= rng.choice((1, 2, 3, 3, 4, 6, 8)):
            word = APP_WORDS[len(apps) % len(APP_WORDS)]
            app = f"{word}{len(apps) // len(APP_WORDS) or ''}"
            tier = ("frontend", "backend", "backend", "data", "worker")[len(apps) % 5]
            apps.append(_App(name, app, tier, 0))
        apps[-1].replicas += 1
    for _, team, env, apps in layout:
        for app in apps:
            _replicas(st, app, team, env)
    policies = _policies(st, layout, spec.policies)
    return namespaces, st.pods, policies


def _policies(st: _State, layout: list[tuple[str, str, str, list[_App]]], total: int) -> list[Obj]:
    out: list[Obj] = []
    with_apps = [entry for entry in layout if entry[3]]
    if not with_apps:
        return out
    share, extra = divmod(total, len(with_apps))
    for i, (name, team, env, apps) in enumerate(with_apps):
        want = share + (1 if i < extra else 0)
        stream = _base_and_apps(st, name, apps, team, env)
        out.extend(next(stream) for _ in range(want))
    return out


def _base_and_apps(st: _State, ns: str, apps: list[_App], team: str, env: str) -> Iterator[Obj]:
    yield from _base_policies(ns)
    yield from _app_policies(st, apps, team, env)


_NAME_LABELS = ("app", "k8s-app", "app.kubernetes.io/name")


def workloads_of(pods: list[Obj]) -> list[Obj]:
    """One workload per app: the pods of one namespace with the same labels (but the
    pod-template-hash), container ports and hostNetwork, as replicas of its template."""
    groups: dict[tuple[str, str], list[Obj]] = {}
    for pod in pods:
        labels = {k: v for k, v in pod["metadata"]["labels"].items() if k != "pod-template-hash"}
        name = next(labels[k] for k in _NAME_LABELS if k in labels)
        groups.setdefault((pod["metadata"]["namespace"], name), []).append(pod)
    out = []
    for (ns, name), members in groups.items():
        first = members[0]
        labels = {k: v for k, v in first["metadata"]["labels"].items() if k != "pod-template-hash"}
        spec = {k: v for k, v in first["spec"].items() if k != "nodeName"}
        host = spec.get("hostNetwork", False)
        kind = "DaemonSet" if host else "StatefulSet" if name == "prometheus" else "Deployment"
        body: Obj = {
            "selector": {"matchLabels": labels},
            "template": {"metadata": {"labels": labels}, "spec": spec},
        }
        if kind != "DaemonSet":
            body = {"replicas": len(members), **body}
        if kind == "StatefulSet":
            body["serviceName"] = name
        out.append({
            "apiVersion": "apps/v1",
            "kind": kind,
            "metadata": {"name": name, "namespace": ns, "labels": labels},
            "spec": body,
        })  # fmt: skip
    return out


def write(spec: Spec, out: Path) -> dict[str, int]:
    namespaces, pods, policies = generate(spec)
    out.mkdir(parents=True, exist_ok=True)
    endpoints = ("workloads", workloads_of(pods)) if spec.workloads else ("pods", pods)
    for name, items in (
        ("namespaces", namespaces),
        endpoints,
        ("networkpolicies", policies),
    ):
        (out / f"{name}.json").write_bytes(orjson.dumps(_list(items), option=orjson.OPT_INDENT_2))
    return {"namespaces": len(namespaces), "pods": len(pods), "policies": len(policies)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("out", type=Path)
    ap.add_argument("--pods", type=int, default=1000)
    ap.add_argument("--policies", type=int, default=None, help="default: 0.2 x pods")
    ap.add_argument("--namespaces", type=int, default=0, help="default: pods / 50")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--profile", choices=sorted(PROFILES))
    ap.add_argument("--workloads", action="store_true", help="workloads instead of pods")
    args = ap.parse_args(argv)
    if args.profile:
        pods, namespaces, policies = PROFILES[args.profile]
        spec = Spec(pods, policies, namespaces, args.seed, args.workloads)
    else:
        policies = args.policies if args.policies is not None else args.pods // 5
        spec = Spec(args.pods, policies, args.namespaces, args.seed, args.workloads)
    counts = write(spec, args.out)
    print(f"{args.out}: " + ", ".join(f"{v} {k}" for k, v in counts.items()), file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

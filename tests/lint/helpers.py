"""Builders for lint tests: manifests as Python dicts, loaded through the real loader."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml

from podfence.analysis.lint import Finding, lint
from podfence.load import load_paths, load_texts
from podfence.model import Cluster

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples"

Obj = dict[str, Any]


def ns(name: str, labels: Mapping[str, str] | None = None, *, ignore: str | None = None) -> Obj:
    """A Namespace; `ignore` sets its podfence.io/ignore annotation."""
    meta: Obj = {"name": name}
    if labels:
        meta["labels"] = dict(labels)
    if ignore is not None:
        meta["annotations"] = {"podfence.io/ignore": ignore}
    return {"apiVersion": "v1", "kind": "Namespace", "metadata": meta}


def pod(
    namespace: str,
    name: str,
    labels: Mapping[str, str] | None = None,
    ports: Sequence[tuple[int, str] | tuple[int, str, str]] = (),
    *,
    host_network: bool = False,
    ip: str | None = None,
) -> Obj:
    """`ports`: (number, protocol) or (number, protocol, name)."""
    container: Obj = {"name": "c", "image": "img"}
    if ports:
        container["ports"] = [
            {"containerPort": p[0], "protocol": p[1], **({"name": p[2]} if len(p) > 2 else {})}
            for p in ports
        ]
    spec: Obj = {"containers": [container]}
    if host_network:
        spec["hostNetwork"] = True
    out: Obj = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "namespace": namespace, "labels": dict(labels or {"app": name})},
        "spec": spec,
    }
    if ip:
        out["status"] = {"podIP": ip}
    return out


def policy(
    namespace: str,
    name: str,
    selector: Mapping[str, str] | None = None,
    types: Sequence[str] | None = ("Ingress", "Egress"),
    *,
    ingress: list[Obj] | None = None,
    egress: list[Obj] | None = None,
    ignore: str | None = None,
) -> Obj:
    spec: Obj = {"podSelector": {"matchLabels": dict(selector)} if selector else {}}
    if types is not None:
        spec["policyTypes"] = list(types)
    if ingress is not None:
        spec["ingress"] = ingress
    if egress is not None:
        spec["egress"] = egress
    meta: Obj = {"name": name, "namespace": namespace}
    if ignore is not None:
        meta["annotations"] = {"podfence.io/ignore": ignore}
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": meta,
        "spec": spec,
    }


def pods_of(**labels: str) -> Obj:
    return {"podSelector": {"matchLabels": labels}}


def namespaces_of(**labels: str) -> Obj:
    return {"namespaceSelector": {"matchLabels": labels}}


def both(pods: Mapping[str, str], namespaces: Mapping[str, str]) -> Obj:
    return {
        "podSelector": {"matchLabels": dict(pods)},
        "namespaceSelector": {"matchLabels": dict(namespaces)},
    }


def port(number: int | str, protocol: str = "TCP") -> Obj:
    return {"port": number, "protocol": protocol}


def coredns(*, ports: bool = True) -> list[Obj]:
    """kube-system and a CoreDNS pod declaring dns (UDP 53) and dns-tcp (TCP 53)."""
    declared = [(53, "UDP", "dns"), (53, "TCP", "dns-tcp")] if ports else []
    return [ns("kube-system"), pod("kube-system", "coredns", {"k8s-app": "kube-dns"}, declared)]


def allow_dns(namespace: str, protocols: Iterable[str] = ("UDP", "TCP")) -> Obj:
    return policy(
        namespace,
        "allow-dns",
        types=["Egress"],
        egress=[
            {
                "to": [
                    both({"k8s-app": "kube-dns"}, {"kubernetes.io/metadata.name": "kube-system"})
                ],
                "ports": [port(53, p) for p in protocols],
            }
        ],
    )


def text_of(objs: Iterable[Obj]) -> str:
    return yaml.safe_dump_all(list(objs), sort_keys=False)


def load(*objs: Obj, name: str = "cluster.yaml") -> Cluster:
    result = load_texts([(name, text_of(objs))])
    problems = "\n".join(str(d) for d in result.diagnostics)
    assert result.cluster is not None, problems
    return result.cluster


def load_dirs(*paths: Path) -> Cluster:
    result = load_paths([str(p) for p in paths])
    problems = "\n".join(str(d) for d in result.diagnostics)
    assert result.cluster is not None, problems
    return result.cluster


def findings(cluster: Cluster, rule: str | None = None, **kwargs: Any) -> list[Finding]:
    found = lint(cluster, **kwargs).findings
    return [f for f in found if rule is None or f.rule == rule]


def rules(cluster: Cluster, **kwargs: Any) -> set[str]:
    return {f.rule for f in lint(cluster, **kwargs).findings}

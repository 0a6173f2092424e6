"""Each object through podfence's loader: the same values as loading the List, rejections
with the loader's own messages, and a cache keyed by resourceVersion."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from podfence.agent.objects import Accepted, ObjectCache, Rejected, load_object, slim
from podfence.load import LoadOptions, load_texts, parse_kube_version
from podfence.model import Location

from .fakes import namespace, pod, policy

V136 = LoadOptions(kube_version=parse_kube_version("1.36"))
V135 = LoadOptions(kube_version=parse_kube_version("1.35"))

POLICY = policy(
    "shop",
    "db",
    {
        "podSelector": {"matchLabels": {"app": "db"}},
        "policyTypes": ["Ingress"],
        "ingress": [{"from": [{"podSelector": {}}], "ports": [{"port": "pg", "protocol": "TCP"}]}],
    },
)
MANAGED = {
    "manager": "kubectl",
    "operation": "Update",
    "apiVersion": "v1",
    "fieldsType": "FieldsV1",
}


def _whole(plural: str, kind: str, api: str, obj: dict[str, object]) -> object:
    """The value the loader gives for the object inside a List, as `--cluster` loads it."""
    text = json.dumps(
        {"apiVersion": "v1", "kind": "List", "items": [{**obj, "kind": kind, "apiVersion": api}]}
    )
    cluster = load_texts([(f"cluster:{plural}", text)]).cluster
    assert cluster is not None
    values = [
        *(n for n in cluster.namespaces if not n.implicit),
        *cluster.endpoints,
        *cluster.policies,
    ]
    assert len(values) == 1
    return replace(values[0], location=Location(f"cluster:{plural}"))


@pytest.mark.parametrize(
    ("plural", "kind", "api", "obj"),
    [
        ("namespaces", "Namespace", "v1", namespace("shop", team="a")),
        ("pods", "Pod", "v1", pod("shop", "web", node="n1", ip="10.0.0.1", app="web")),
        ("pods", "Pod", "v1", pod("shop", "nip", node="n1", ip=None)),
        ("networkpolicies", "NetworkPolicy", "networking.k8s.io/v1", POLICY),
    ],
)
def test_a_valid_object_has_the_value_the_loader_gives_the_list(
    plural: str, kind: str, api: str, obj: dict[str, object]
) -> None:
    loaded = load_object(plural, kind, api, obj, V136)
    assert isinstance(loaded, Accepted)
    assert loaded.value == _whole(plural, kind, api, obj)


def test_managed_fields_are_dropped_and_change_nothing() -> None:
    obj = {**POLICY, "metadata": {**POLICY["metadata"], "managedFields": [MANAGED]}}
    assert "managedFields" not in slim(obj)["metadata"]
    a = load_object("networkpolicies", "NetworkPolicy", "networking.k8s.io/v1", slim(obj), V136)
    b = load_object("networkpolicies", "NetworkPolicy", "networking.k8s.io/v1", obj, V136)
    assert isinstance(a, Accepted) and isinstance(b, Accepted) and a.value == b.value


def test_a_policy_podfence_rejects_carries_the_loaders_errors() -> None:
    bad = policy(
        "shop",
        "bad",
        {
            "podSelector": {},
            "policyTypes": ["Egress"],
            "egress": [{"to": [{"ipBlock": {"cidr": "10.0.0.1/8"}}]}],
        },
    )
    loaded = load_object("networkpolicies", "NetworkPolicy", "networking.k8s.io/v1", bad, V136)
    assert isinstance(loaded, Rejected)
    assert loaded.key == "shop/bad"
    assert loaded.message == (
        'spec.egress[0].to[0].ipBlock.cidr: Invalid value: "10.0.0.1/8": '
        "must not have bits set beyond the prefix length"
    )
    # the same object is accepted (with a warning) when judged as Kubernetes 1.35
    assert isinstance(
        load_object("networkpolicies", "NetworkPolicy", "networking.k8s.io/v1", bad, V135), Accepted
    )


def test_the_cache_loads_an_object_again_only_when_its_version_moves() -> None:
    cache = ObjectCache(V136)
    web = pod("shop", "web", node="n1", ip="10.0.0.1", rv="5", app="web")
    first = cache.get("pods", "Pod", "v1", web)
    assert cache.get("pods", "Pod", "v1", web) is first and cache.loads == 1
    moved = pod("shop", "web", node="n1", ip="10.0.0.2", rv="6", app="web")
    second = cache.get("pods", "Pod", "v1", moved)
    assert cache.loads == 2 and isinstance(second, Accepted)
    assert [str(ip) for ip in second.value.ips] == ["10.0.0.2"]  # type: ignore[union-attr]
    cache.forget("pods", set())
    cache.get("pods", "Pod", "v1", moved)
    assert cache.loads == 3

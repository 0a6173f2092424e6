"""The kinds podfence reads: their apiVersion, their structure, where a workload keeps its pods.

NetworkPolicy is checked strictly (an unknown field anywhere is an error, as with kubectl's
default `--validate=strict`; it has no `status`, so `status: {}` is one); Namespaces, Pods and
workloads only in the fields podfence reads, and in their metadata's types.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from podfence.load.schema import (
    ANY,
    BOOL,
    INT32,
    INT64,
    INT_OR_STR,
    STR,
    TIME,
    ListOf,
    MapOf,
    Schema,
    Struct,
)

__all__ = ["KINDS", "Kind", "NETWORK_POLICY_API", "STRING_MAP"]

NETWORK_POLICY_API = "networking.k8s.io/v1"
STRING_MAP = MapOf(STR)


def _meta(*, strict: bool) -> Struct:
    """metav1.ObjectMeta with the JSON type of every field (the API server decodes them all,
    even those it then resets on creation: `generation`, `uid`, the timestamps...)."""
    owner = Struct(
        {
            "apiVersion": STR,
            "kind": STR,
            "name": STR,
            "uid": STR,
            "controller": BOOL,
            "blockOwnerDeletion": BOOL,
        },
        strict=strict,
    )
    managed = Struct(
        {
            "manager": STR,
            "operation": STR,
            "apiVersion": STR,
            "time": TIME,
            "fieldsType": STR,
            "fieldsV1": ANY,
            "subresource": STR,
        },
        strict=strict,
    )
    fields: Mapping[str, Schema] = {
        "name": STR,
        "generateName": STR,
        "namespace": STR,
        "selfLink": STR,
        "uid": STR,
        "resourceVersion": STR,
        "generation": INT64,
        "creationTimestamp": TIME,
        "deletionTimestamp": TIME,
        "deletionGracePeriodSeconds": INT64,
        "labels": STRING_MAP,
        "annotations": STRING_MAP,
        "ownerReferences": ListOf(owner),
        "finalizers": ListOf(STR),
        "managedFields": ListOf(managed),
    }
    return Struct(fields, strict=strict)


def _selector(*, strict: bool) -> Struct:
    requirement = Struct({"key": STR, "operator": STR, "values": ListOf(STR)}, strict=strict)
    return Struct(
        {"matchLabels": STRING_MAP, "matchExpressions": ListOf(requirement)}, strict=strict
    )


def _network_policy() -> Struct:
    selector = _selector(strict=True)
    port = Struct({"protocol": STR, "port": INT_OR_STR, "endPort": INT32})
    ip_block = Struct({"cidr": STR, "except": ListOf(STR)})
    peer = Struct({"podSelector": selector, "namespaceSelector": selector, "ipBlock": ip_block})
    ingress = Struct({"from": ListOf(peer), "ports": ListOf(port)}, hints={"to": "from"})
    egress = Struct({"to": ListOf(peer), "ports": ListOf(port)}, hints={"from": "to"})
    spec = Struct(
        {
            "podSelector": selector,
            "policyTypes": ListOf(STR),
            "ingress": ListOf(ingress),
            "egress": ListOf(egress),
        }
    )
    return Struct(
        {
            "apiVersion": STR,
            "kind": STR,
            "metadata": _meta(strict=True),
            "spec": spec,
        }
    )


_LENIENT_META = _meta(strict=False)
_CONTAINER_PORT = Struct(
    {"name": STR, "containerPort": INT32, "protocol": STR, "hostPort": INT32, "hostIP": STR},
    strict=False,
)
_POD_SPEC = Struct(
    {
        "containers": ListOf(Struct({"ports": ListOf(_CONTAINER_PORT)}, strict=False)),
        "hostNetwork": BOOL,
    },
    strict=False,
)
_TEMPLATE = Struct({"metadata": _LENIENT_META, "spec": _POD_SPEC}, strict=False)


def _lenient(fields: Mapping[str, Schema]) -> Struct:
    return Struct(fields, strict=False)


def _workload_spec(selector: Schema) -> Struct:
    return _lenient({"selector": selector, "template": _TEMPLATE})


def _workload(selector: Schema) -> Struct:
    return _lenient({"metadata": _LENIENT_META, "spec": _workload_spec(selector)})


@dataclass(frozen=True, slots=True)
class Kind:
    """A kind podfence reads. `template` is the path of a workload's pod template."""

    name: str
    api_version: str
    schema: Struct
    namespaced: bool = True
    template: str | None = None
    selector: str | None = None


_APPS = "apps/v1"
_BATCH = "batch/v1"
_WORKLOAD_SCHEMA = _workload(_selector(strict=False))
_JOB_TEMPLATE = _lenient(
    {"metadata": _LENIENT_META, "spec": _workload_spec(_selector(strict=False))}
)
_CRON_JOB_SCHEMA = _lenient(
    {"metadata": _LENIENT_META, "spec": _lenient({"jobTemplate": _JOB_TEMPLATE})}
)

KINDS: Mapping[str, Kind] = {
    "Namespace": Kind(
        "Namespace",
        "v1",
        _lenient({"metadata": _LENIENT_META}),
        namespaced=False,
    ),
    "Pod": Kind(
        "Pod",
        "v1",
        _lenient(
            {
                "metadata": _LENIENT_META,
                "spec": _POD_SPEC,
                "status": _lenient(
                    {"podIP": STR, "podIPs": ListOf(_lenient({"ip": STR}))},
                ),
            }
        ),
    ),
    "NetworkPolicy": Kind("NetworkPolicy", NETWORK_POLICY_API, _network_policy()),
    **{
        name: Kind(
            name, _APPS, _WORKLOAD_SCHEMA, template="spec.template", selector="spec.selector"
        )
        for name in ("Deployment", "StatefulSet", "DaemonSet", "ReplicaSet")
    },
    "ReplicationController": Kind(
        "ReplicationController",
        "v1",
        _workload(STRING_MAP),
        template="spec.template",
        selector="spec.selector",
    ),
    "Job": Kind(
        "Job", _BATCH, _WORKLOAD_SCHEMA, template="spec.template", selector="spec.selector"
    ),
    "CronJob": Kind(
        "CronJob",
        _BATCH,
        _CRON_JOB_SCHEMA,
        template="spec.jobTemplate.spec.template",
        selector="spec.jobTemplate.spec.selector",
    ),
}

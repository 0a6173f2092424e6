"""The ClusterNetworkPolicy CRDs podfence validates against, bundled verbatim.

`crds/standard-clusternetworkpolicies.yaml` and `crds/experimental-clusternetworkpolicies.yaml`
are the CustomResourceDefinitions of kubernetes-sigs/network-policy-api, bundle v0.2.0 (commit
0eec1b0e), Apache-2.0. Their OpenAPI schema and CEL rules are the authority for what a valid
ClusterNetworkPolicy is. The standard channel lacks the `nodes` and `domainNames` egress peers
(and the CEL rule that forbids named ports with networks/nodes/domainNames peers); the
experimental channel accepts everything the standard one does, so it is the default.
"""

from __future__ import annotations

import enum
import functools
from collections.abc import Mapping
from importlib import resources

import yaml

from podfence.load.openapi import Schema, check_schema

__all__ = [
    "CNP_API_VERSION",
    "CNP_GROUP",
    "CNP_PLURAL",
    "CNP_VERSION",
    "BUNDLE_VERSION",
    "Channel",
    "crd",
    "cnp_schema",
]

CNP_GROUP = "policy.networking.k8s.io"
CNP_VERSION = "v1alpha2"
CNP_API_VERSION = f"{CNP_GROUP}/{CNP_VERSION}"
CNP_PLURAL = "clusternetworkpolicies"
BUNDLE_VERSION = "v0.2.0"


class Channel(enum.Enum):
    """Which CRD of the bundle the cluster runs (`--cnp-channel`)."""

    STANDARD = "standard"
    EXPERIMENTAL = "experimental"

    def __str__(self) -> str:
        return self.value


@functools.cache
def crd(channel: Channel) -> Mapping[str, object]:
    """The whole CustomResourceDefinition of `channel`, parsed once."""
    name = f"{channel.value}-{CNP_PLURAL}.yaml"
    text = resources.files("podfence.load").joinpath("crds", name).read_text(encoding="utf-8")
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    value = yaml.load(text, Loader=loader)  # noqa: S506 - a safe loader
    if not isinstance(value, Mapping):
        raise ValueError(f"{name}: not a CustomResourceDefinition")
    return value


@functools.cache
def cnp_schema(channel: Channel) -> Schema:
    """The `openAPIV3Schema` of the served v1alpha2 version (checked to use only keywords
    that podfence.load.openapi implements)."""
    spec = crd(channel)["spec"]
    assert isinstance(spec, Mapping)
    versions = spec["versions"]
    assert isinstance(versions, list)
    for version in versions:
        if isinstance(version, Mapping) and version.get("name") == CNP_VERSION:
            schema = version["schema"]["openAPIV3Schema"]
            assert isinstance(schema, Mapping)
            check_schema(schema)
            return schema
    raise ValueError(f"the {channel} CRD does not serve {CNP_VERSION}")

"""What the loader is asked to judge by: the Kubernetes version whose API server it imitates.

The API server's validation changes with the version only through feature gates whose default
changes. podfence knows the versions below; today one rule depends on them:

- StrictIPCIDRValidation (KEP-4858): alpha and off in 1.33, still alpha in 1.34 and 1.35 (a
  gate may go beta only three releases after its alpha, for version skew), beta and on by
  default in 1.36. On, an `ipBlock` CIDR with host bits set (`10.0.0.1/8`), leading zeros
  (`010.0.0.0/8`, `10.0.0.0/08`) or an IPv4-mapped IPv6 address (`::ffff:10.0.0.0/104`) is an
  error, and so is a pod IP with leading zeros or an IPv4-mapped IPv6 address; off, they are
  accepted with a warning. Upstream: pkg/features/kube_features.go (the versioned gate table)
  and apimachinery pkg/api/validation/ip.go.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = [
    "KNOWN_VERSIONS",
    "LATEST",
    "KubeVersion",
    "LoadOptions",
    "UnknownVersion",
    "parse_kube_version",
]


@dataclass(frozen=True, slots=True, order=True)
class KubeVersion:
    """A Kubernetes minor release, like 1.36."""

    major: int
    minor: int

    def __str__(self) -> str:
        return f"{self.major}.{self.minor}"


KNOWN_VERSIONS = tuple(KubeVersion(1, minor) for minor in (33, 34, 35, 36))
"""The versions podfence imitates, oldest first."""
LATEST = KNOWN_VERSIONS[-1]
_STRICT_IP_CIDR_SINCE = KubeVersion(1, 36)
_VERSION = re.compile(r"v?([0-9]+)\.([0-9]+)(?:\.[0-9]+)?")


class UnknownVersion(ValueError):
    """A version podfence does not know; the message lists the known ones."""


def parse_kube_version(text: str) -> KubeVersion:
    """`1.36`, `v1.36` or `1.36.2` (the patch release does not matter) -> 1.36."""
    match = _VERSION.fullmatch(text.strip())
    version = KubeVersion(int(match[1]), int(match[2])) if match else None
    if version not in KNOWN_VERSIONS:
        known = ", ".join(str(v) for v in KNOWN_VERSIONS)
        raise UnknownVersion(f"unknown Kubernetes version {text!r}: podfence knows {known}")
    assert version is not None
    return version


@dataclass(frozen=True, slots=True)
class LoadOptions:
    """How to judge the input: as the API server of `kube_version` with its default gates."""

    kube_version: KubeVersion = LATEST

    @property
    def strict_ip_cidr(self) -> bool:
        """The StrictIPCIDRValidation gate (on by default since 1.36)."""
        return self.kube_version >= _STRICT_IP_CIDR_SINCE

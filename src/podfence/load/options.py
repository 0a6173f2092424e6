"""How input is read and judged: which files to leave out, how large a file may be, how
strict to be about duplicates, and the Kubernetes version whose API server is imitated.

`LoadOptions` travels from the command line to the sources, validation and link stages; the
default value is what every command does without options.

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

from podfence.load.cnp_crd import Channel

__all__ = [
    "DEFAULT_MAX_FILE_SIZE",
    "DEFAULT_OPTIONS",
    "KNOWN_VERSIONS",
    "LATEST",
    "KubeVersion",
    "LoadOptions",
    "UnknownVersion",
    "format_size",
    "parse_kube_version",
    "parse_size",
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


DEFAULT_MAX_FILE_SIZE = 1 << 30
"""1 GiB: above the largest dump the benchmarks load (a 390 MB policy list), far below what
would exhaust memory; a device or a runaway file stops here with a clear message."""

_UNITS = {
    "": 1,
    "B": 1,
    "K": 1000,
    "KB": 1000,
    "KIB": 1 << 10,
    "M": 1000**2,
    "MB": 1000**2,
    "MIB": 1 << 20,
    "G": 1000**3,
    "GB": 1000**3,
    "GIB": 1 << 30,
    "T": 1000**4,
    "TB": 1000**4,
    "TIB": 1 << 40,
}
_SIZE = re.compile(r"(?P<number>[0-9]+)\s*(?P<unit>[A-Za-z]*)", re.ASCII)


@dataclass(frozen=True, slots=True)
class LoadOptions:
    """`kube_version`: judge the input as the API server of that version with its default
    gates; `exclude`: glob patterns of files and directories to leave out (matched against a
    file's name, its path under the directory argument, and its path as given);
    `max_file_size`: bytes one file (or standard input) may have; `strict`: an object
    defined twice is an error instead of a warning; `cnp_channel`: the ClusterNetworkPolicy
    CRD the cluster runs (the experimental channel accepts everything the standard one
    does)."""

    kube_version: KubeVersion = LATEST
    exclude: tuple[str, ...] = ()
    max_file_size: int = DEFAULT_MAX_FILE_SIZE
    strict: bool = False
    cnp_channel: Channel = Channel.EXPERIMENTAL

    @property
    def strict_ip_cidr(self) -> bool:
        """The StrictIPCIDRValidation gate (on by default since 1.36)."""
        return self.kube_version >= _STRICT_IP_CIDR_SINCE


DEFAULT_OPTIONS = LoadOptions()
"""What every command does without options."""


def parse_size(text: str) -> int:
    """`1048576`, `512M`, `512MiB`, `2G`, `2GB`, `1GiB` -> bytes (K/M/G/T are powers of 1000,
    KiB/MiB/GiB/TiB powers of 1024). Raises ValueError with the reason."""
    match = _SIZE.fullmatch(text.strip())
    unit = match["unit"].upper() if match else ""
    if match is None or unit not in _UNITS:
        raise ValueError(
            f"invalid size {text!r}: expected a number of bytes, optionally with a unit "
            "(K, M, G, T, or KiB, MiB, GiB, TiB)"
        )
    size = int(match["number"]) * _UNITS[unit]
    if size <= 0:
        raise ValueError(f"invalid size {text!r}: must be more than 0 bytes")
    return size


def format_size(size: int) -> str:
    """Bytes for a message: `1 GiB`, `256 MiB`, `1500 bytes`."""
    for unit, factor in (("TiB", 1 << 40), ("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if size >= factor and size % factor == 0:
            return f"{size // factor} {unit}"
    return f"{size} byte" + ("" if size == 1 else "s")

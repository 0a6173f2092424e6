"""Canonical interval sets for the compiler: merged port ranges and `ipBlock` address ranges."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

from podfence.model import IPBlock, PortRange

__all__ = ["merge_ranges", "block_ranges", "to_address", "ALL_PORTS"]

ALL_PORTS = PortRange(0, 65535)
"""Every port of a protocol (a policy port without `port`)."""


def merge_ranges(ranges: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sorted, disjoint, non-adjacent inclusive ranges covering exactly the input."""
    merged: list[tuple[int, int]] = []
    for first, last in sorted(ranges):
        if merged and first <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(merged[-1][1], last))
        else:
            merged.append((first, last))
    return merged


def _subtract(ranges: list[tuple[int, int]], cut: tuple[int, int]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for first, last in ranges:
        if cut[1] < first or cut[0] > last:
            out.append((first, last))
            continue
        if first < cut[0]:
            out.append((first, cut[0] - 1))
        if cut[1] < last:
            out.append((cut[1] + 1, last))
    return out


def block_ranges(block: IPBlock) -> list[tuple[int, int]]:
    """The addresses of `block` (cidr minus every except of its family) as integer ranges.

    Upstream (networking/v1 IPBlock): an address matches when it is in `cidr` and in none
    of the `except` CIDRs; excepts outside the cidr or of the other family change nothing.
    """
    cidr = block.cidr
    ranges = [(int(cidr.network_address), int(cidr.broadcast_address))]
    for ex in block.excepts:
        if ex.version != cidr.version:
            continue
        ranges = _subtract(ranges, (int(ex.network_address), int(ex.broadcast_address)))
    return merge_ranges(ranges)


def to_address(value: int, version: int) -> ipaddress.IPv4Address | ipaddress.IPv6Address:
    return ipaddress.IPv4Address(value) if version == 4 else ipaddress.IPv6Address(value)

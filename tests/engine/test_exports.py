"""The public API of podfence.engine is pinned (STYLE.md lesson 14, after encode/httpx)."""

from __future__ import annotations

import podfence.engine

ENGINE_API = [
    "DirectionVerdict",
    "DnsDependence",
    "DnsNote",
    "Engine",
    "Miss",
    "NETWORK_POLICY_TIER",
    "NearMiss",
    "PeerMiss",
    "Reason",
    "TierRule",
    "Verdict",
]


def test_engine_exports() -> None:
    assert sorted(podfence.engine.__all__) == ENGINE_API
    assert len(set(podfence.engine.__all__)) == len(podfence.engine.__all__)


def test_engine_exports_exist() -> None:
    missing = [n for n in podfence.engine.__all__ if not hasattr(podfence.engine, n)]
    assert missing == []

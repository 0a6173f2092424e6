"""The exact NetworkPolicy engine: compile policies into matchers, evaluate connections."""

from podfence.engine.evaluate import Engine
from podfence.engine.verdict import (
    NETWORK_POLICY_TIER,
    DirectionVerdict,
    DnsDependence,
    DnsNote,
    Miss,
    NearMiss,
    PeerMiss,
    Reason,
    TierRule,
    Verdict,
)

__all__ = [
    "NETWORK_POLICY_TIER",
    "DirectionVerdict",
    "DnsDependence",
    "DnsNote",
    "Engine",
    "Miss",
    "NearMiss",
    "PeerMiss",
    "Reason",
    "TierRule",
    "Verdict",
]

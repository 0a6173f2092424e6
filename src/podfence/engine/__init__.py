"""The exact NetworkPolicy engine: compile policies into matchers, evaluate connections."""

from podfence.engine.evaluate import Engine
from podfence.engine.verdict import DirectionVerdict, Miss, NearMiss, PeerMiss, Reason, Verdict

__all__ = ["DirectionVerdict", "Engine", "Miss", "NearMiss", "PeerMiss", "Reason", "Verdict"]

"""The exact NetworkPolicy engine: compile policies into matchers, evaluate connections."""

from podfence.engine.evaluate import Engine
from podfence.engine.verdict import DirectionVerdict, Miss, NearMiss, Reason, Verdict

__all__ = ["DirectionVerdict", "Engine", "Miss", "NearMiss", "Reason", "Verdict"]

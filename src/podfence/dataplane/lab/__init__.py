"""The lab: a node namespace and one namespace per pod, the compiled ruleset applied on the
node, listeners in every pod, and probes with real packets."""

from podfence.dataplane.lab.cleanup import LabInfo, down_all, down_lab, list_labs
from podfence.dataplane.lab.lifecycle import Lab, LabError, require_root
from podfence.dataplane.lab.matrix import (
    CellOutcome,
    DnsReport,
    DnsRow,
    ProbeMatrix,
    ProbeResult,
)
from podfence.dataplane.lab.plan import LabPlan, PodPlan, plan_lab
from podfence.dataplane.lab.probe import Outcome, ProbeError

__all__ = [
    "CellOutcome",
    "DnsReport",
    "DnsRow",
    "Lab",
    "LabError",
    "LabInfo",
    "LabPlan",
    "Outcome",
    "PodPlan",
    "ProbeError",
    "ProbeMatrix",
    "ProbeResult",
    "down_all",
    "down_lab",
    "list_labs",
    "plan_lab",
    "require_root",
]

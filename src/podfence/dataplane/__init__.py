"""The Linux data plane: NetworkPolicy compiled to nftables, and a lab of network
namespaces that enforces it and probes it with real packets.

Stages: `nft` (intermediate form → compile → emit → apply) is pure up to `apply`; `lab`
(plan → netns → agent → probe) runs it; `verify` compares the kernel with the engine.
"""

from podfence.dataplane.lab import (
    DnsReport,
    Lab,
    LabError,
    LabPlan,
    Outcome,
    ProbeError,
    ProbeResult,
    down_all,
    down_lab,
    list_labs,
    plan_lab,
)
from podfence.dataplane.nft import ApplyError, Ruleset, apply, compile_ruleset, emit
from podfence.dataplane.verify import Disagreement, compare, verify

__all__ = [
    "ApplyError",
    "Disagreement",
    "DnsReport",
    "Lab",
    "LabError",
    "LabPlan",
    "Outcome",
    "ProbeError",
    "ProbeResult",
    "Ruleset",
    "apply",
    "compare",
    "compile_ruleset",
    "down_all",
    "down_lab",
    "emit",
    "list_labs",
    "plan_lab",
    "verify",
]

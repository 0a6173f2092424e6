"""`podfence agent`: enforce the cluster's NetworkPolicies on one node, from a live API server.

Reflectors (`podfence.kube.watch`) keep a store of the cluster's objects current; each object
goes through podfence's own loader; the node's ruleset is compiled by the nft compiler,
narrowed to the node's pods and applied in one nft transaction (set elements only when that
is all that changed). Failure behaviour: see `loop`.
"""

from podfence.agent.delta import Plan, plan_change
from podfence.agent.logs import JsonLog
from podfence.agent.loop import Agent, AgentConfig, EventSink
from podfence.agent.metrics import Metrics
from podfence.agent.nft import NftTarget
from podfence.agent.ruleset import bootstrap, node_view, with_quarantine
from podfence.agent.snapshot import Quarantine, Snapshot, build_snapshot
from podfence.agent.store import Store

__all__ = [
    "Agent",
    "AgentConfig",
    "EventSink",
    "JsonLog",
    "Metrics",
    "NftTarget",
    "Plan",
    "Quarantine",
    "Snapshot",
    "Store",
    "bootstrap",
    "build_snapshot",
    "node_view",
    "plan_change",
    "with_quarantine",
]

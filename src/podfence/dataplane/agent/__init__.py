"""`podfence agent`: enforce the cluster's NetworkPolicies on one node, from a live API server.

Reflectors (`podfence.kube.watch`) keep a store of the cluster's objects current; each object
goes through podfence's own loader; the node's ruleset is compiled by the nft compiler,
narrowed to the node's pods and applied in one nft transaction (set elements only when that
is all that changed). Failure behaviour: see `loop`.
"""

from podfence.dataplane.agent.delta import Plan, plan_change
from podfence.dataplane.agent.logs import JsonLog
from podfence.dataplane.agent.loop import Agent, AgentConfig, EventSink
from podfence.dataplane.agent.metrics import Metrics
from podfence.dataplane.agent.nft import NftTarget
from podfence.dataplane.agent.ruleset import bootstrap, node_view, with_quarantine
from podfence.dataplane.agent.snapshot import Quarantine, Snapshot, build_snapshot
from podfence.dataplane.agent.store import Store

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

"""Verdicts as data: per direction, isolation, the selecting policies, and the reasons.

With ClusterNetworkPolicies, a side also names the tier that decided (`tier`), the Admin or
Baseline rule that accepted or denied (`decided_by`), the Pass rules that sent evaluation
down a tier (`passed`), the other outcomes when equal priorities leave the order undefined
(`alternatives`), and what depends on DNS at run time (`dns`).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from podfence.model import Action, ClusterRuleRef, Connection, Direction, RuleRef, Tier

__all__ = [
    "NETWORK_POLICY_TIER",
    "DirectionVerdict",
    "DnsDependence",
    "DnsNote",
    "Miss",
    "NearMiss",
    "PeerMiss",
    "Reason",
    "TierRule",
    "Verdict",
]

NETWORK_POLICY_TIER = "NetworkPolicy"
"""The name of the tier between Admin and Baseline: the namespaces' NetworkPolicies."""


class Reason(enum.Enum):
    """Why one direction of a connection is allowed or denied."""

    SELF = "self"
    """A pod may always reach itself (upstream: a pod cannot block access to itself)."""
    OUTSIDE = "outside"
    """The party is outside the cluster: no policy applies to it."""
    HOST_NETWORK = "host-network"
    """A hostNetwork pod: NetworkPolicies do not apply to it."""
    NOT_ISOLATED = "not-isolated"
    """No policy of this direction selects the party: everything is allowed."""
    ALLOWED_BY_RULE = "allowed-by-rule"
    DENIED = "denied"
    """Isolated, and no rule of the selecting policies allows the connection."""
    CLUSTER_ACCEPT = "cluster-accept"
    """An Admin or Baseline ClusterNetworkPolicy rule accepted it (`decided_by`)."""
    CLUSTER_DENY = "cluster-deny"
    """An Admin or Baseline ClusterNetworkPolicy rule denied it (`decided_by`)."""


class Miss(enum.Enum):
    """How a rule came close to allowing a connection without allowing it."""

    PORT = "port"
    """The peer matched, the port or protocol did not."""
    NAMED_PORT = "named-port"
    """The peer matched; a named port of the rule is not defined on the destination."""
    PEER = "peer"
    """A port matched, the peer did not."""
    NO_RULES = "no-rules"
    """The policy has no rule for this direction: it only isolates (deny all)."""


class PeerMiss(enum.Enum):
    """Why one `from`/`to` item of a rule did not match the other party of a connection."""

    NOT_A_POD = "not-a-pod"
    """The item selects pods; the party is an address outside the cluster."""
    HOST_NETWORK = "host-network"
    """Pod and namespace selectors never match a hostNetwork pod."""
    OTHER_NAMESPACE = "other-namespace"
    """A podSelector alone selects pods of the policy's own namespace; the party is elsewhere."""
    NAMESPACE_SELECTS_NONE = "namespace-selects-none"
    """The namespaceSelector selects no namespace of the input at all."""
    NAMESPACE_NOT_SELECTED = "namespace-not-selected"
    """The namespaceSelector selects other namespaces, not the party's."""
    POD_LABELS = "pod-labels"
    """The party's namespace fits; the podSelector does not match its labels."""
    NO_ADDRESS = "no-address"
    """An ipBlock matches addresses; the pod's address (of the connection's family) is not
    known."""
    OUTSIDE_BLOCK = "outside-block"
    """The party's address is outside the ipBlock's cidr."""
    EXCEPTED = "excepted"
    """The party's address is inside the cidr, in one of its `except` ranges."""


@dataclass(frozen=True, slots=True)
class NearMiss:
    ref: RuleRef
    miss: Miss
    peers: tuple[PeerMiss, ...] = ()
    """With `Miss.PEER`: why each `from`/`to` item of the rule did not match, in order."""


@dataclass(frozen=True, slots=True, order=True)
class TierRule:
    """A ClusterNetworkPolicy rule that matched a connection."""

    ref: ClusterRuleRef
    """`cnp/NAME egress[1] "rule-name"`, with the first matching peer and protocol entry."""
    tier: Tier
    priority: int
    action: Action
    """As written."""
    unknown: tuple[str, ...] = ()
    """Fields podfence does not know in the rule: it failed closed (a Deny or Pass denies
    everything; an Accept matches nothing, so it is never the rule that matched)."""

    @property
    def effect(self) -> Action:
        """What it did: its action, or Deny when a Deny or Pass rule failed closed."""
        return Action.DENY if self.unknown else self.action

    def __str__(self) -> str:
        return f"{self.ref} ({self.tier} {self.action}, priority {self.priority})"


class DnsDependence(enum.Enum):
    MATCHED = "matched"
    """A `domainNames` peer matched the destination by the name it was given: it holds at
    run time only if the pod looks that name up (through the cluster's DNS) and gets this
    address (NPEP-133)."""
    UNKNOWN = "unknown"
    """The address was given without a name: whether a `domainNames` peer matches it depends
    on DNS at run time. Evaluated as not matching."""


@dataclass(frozen=True, slots=True)
class DnsNote:
    ref: ClusterRuleRef
    dependence: DnsDependence


@dataclass(frozen=True, slots=True)
class DirectionVerdict:
    """The verdict of one side: egress of the source, or ingress of the destination."""

    direction: Direction
    party: str
    allowed: bool
    reason: Reason
    isolated: bool = False
    selected_by: tuple[str, ...] = ()
    """Keys (`ns/name`) of the policies that select the party for this direction."""
    allowed_by: tuple[RuleRef, ...] = ()
    """Every rule that allows the connection (with the first matching peer and port)."""
    near_misses: tuple[NearMiss, ...] = ()
    tiers: bool = False
    """True when the cluster has ClusterNetworkPolicies (the fields below were evaluated)."""
    decided_by: TierRule | None = None
    """The Admin or Baseline rule that accepted or denied (CLUSTER_ACCEPT, CLUSTER_DENY)."""
    passed: tuple[TierRule, ...] = ()
    """The Pass rules that sent evaluation to the next tier, in order (Admin, Baseline)."""
    cluster_selected_by: tuple[str, ...] = ()
    """Keys (`cnp/NAME`) of the ClusterNetworkPolicies whose subject selects the party and
    that have rules for this direction, in evaluation order (Admin, then Baseline)."""
    alternatives: tuple[DirectionVerdict, ...] = ()
    """The other outcomes of this side: ClusterNetworkPolicies of equal priority in one tier
    matched with different actions, and upstream leaves their order undefined. This verdict
    is one that denies, if any does (podfence answers allowed only when every order
    allows)."""
    dns: tuple[DnsNote, ...] = ()
    """`domainNames` rules on the way whose match depends on DNS at run time."""

    @property
    def tier(self) -> str | None:
        """The tier that decided: `Admin`, `NetworkPolicy`, `Baseline`; None when no tier
        did (allowed by default), or no policy applies (self, outside, hostNetwork)."""
        if self.decided_by is not None:
            return self.decided_by.tier.value
        if self.reason in (Reason.ALLOWED_BY_RULE, Reason.DENIED):
            return NETWORK_POLICY_TIER
        return None

    @property
    def ambiguous(self) -> bool:
        return bool(self.alternatives)


@dataclass(frozen=True, slots=True)
class Verdict:
    """A connection is allowed when the source's egress AND the destination's ingress allow it."""

    connection: Connection
    egress: DirectionVerdict
    ingress: DirectionVerdict
    by_family: tuple[Verdict, ...] = ()
    """Set when the connection's family was not given and the answer differs between the IP
    families the two parties can use: one verdict per family (each with its family set).
    `egress` and `ingress` are then those of the first family that denies. The connection is
    allowed only when every family allows it (a client may use either)."""

    @property
    def allowed(self) -> bool:
        if self.by_family:
            return all(v.allowed for v in self.by_family)
        return self.egress.allowed and self.ingress.allowed

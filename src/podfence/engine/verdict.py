"""Verdicts as data: per direction, isolation, the selecting policies, and the reasons."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from podfence.model import Connection, Direction, RuleRef

__all__ = ["Reason", "Miss", "PeerMiss", "NearMiss", "DirectionVerdict", "Verdict"]


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

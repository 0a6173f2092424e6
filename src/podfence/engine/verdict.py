"""Verdicts as data: per direction, isolation, the selecting policies, and the reasons."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from podfence.model import Connection, Direction, RuleRef

__all__ = ["Reason", "Miss", "NearMiss", "DirectionVerdict", "Verdict"]


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


@dataclass(frozen=True, slots=True)
class NearMiss:
    ref: RuleRef
    miss: Miss


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

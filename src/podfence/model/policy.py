"""NetworkPolicy (networking.k8s.io/v1) as frozen data, after defaulting.

Empty and missing are normalised where the API gives them one meaning (`from`/`to` missing or
`[]` = every peer; `ports` missing or `[]` = every port) and kept apart where they differ
(`ingress: []` allows nothing, `ingress: [{}]` allows everything; a peer selector that is
missing is not the same as `{}`).
"""

from __future__ import annotations

from dataclasses import dataclass

from podfence.model.addresses import IPBlock
from podfence.model.labels import Labels, LabelSelector
from podfence.model.ordering import OrderedEnum
from podfence.model.ports import PolicyPort
from podfence.model.source import Location, ObjectRef

__all__ = ["Direction", "Peer", "Rule", "NetworkPolicy", "RuleRef"]


class Direction(OrderedEnum):
    INGRESS = "Ingress"
    EGRESS = "Egress"

    @property
    def rules_field(self) -> str:
        """The spec field that lists this direction's rules."""
        return "ingress" if self is Direction.INGRESS else "egress"

    @property
    def peers_field(self) -> str:
        """The rule field that lists this direction's peers."""
        return "from" if self is Direction.INGRESS else "to"

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True, slots=True)
class Peer:
    """One item of `from`/`to`. Fields set together are ANDed (ipBlock stands alone).

    - pod_selector only: pods of the policy's own namespace;
    - namespace_selector only: every pod of the matching namespaces;
    - both: pods matching pod_selector inside namespaces matching namespace_selector;
    - ip_block: addresses in the block.
    """

    pod_selector: LabelSelector | None = None
    namespace_selector: LabelSelector | None = None
    ip_block: IPBlock | None = None


@dataclass(frozen=True, slots=True)
class Rule:
    """One ingress or egress rule. Empty `peers` = every peer; empty `ports` = every port."""

    peers: tuple[Peer, ...] = ()
    ports: tuple[PolicyPort, ...] = ()


@dataclass(frozen=True, slots=True)
class NetworkPolicy:
    namespace: str
    name: str
    pod_selector: LabelSelector
    policy_types: frozenset[Direction]
    ingress: tuple[Rule, ...] = ()
    egress: tuple[Rule, ...] = ()
    policy_types_defaulted: bool = False
    """True when `policyTypes` was absent and the API server's default was applied."""
    annotations: Labels = ()
    location: Location = Location("<memory>")

    @property
    def ref(self) -> ObjectRef:
        return ObjectRef("NetworkPolicy", self.namespace, self.name)

    @property
    def key(self) -> str:
        return f"{self.namespace}/{self.name}"

    def rules(self, direction: Direction) -> tuple[Rule, ...]:
        return self.ingress if direction is Direction.INGRESS else self.egress

    def affects(self, direction: Direction) -> bool:
        return direction in self.policy_types


@dataclass(frozen=True, slots=True, order=True)
class RuleRef:
    """A pointer into a policy: `ns/name ingress[0].from[1]` and `ports[0]`.

    `rule` None means the policy as a whole; `peer` / `port` None means the whole list
    (or that the list was empty, i.e. every peer / every port).
    """

    policy: str
    direction: Direction
    rule: int | None = None
    peer: int | None = None
    port: int | None = None

    @property
    def field(self) -> str:
        """The field path inside the policy's spec (`ingress[0].from[1]`)."""
        if self.rule is None:
            return ""
        path = f"{self.direction.rules_field}[{self.rule}]"
        if self.peer is not None:
            path += f".{self.direction.peers_field}[{self.peer}]"
        return path

    def __str__(self) -> str:
        text = f"{self.policy} {self.field}".rstrip()
        if self.port is not None:
            text += f" ports[{self.port}]"
        return text

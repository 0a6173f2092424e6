"""ClusterNetworkPolicy (policy.networking.k8s.io/v1alpha2) as frozen data, after decoding.

Upstream: kubernetes-sigs/network-policy-api, apis/v1alpha2/clusternetworkpolicy_types.go and
the CRD of bundle v0.2.0 (the schema podfence validates against). Every one-of of the API is a
closed union of small types, and the awkward cases are types of their own, not None checks:

- `protocols` absent is `EveryPort` (every port of every protocol), not an empty tuple;
- a peer with no field podfence knows (a future peer type, under a newer CRD) is `UnknownPeer`,
  and a protocol entry with no field it knows is `UnknownProtocol`. The API asks implementations
  to fail closed on them: an Accept rule with one matches nothing, a Deny or Pass rule with one
  is a "Deny all" (the types only carry the fact; the engine applies it);
- `pods.namespaceSelector` absent is the empty selector (a Go struct, not a pointer: its zero
  value selects every namespace);
- `destinationNamedPort: ""` is a Go zero value, i.e. "no field set", so it is an
  `UnknownProtocol` too.
"""

from __future__ import annotations

from dataclasses import dataclass

from podfence.model.addresses import IPNetwork
from podfence.model.intervals import PortSet
from podfence.model.labels import Labels, LabelSelector
from podfence.model.ordering import OrderedEnum
from podfence.model.policy import Direction
from podfence.model.ports import Protocol
from podfence.model.source import Location, ObjectRef

__all__ = [
    "CNP_KIND",
    "Action",
    "ClusterNetworkPolicy",
    "ClusterPeer",
    "ClusterProtocol",
    "ClusterRule",
    "ClusterRuleRef",
    "DomainNamesPeer",
    "EveryPort",
    "NamedPort",
    "NamespacesPeer",
    "NamespacesSubject",
    "NetworksPeer",
    "NodesPeer",
    "PodsPeer",
    "PodsSubject",
    "PortNumber",
    "PortRangeMatch",
    "Protocols",
    "Subject",
    "Tier",
    "UnknownPeer",
    "UnknownProtocol",
    "domain_matches",
]

CNP_KIND = "ClusterNetworkPolicy"


class Tier(OrderedEnum):
    """Evaluated Admin, then the NetworkPolicy tier, then Baseline (declaration order)."""

    ADMIN = "Admin"
    BASELINE = "Baseline"

    def __str__(self) -> str:
        return self.value


class Action(OrderedEnum):
    ACCEPT = "Accept"
    DENY = "Deny"
    PASS = "Pass"
    """Skip the rest of this tier; evaluation goes on in the next tier."""

    def __str__(self) -> str:
        return self.value


# --- subjects ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class NamespacesSubject:
    """`subject.namespaces`: every pod of the matching namespaces (host-network pods never)."""

    namespaces: LabelSelector


@dataclass(frozen=True, slots=True)
class PodsSubject:
    """`subject.pods`: the pods matching `pods` in the namespaces matching `namespaces`."""

    namespaces: LabelSelector
    pods: LabelSelector


Subject = NamespacesSubject | PodsSubject


# --- peers ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class NamespacesPeer:
    """`namespaces`: every pod of the matching namespaces (host-network pods never)."""

    namespaces: LabelSelector


@dataclass(frozen=True, slots=True)
class PodsPeer:
    """`pods`: pods matching `pods` in namespaces matching `namespaces` (an absent
    `namespaceSelector` is the empty selector: every namespace)."""

    namespaces: LabelSelector
    pods: LabelSelector


@dataclass(frozen=True, slots=True)
class NodesPeer:
    """`nodes` (egress only, experimental channel): the IPs in `status.addresses` of the
    matching nodes."""

    nodes: LabelSelector


@dataclass(frozen=True, slots=True)
class NetworksPeer:
    """`networks` (egress only): addresses in any of the CIDRs, inside the cluster too.

    A CIDR with host bits set denotes its network (Go's netip.Prefix.Contains masks them).
    """

    networks: tuple[IPNetwork, ...]


@dataclass(frozen=True, slots=True)
class DomainNamesPeer:
    """`domainNames` (egress only, experimental channel): FQDNs as written, a leading `*.`
    matching one or more whole labels. What they resolve to is only known at run time."""

    names: tuple[str, ...]


def _canonical_name(name: str) -> str:
    """DNS names compare case-insensitively, with or without the root's trailing dot."""
    return name.lower().removesuffix(".")


def domain_matches(pattern: str, name: str) -> bool:
    """Does a `domainNames` entry match the DNS name `name`?

    Upstream (v1alpha2 `DomainName`): an exact name matches only itself
    (`kubernetes.io` does not match `www.kubernetes.io`); `*.` matches one or more entire
    labels, only as a prefix (`*.kubernetes.io` matches `www.kubernetes.io` and
    `latest.blog.kubernetes.io`, not `kubernetes.io`).
    """
    pattern, name = _canonical_name(pattern), _canonical_name(name)
    if pattern.startswith("*."):
        suffix = pattern[1:]
        return name.endswith(suffix) and len(name) > len(suffix)
    return name == pattern


@dataclass(frozen=True, slots=True)
class UnknownPeer:
    """A peer with no field podfence knows (`fields` are the ones it has). Fail closed: an
    Accept rule with it matches nothing, a Deny or Pass rule with it denies everything."""

    fields: tuple[str, ...]


ClusterPeer = NamespacesPeer | PodsPeer | NodesPeer | NetworksPeer | DomainNamesPeer | UnknownPeer
"""An ingress rule has only namespaces, pods and unknown peers (the loader guarantees it)."""


# --- protocols --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class EveryPort:
    """`protocols` absent: the rule matches every port of every protocol."""

    @property
    def ports(self) -> PortSet:
        return PortSet.every()


@dataclass(frozen=True, slots=True)
class PortNumber:
    """`tcp|udp|sctp: {destinationPort: {number: N}}`."""

    protocol: Protocol
    port: int

    @property
    def ports(self) -> PortSet:
        return PortSet.span(self.protocol, self.port)

    def __str__(self) -> str:
        return f"{self.protocol} {self.port}"


@dataclass(frozen=True, slots=True)
class PortRangeMatch:
    """`tcp|udp|sctp: {destinationPort: {range: {start, end}}}`, both ends included
    (validated: start < end)."""

    protocol: Protocol
    start: int
    end: int

    @property
    def ports(self) -> PortSet:
        return PortSet.span(self.protocol, self.start, self.end)

    def __str__(self) -> str:
        return f"{self.protocol} {self.start}-{self.end}"


@dataclass(frozen=True, slots=True)
class NamedPort:
    """`destinationNamedPort`: every container port of the destination with this name (any
    protocol). The name is not validated by the CRD; a name no container port can have
    matches nothing."""

    name: str

    def __str__(self) -> str:
        return f"named port {self.name}"


@dataclass(frozen=True, slots=True)
class UnknownProtocol:
    """A protocol entry with no field podfence knows, or `destinationNamedPort: ""` (a Go zero
    value: no field set). `fields` is the path of the unknown part, e.g. `("icmp",)` or
    `("tcp", "sourcePort")`. Fail closed, as for `UnknownPeer`."""

    fields: tuple[str, ...]


ClusterProtocol = PortNumber | PortRangeMatch | NamedPort | UnknownProtocol
Protocols = EveryPort | tuple[ClusterProtocol, ...]
"""`EveryPort`, or the listed entries (never empty: the CRD requires at least one)."""


# --- rules and the policy ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ClusterRule:
    """One ingress or egress rule. `peers` is never empty (the CRD requires one)."""

    action: Action
    peers: tuple[ClusterPeer, ...]
    protocols: Protocols = EveryPort()
    name: str = ""
    """The rule's `name` ("" when absent: Go's zero value)."""


@dataclass(frozen=True, slots=True)
class ClusterNetworkPolicy:
    """A cluster-scoped policy of the Admin or Baseline tier.

    Within a tier, lower `priority` first; within a policy, rules in written order. A policy
    with no rules in a direction does not affect that direction.
    """

    name: str
    tier: Tier
    priority: int
    subject: Subject
    ingress: tuple[ClusterRule, ...] = ()
    egress: tuple[ClusterRule, ...] = ()
    annotations: Labels = ()
    location: Location = Location("<memory>")

    @property
    def ref(self) -> ObjectRef:
        return ObjectRef(CNP_KIND, None, self.name)

    @property
    def key(self) -> str:
        """`cnp/NAME`: unique among cluster policies, never a NetworkPolicy's `ns/name`."""
        return f"cnp/{self.name}"

    def rules(self, direction: Direction) -> tuple[ClusterRule, ...]:
        return self.ingress if direction is Direction.INGRESS else self.egress

    def affects(self, direction: Direction) -> bool:
        return bool(self.rules(direction))


@dataclass(frozen=True, slots=True, order=True)
class ClusterRuleRef:
    """A pointer into a cluster policy: `cnp/NAME ingress[2] "rule-name"`.

    `rule` None: the policy as a whole. `peer` / `protocol` None: the whole list (or, for
    protocols, that they were absent).
    """

    policy: str
    """The policy's name."""
    direction: Direction
    rule: int | None = None
    name: str = ""
    """The rule's `name`, when it has one."""
    peer: int | None = None
    protocol: int | None = None

    @property
    def key(self) -> str:
        return f"cnp/{self.policy}"

    @property
    def field(self) -> str:
        """The field path inside the policy's spec (`egress[0].to[1]`)."""
        if self.rule is None:
            return ""
        path = f"{self.direction.rules_field}[{self.rule}]"
        if self.peer is not None:
            path += f".{self.direction.peers_field}[{self.peer}]"
        elif self.protocol is not None:
            path += f".protocols[{self.protocol}]"
        return path

    def __str__(self) -> str:
        """`cnp/NAME egress[0].to[1] protocols[0] "rule-name"` (peer and protocol entry both
        set: the protocol entry follows, as a NetworkPolicy rule's `ports[k]` does)."""
        text = f"{self.key} {self.field}".rstrip()
        if self.peer is not None and self.protocol is not None:
            text += f" protocols[{self.protocol}]"
        if self.rule is not None and self.name:
            text += f' "{self.name}"'
        return text

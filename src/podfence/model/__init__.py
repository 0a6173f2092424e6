"""Pure frozen data: policies, selectors, ports, addresses, the cluster, traffic.

The model knows nothing of files or of evaluation; it only describes.
"""

from podfence.model.addresses import IPAddress, IPBlock, IPNetwork, parse_ip
from podfence.model.cluster import NAME_LABEL, WORKLOAD_KINDS, Cluster, Endpoint, Namespace
from podfence.model.cnp import (
    CNP_KIND,
    Action,
    ClusterNetworkPolicy,
    ClusterPeer,
    ClusterProtocol,
    ClusterRule,
    ClusterRuleRef,
    DomainNamesPeer,
    EveryPort,
    NamedPort,
    NamespacesPeer,
    NamespacesSubject,
    NetworksPeer,
    NodesPeer,
    PodsPeer,
    PodsSubject,
    PortNumber,
    PortRangeMatch,
    Protocols,
    Subject,
    Tier,
    UnknownPeer,
    UnknownProtocol,
    domain_matches,
)
from podfence.model.diagnostic import Diagnostic, Severity
from podfence.model.intervals import AddressSet, IntervalSet, PortSet
from podfence.model.labels import Labels, LabelSelector, Operator, Requirement, frozen_labels
from podfence.model.nodes import Node, NodeAddress
from podfence.model.policy import Direction, NetworkPolicy, Peer, Rule, RuleRef
from podfence.model.ports import ContainerPort, PolicyPort, PortRange, Protocol, ProtocolPort
from podfence.model.source import Location, ObjectRef
from podfence.model.traffic import Connection, External, Party

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
    "Node",
    "NodeAddress",
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
    "AddressSet",
    "IntervalSet",
    "PortSet",
    "ProtocolPort",
    "NAME_LABEL",
    "WORKLOAD_KINDS",
    "Cluster",
    "Connection",
    "ContainerPort",
    "Diagnostic",
    "Direction",
    "Endpoint",
    "External",
    "IPAddress",
    "IPBlock",
    "IPNetwork",
    "LabelSelector",
    "Labels",
    "Location",
    "Namespace",
    "NetworkPolicy",
    "ObjectRef",
    "Operator",
    "Party",
    "Peer",
    "PolicyPort",
    "PortRange",
    "Protocol",
    "Requirement",
    "Rule",
    "Severity",
    "RuleRef",
    "frozen_labels",
    "parse_ip",
]

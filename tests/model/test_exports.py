"""The public API of podfence.model is pinned (STYLE.md lesson 14, after encode/httpx)."""

from __future__ import annotations

import podfence.model

MODEL_API = [
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
    "Cluster",
    "Connection",
    "ContainerPort",
    "CustomResource",
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
    "NAME_LABEL",
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
    "RuleRef",
    "Severity",
    "WELL_KNOWN_NAMESPACES",
    "WORKLOAD_KINDS",
    "frozen_labels",
    "parse_ip",
]


def test_model_exports() -> None:
    assert sorted(podfence.model.__all__) == sorted(MODEL_API)
    assert len(set(podfence.model.__all__)) == len(podfence.model.__all__)


def test_model_exports_exist() -> None:
    missing = [n for n in podfence.model.__all__ if not hasattr(podfence.model, n)]
    assert missing == []

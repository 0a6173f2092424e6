"""Clusters with ClusterNetworkPolicies for the golden files, the table tests and the labs:
the four examples of `examples/cnp` (their intended verdicts are `TIERED_VERDICTS` in
tests/examples/test_cnp_examples.py) and `ties`, built here, whose verdicts are below.

`ties` (upstream: network-policy-api v1alpha2; equal priorities "can apply any of the matching
policies", so podfence allows only what every order allows):
- Admin priority 1 `from-nodes`: ingress of `shop` Accepts every Node address (the
  hostNetwork agent on node-1);
- Admin priority 3 `frontend-egress`: egress of app=frontend Accepts `*.example.com` (known
  only to DNS at run time: compiled to the addresses a `dns` map gives, outside the cluster),
  then Denies the network of `ext` and 192.0.2.0/24;
- Admin priority 10, three CNPs tied on ingress of `shop`: `allow-http` (Accept tcp 8080 from
  every namespace), `deny-client` (Accept app=frontend, then Deny namespace ext: written
  order), `pass-db` (Pass tcp 5432 from every namespace);
- the NetworkPolicy `shop/db-from-backend` isolates db (backend on 5432);
- Baseline priority 0 `db-baseline`: Deny every ingress of app=db.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from pathlib import Path

from podfence.load import load_paths
from podfence.model import (
    NAME_LABEL,
    Action,
    Cluster,
    ClusterNetworkPolicy,
    ClusterRule,
    DomainNamesPeer,
    IPNetwork,
    LabelSelector,
    NamespacesPeer,
    NamespacesSubject,
    NetworksPeer,
    Node,
    NodeAddress,
    NodesPeer,
    PodsPeer,
    PodsSubject,
    PortNumber,
    Protocol,
    Tier,
    frozen_labels,
)

from .builders import INGRESS, TCP, ns, peer, pod, policy, port, rule, sel

__all__ = ["TIER_CASES", "TIES_VERDICTS", "example", "ties"]

EXAMPLES = Path(__file__).parents[2] / "examples" / "cnp"
EVERY = LabelSelector()


def example(name: str) -> Callable[[], Cluster]:
    def load() -> Cluster:
        result = load_paths([str(EXAMPLES / name)])
        assert result.cluster is not None, [str(d) for d in result.diagnostics]
        return result.cluster

    return load


def _net(text: str) -> IPNetwork:
    return ipaddress.ip_network(text)


def _shop_subject() -> NamespacesSubject:
    return NamespacesSubject(sel(team="shop"))


def ties() -> Cluster:
    tcp = Protocol.TCP
    cnps = (
        ClusterNetworkPolicy(
            "from-nodes", Tier.ADMIN, 1, _shop_subject(),
            ingress=(ClusterRule(Action.ACCEPT, (NodesPeer(EVERY),), name="node-agents"),),
        ),
        ClusterNetworkPolicy(
            "frontend-egress", Tier.ADMIN, 3, PodsSubject(EVERY, sel(app="frontend")),
            egress=(
                ClusterRule(Action.ACCEPT, (DomainNamesPeer(("*.example.com",)),), name="partner"),
                ClusterRule(
                    Action.DENY,
                    (NetworksPeer((_net("10.244.2.0/24"), _net("192.0.2.0/24"))),),
                    name="not-ext",
                ),
            ),
        ),
        ClusterNetworkPolicy(
            "allow-http", Tier.ADMIN, 10, _shop_subject(),
            ingress=(
                ClusterRule(Action.ACCEPT, (NamespacesPeer(EVERY),), (PortNumber(tcp, 8080),)),
            ),
        ),
        ClusterNetworkPolicy(
            "deny-client", Tier.ADMIN, 10, _shop_subject(),
            ingress=(
                ClusterRule(Action.ACCEPT, (PodsPeer(EVERY, sel(app="frontend")),)),
                ClusterRule(Action.DENY, (NamespacesPeer(sel(**{NAME_LABEL: "ext"})),)),
            ),
        ),
        ClusterNetworkPolicy(
            "pass-db", Tier.ADMIN, 10, _shop_subject(),
            ingress=(ClusterRule(Action.PASS, (NamespacesPeer(EVERY),), (PortNumber(tcp, 5432),)),),
        ),
        ClusterNetworkPolicy(
            "db-baseline", Tier.BASELINE, 0, PodsSubject(EVERY, sel(app="db")),
            ingress=(ClusterRule(Action.DENY, (NamespacesPeer(EVERY),)),),
        ),
    )  # fmt: skip
    pods = [
        pod("shop/frontend", {"app": "frontend"}, ips=["10.244.1.1"]),
        pod("shop/backend", {"app": "backend"}, ips=["10.244.1.2"]),
        pod("shop/db", {"app": "db"}, ips=["10.244.1.3"]),
        pod("ext/client", {"app": "client"}, ips=["10.244.2.1"]),
        pod("kube-system/agent", {"app": "agent"}, ips=["10.244.9.1"], host_network=True),
    ]
    nps = [
        policy(
            "shop/db-from-backend",
            sel(app="db"),
            INGRESS,
            ingress=[rule([peer(sel(app="backend"))], [port(TCP, 5432)])],
        )
    ]
    node = Node(
        "node-1",
        frozen_labels({}),
        (NodeAddress("InternalIP", "10.244.9.1"), NodeAddress("Hostname", "node-1")),
    )
    return Cluster(
        namespaces=(ns("shop", team="shop"), ns("ext"), ns("kube-system")),
        endpoints=tuple(sorted(pods, key=lambda e: e.id)),
        policies=tuple(nps),
        nodes=(node,),
        cluster_policies=tuple(sorted(cnps, key=lambda p: p.name)),
    )


TIES_VERDICTS = [
    # source, destination, port, allowed: why
    ("ext/client", "shop/backend", 8080, False),  # tie: allow-http Accept, deny-client Deny
    ("shop/frontend", "shop/backend", 8080, True),  # tie: Accept and Accept (written order)
    ("shop/frontend", "shop/db", 5432, False),  # tie: Accept, Pass -> NP denies frontend
    ("shop/backend", "shop/db", 5432, True),  # Pass -> NP allows backend
    ("ext/client", "shop/frontend", 5432, False),  # tie: Deny, Pass -> Deny
    ("shop/backend", "shop/frontend", 5432, True),  # Pass -> no NP, no Baseline: default
    ("shop/frontend", "shop/db", 8080, True),  # tie: Accept, Accept: NP not consulted
    ("shop/backend", "shop/db", 80, False),  # NP isolates db
    ("ext/client", "shop/db", 80, False),  # deny-client Deny
    ("kube-system/agent", "shop/db", 80, True),  # from-nodes Accept (priority 1)
    ("shop/frontend", "ext/client", 80, False),  # frontend-egress Deny of a network
    ("shop/backend", "ext/client", 80, True),  # nothing applies
]

TIER_CASES: dict[str, Callable[[], Cluster]] = {
    "ties": ties,
    "admin_guardrail": example("admin-guardrail"),
    "baseline_default_deny": example("baseline-default-deny"),
    "egress_networks_dns": example("egress-networks-dns"),
    "pass_to_owners": example("pass-to-owners"),
}

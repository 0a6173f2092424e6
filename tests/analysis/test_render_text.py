"""Text for people (podfence.render.text): exact expected output for a few results."""

from __future__ import annotations

import pytest

from engine.builders import (
    EGRESS,
    INGRESS,
    cluster,
    evaluate,
    ip_peer,
    ns,
    peer,
    pod,
    policy,
    rule,
    sel,
    tcp,
)
from podfence.analysis.explain import account_policy
from podfence.analysis.matrix import compute_matrix
from podfence.engine import Engine, Miss, NearMiss, PeerMiss
from podfence.model import (
    Cluster,
    Diagnostic,
    Direction,
    Location,
    NetworkPolicy,
    Peer,
    Protocol,
    ProtocolPort,
    Rule,
    RuleRef,
    Severity,
)
from podfence.render.text import (
    near_miss_text,
    render_account,
    render_accounts,
    render_diagnostics,
    render_matrix,
    render_verdict,
)

ALLOW_B_80 = policy(
    "x/allow-b", sel({"pod": "a"}), ingress=[rule(peer(sel({"pod": "b"})), ports=[tcp(80)])]
)


def _cluster(*policies: NetworkPolicy) -> Cluster:
    return cluster(
        [
            pod("x/a", {"pod": "a"}, ips=["10.0.1.1"]),
            pod("x/b", {"pod": "b"}, ips=["10.0.1.2"]),
            pod("x/h", {"pod": "a"}, ips=["192.168.0.1"], host_network=True),
            pod("y/a", {"pod": "a"}, ips=["10.0.2.1"]),
        ],
        policies,
        [ns("x", team="red"), ns("y", team="blue")],
    )


VERDICTS = [
    pytest.param(
        (ALLOW_B_80,),
        "x/b",
        "x/a",
        80,
        "x/b -> x/a 80/TCP: ALLOWED\n"
        "  egress of x/b: allowed: not isolated (no policy selects it for Egress)\n"
        "  ingress of x/a: allowed (isolated by x/allow-b)\n"
        "    allowed by x/allow-b ingress[0].from[0] ports[0]\n",
        id="allowed-by-rule",
    ),
    pytest.param(
        (ALLOW_B_80,),
        "x/b",
        "x/a",
        81,
        "x/b -> x/a 81/TCP: DENIED\n"
        "  egress of x/b: allowed: not isolated (no policy selects it for Egress)\n"
        "  ingress of x/a: DENIED: isolated by x/allow-b, no rule allows it\n"
        "    closest rules:\n"
        "      x/allow-b ingress[0]: the peer matched, the port or protocol did not\n",
        id="denied-port-near-miss",
    ),
    pytest.param(
        (ALLOW_B_80, policy("x/deny-a", sel({"pod": "a"}))),
        "y/a",
        "x/a",
        80,
        "y/a -> x/a 80/TCP: DENIED\n"
        "  egress of y/a: allowed: not isolated (no policy selects it for Egress)\n"
        "  ingress of x/a: DENIED: isolated by x/allow-b, x/deny-a, no rule allows it\n"
        "    closest rules:\n"
        "      x/allow-b ingress[0]: the port matched, the peer did not: from[0]: a podSelector "
        "alone selects pods of the policy's own namespace only\n"
        "      x/deny-a: the policy has no rule for this direction: it only isolates\n",
        id="denied-peer-and-no-rules",
    ),
    pytest.param(
        (ALLOW_B_80,),
        "y/a",
        "x/a",
        81,
        "y/a -> x/a 81/TCP: DENIED\n"
        "  egress of y/a: allowed: not isolated (no policy selects it for Egress)\n"
        "  ingress of x/a: DENIED: isolated by x/allow-b, no rule allows it\n",
        id="denied-without-near-miss",
    ),
    pytest.param(
        (policy("x/out", sel({"pod": "b"}), egress=[rule(ports=[tcp("metrics")])], types=EGRESS),),
        "x/b",
        "y/a",
        9090,
        "x/b -> y/a 9090/TCP: DENIED\n"
        "  egress of x/b: DENIED: isolated by x/out, no rule allows it\n"
        "    closest rules:\n"
        "      x/out egress[0]: the peer matched, but the named port is not defined on the "
        "destination\n"
        "  ingress of y/a: allowed: not isolated (no policy selects it for Ingress)\n",
        id="denied-named-port",
    ),
    pytest.param(
        (policy("x/deny-all", egress=[]),),
        "x/a",
        "x/a",
        80,
        "x/a -> x/a 80/TCP: ALLOWED\n"
        "  egress of x/a: allowed: a pod may always reach itself\n"
        "  ingress of x/a: allowed: a pod may always reach itself\n",
        id="self",
    ),
    pytest.param(
        (policy("x/deny-all", egress=[]),),
        "203.0.113.1",
        "x/h",
        22,
        "203.0.113.1 -> x/h 22/TCP: ALLOWED\n"
        "  egress of 203.0.113.1: allowed: outside the cluster, no policy applies\n"
        "  ingress of x/h: allowed: hostNetwork pod, NetworkPolicies do not apply to it\n",
        id="outside-to-hostnetwork",
    ),
]


@pytest.mark.parametrize(("policies", "src", "dst", "port", "text"), VERDICTS)
def test_render_verdict(
    policies: tuple[NetworkPolicy, ...], src: str, dst: str, port: int, text: str
) -> None:
    verdict = evaluate(_cluster(*policies), src, dst, port, Protocol.TCP)
    assert render_verdict(verdict) == text


WEB = NetworkPolicy(
    "x",
    "web",
    sel({"pod": "a"}),
    INGRESS,
    ingress=(
        rule(peer(sel({"pod": "b"})), ports=[tcp(80)]),
        rule(peer(namespaces=sel({"team": "blue"})), ip_peer("10.0.0.0/8")),
        Rule(),
    ),
    egress=(rule(ip_peer("0.0.0.0/0")),),
    location=Location("policies/web.yaml", 3),
)


def test_render_account() -> None:
    text = render_account(account_policy(Engine(_cluster(WEB)), WEB))
    assert text == (
        "NetworkPolicy x/web (policies/web.yaml:3)\n"
        "  selects pods with pod=a in namespace x\n"
        "  selected: x/a\n"
        "  policyTypes: Ingress\n"
        "  Ingress: isolates the selected pods; allowed is any ONE of these rules (OR):\n"
        "    ingress[0]: from [0] pods with pod=b in namespace x (the policy's own), on TCP 80\n"
        "      [0] matches: x/b\n"
        "    ingress[1]: from [0] every pod in namespaces labelled team=blue, OR [1] addresses in "
        "10.0.0.0/8, on every port and protocol\n"
        "      [0] matches: y/a\n"
        "      [1] matches: addresses 10.0.0.0/8 (parties outside the cluster with those "
        "addresses, and the pods of the input with one: x/a, x/b, y/a)\n"
        "    ingress[2]: from anywhere (every pod of every namespace and every address), on "
        "every port and protocol\n"
        "  Egress: not affected (policyTypes does not list Egress); its 1 egress rule is "
        "IGNORED\n"
    )


def test_render_account_deny_all_defaulted_selects_nothing() -> None:
    pol = NetworkPolicy(
        "y",
        "deny",
        sel(),
        INGRESS | EGRESS,
        egress=(rule(peer(sel({"pod": "zzz"}))),),
        policy_types_defaulted=True,
    )
    text = render_account(account_policy(Engine(_cluster(pol)), pol))
    assert text == (
        "NetworkPolicy y/deny (<memory>)\n"
        "  selects every pod in namespace y\n"
        "  selected: y/a\n"
        "  policyTypes: Ingress, Egress (defaulted: policyTypes was not set)\n"
        "  Ingress: isolates the selected pods and allows nothing (deny all Ingress)\n"
        "  Egress: isolates the selected pods; allowed is any ONE of these rules (OR):\n"
        "    egress[0]: to [0] pods with pod=zzz in namespace y (the policy's own), on every "
        "port and protocol\n"
        "      [0] matches: nothing in the input\n"
    )


def test_render_matrix() -> None:
    c = _cluster(policy("x/deny-in", sel({"pod": "a"})))
    text = render_matrix(compute_matrix(c, [ProtocolPort(80), ProtocolPort(53, Protocol.UDP)]))
    block = (
        "  (row: source, column: destination)\n"
        "     0 1 2 3\n"
        "x/a  . . . .   [0]\n"
        "x/b  X . . .   [1]\n"
        "x/h  X . . .   [2]\n"
        "y/a  X . . .   [3]\n"
        "  . allowed   X denied\n"
    )
    assert text == "80/TCP" + block + "\n" + "53/UDP" + block


def test_render_diagnostics() -> None:
    diagnostics = [
        Diagnostic("a.yaml", 2, Severity.ERROR, "bad", "NetworkPolicy x/p", "spec.podSelector"),
        Diagnostic("a.yaml", 0, Severity.WARNING, "empty file"),
    ]
    assert render_diagnostics(diagnostics) == (
        "a.yaml:2 error: NetworkPolicy x/p spec.podSelector: bad\na.yaml warning: empty file\n"
    )
    assert render_diagnostics([]) == ""


def test_every_peer_miss_has_words() -> None:
    ref = RuleRef("x/p", Direction.EGRESS, 0)
    texts = {near_miss_text(NearMiss(ref, Miss.PEER, (p,))) for p in PeerMiss}
    assert len(texts) == len(PeerMiss)
    assert all(t.startswith("the port matched, the peer did not: to[0]: ") for t in texts)


def _ip_account(block: Peer, cluster: Cluster) -> str:
    pol = policy("x/p", sel({"pod": "a"}), ingress=[rule(block)])
    c = Cluster(cluster.namespaces, cluster.endpoints, (pol,))
    return render_account(account_policy(Engine(c), pol))


@pytest.mark.parametrize(
    ("block", "matches"),
    [
        (
            ip_peer("203.0.113.0/24"),
            "addresses 203.0.113.0/24 (parties outside the cluster with those addresses; no pod "
            "of the input has one)",
        ),
        (
            ip_peer("10.0.0.0/8", "10.0.2.0/24"),
            "addresses 10.0.0.0/8 except 10.0.2.0/24 (parties outside the cluster with those "
            "addresses, and the pods of the input with one: x/a, x/b)",
        ),
        (
            ip_peer("10.0.0.0/24", "10.0.0.0/25", "10.0.0.128/25"),
            "no address at all: its except entries cover the cidr",
        ),
    ],
)
def test_an_ip_block_peer_says_its_range(block: Peer, matches: str) -> None:
    cluster = Cluster(
        endpoints=(
            pod("x/a", {"pod": "a"}, ips=["10.0.1.1"]),
            pod("x/b", {"pod": "b"}, ips=["10.0.1.2"]),
            pod("y/a", {"pod": "a"}, ips=["10.0.2.1"]),
        )
    )
    assert f"      [0] matches: {matches}\n" in _ip_account(block, cluster)


def test_explain_without_policies_says_every_pod_is_open() -> None:
    assert render_accounts([]) == (
        "No NetworkPolicy in the input: every pod is open. Nothing isolates any pod, so each "
        "accepts connections from everywhere and can reach everything, on every port.\n"
    )

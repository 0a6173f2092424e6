"""Verdicts carry their reasons: who isolates, which rules allow, which rules came close.

STYLE.md lesson 6: a verdict says, per direction, whether the party is isolated and which exact
rule allowed it, or which policies selected it and why none allowed. These tests compare whole
`DirectionVerdict` values, so a missing or extra reason fails.
"""

from __future__ import annotations

import pytest

from engine.builders import (
    EGRESS,
    evaluate,
    ip_peer,
    named,
    peer,
    policy,
    rule,
    sel,
    standard_cluster,
    tcp,
    udp,
)
from podfence.engine import DirectionVerdict, Engine, Miss, NearMiss, PeerMiss, Reason
from podfence.model import (
    Connection,
    Direction,
    External,
    NetworkPolicy,
    Peer,
    Protocol,
    Rule,
    RuleRef,
    parse_ip,
)

IN, EG = Direction.INGRESS, Direction.EGRESS


def ref(
    policy_key: str,
    direction: Direction = IN,
    rule_index: int | None = None,
    peer_index: int | None = None,
    port_index: int | None = None,
) -> RuleRef:
    return RuleRef(policy_key, direction, rule_index, peer_index, port_index)


# x/b on TCP 80 only.
B_ON_80 = policy(
    "x/b-80", sel({"pod": "a"}), ingress=[rule(peer(sel({"pod": "b"})), ports=[tcp(80)])]
)

NEAR_MISSES = [
    # The peer matched, the port did not.
    pytest.param(
        (B_ON_80,),
        "x/b",
        81,
        Protocol.TCP,
        (NearMiss(ref("x/b-80", IN, 0), Miss.PORT),),
        id="port-miss-other-number",
    ),
    pytest.param(
        (B_ON_80,),
        "x/b",
        80,
        Protocol.UDP,
        (NearMiss(ref("x/b-80", IN, 0), Miss.PORT),),
        id="port-miss-other-protocol",
    ),
    # The port matched, the peer did not.
    pytest.param(
        (B_ON_80,),
        "x/c",
        80,
        Protocol.TCP,
        (NearMiss(ref("x/b-80", IN, 0), Miss.PEER, (PeerMiss.POD_LABELS,)),),
        id="peer-miss",
    ),
    # Neither matched: not a near miss at all.
    pytest.param((B_ON_80,), "x/c", 81, Protocol.TCP, (), id="neither-is-no-near-miss"),
    # The peer matched; a named port of the rule is not defined on the destination.
    pytest.param(
        (policy("x/named", sel({"pod": "a"}), ingress=[rule(ports=[named("metrics")])]),),
        "y/a",
        9090,
        Protocol.TCP,
        (NearMiss(ref("x/named", IN, 0), Miss.NAMED_PORT),),
        id="named-port-miss",
    ),
    # A policy without rules for the direction only isolates.
    pytest.param(
        (policy("x/deny", sel({"pod": "a"})),),
        "y/a",
        80,
        Protocol.TCP,
        (NearMiss(ref("x/deny"), Miss.NO_RULES),),
        id="no-rules",
    ),
    # Misses of every selecting policy and rule, in order.
    pytest.param(
        (
            policy("x/deny", sel({"pod": "a"})),
            B_ON_80,
            policy(
                "x/two",
                sel({"pod": "a"}),
                ingress=[
                    rule(ip_peer("10.0.3.0/24")),
                    rule(peer(sel({"pod": "c"})), ports=[tcp(443)]),
                ],
            ),
        ),
        "x/c",
        80,
        Protocol.TCP,
        (
            NearMiss(ref("x/deny"), Miss.NO_RULES),
            NearMiss(ref("x/b-80", IN, 0), Miss.PEER, (PeerMiss.POD_LABELS,)),
            NearMiss(ref("x/two", IN, 0), Miss.PEER, (PeerMiss.OUTSIDE_BLOCK,)),
            NearMiss(ref("x/two", IN, 1), Miss.PORT),
        ),
        id="every-miss-in-order",
    ),
]


@pytest.mark.parametrize(("policies", "src", "port", "protocol", "expected"), NEAR_MISSES)
def test_near_misses(
    policies: tuple[NetworkPolicy, ...],
    src: str,
    port: int,
    protocol: Protocol,
    expected: tuple[NearMiss, ...],
) -> None:
    verdict = evaluate(standard_cluster(*policies), src, "x/a", port, protocol)
    assert verdict.ingress == DirectionVerdict(
        IN,
        "x/a",
        allowed=False,
        reason=Reason.DENIED,
        isolated=True,
        selected_by=tuple(p.key for p in policies),
        allowed_by=(),
        near_misses=expected,
    )


# Why a peer did not match, one row per reason: the peers of one rule of x/a's ingress
# policy (on TCP 80), the source, the family (None: by name), and the reason per peer.
PEER_MISSES = [
    pytest.param([peer(sel({"pod": "b"}))], "10.9.9.9", None, [PeerMiss.NOT_A_POD], id="not-a-pod"),
    pytest.param(
        [peer(sel({"pod": "a"}), sel())], "x/hostnet", None, [PeerMiss.HOST_NETWORK], id="hostnet"
    ),
    # a podSelector alone: the policy's namespace only (upstream: NetworkPolicyPeer docs)
    pytest.param([peer(sel({"pod": "b"}))], "y/b", None, [PeerMiss.OTHER_NAMESPACE], id="own-ns"),
    pytest.param(
        [peer(None, sel({"team": "green"}))],
        "y/a",
        None,
        [PeerMiss.NAMESPACE_SELECTS_NONE],
        id="namespace-selects-none",
    ),
    pytest.param(
        [peer(None, sel({"team": "blue"}))],
        "z/a",
        None,
        [PeerMiss.NAMESPACE_NOT_SELECTED],
        id="namespace-not-selected",
    ),
    pytest.param(
        [peer(sel({"pod": "b"}), sel({"team": "blue"}))],
        "y/a",
        None,
        [PeerMiss.POD_LABELS],
        id="pod-labels",
    ),
    # an ipBlock matches the packet's address: x/hostnet has no IPv6 one
    pytest.param([ip_peer("::/0")], "x/hostnet", 6, [PeerMiss.NO_ADDRESS], id="no-address"),
    pytest.param([ip_peer("10.0.2.0/24")], "z/a", None, [PeerMiss.OUTSIDE_BLOCK], id="outside"),
    pytest.param(
        [ip_peer("10.0.0.0/16", "10.0.3.0/24")], "z/a", 4, [PeerMiss.EXCEPTED], id="excepted"
    ),
    pytest.param(
        [peer(sel({"pod": "b"})), ip_peer("10.0.2.0/24")],
        "z/a",
        4,
        [PeerMiss.OTHER_NAMESPACE, PeerMiss.OUTSIDE_BLOCK],
        id="one-reason-per-peer-in-order",
    ),
]


@pytest.mark.parametrize(("peers", "src", "family", "expected"), PEER_MISSES)
def test_peer_misses_say_why_each_peer_did_not_match(
    peers: list[Peer], src: str, family: int | None, expected: list[PeerMiss]
) -> None:
    pol = policy("x/p", sel({"pod": "a"}), ingress=[rule(*peers, ports=[tcp(80)])])
    verdict = evaluate(standard_cluster(pol), src, "x/a", 80, Protocol.TCP, family)
    assert verdict.ingress.near_misses == (NearMiss(ref("x/p", IN, 0), Miss.PEER, tuple(expected)),)


def test_allowed_by_lists_every_allowing_rule_and_no_near_misses() -> None:
    policies = (
        policy(
            "x/p1",
            sel({"pod": "a"}),
            ingress=[
                Rule(),
                rule(peer(sel({"pod": "c"}))),  # misses: not reported once allowed
                rule(peer(sel({"pod": "c"})), peer(sel({"pod": "b"})), ports=[udp(53), tcp(80)]),
            ],
        ),
        policy("x/p2", sel({"pod": "a"}), ingress=[rule(peer(namespaces=sel({"team": "red"})))]),
        policy("x/p3", sel({"pod": "a"})),  # deny-all: selects, never allows
    )
    verdict = evaluate(standard_cluster(*policies), "x/b", "x/a", 80, Protocol.TCP)
    assert verdict.ingress == DirectionVerdict(
        IN,
        "x/a",
        allowed=True,
        reason=Reason.ALLOWED_BY_RULE,
        isolated=True,
        selected_by=("x/p1", "x/p2", "x/p3"),
        allowed_by=(
            ref("x/p1", IN, 0),
            ref("x/p1", IN, 2, 1, 1),
            ref("x/p2", IN, 0, 0),
        ),
        near_misses=(),
    )
    assert [str(r) for r in verdict.ingress.allowed_by] == [
        "x/p1 ingress[0]",
        "x/p1 ingress[2].from[1] ports[1]",
        "x/p2 ingress[0].from[0]",
    ]


def test_selected_by_only_policies_of_the_direction_and_namespace() -> None:
    policies = (
        policy("x/all-in", ingress=[Rule()]),
        policy("x/for-c", sel({"pod": "c"})),  # other pod
        policy("y/all", egress=[]),  # other namespace, same labels exist there
        policy("x/a-out", sel({"pod": "a"}), egress=[Rule()], types=EGRESS),  # other direction
        policy("x/a-in", sel({"pod": "a"}), ingress=[rule(ports=[tcp(443)])]),
    )
    verdict = evaluate(standard_cluster(*policies), "x/a", "x/b", 80, Protocol.TCP)
    assert verdict.egress == DirectionVerdict(
        EG,
        "x/a",
        allowed=True,
        reason=Reason.ALLOWED_BY_RULE,
        isolated=True,
        selected_by=("x/a-out",),
        allowed_by=(ref("x/a-out", EG, 0),),
    )
    assert verdict.ingress == DirectionVerdict(
        IN,
        "x/b",
        allowed=True,
        reason=Reason.ALLOWED_BY_RULE,
        isolated=True,
        selected_by=("x/all-in",),
        allowed_by=(ref("x/all-in", IN, 0),),
    )
    reverse = evaluate(standard_cluster(*policies), "x/b", "x/a", 80, Protocol.TCP)
    assert reverse.ingress.selected_by == ("x/all-in", "x/a-in")
    assert reverse.ingress.allowed_by == (ref("x/all-in", IN, 0),)


@pytest.mark.parametrize(
    ("src", "dst", "egress", "ingress"),
    [
        pytest.param(
            "x/a",
            "x/a",
            DirectionVerdict(EG, "x/a", True, Reason.SELF),
            DirectionVerdict(IN, "x/a", True, Reason.SELF),
            id="self",
        ),
        pytest.param(
            "203.0.113.1",
            "y/a",
            DirectionVerdict(EG, "203.0.113.1", True, Reason.OUTSIDE),
            DirectionVerdict(IN, "y/a", True, Reason.NOT_ISOLATED),
            id="outside-source-unisolated-destination",
        ),
        pytest.param(
            "y/a",
            "2001:db8::1",
            DirectionVerdict(EG, "y/a", True, Reason.NOT_ISOLATED),
            DirectionVerdict(IN, "2001:db8::1", True, Reason.OUTSIDE),
            id="unisolated-source-outside-destination",
        ),
        pytest.param(
            "x/hostnet",
            "x/b",
            DirectionVerdict(EG, "x/hostnet", True, Reason.HOST_NETWORK),
            DirectionVerdict(
                IN,
                "x/b",
                False,
                Reason.DENIED,
                True,
                ("x/deny-all",),
                (),
                (NearMiss(ref("x/deny-all"), Miss.NO_RULES),),
            ),
            id="hostnetwork-source-isolated-destination",
        ),
    ],
)
def test_unisolated_reasons(
    src: str, dst: str, egress: DirectionVerdict, ingress: DirectionVerdict
) -> None:
    """Not isolated, self, outside and hostNetwork sides: no selected_by, no rules."""
    c = standard_cluster(policy("x/deny-all", egress=[]))
    verdict = evaluate(c, src, dst, 80)
    assert (verdict.egress, verdict.ingress) == (egress, ingress)


def test_verdict_needs_both_sides() -> None:
    c = standard_cluster(policy("x/deny-in", sel({"pod": "a"})))
    verdict = evaluate(c, "x/b", "x/a", 80)
    assert verdict.egress.allowed
    assert not verdict.ingress.allowed
    assert not verdict.allowed


def test_selecting_and_isolation_queries() -> None:
    deny_in = policy("x/deny-in", sel({"pod": "a"}))
    c = standard_cluster(deny_in, policy("x/out", egress=[], types=EGRESS))
    engine = Engine(c)
    xa, xb, host = c.endpoint("x/a"), c.endpoint("x/b"), c.endpoint("x/hostnet")
    assert xa is not None and xb is not None and host is not None
    assert [p.key for p in engine.selecting(xa, IN)] == ["x/deny-in"]
    assert [p.key for p in engine.selecting(xa, EG)] == ["x/out"]
    assert engine.selecting(xb, IN) == ()
    assert engine.is_isolated(xa, IN)
    assert not engine.is_isolated(xb, IN)
    assert engine.is_isolated(xb, EG)
    # hostNetwork: never selected, even though its labels (pod=a) match.
    assert engine.selecting(host, IN) == ()
    assert not engine.is_isolated(host, EG)


def test_allowed_agrees_with_evaluate_for_outside_addresses() -> None:
    c = standard_cluster(policy("x/deny-all", egress=[]))
    engine = Engine(c)
    outside = External(parse_ip("203.0.113.1"))
    xa = c.endpoint("x/a")
    assert xa is not None
    for connection in (
        Connection(outside, xa, 80, Protocol.TCP),
        Connection(xa, outside, 80, Protocol.TCP),
        Connection(outside, outside, 80, Protocol.TCP),
    ):
        assert engine.allowed(connection) == engine.evaluate(connection).allowed
    assert engine.evaluate(Connection(outside, outside, 80, Protocol.TCP)).allowed

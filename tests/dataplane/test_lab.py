"""The lab on small clusters: the kernel enforces what the reference says, cell by cell."""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator

import pytest

from podfence.dataplane.lab import Lab, LabError, Outcome
from podfence.dataplane.lab.netns import open_netns, socket_in
from podfence.dataplane.nft import ApplyError, list_table
from podfence.dataplane.run import CommandError, SubprocessRunner
from podfence.model import Cluster, Protocol, ProtocolPort

from .builders import (
    BOTH,
    EGRESS,
    INGRESS,
    TCP,
    UDP,
    cluster,
    ns,
    peer,
    pod,
    policy,
    port,
    rule,
    sel,
)
from .cases import CASES, shop
from .conftest import podfence_netns
from .labtools import assert_kernel_matches_reference, lab_name

pytestmark = pytest.mark.netns

P80, P8080 = ProtocolPort(80), ProtocolPort(8080)
U5353, U53 = ProtocolPort(5353, Protocol.UDP), ProtocolPort(53, Protocol.UDP)

LabFactory = Callable[..., Lab]


@pytest.fixture
def make_lab() -> Iterator[LabFactory]:
    labs: list[Lab] = []

    def make(c: Cluster, tag: str, **kwargs: object) -> Lab:
        lab = Lab.up(c, name=lab_name(tag), **kwargs)  # type: ignore[arg-type]
        labs.append(lab)
        return lab

    yield make
    for lab in labs:
        lab.down()


def _allowed(result: object, src: str, dst: str, p: ProtocolPort) -> bool:
    return result.outcome(src, dst, p).allowed  # type: ignore[attr-defined, no-any-return]


def test_default_deny(make_lab: LabFactory) -> None:
    c = CASES["default_deny"]()
    lab = make_lab(c, "deny")
    result = assert_kernel_matches_reference(lab, c, [P80, P8080, U5353])
    assert not _allowed(result, "shop/frontend", "shop/backend", P8080)
    assert not _allowed(result, "ext/client", "shop/db", P80)
    assert _allowed(result, "shop/db", "shop/db", P80)  # a pod to itself


def test_allow_frontend_to_backend_8080(make_lab: LabFactory) -> None:
    base = shop()
    c = cluster(
        base.namespaces,
        base.endpoints,
        [
            policy("shop/deny-ingress", sel(), INGRESS),
            policy(
                "shop/allow",
                sel(app="backend"),
                INGRESS,
                ingress=[rule([peer(sel(app="frontend"))], [port(TCP, 8080)])],
            ),
        ],
    )
    lab = make_lab(c, "allow")
    result = assert_kernel_matches_reference(lab, c, [P80, P8080])
    assert _allowed(result, "shop/frontend", "shop/backend", P8080)
    assert not _allowed(result, "shop/frontend", "shop/backend", P80)
    assert not _allowed(result, "ext/client", "shop/backend", P8080)
    assert _allowed(result, "shop/backend", "ext/client", P80)  # egress not isolated


def test_ipblock_except_with_pod_ips(make_lab: LabFactory) -> None:
    c = CASES["ipblock_v4"]()
    lab = make_lab(c, "cidr")
    result = assert_kernel_matches_reference(lab, c, [P8080])
    assert _allowed(result, "shop/frontend", "shop/backend", P8080)
    assert not _allowed(result, "shop/db", "shop/backend", P8080)  # excepted /32
    assert not _allowed(result, "ext/client", "shop/backend", P8080)  # excepted /24


def test_named_ports_and_udp(make_lab: LabFactory) -> None:
    c = CASES["named_ports"]()
    lab = make_lab(c, "named")
    p5432 = ProtocolPort(5432)
    result = assert_kernel_matches_reference(lab, c, [P8080, p5432, U5353, ProtocolPort(8080, UDP)])
    assert _allowed(result, "shop/frontend", "shop/backend", P8080)
    assert not _allowed(result, "shop/frontend", "shop/backend", U5353)  # egress: http, pg
    assert _allowed(result, "shop/frontend", "shop/db", p5432)
    assert not _allowed(result, "shop/frontend", "shop/db", P8080)  # http is not db's
    assert not _allowed(result, "shop/db", "shop/backend", U5353)


def test_udp_only_rule(make_lab: LabFactory) -> None:
    base = shop()
    c = cluster(
        base.namespaces,
        base.endpoints,
        [
            policy(
                "shop/dns-only", sel(app="frontend"), EGRESS, egress=[rule(ports=[port(UDP, 53)])]
            )
        ],
    )
    lab = make_lab(c, "udp")
    result = assert_kernel_matches_reference(lab, c, [U53, ProtocolPort(53), P80])
    assert _allowed(result, "shop/frontend", "ext/client", U53)
    assert not _allowed(result, "shop/frontend", "ext/client", ProtocolPort(53))


def test_ipv6_ipblock_except(make_lab: LabFactory) -> None:
    c = CASES["ipblock_v6"]()
    lab = make_lab(c, "v6")
    result = assert_kernel_matches_reference(lab, c, [P80])
    assert _allowed(result, "v6/a", "v6/b", P80)
    assert not _allowed(result, "v6/c", "v6/b", P80)  # excepted
    assert _allowed(result, "v6/b", "v6/c", P80)  # fd00:10::3 is in the /120
    assert not _allowed(result, "v6/b", "v6/a", P80)  # fd00:10::1 excepted


def test_end_port_and_every_port(make_lab: LabFactory) -> None:
    c = CASES["end_port"]()
    lab = make_lab(c, "range")
    assert_kernel_matches_reference(
        lab, c, [ProtocolPort(8000), ProtocolPort(8100), ProtocolPort(8101)]
    )


def test_and_or_peers_and_namespace_selector(make_lab: LabFactory) -> None:
    for case in ("and_or_peers", "namespace_selector"):
        c = CASES[case]()
        lab = make_lab(c, case.split("_")[0])
        assert_kernel_matches_reference(lab, c, [ProtocolPort(5432), P80])


def dns_cluster(*, tcp: bool) -> Cluster:
    ports = [port(UDP, 53)] + ([port(TCP, 53)] if tcp else [])
    return cluster(
        [ns("default"), ns("kube-system")],
        [
            pod("default/app", {"app": "app"}),
            pod(
                "kube-system/coredns",
                {"k8s-app": "kube-dns"},
                ports=[(53, UDP, "dns"), (53, TCP, "dns-tcp")],
            ),
        ],
        [
            policy(
                "default/only-dns",
                sel(),
                EGRESS,
                egress=[rule([peer(sel(**{"k8s-app": "kube-dns"}), sel())], ports)],
            )
        ],
    )


def test_dns_over_udp_and_tcp(make_lab: LabFactory) -> None:
    lab = make_lab(dns_cluster(tcp=False), "dns")
    rows = {r.endpoint: r for r in lab.probe_dns(timeout=0.5).rows}
    assert rows["default/app"].udp_ok and not rows["default/app"].tcp_ok
    assert rows["kube-system/coredns"].udp_ok and rows["kube-system/coredns"].tcp_ok
    lab.apply(dns_cluster(tcp=True))
    rows = {r.endpoint: r for r in lab.probe_dns(timeout=0.5).rows}
    assert rows["default/app"].udp_ok and rows["default/app"].tcp_ok


def _echo(conn: socket.socket) -> bytes:
    conn.sendall(b"still here")
    return conn.recv(100)


def test_apply_keeps_established_connections(make_lab: LabFactory) -> None:
    """Replies of an allowed connection pass even after a policy that would deny it
    (conntrack; upstream leaves existing connections to the implementation)."""
    lab = make_lab(shop(), "keep", serve=[P8080])
    frontend, backend = lab.state.pod("shop/frontend"), lab.state.pod("shop/backend")
    assert frontend is not None and backend is not None
    fd = open_netns(frontend.netns)
    try:
        conn = socket_in(fd, socket.AF_INET, socket.SOCK_STREAM)
    finally:
        import os

        os.close(fd)
    with conn:
        conn.settimeout(2.0)
        conn.connect((str(backend.ips[0]), 8080))
        assert _echo(conn) == b"still here"
        lab.apply(CASES["default_deny"]())
        assert _echo(conn) == b"still here"
        lab.apply(shop())
        assert _echo(conn) == b"still here"
        lab.apply(CASES["default_deny"]())
        fresh = lab.probe([P8080], timeout=0.3)
        assert not _allowed(fresh, "shop/frontend", "shop/backend", P8080)
        assert _echo(conn) == b"still here"


def test_failed_apply_leaves_the_old_ruleset(make_lab: LabFactory) -> None:
    c = CASES["default_deny"]()
    lab = make_lab(c, "broken")
    before = list_table(lab.state.node_netns)
    assert "chain ingress-shop" in before
    broken = "table inet podfence\ndelete table inet podfence\n"
    broken += "table inet podfence {\n  chain x { bogus }\n}\n"
    with pytest.raises(ApplyError, match="nft -c rejected"):
        lab.apply_text(broken)
    assert list_table(lab.state.node_netns) == before
    assert_kernel_matches_reference(lab, c, [P8080])


def test_apply_refuses_unknown_endpoints(make_lab: LabFactory) -> None:
    lab = make_lab(shop(), "unknown")
    other = cluster([ns("shop")], [pod("shop/newcomer")], [])
    with pytest.raises(LabError, match="shop/newcomer is not in lab"):
        lab.apply(other)


class _FailingRunner(SubprocessRunner):
    """Fails the node-side routing batch, after namespaces and veths exist."""

    def run(self, argv, *, input=None, check=True):  # type: ignore[no-untyped-def]
        if "-batch" in argv and argv[2].endswith("-node"):
            raise CommandError(argv, 1, "injected failure")
        return super().run(argv, input=input, check=check)


def test_failed_up_removes_everything() -> None:
    name = lab_name("fail")
    with pytest.raises(CommandError, match="injected failure"):
        Lab.up(shop(), name=name, runner=_FailingRunner())
    assert not [n for n in podfence_netns() if n.startswith(f"podfence-{name}-")]
    from podfence.dataplane.lab.state import lab_dir

    assert not lab_dir(name).exists()


def test_second_lab_with_the_same_name_is_refused(make_lab: LabFactory) -> None:
    lab = make_lab(shop(), "twice")
    with pytest.raises(LabError, match="already exists"):
        Lab.up(shop(), name=lab.state.name)
    assert Lab.attach(lab.state.name).state.status == "up"


def test_both_types_policy_on_hostnetwork_peer(make_lab: LabFactory) -> None:
    base = shop()
    c = cluster(
        base.namespaces,
        [*base.endpoints, pod("ext/node-agent", {"app": "frontend"}, host_network=True)],
        [
            policy(
                "shop/p",
                sel(),
                BOTH,
                ingress=[rule([peer(sel(app="frontend"), sel())])],
                egress=[rule([peer(sel(), sel())])],
            )
        ],
    )
    lab = make_lab(c, "hostnet")
    result = assert_kernel_matches_reference(lab, c, [P80])
    assert not _allowed(result, "ext/node-agent", "shop/backend", P80)
    assert _allowed(result, "shop/frontend", "shop/backend", P80)


def test_dual_stack_pod_and_ipv4_block_issue_9(make_lab: LabFactory) -> None:
    """Issue 9: the dual-stack client may reach the dual-stack server over IPv4 (its
    address is in the block) but not over IPv6 (the kernel matches the packet's address);
    the cell, asked by name, is denied because one family denies."""
    c = CASES["dual_stack_ipblock"]()
    lab = make_lab(c, "dual")
    result = assert_kernel_matches_reference(lab, c, [P80])
    cell = result.cell("net/client", "net/server", P80)
    assert cell is not None
    assert [(v, o.allowed) for v, o in cell.by_family] == [(4, True), (6, False)]
    assert cell.family(6) is Outcome.TIMEOUT
    assert not _allowed(result, "net/client", "net/server", P80)
    back = result.cell("net/server", "net/client", P80)  # the server is not isolated
    assert back is not None and [(v, o.allowed) for v, o in back.by_family] == [
        (4, True),
        (6, True),
    ]


def test_duplicate_port_names_across_containers(make_lab: LabFactory) -> None:
    """Two containers both name TCP 8080 and 9090 `http`: `port: http` allows both."""
    c = CASES["duplicate_port_names"]()
    lab = make_lab(c, "dupnames")
    p9090, p7070, u7070 = ProtocolPort(9090), ProtocolPort(7070), ProtocolPort(7070, UDP)
    result = assert_kernel_matches_reference(lab, c, [P8080, p9090, p7070, u7070])
    assert _allowed(result, "a/client", "a/web", P8080)
    assert _allowed(result, "a/client", "a/web", p9090)
    assert not _allowed(result, "a/client", "a/web", u7070)
    assert not _allowed(result, "a/client", "a/web", p7070)

"""Named ports in questions (`--port http`): resolved on the destination, per protocol.

Upstream: a named port means the port a pod's container gives that name (Kubernetes API
reference, NetworkPolicyPort.port and ContainerPort.name); port names are unique within one
container only, so two containers of a pod may give one name two numbers, and a name is
defined per protocol.
"""

from __future__ import annotations

import textwrap

import pytest
from click.testing import CliRunner

from podfence.analysis.matrix import class_matrix
from podfence.analysis.named_ports import (
    NamedPort,
    ask,
    named_matrix,
    numbers_needed,
    numbers_of,
    parse_query_port,
    query_matrix,
    resolver,
)
from podfence.cli.main import cli
from podfence.engine import Engine
from podfence.engine.classes import ClassEngine
from podfence.load import load_texts
from podfence.model import Cluster, External, Protocol, ProtocolPort

CLUSTER = """\
apiVersion: v1
kind: Namespace
metadata: {name: shop}
---
apiVersion: v1
kind: Pod
metadata: {name: client, namespace: shop, labels: {app: client}}
spec: {containers: [{name: c}]}
---
apiVersion: v1
kind: Pod
metadata: {name: web, namespace: shop, labels: {app: web}}
spec:
  containers:
  - name: web
    ports:
    - {name: http, containerPort: 8080}
    - {name: dns, containerPort: 53, protocol: UDP}
---
apiVersion: v1
kind: Pod
metadata: {name: twin, namespace: shop, labels: {app: twin}}
spec:
  containers:  # two containers, one name, two numbers
  - name: a
    ports: [{name: http, containerPort: 8080}]
  - name: b
    ports: [{name: http, containerPort: 9090}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web-http, namespace: shop}
spec:
  podSelector: {}
  ingress:
  - from: [{podSelector: {matchLabels: {app: client}}}]
    ports: [{port: 8080}]
"""


def cluster() -> Cluster:
    result = load_texts([("shop.yaml", CLUSTER)])
    assert result.cluster is not None, result.diagnostics
    return result.cluster


PARSE = {
    "number": ("80", ProtocolPort(80)),
    "number-udp": ("53/udp", ProtocolPort(53, Protocol.UDP)),
    "name": ("http", NamedPort("http")),
    "name-udp": ("dns/UDP", NamedPort("dns", Protocol.UDP)),
    "name-sctp-lowercase": ("sig/sctp", NamedPort("sig", Protocol.SCTP)),
}


@pytest.mark.parametrize(("text", "port"), PARSE.values(), ids=PARSE.keys())
def test_parse(text: str, port: object) -> None:
    assert parse_query_port(text) == port


BAD = {
    "upper-case": ("HTTP", "invalid port name 'HTTP': must contain only alpha-numeric"),
    "too-long": ("a-very-long-port-name", "invalid port name 'a-very-long-port-name': must be"),
    "double-hyphen": ("a--b", "must not contain consecutive hyphens"),
    "protocol": ("http/ICMP", "invalid protocol in 'http/ICMP'"),
    "number-range": ("70000", "must be between 1 and 65535"),
    "empty": ("", "invalid port ''"),
}


@pytest.mark.parametrize(("text", "message"), BAD.values(), ids=BAD.keys())
def test_bad_ports(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message.replace("(", r"\(")):
        parse_query_port(text)


NUMBERS = {
    "web-http": ("shop/web", NamedPort("http"), (8080,)),
    "web-dns-udp": ("shop/web", NamedPort("dns", Protocol.UDP), (53,)),
    "web-dns-is-not-tcp": ("shop/web", NamedPort("dns"), ()),
    "twin-two-numbers": ("shop/twin", NamedPort("http"), (8080, 9090)),
    "client-none": ("shop/client", NamedPort("http"), ()),
    "a-number-is-itself": ("shop/client", ProtocolPort(443), (443,)),
}


@pytest.mark.parametrize(("dst", "port", "numbers"), NUMBERS.values(), ids=NUMBERS.keys())
def test_numbers_of(dst: str, port: NamedPort | ProtocolPort, numbers: tuple[int, ...]) -> None:
    endpoint = cluster().endpoint(dst)
    assert endpoint is not None
    assert numbers_of(endpoint, port) == numbers


def test_outside_the_cluster_no_name_is_defined() -> None:
    import ipaddress

    assert numbers_of(External(ipaddress.ip_address("10.0.0.1")), NamedPort("http")) == ()


ASK = {
    # client -> web: http is 8080, which the policy allows from the client
    "allowed": ("shop/client", "shop/web", NamedPort("http"), (8080,), True),
    # twin's http is 8080 and 9090: 9090 is not allowed, so the name is not
    "one-of-two-denied": ("shop/client", "shop/twin", NamedPort("http"), (8080, 9090), False),
    # web defines no TCP port named dns: no such port, denied, no verdict
    "undefined": ("shop/client", "shop/web", NamedPort("dns"), (), False),
}


@pytest.mark.parametrize(("src", "dst", "port", "numbers", "allowed"), ASK.values(), ids=ASK.keys())
def test_ask(src: str, dst: str, port: NamedPort, numbers: tuple[int, ...], allowed: bool) -> None:
    c = cluster()
    s, d = c.endpoint(src), c.endpoint(dst)
    assert s is not None and d is not None
    query = ask(Engine(c), s, d, port)
    assert query.numbers == numbers
    assert query.allowed is allowed


def test_matrix_resolves_per_destination_column() -> None:
    c = cluster()
    ports = [NamedPort("http"), ProtocolPort(8080)]
    resolve = resolver(c.endpoints)
    needed = numbers_needed(ports, resolve)
    assert needed == [ProtocolPort(8080), ProtocolPort(9090)]
    grid = query_matrix(ports, class_matrix(ClassEngine(c), needed), resolve)
    ids = list(grid.endpoints)
    assert ids == ["shop/client", "shop/twin", "shop/web"]
    named = grid.matrices[0]
    assert named.resolved == ((), (8080, 9090), (8080,))  # type: ignore[union-attr]
    client = ids.index("shop/client")
    # client defines no http: its whole column is denied, its own cell too
    assert [row[client] for row in named.allowed] == [False, False, False]
    assert named.allowed[client] == (False, False, True)  # twin: 9090 is not allowed
    assert grid.matrices[1].port == 8080  # a number is the engine's grid itself


def test_named_matrix_combines_the_numbers_grids() -> None:
    c = cluster()
    by_number = class_matrix(ClassEngine(c), [ProtocolPort(8080), ProtocolPort(9090)])
    grid = named_matrix(NamedPort("http"), [(8080,), (8080, 9090), ()], by_number)
    assert grid.undefined == (2,)
    for i in range(3):
        assert grid.allowed[i][0] == by_number.matrices[0].allowed[i][0]
        assert grid.allowed[i][1] == (
            by_number.matrices[0].allowed[i][1] and by_number.matrices[1].allowed[i][1]
        )


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), input=CLUSTER, catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_can_with_a_named_port() -> None:
    code, out, _ = _run("can", "shop/client", "shop/web", "-p", "http", "-")
    assert code == 0
    assert out.splitlines()[:2] == [
        "shop/client -> shop/web http/TCP: ALLOWED (on shop/web the name means 8080)",
        "shop/client -> shop/web 8080/TCP: ALLOWED",
    ]


def test_can_with_a_named_port_the_destination_lacks() -> None:
    code, out, _ = _run("can", "shop/client", "shop/web", "--port", "dns/TCP", "-")
    assert code == 1
    assert out == (
        "shop/client -> shop/web dns/TCP: DENIED\n"
        "  shop/web has no container port named dns for TCP (it names dns/UDP, http/TCP)\n"
    )


def test_can_named_port_json() -> None:
    import json

    code, out, _ = _run("can", "shop/client", "shop/twin", "-p", "http", "-o", "json", "-")
    assert code == 1
    data = json.loads(out)
    assert (data["port"], data["protocol"], data["resolved"], data["allowed"]) == (
        "http",
        "TCP",
        [8080, 9090],
        False,
    )
    assert [v["allowed"] for v in data["verdicts"]] == [True, False]


def test_can_named_port_to_an_address_is_refused() -> None:
    code, _, err = _run("can", "shop/client", "10.0.0.1", "-p", "http", "-")
    assert code == 2
    assert "10.0.0.1 is outside the cluster: only pods define named ports" in err


def test_matrix_text_says_where_the_name_is_not_defined() -> None:
    code, out, _ = _run("matrix", "-p", "http", "-")
    assert code == 0
    assert out == textwrap.dedent(
        """\
        http/TCP (named port)  (row: source, column: destination)
                     0 1 2
        shop/client  X X .   [0]
        shop/twin    X . X   [1]
        shop/web     X X .   [2]
          . allowed   X denied
          http/TCP is 8080 on [2]; 8080, 9090 on [1]
          not defined on [0]: no such port there, so those columns are denied
        """
    )


def test_matrix_json_with_a_named_port() -> None:
    import json

    code, out, _ = _run("matrix", "-p", "http", "-p", "80", "-o", "json", "-")
    assert code == 0
    data = json.loads(out)
    assert [(m["port"], m.get("resolved")) for m in data["matrices"]] == [
        ("http", [[], [8080, 9090], [8080]]),
        (80, None),
    ]


def test_matrix_named_port_needs_the_ungrouped_view() -> None:
    code, _, err = _run("matrix", "-p", "http", "--group", "-")
    assert code == 2
    assert "a named port (http/TCP) is resolved on each destination pod" in err

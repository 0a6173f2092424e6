"""Three nodes, one agent each, a real API server: policies changed through the API are
enforced across nodes exactly as the engine says, through every failure the agent must
survive (a node before its agent syncs, the API server restarted, an agent SIGKILLed, a
policy podfence rejects, established connections across a table replacement).

Root, iproute2 and nft (marker `netns`) and $KUBEBUILDER_ASSETS. The tests of this module
run in order on one cluster; each sets the policies it needs first.
"""

from __future__ import annotations

import ipaddress
import json
import os
import socket
import subprocess
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from tests.support.kube import Plane

from podfence.analysis.matrix import Matrix, PortMatrix
from podfence.dataplane.lab.netns import open_netns, socket_in
from podfence.dataplane.verify import compare, engine_matrix
from podfence.kube import read_cluster
from podfence.load import load_texts
from podfence.model import ContainerPort, Endpoint, Namespace, Protocol, ProtocolPort
from podfence.model import frozen_labels as labels

from .agentproc import AgentProcess, wait_for
from .multinode import MultiNode, node_ip

pytestmark = pytest.mark.netns

NODES = ("n0", "n1", "n2")
PORTS = [
    ProtocolPort(80, Protocol.TCP),
    ProtocolPort(5432, Protocol.TCP),
    ProtocolPort(8080, Protocol.TCP),
]


@dataclass(frozen=True)
class PodSpec:
    namespace: str
    name: str
    node: int
    host: int
    labels: dict[str, str]
    ports: tuple[tuple[str, int], ...] = ()

    @property
    def id(self) -> str:
        return f"{self.namespace}/{self.name}"

    @property
    def ip(self) -> str:
        return node_ip(self.node, self.host)


PODS = (
    PodSpec("shop", "web-0", 0, 2, {"app": "web"}, (("http", 80),)),
    PodSpec("ops", "mon", 0, 3, {"app": "mon"}),
    PodSpec("shop", "db", 1, 2, {"app": "db"}, (("pg", 5432),)),
    PodSpec("shop", "web-1", 1, 3, {"app": "web"}, (("http", 80),)),
    PodSpec("shop", "api", 2, 2, {"app": "api"}, (("http", 8080),)),
    PodSpec("ops", "tool", 2, 3, {"app": "tool"}),
)
NAMESPACES = {"shop": {"team": "shop"}, "ops": {"team": "ops"}}


def _np(namespace: str, name: str, spec: dict[str, Any]) -> dict[str, Any]:
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": {"name": name, "namespace": namespace},
        "spec": spec,
    }


def _sel(**match: str) -> dict[str, Any]:
    return {"matchLabels": match}


DENY = _np("shop", "default-deny", {"podSelector": {}, "policyTypes": ["Ingress"]})
DB = _np(
    "shop",
    "db",
    {
        "podSelector": _sel(app="db"),
        "ingress": [
            {"from": [{"podSelector": _sel(app="web")}], "ports": [{"port": 5432}]},
            {"from": [{"namespaceSelector": _sel(team="ops")}], "ports": [{"port": "pg"}]},
        ],
    },
)
WEB = _np("shop", "web", {"podSelector": _sel(app="web"), "ingress": [{"ports": [{"port": 80}]}]})
TOOL = _np(
    "ops",
    "tool",
    {
        "podSelector": _sel(app="tool"),
        "policyTypes": ["Egress"],
        "egress": [
            {
                "to": [{"namespaceSelector": _sel(team="shop"), "podSelector": _sel(app="api")}],
                "ports": [{"port": "http"}],
            }
        ],
    },
)
MON = _np(
    "ops",
    "mon",
    {
        "podSelector": _sel(app="mon"),
        "policyTypes": ["Egress"],
        "egress": [{"to": [{"ipBlock": {"cidr": "10.244.2.0/24", "except": ["10.244.2.3/32"]}}]}],
    },
)
BAD = _np(
    "shop",
    "bad",
    {
        "podSelector": _sel(app="web"),
        "policyTypes": ["Egress"],
        "egress": [{"to": [{"ipBlock": {"cidr": "10.0.0.1/8"}}]}],
    },
)
"""Stored by the API server (Kubernetes 1.35, a warning), rejected by podfence judging as 1.36."""


def _endpoint(spec: PodSpec) -> Endpoint:
    ports = tuple(ContainerPort(p, Protocol.TCP, n) for n, p in spec.ports)
    return Endpoint(
        spec.namespace,
        spec.name,
        labels=labels(spec.labels),
        ports=ports,
        ips=(ipaddress.ip_address(spec.ip),),
    )


class Cluster3:
    """The API server, the lab, and one agent per node."""

    def __init__(self, plane: Plane, lab: MultiNode, logs: Path) -> None:
        self.plane, self.lab, self.logs = plane, lab, logs
        self.agents: dict[str, AgentProcess] = {}
        self.policies: dict[str, dict[str, Any]] = {}

    def start_agent(self, node: str, kubeconfig: Path | None = None, run: int = 0) -> AgentProcess:
        agent = AgentProcess(
            node,
            kubeconfig or self.plane.kubeconfig,
            self.logs / f"agent-{node}-{run}.log",
            netns=self.lab.node_netns(node),
            extra=("--watch-timeout", "60"),
        )
        self.agents[node] = agent.start()
        return agent

    def set_policies(self, *wanted: dict[str, Any]) -> None:
        """Exactly these policies (created, replaced or deleted through the API), then wait
        until every agent has applied them."""
        keys = {f"{p['metadata']['namespace']}/{p['metadata']['name']}" for p in wanted}
        version = 0
        for key in sorted(set(self.policies) - keys):
            namespace, name = key.split("/")
            reply = self.plane.kube.delete_policy(namespace, name)
            version = max(version, int(reply.get("metadata", {}).get("resourceVersion") or 0))
            del self.policies[key]
        for body in wanted:
            key = f"{body['metadata']['namespace']}/{body['metadata']['name']}"
            if self.policies.get(key) != body:
                stored = self.plane.kube.apply_policy(body)
                version = max(version, int(stored["metadata"]["resourceVersion"]))
                self.policies[key] = body
        self.wait_all("networkpolicies", version)

    def wait_all(self, resource: str, version: int) -> None:
        if version:
            for agent in self.agents.values():
                agent.wait_applied(resource, version)

    def expected(self, *, rejected: Sequence[str] = (), no_egress: Sequence[str] = ()) -> Matrix:
        """The engine's matrix for the cluster as `podfence --cluster` reads it from the API
        server, without the `rejected` policies; pods in `no_egress` open nothing."""
        read = read_cluster(kubeconfig=str(self.plane.kubeconfig), context=None, namespace=None)
        texts = [(name, _without(text, rejected)) for name, text in read.texts]
        result = load_texts(texts)
        assert result.cluster is not None, [str(d) for d in result.diagnostics]
        matrix = engine_matrix(result.cluster, PORTS)
        ids = list(matrix.endpoints)
        quiet = {ids.index(i) for i in no_egress}
        return Matrix(
            tuple(ids),
            tuple(
                PortMatrix(
                    m.port,
                    m.protocol,
                    tuple(
                        tuple(v and (i not in quiet or i == j) for j, v in enumerate(row))
                        for i, row in enumerate(m.allowed)
                    ),
                )
                for m in matrix.matrices
            ),
        )

    def assert_enforced(self, expected: Matrix) -> None:
        kernel = self.lab.probe(PORTS, timeout=0.5)
        found = compare(kernel, expected)
        doubtful = [d for d in found if d.kernel is False and d.engine is True]
        if doubtful:  # confirm with a patient probe before failing
            cells = [(d.source, d.destination, d.port) for d in doubtful]
            again = self.lab.probe_cells(cells, timeout=2.0)
            cleared = {c for c, o in zip(cells, again, strict=True) if o.allowed}
            found = [d for d in found if (d.source, d.destination, d.port) not in cleared]
        assert not found, "\n".join(str(d) for d in found)


def _without(text: str, keys: Sequence[str]) -> str:
    if not keys:
        return text
    doc = json.loads(text)
    doc["items"] = [
        i
        for i in doc["items"]
        if f"{i['metadata'].get('namespace')}/{i['metadata']['name']}" not in keys
    ]
    return json.dumps(doc)


@pytest.fixture(scope="module")
def cluster3(plane: Plane, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster3]:
    kube = plane.kube
    for ns, ns_labels in NAMESPACES.items():
        kube.namespace(ns, ns_labels)
    for node in NODES:
        kube.node(node)
    for spec in PODS:
        ports = [{"name": n, "containerPort": p} for n, p in spec.ports]
        kube.pod(
            spec.namespace,
            spec.name,
            node=NODES[spec.node],
            ip=spec.ip,
            labels=spec.labels,
            ports=ports,
        )
    placement = {node: [_endpoint(s) for s in PODS if s.node == k] for k, node in enumerate(NODES)}
    namespaces = [
        Namespace(n, labels({"kubernetes.io/metadata.name": n, **v})) for n, v in NAMESPACES.items()
    ]
    tag = f"agent{os.getpid() % 100000}"
    lab = MultiNode.up(tag, placement, namespaces, PORTS)
    state = Cluster3(plane, lab, tmp_path_factory.mktemp("agents"))
    try:
        yield state
    finally:
        for agent in state.agents.values():
            agent.stop()
        lab.down()


def test_before_its_first_sync_a_node_drops_every_new_connection(
    cluster3: Cluster3, tmp_path: Path
) -> None:
    """Pods that appear before the policies are known: no window without enforcement."""
    nowhere = tmp_path / "nowhere"
    config = json.loads(cluster3.plane.kubeconfig.read_text())
    config["clusters"][0]["cluster"]["server"] = "https://127.0.0.1:9"  # nothing listens
    nowhere.write_text(json.dumps(config))
    agent = cluster3.start_agent("n0", nowhere)
    try:
        wait_for(
            "the bootstrap table",
            lambda: "default deny" in cluster3.lab.nft("n0", "list", "table", "inet", "podfence"),
        )
        assert agent.get("/readyz")[0] == 503
        everything = cluster3.expected()
        n0 = {s.id for s in PODS if s.node == 0}
        closed = Matrix(
            everything.endpoints,
            tuple(
                PortMatrix(m.port, m.protocol, tuple(
                    tuple(i == j or (src not in n0 and dst not in n0)
                          for j, dst in enumerate(everything.endpoints))
                    for i, src in enumerate(everything.endpoints)
                ))
                for m in everything.matrices
            ),
        )  # fmt: skip
        cluster3.assert_enforced(closed)  # no policy yet: only n0's pods are cut off
    finally:
        agent.stop()
    assert "default deny" in cluster3.lab.nft("n0", "list", "table", "inet", "podfence")  # stays


def test_agents_enforce_policies_across_nodes(cluster3: Cluster3) -> None:
    foreign = "table inet other {\n\tchain c {\n\t\ttype filter hook forward priority 10;\n\t}\n}\n"
    for node in NODES:
        subprocess.run(
            ["ip", "netns", "exec", cluster3.lab.node_netns(node), "nft", "-f", "-"],
            input=foreign,
            text=True,
            check=True,
        )
    before = {node: cluster3.lab.nft(node, "list", "table", "inet", "other") for node in NODES}
    for node in NODES:
        cluster3.start_agent(node)
    for agent in cluster3.agents.values():
        wait_for(f"{agent.node} ready", agent.ready)
    n0_log = cluster3.agents["n0"].log_lines()
    assert "keeping the ruleset in force until synced" in [line["msg"] for line in n0_log]
    cluster3.assert_enforced(cluster3.expected())  # no policy: everything open
    cluster3.set_policies(DENY, DB, WEB, TOOL)
    cluster3.assert_enforced(cluster3.expected())
    cluster3.set_policies(DENY, replace_db(), TOOL, MON)
    cluster3.assert_enforced(cluster3.expected())
    assert {
        node: cluster3.lab.nft(node, "list", "table", "inet", "other") for node in NODES
    } == before


def replace_db() -> dict[str, Any]:
    spec = {
        **DB["spec"],
        "ingress": [{"from": [{"podSelector": _sel(app="api")}], "ports": [{"port": "pg"}]}],
    }
    return {**DB, "spec": spec}


def test_a_relabelled_pod_is_an_element_update(cluster3: Cluster3) -> None:
    cluster3.set_policies(DENY, DB, WEB, TOOL)
    kube = cluster3.plane.kube
    seen = len(cluster3.agents["n1"].log_lines())
    stored = kube.relabel_pod("shop", "api", {"app": "web"})  # api becomes a db client
    try:
        cluster3.wait_all("pods", int(stored["metadata"]["resourceVersion"]))
        cluster3.assert_enforced(cluster3.expected())
        since = cluster3.agents["n1"].log_lines()[seen:]
        modes = [line["mode"] for line in since if line["msg"] == "applied"]
        assert modes == ["incremental"]  # db's node: one address into two sets
    finally:
        stored = kube.relabel_pod("shop", "api", {"app": "api"})
        cluster3.wait_all("pods", int(stored["metadata"]["resourceVersion"]))


def test_a_policy_podfence_rejects_fails_closed_with_an_event(cluster3: Cluster3) -> None:
    cluster3.set_policies(DENY, DB, WEB, TOOL, BAD)
    cluster3.assert_enforced(
        cluster3.expected(rejected=["shop/bad"], no_egress=["shop/web-0", "shop/web-1"])
    )
    events = [e for e in cluster3.plane.kube.events("shop") if e["reason"] == "PolicyRejected"]
    hosts = {e["source"]["host"] for e in events if e["involvedObject"]["name"] == "bad"}
    assert hosts == {"n0", "n1"}  # the nodes of the pods it selects
    assert "must not have bits set beyond the prefix length" in events[0]["message"]
    cluster3.set_policies(DENY, DB, WEB, TOOL)
    cluster3.assert_enforced(cluster3.expected())


def _connect(cluster3: Cluster3, source: str, target: PodSpec, port: int) -> socket.socket:
    [pod] = [p for p in cluster3.lab.pods() if p.endpoint == source]
    fd = open_netns(pod.netns)
    try:
        sock = socket_in(fd, socket.AF_INET, socket.SOCK_STREAM)
    finally:
        os.close(fd)
    sock.settimeout(5)
    sock.connect((target.ip, port))
    return sock


def _echo(sock: socket.socket, data: bytes) -> bytes:
    sock.sendall(data)
    return sock.recv(len(data))


def test_established_connections_survive_an_update_that_keeps_them_allowed(
    cluster3: Cluster3,
) -> None:
    cluster3.set_policies(DENY, DB, WEB, TOOL)
    web1 = next(s for s in PODS if s.name == "web-1")
    with _connect(cluster3, "shop/web-0", web1, 80) as sock:  # n0 -> n1, allowed by shop/web
        assert _echo(sock, b"before") == b"before"
        seen = len(cluster3.agents["n1"].log_lines())
        cluster3.set_policies(DENY, replace_db(), WEB, TOOL, MON)  # n1's rules change: new table
        since = cluster3.agents["n1"].log_lines()[seen:]
        assert "full" in [line["mode"] for line in since if line["msg"] == "applied"]
        assert _echo(sock, b"after") == b"after"
    cluster3.assert_enforced(cluster3.expected())


def test_an_api_server_restart_keeps_enforcing_and_resumes(cluster3: Cluster3) -> None:
    cluster3.set_policies(DENY, DB, WEB, TOOL)
    expected = cluster3.expected()
    server = cluster3.plane.server
    server.stop()
    try:
        for agent in cluster3.agents.values():
            wait_for(f"{agent.node} not ready", lambda agent=agent: not agent.ready())
        cluster3.assert_enforced(expected)
    finally:
        server.restart()
        server.wait_ready()
    for agent in cluster3.agents.values():
        wait_for(f"{agent.node} ready again", agent.ready)
        assert (
            agent.metric(
                "podfence_agent_watch_restarts_total", resource="networkpolicies", reason="expired"
            )
            >= 1
        )
    cluster3.set_policies(DENY, replace_db(), WEB, TOOL)
    cluster3.assert_enforced(cluster3.expected())


def test_an_agent_killed_and_restarted_rebuilds_from_a_fresh_list(cluster3: Cluster3) -> None:
    cluster3.set_policies(DENY, DB, WEB, TOOL)
    expected = cluster3.expected()
    victim = cluster3.agents["n1"]
    table = cluster3.lab.nft("n1", "list", "table", "inet", "podfence")
    victim.kill()
    assert cluster3.lab.nft("n1", "list", "table", "inet", "podfence") == table  # still in force
    cluster3.assert_enforced(expected)
    del cluster3.agents["n1"]
    stored = cluster3.plane.kube.apply_policy(replace_db())  # changed while n1 has no agent
    cluster3.policies["shop/db"] = replace_db()
    for agent in cluster3.agents.values():
        agent.wait_applied("networkpolicies", int(stored["metadata"]["resourceVersion"]))
    back = cluster3.start_agent("n1", run=1)
    back.wait_applied("networkpolicies", int(stored["metadata"]["resourceVersion"]))
    messages = [line["msg"] for line in back.log_lines()]
    assert messages.index("keeping the ruleset in force until synced") < messages.index("listed")
    first_apply = messages.index("applied")
    assert messages[:first_apply].count("listed") == 4  # every collection, freshly listed
    assert [line for line in back.log_lines() if line["msg"] == "applied"][0]["mode"] == "full"
    cluster3.assert_enforced(cluster3.expected())


CRD_FILE = (
    Path(__file__).resolve().parents[2]
    / "src"
    / "podfence"
    / "load"
    / "crds"
    / "experimental-clusternetworkpolicies.yaml"
)
CNP_PATH = "/apis/policy.networking.k8s.io/v1alpha2/clusternetworkpolicies"


def _cnp(name: str, tier: str, priority: int, subject: Any, **rules: Any) -> dict[str, Any]:
    return {
        "apiVersion": "policy.networking.k8s.io/v1alpha2",
        "kind": "ClusterNetworkPolicy",
        "metadata": {"name": name},
        "spec": {"tier": tier, "priority": priority, "subject": subject, **rules},
    }


SHOP = {"namespaces": _sel(team="shop")}
OPS_GUARD = _cnp(
    "ops-guard",
    "Admin",
    10,
    SHOP,
    ingress=[
        {"name": "shop-decides", "action": "Pass", "from": [{"namespaces": _sel(team="shop")}]},
        {"name": "no-ops", "action": "Deny", "from": [{"namespaces": _sel(team="ops")}]},
    ],
)
MON_TO_DB = _cnp(  # tied with ops-guard at 10: mon -> db is Accept and Deny: denied
    "mon-to-db",
    "Admin",
    10,
    {"pods": {"namespaceSelector": {}, "podSelector": _sel(app="db")}},
    ingress=[
        {
            "action": "Accept",
            "from": [{"pods": {"namespaceSelector": {}, "podSelector": _sel(app="mon")}}],
        }
    ],  # fmt: skip
)
OPS_BASELINE = _cnp(  # ops pods may not open connections on 8080, unless an NP says so
    "ops-baseline",
    "Baseline",
    5,
    {"namespaces": _sel(team="ops")},
    egress=[
        {
            "action": "Deny",
            "to": [{"networks": ["10.0.0.0/8"]}],
            "protocols": [{"tcp": {"destinationPort": {"number": 8080}}}],
        }
    ],  # fmt: skip
)


def _set_cnps(cluster3: Cluster3, current: dict[str, Any], *wanted: dict[str, Any]) -> None:
    """Exactly these CNPs through the API, then wait until every agent applied them."""
    kube = cluster3.plane.kube
    version = 0
    names = {c["metadata"]["name"] for c in wanted}
    for name in sorted(set(current) - names):
        reply = kube.ok("DELETE", f"{CNP_PATH}/{name}")
        version = max(version, int(reply.get("metadata", {}).get("resourceVersion") or 0))
        del current[name]
    for body in wanted:
        name = body["metadata"]["name"]
        if current.get(name) == body:
            continue
        found = kube.call("GET", f"{CNP_PATH}/{name}")
        if found.status == 404:
            stored = kube.ok("POST", CNP_PATH, body)
        else:
            meta = {
                **body["metadata"],
                "resourceVersion": found.body["metadata"]["resourceVersion"],
            }
            stored = kube.ok("PUT", f"{CNP_PATH}/{name}", {**body, "metadata": meta})
        version = max(version, int(stored["metadata"]["resourceVersion"]))
        current[name] = body
    cluster3.wait_all("clusternetworkpolicies", version)


def test_cluster_network_policies_added_changed_removed(cluster3: Cluster3) -> None:
    """The CRD installed, the agents restarted (they list it at once), then CNPs created,
    changed (a tie, a priority that breaks it, a Baseline egress rule on `networks`) and
    deleted through the API; after each change every pod probes every pod across the nodes,
    compared with the engine's matrix of the cluster as `--cluster` reads it."""
    kube = cluster3.plane.kube
    crd = yaml.safe_load(CRD_FILE.read_text())
    crd.pop("status", None)
    if kube.call("GET", CNP_PATH).status != 200:
        kube.ok("POST", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", crd)
    wait_for("the CRD to be served", lambda: kube.call("GET", CNP_PATH).status == 200)
    for node in NODES:
        if node in cluster3.agents:
            cluster3.agents[node].stop()
        cluster3.start_agent(node, run=2)
    for agent in cluster3.agents.values():
        wait_for(f"{agent.node} ready", agent.ready)
    cluster3.set_policies(DENY, DB, WEB, TOOL)
    current: dict[str, Any] = {}
    try:
        for step in (
            (OPS_GUARD,),
            (OPS_GUARD, MON_TO_DB),
            ({**OPS_GUARD, "spec": {**OPS_GUARD["spec"], "priority": 20}}, MON_TO_DB),
            (MON_TO_DB, OPS_BASELINE),
            (),
        ):
            _set_cnps(cluster3, current, *step)
            expected = cluster3.expected()
            cluster3.assert_enforced(expected)
            table = cluster3.lab.nft("n1", "list", "table", "inet", "podfence")
            assert ("_tiers" in table) == bool(step), table
    finally:
        _set_cnps(cluster3, current)

"""A multi-node lab: N node namespaces (each a `podfence.dataplane.lab.Lab` with its own pods
and listeners) joined by a fabric namespace that routes between them, so pod-to-pod traffic
crosses nodes: pod -> its node (forward hook) -> fabric -> the other node (forward hook) ->
pod. Node k's pods are 10.244.(k+1).0/24; node k reaches the fabric over 10.255.k.0/30.

Every namespace is named `podfence-<tag>-...` (tag like `agent123`), made only here and
removed by `down()` (the Labs, then the fabric), also after a failure halfway through `up`.
Nothing touches the host's namespace.
"""

from __future__ import annotations

import ipaddress
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass, field

from podfence.dataplane.lab import Lab, ProbeResult
from podfence.dataplane.lab.matrix import Cell, probe_cells, probe_pods
from podfence.dataplane.lab.plan import PodPlan
from podfence.dataplane.lab.probe import Outcome
from podfence.dataplane.run import check_netns_name
from podfence.model import Cluster, Endpoint, Namespace, ProtocolPort

__all__ = ["MultiNode", "node_ip", "pod_cidr"]

POD_RANGE = "10.244.0.0/16"


def pod_cidr(index: int) -> str:
    return f"10.244.{index + 1}.0/24"


def node_ip(index: int, host: int) -> str:
    return f"10.244.{index + 1}.{host}"


def _ip(*argv: str, stdin: str | None = None) -> None:
    subprocess.run(list(argv), input=stdin, text=True, check=True, capture_output=True)


@dataclass
class MultiNode:
    tag: str
    nodes: tuple[str, ...]
    labs: dict[str, Lab] = field(default_factory=dict)
    source_port: int = 20000

    @property
    def fabric(self) -> str:
        return f"podfence-{self.tag}-fabric"

    def node_netns(self, node: str) -> str:
        return self.labs[node].state.node_netns

    @classmethod
    def up(
        cls,
        tag: str,
        placement: dict[str, Sequence[Endpoint]],
        namespaces: Sequence[Namespace],
        serve: Sequence[ProtocolPort],
    ) -> MultiNode:
        """Labs for each node's pods (endpoints with their addresses), then the fabric."""
        lab = cls(tag, tuple(placement))
        try:
            for k, (node, pods) in enumerate(placement.items()):
                cluster = Cluster(tuple(namespaces), tuple(sorted(pods, key=lambda e: e.id)), ())
                lab.labs[node] = Lab.up(
                    cluster,
                    name=f"{tag}-n{k}",
                    serve=serve,
                    pod_cidr=ipaddress.ip_network(pod_cidr(k)),
                )
                # A fresh node: the lab's own (policy-free) table goes; the agent owns the node.
                node_ns = lab.node_netns(node)
                _ip("ip", "netns", "exec", node_ns, "nft", "delete", "table", "inet", "podfence")
            lab._fabric()
        except BaseException:
            lab.down()
            raise
        return lab

    def _fabric(self) -> None:
        fabric = self.fabric
        check_netns_name(fabric)
        _ip("ip", "netns", "add", fabric)
        _ip("ip", "netns", "exec", fabric, "sysctl", "-qw", "net.ipv4.ip_forward=1")
        _ip("ip", "-n", fabric, "link", "set", "lo", "up")
        for k, node in enumerate(self.nodes):
            node_ns = self.node_netns(node)
            _ip(
                "ip",
                "-n",
                fabric,
                "link",
                "add",
                f"f{k}",
                "type",
                "veth",
                "peer",
                "name",
                "uplink",
                "netns",
                node_ns,
            )
            _ip(
                "ip", "-n", fabric, "-batch", "-",
                stdin=f"addr add 10.255.{k}.1/30 dev f{k}\nlink set f{k} up\n"
                f"route add {pod_cidr(k)} via 10.255.{k}.2\n",
            )  # fmt: skip
            _ip(
                "ip", "-n", node_ns, "-batch", "-",
                stdin=f"addr add 10.255.{k}.2/30 dev uplink\nlink set uplink up\n"
                f"route add {POD_RANGE} via 10.255.{k}.1\n",
            )  # fmt: skip

    def pods(self) -> list[PodPlan]:
        return [pod for lab in self.labs.values() for pod in lab.state.pods]

    def probe(self, ports: Sequence[ProtocolPort], *, timeout: float = 0.5) -> ProbeResult:
        """Every pod to every pod (across nodes) on every port, with real connections."""
        result, self.source_port = probe_pods(
            self.pods(), ports, timeout=timeout, source_port=self.source_port
        )
        return result

    def probe_cells(self, cells: Sequence[Cell], *, timeout: float = 2.0) -> list[Outcome]:
        outcomes, self.source_port = probe_cells(
            self.pods(), cells, timeout=timeout, source_port=self.source_port
        )
        return outcomes

    def nft(self, node: str, *args: str) -> str:
        done = subprocess.run(
            ["ip", "netns", "exec", self.node_netns(node), "nft", *args],
            capture_output=True,
            text=True,
            check=False,
        )
        return done.stdout

    def down(self) -> None:
        for lab in self.labs.values():
            lab.down()
        subprocess.run(["ip", "netns", "delete", self.fabric], check=False, capture_output=True)

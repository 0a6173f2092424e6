"""Network namespaces: entering one from a thread (setns), and the commands of a topology.

`entered` switches only the calling thread (setns(2) with CLONE_NEWNET) and always switches
back; a socket keeps the namespace it was created in, so a single process can listen and
probe in many namespaces. Topology commands are plain data built from a plan, and every one
of them is scoped to a podfence namespace (`ip -n`, `ip netns exec`).
"""

from __future__ import annotations

import ctypes
import os
import re
import socket
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from podfence.dataplane.lab.plan import GATEWAY_V4, GATEWAY_V6, LabPlan, PodPlan
from podfence.dataplane.run import NETNS_PREFIX, Runner, check_netns_name

__all__ = [
    "CLONE_NEWNET",
    "NETNS_DIR",
    "Step",
    "setns",
    "open_netns",
    "entered",
    "socket_in",
    "node_steps",
    "pod_steps",
    "routing_steps",
    "list_netns",
    "netns_pids",
    "lab_netns_pattern",
]

CLONE_NEWNET = 0x40000000
NETNS_DIR = "/run/netns"

Step = tuple[tuple[str, ...], str | None]
"""One command: argv and optional stdin (an `ip -batch -` script)."""

_libc = ctypes.CDLL(None, use_errno=True)


def setns(fd: int) -> None:
    """Move the calling thread into the network namespace open at `fd`."""
    if _libc.setns(fd, CLONE_NEWNET) != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"setns: {os.strerror(err)}")


def open_netns(name: str) -> int:
    """An fd for the podfence namespace `name` (close it with os.close)."""
    check_netns_name(name)
    return os.open(os.path.join(NETNS_DIR, name), os.O_RDONLY | os.O_CLOEXEC)


@contextmanager
def entered(fd: int) -> Iterator[None]:
    """Run the block with this thread in the namespace at `fd`, then switch back."""
    home = os.open("/proc/thread-self/ns/net", os.O_RDONLY | os.O_CLOEXEC)
    try:
        setns(fd)
        try:
            yield
        finally:
            setns(home)
    finally:
        os.close(home)


def socket_in(fd: int, family: socket.AddressFamily, kind: socket.SocketKind) -> socket.socket:
    """A socket that lives in the namespace at `fd` (whatever thread later uses it)."""
    with entered(fd):
        return socket.socket(family, kind)


def node_steps(plan: LabPlan) -> list[Step]:
    """Create the node namespace: forwarding on inside it only, loopback up."""
    node = plan.node_netns
    check_netns_name(node)
    sysctls = ["net.ipv4.ip_forward=1"]
    if plan.ipv6:
        sysctls.append("net.ipv6.conf.all.forwarding=1")
    return [
        (("ip", "netns", "add", node), None),
        (("ip", "netns", "exec", node, "sysctl", "-qw", *sysctls), None),
        (("ip", "-n", node, "link", "set", "lo", "up"), None),
    ]


def pod_steps(plan: LabPlan, pod: PodPlan) -> list[Step]:
    """Create one pod namespace, its veth pair (made from inside the node) and addresses."""
    check_netns_name(pod.netns)
    lines = ["link set lo up", "link set eth0 up"]
    for ip in pod.ips:
        if ip.version == 4:
            lines.append(f"addr add {ip}/32 dev eth0")
        else:
            lines.append(f"addr add {ip}/128 dev eth0 nodad")
    lines += [
        f"route add {GATEWAY_V4} dev eth0 scope link",
        f"route add default via {GATEWAY_V4} dev eth0",
    ]
    if plan.ipv6:
        lines.append(f"route add default via {GATEWAY_V6} dev eth0")
    link = ("link", "add", pod.veth, "type", "veth", "peer", "name", "eth0", "netns", pod.netns)
    return [
        (("ip", "netns", "add", pod.netns), None),
        (("ip", "-n", plan.node_netns, *link), None),
        (("ip", "-n", pod.netns, "-batch", "-"), "\n".join(lines) + "\n"),
    ]


def routing_steps(plan: LabPlan, pods: Sequence[PodPlan]) -> list[Step]:
    """Node side of the veths: the gateway addresses, links up, a host route per pod IP."""
    lines = []
    for pod in pods:
        lines.append(f"addr add {GATEWAY_V4}/32 dev {pod.veth}")
        if plan.ipv6:
            lines.append(f"addr add {GATEWAY_V6}/64 dev {pod.veth} nodad")
        lines.append(f"link set {pod.veth} up")
        for ip in pod.ips:
            lines.append(f"route add {ip}/{32 if ip.version == 4 else 128} dev {pod.veth}")
    if not lines:
        return []
    return [(("ip", "-n", plan.node_netns, "-batch", "-"), "\n".join(lines) + "\n")]


def list_netns(runner: Runner) -> list[str]:
    """Every podfence-* network namespace (`ip netns list`)."""
    done = runner.run(["ip", "netns", "list"], check=False)
    names = (line.split()[0] for line in done.stdout.splitlines() if line.strip())
    return sorted(name for name in names if name.startswith(NETNS_PREFIX))


def netns_pids(runner: Runner, name: str) -> list[int]:
    """The processes living in a podfence namespace (`ip netns pids`)."""
    check_netns_name(name)
    done = runner.run(["ip", "netns", "pids", name], check=False)
    return [int(tok) for tok in done.stdout.split() if tok.isdigit()]


def lab_netns_pattern(lab: str) -> re.Pattern[str]:
    """The namespaces of lab `lab`: exactly its node and its numbered pods."""
    return re.compile(rf"^podfence-{re.escape(lab)}-(node|p\d+)$")

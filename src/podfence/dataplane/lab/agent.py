"""The lab agent: one process per lab, living in the node namespace, that holds every pod's
listeners (TCP echo, UDP echo, and DNS on port 53 of kube-dns pods).

Each listener socket is created inside its pod's namespace through setns on the agent's
thread, so one process and one selector loop serve the whole lab. The agent is driven over a
Unix socket in the lab's state directory with one JSON object per line:
`{"op": "ping"}`, `{"op": "listen", "pods": [{"netns": ..., "ports": [[80, "TCP"]],
"dns": false}]}`, `{"op": "status"}`, `{"op": "stop"}`.
"""

from __future__ import annotations

import argparse
import json
import os
import selectors
import signal
import socket
import sys
from collections.abc import Callable
from pathlib import Path
from types import FrameType
from typing import Any

from podfence.dataplane.lab import dns
from podfence.dataplane.lab.netns import open_netns, socket_in

__all__ = ["PROBE_MAGIC", "DNS_PORT", "Agent", "AgentClient", "AgentError", "main"]

PROBE_MAGIC = b"podfence-probe"
"""The payload of a UDP port probe; the DNS server echoes it too."""
DNS_PORT = 53

Handler = Callable[[socket.socket], None]


class AgentError(RuntimeError):
    """The agent could not be reached or refused a request."""


def _bind(fd: int, kind: socket.SocketKind, port: int) -> socket.socket:
    """A socket on `port` of every address of the namespace (dual-stack when possible)."""
    try:
        sock = socket_in(fd, socket.AF_INET6, kind)
        sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
        address: tuple[str, int] = ("::", port)
    except OSError:
        sock = socket_in(fd, socket.AF_INET, kind)
        address = ("0.0.0.0", port)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        if kind == socket.SOCK_STREAM:
            sock.listen(4096)
        sock.setblocking(False)
    except OSError:
        sock.close()
        raise
    return sock


class Agent:
    def __init__(self, control: Path) -> None:
        self.sel = selectors.DefaultSelector()
        self.netns: dict[str, int] = {}
        self.listeners: dict[tuple[str, int, str], socket.socket] = {}
        self.buffers: dict[socket.socket, bytes] = {}
        self.stopping = False
        if control.exists():
            control.unlink()
        self.server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.server.bind(str(control))
        self.server.listen(16)
        self.server.setblocking(False)
        self._watch(self.server, self._on_control)

    def _watch(self, sock: socket.socket, handler: Handler) -> None:
        self.sel.register(sock, selectors.EVENT_READ, handler)

    def _drop(self, sock: socket.socket) -> None:
        self.sel.unregister(sock)
        self.buffers.pop(sock, None)
        sock.close()

    def run(self) -> None:
        def stop(signum: int, frame: FrameType | None) -> None:
            raise SystemExit(0)  # at once: select() would otherwise wait out its timeout

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        while not self.stopping:
            for key, _ in self.sel.select(timeout=0.5):
                handler: Handler = key.data
                sock: socket.socket = key.fileobj  # type: ignore[assignment]
                try:
                    handler(sock)
                except OSError as err:
                    print(f"agent: {err}", file=sys.stderr)

    # control channel

    def _on_control(self, server: socket.socket) -> None:
        conn, _ = server.accept()
        with conn:
            conn.settimeout(5.0)
            data = b""
            while not data.endswith(b"\n"):
                chunk = conn.recv(65536)
                if not chunk:
                    return
                data += chunk
            try:
                reply = self.handle(json.loads(data))
            except (ValueError, KeyError, TypeError, OSError) as err:
                reply = {"ok": False, "error": str(err)}
            conn.sendall(json.dumps(reply).encode() + b"\n")

    def handle(self, request: dict[str, Any]) -> dict[str, Any]:
        op = request.get("op")
        if op == "ping":
            return {"ok": True, "pid": os.getpid()}
        if op == "status":
            return {"ok": True, "listeners": sorted(list(key) for key in self.listeners)}
        if op == "stop":
            self.stopping = True
            return {"ok": True}
        if op == "listen":
            errors = []
            for pod in request["pods"]:
                for port, proto in pod["ports"]:
                    dns_here = bool(pod.get("dns")) and port == DNS_PORT
                    error = self.listen(pod["netns"], int(port), str(proto), dns_here)
                    if error:
                        errors.append(error)
            return {"ok": True, "errors": errors}
        return {"ok": False, "error": f"unknown op {op!r}"}

    # listeners

    def listen(self, netns: str, port: int, proto: str, dns_server: bool) -> str | None:
        key = (netns, port, proto)
        if key in self.listeners:
            return None
        if proto not in ("TCP", "UDP"):
            return f"{netns}: cannot listen on {port}/{proto}"
        if netns not in self.netns:
            self.netns[netns] = open_netns(netns)
        kind = socket.SOCK_STREAM if proto == "TCP" else socket.SOCK_DGRAM
        try:
            sock = _bind(self.netns[netns], kind, port)
        except OSError as err:
            return f"{netns}: cannot listen on {port}/{proto}: {err.strerror}"
        self.listeners[key] = sock
        if proto == "TCP":
            self._watch(sock, self._on_dns_accept if dns_server else self._on_accept)
        else:
            self._watch(sock, self._on_dns_datagram if dns_server else self._on_datagram)
        return None

    def _accept(self, sock: socket.socket, handler: Handler) -> None:
        while True:
            try:
                conn, _ = sock.accept()
            except (BlockingIOError, InterruptedError):
                return
            conn.setblocking(False)
            self._watch(conn, handler)

    def _on_accept(self, sock: socket.socket) -> None:
        self._accept(sock, self._on_echo)

    def _on_dns_accept(self, sock: socket.socket) -> None:
        self._accept(sock, self._on_dns_stream)

    def _on_echo(self, conn: socket.socket) -> None:
        try:
            data = conn.recv(65536)
            if data:
                conn.send(data)
                return
        except OSError:
            pass
        self._drop(conn)

    def _on_dns_stream(self, conn: socket.socket) -> None:
        try:
            data = conn.recv(65536)
        except OSError:
            data = b""
        if not data:
            self._drop(conn)
            return
        buffer = self.buffers.get(conn, b"") + data
        while len(buffer) >= 2 and len(buffer) >= 2 + int.from_bytes(buffer[:2], "big"):
            size = int.from_bytes(buffer[:2], "big")
            message, buffer = buffer[2 : 2 + size], buffer[2 + size :]
            try:
                conn.send(dns.frame(dns.answer(message)))
            except (dns.DnsError, OSError):
                self._drop(conn)
                return
        self.buffers[conn] = buffer

    def _on_datagram(self, sock: socket.socket) -> None:
        while True:
            try:
                data, peer = sock.recvfrom(65536)
            except (BlockingIOError, InterruptedError):
                return
            sock.sendto(data, peer)

    def _on_dns_datagram(self, sock: socket.socket) -> None:
        while True:
            try:
                data, peer = sock.recvfrom(65536)
            except (BlockingIOError, InterruptedError):
                return
            if data.startswith(PROBE_MAGIC):
                sock.sendto(data, peer)
                continue
            try:
                sock.sendto(dns.answer(data), peer)
            except dns.DnsError:
                continue


class AgentClient:
    """Talks to a lab's agent over its control socket."""

    def __init__(self, path: Path, timeout: float = 10.0) -> None:
        self.path = path
        self.timeout = timeout

    def request(self, message: dict[str, Any]) -> dict[str, Any]:
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
                conn.settimeout(self.timeout)
                conn.connect(str(self.path))
                conn.sendall(json.dumps(message).encode() + b"\n")
                data = b""
                while not data.endswith(b"\n"):
                    chunk = conn.recv(65536)
                    if not chunk:
                        break
                    data += chunk
        except OSError as err:
            raise AgentError(f"lab agent at {self.path} unreachable: {err}") from err
        try:
            reply: dict[str, Any] = json.loads(data)
        except ValueError as err:
            raise AgentError(f"lab agent at {self.path}: bad reply {data!r}") from err
        if not reply.get("ok"):
            raise AgentError(f"lab agent: {reply.get('error', 'request failed')}")
        return reply


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="podfence-lab-agent")
    parser.add_argument("--control", required=True, type=Path)
    args = parser.parse_args(argv)
    Agent(args.control).run()


if __name__ == "__main__":
    main()

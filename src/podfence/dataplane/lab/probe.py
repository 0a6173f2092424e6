"""Probing with real packets, from one process: every socket is created in its source pod's
namespace (setns on this thread) and all attempts run at once on one selector.

TCP: a connect that completes (or is refused: the SYN reached the pod) means allowed, a
timeout means dropped. UDP: a request echoed back (or answered with port unreachable) means
allowed. Source ports come from a counter kept with the lab, so a probe never reuses a
recent 4-tuple whose conntrack entry could still let it through as `established`.
"""

from __future__ import annotations

import enum
import errno
import os
import resource
import selectors
import socket
import struct
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

from podfence.dataplane.lab import dns
from podfence.dataplane.lab.agent import PROBE_MAGIC
from podfence.dataplane.lab.netns import open_netns, socket_in
from podfence.model import IPAddress, Protocol, ProtocolPort

__all__ = [
    "Outcome",
    "Attempt",
    "ProbeError",
    "run_attempts",
    "FIRST_SOURCE_PORT",
    "LAST_SOURCE_PORT",
    "MAX_PARALLEL",
]

FIRST_SOURCE_PORT = 20000
LAST_SOURCE_PORT = 59999
MAX_PARALLEL = 2048


class ProbeError(RuntimeError):
    """The probe cannot be run (e.g. an SCTP port: no SCTP sockets)."""


class Outcome(enum.Enum):
    CONNECTED = "connected"
    """TCP: the handshake completed (and a DNS query was answered)."""
    REPLIED = "replied"
    """UDP: the request was answered."""
    REFUSED = "refused"
    """A reset or port unreachable came back: the packet reached the pod."""
    TIMEOUT = "timeout"
    """Nothing came back: dropped."""
    ERROR = "error"
    """Not probed or not understood (no common address family, no route, bad answer)."""

    @property
    def allowed(self) -> bool:
        return self in (Outcome.CONNECTED, Outcome.REPLIED, Outcome.REFUSED)

    @property
    def answered(self) -> bool:
        """A conversation took place (not merely a refusal)."""
        return self in (Outcome.CONNECTED, Outcome.REPLIED)


@dataclass(frozen=True, slots=True)
class Attempt:
    netns: str
    """The source pod's namespace."""
    destination: IPAddress | None
    """None when source and destination share no address family (an ERROR outcome)."""
    port: ProtocolPort
    dns: bool = False
    """Send an A query and require the lab's answer, instead of a plain probe."""


@dataclass
class _Pending:
    index: int
    attempt: Attempt
    sock: socket.socket
    payload: bytes
    buffer: bytes = field(default=b"")


class _SourcePorts:
    def __init__(self, start: int) -> None:
        self.next = start if FIRST_SOURCE_PORT <= start <= LAST_SOURCE_PORT else FIRST_SOURCE_PORT

    def take(self) -> int:
        port = self.next
        self.next = port + 1 if port < LAST_SOURCE_PORT else FIRST_SOURCE_PORT
        return port


def _errno_outcome(code: int) -> Outcome:
    return Outcome.REFUSED if code == errno.ECONNREFUSED else Outcome.ERROR


class _Run:
    def __init__(self, timeout: float, ports: _SourcePorts) -> None:
        self.timeout = timeout
        self.ports = ports
        self.fds: dict[str, int] = {}
        self.sel = selectors.DefaultSelector()

    def close(self) -> None:
        for fd in self.fds.values():
            os.close(fd)
        self.sel.close()

    def _socket(self, attempt: Attempt, dest: IPAddress) -> socket.socket:
        if attempt.netns not in self.fds:
            self.fds[attempt.netns] = open_netns(attempt.netns)
        family = socket.AF_INET if dest.version == 4 else socket.AF_INET6
        tcp = attempt.port.protocol is Protocol.TCP
        kind = socket.SOCK_STREAM if tcp else socket.SOCK_DGRAM
        sock = socket_in(self.fds[attempt.netns], family, kind)
        sock.setblocking(False)
        if tcp:  # close with a reset: no TIME_WAIT left on the client
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        any_address = "0.0.0.0" if dest.version == 4 else "::"
        for _ in range(64):
            try:
                sock.bind((any_address, self.ports.take()))
                return sock
            except OSError as err:
                if err.errno != errno.EADDRINUSE:
                    sock.close()
                    raise
        sock.close()
        raise ProbeError("no free source port")

    def start(self, index: int, attempt: Attempt) -> _Pending | Outcome:
        dest = attempt.destination
        if dest is None:
            return Outcome.ERROR
        sock = self._socket(attempt, dest)
        qid = (index * 7919 + 1) & 0xFFFF
        if attempt.dns:
            payload = dns.build_query(dns.PROBE_NAME, qid)
        else:
            payload = PROBE_MAGIC + b" " + str(index).encode()
        pending = _Pending(index, attempt, sock, payload)
        address = (str(dest), attempt.port.port)
        if attempt.port.protocol is Protocol.TCP:
            code = sock.connect_ex(address)
            if code not in (0, errno.EINPROGRESS):
                sock.close()
                return _errno_outcome(code)
            self.sel.register(sock, selectors.EVENT_WRITE, pending)
        else:
            try:
                sock.connect(address)
                sock.send(payload)
            except OSError as err:
                sock.close()
                return _errno_outcome(err.errno or 0)
            self.sel.register(sock, selectors.EVENT_READ, pending)
        return pending

    def step(self, pending: _Pending, writable: bool) -> Outcome | None:
        """Advance one attempt; its outcome when done, None while it goes on."""
        sock, attempt = pending.sock, pending.attempt
        if attempt.port.protocol is Protocol.TCP and writable:
            code = sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
            if code != 0:
                return _errno_outcome(code)
            if not attempt.dns:
                return Outcome.CONNECTED
            sock.send(dns.frame(pending.payload))
            self.sel.modify(sock, selectors.EVENT_READ, pending)
            return None
        try:
            data = sock.recv(65536)
        except OSError as err:
            return _errno_outcome(err.errno or 0)
        if attempt.port.protocol is Protocol.UDP:
            return self._check(pending, data, Outcome.REPLIED)
        if not data:
            return Outcome.ERROR
        pending.buffer += data
        size = int.from_bytes(pending.buffer[:2], "big") if len(pending.buffer) >= 2 else -1
        if size < 0 or len(pending.buffer) < 2 + size:
            return None
        return self._check(pending, pending.buffer[2 : 2 + size], Outcome.CONNECTED)

    def _check(self, pending: _Pending, data: bytes, success: Outcome) -> Outcome:
        if not pending.attempt.dns:
            return success if data == pending.payload else Outcome.ERROR
        qid = int.from_bytes(pending.payload[:2], "big")
        try:
            return success if dns.ANSWER in dns.parse_answer(data, qid) else Outcome.ERROR
        except dns.DnsError:
            return Outcome.ERROR

    def chunk(self, items: Sequence[tuple[int, Attempt]], outcomes: list[Outcome]) -> None:
        pending: dict[int, _Pending] = {}
        try:
            for index, attempt in items:
                started = self.start(index, attempt)
                if isinstance(started, Outcome):
                    outcomes[index] = started
                else:
                    pending[index] = started
            deadline = time.monotonic() + self.timeout
            while pending:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                for key, mask in self.sel.select(left):
                    item: _Pending = key.data
                    result = self.step(item, bool(mask & selectors.EVENT_WRITE))
                    if result is not None:
                        outcomes[item.index] = result
                        self.sel.unregister(item.sock)
                        item.sock.close()
                        del pending[item.index]
            for item in pending.values():
                outcomes[item.index] = Outcome.TIMEOUT
        finally:
            for item in pending.values():
                self.sel.unregister(item.sock)
                item.sock.close()


def run_attempts(
    attempts: Sequence[Attempt], *, timeout: float, source_port: int = FIRST_SOURCE_PORT
) -> tuple[list[Outcome], int]:
    """Run every attempt concurrently; the outcomes and the next free source port."""
    for attempt in attempts:
        if attempt.port.protocol is Protocol.SCTP:
            raise ProbeError(
                f"cannot probe {attempt.port}: SCTP is compiled but not probed live "
                "(no SCTP sockets here)"
            )
    outcomes = [Outcome.ERROR] * len(attempts)
    run = _Run(timeout, _SourcePorts(source_port))
    try:
        indexed = list(enumerate(attempts))
        soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
        step = max(16, min(MAX_PARALLEL, (soft - 64) // 2 if soft > 0 else MAX_PARALLEL))
        for start in range(0, len(indexed), step):
            run.chunk(indexed[start : start + step], outcomes)
    finally:
        run.close()
    return outcomes, run.ports.next

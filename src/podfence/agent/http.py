"""The agent's HTTP endpoints: `/metrics`, `/healthz`, `/readyz` and `/status` (JSON).

`/healthz` is 200 while the agent's loop turns (a liveness probe restarts a stuck agent);
`/readyz` is 200 once every collection is listed, every watch is connected and the last
apply worked, 503 otherwise with the reasons; `/status` is a JSON summary for people and
tests (what is applied, at which resourceVersions).
"""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

__all__ = ["HealthServer", "parse_address"]

Probe = Callable[[], tuple[bool, str]]


def parse_address(text: str) -> tuple[str, int]:
    """`HOST:PORT` (`[::1]:9746` for IPv6; `:9746` means every address)."""
    host, sep, port = text.rpartition(":")
    if not sep or not port.isdigit() or not 0 <= int(port) <= 65535:
        raise ValueError(f"expected HOST:PORT, got {text!r}")
    host = host.strip("[]")
    return host or "0.0.0.0", int(port)


class HealthServer:
    def __init__(
        self,
        address: tuple[str, int],
        *,
        metrics: Callable[[], str],
        healthy: Probe,
        ready: Probe,
        status: Callable[[], dict[str, Any]],
    ) -> None:
        routes: dict[str, Callable[[], tuple[int, str, str]]] = {
            "/metrics": lambda: (200, "text/plain; version=0.0.4; charset=utf-8", metrics()),
            "/healthz": lambda: _probe(healthy),
            "/readyz": lambda: _probe(ready),
            "/status": lambda: (200, "application/json", json.dumps(status(), indent=2) + "\n"),
        }

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - the http.server API
                route = routes.get(self.path.split("?", 1)[0])
                code, kind, body = route() if route else (404, "text/plain", "not found\n")
                data = body.encode()
                self.send_response(code)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: Any) -> None:
                return

        family_v6 = ":" in address[0]

        class Server(ThreadingHTTPServer):
            address_family = socket.AF_INET6 if family_v6 else socket.AF_INET
            daemon_threads = True

        self.server = Server(address, Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, name="http", daemon=True)

    @property
    def port(self) -> int:
        return int(self.server.server_address[1])

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def _probe(check: Probe) -> tuple[int, str, str]:
    ok, why = check()
    return (200 if ok else 503), "text/plain", ("ok\n" if ok else f"{why}\n")

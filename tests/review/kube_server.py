"""A tiny Kubernetes API stand-in on 127.0.0.1 that serves recorded list responses.

GET /api/v1/<plural>, /apis/<group>/<version>/<plural> and their /namespaces/<ns>/ forms
answer with tests/review/recorded/<plural>.json (items filtered by namespace). Pods are paged
two at a time (with a `continue` token), to exercise the client's paging. Any path in
`forbidden` answers 403 like RBAC would, any path in `missing` 404 like an API the server does
not serve (a CRD not installed).
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

RECORDED = Path(__file__).resolve().parent / "recorded"
_PATH = re.compile(
    r"^/(?:api/v1|apis/[^/]+/v1(?:alpha|beta)?[0-9]*)(?:/namespaces/(?P<ns>[^/]+))?/(?P<plural>[a-z]+)$"
)


def _handler(
    forbidden: set[str], missing: set[str], seen: list[str]
) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            pass

        def _send(self, code: int, body: dict[str, Any]) -> None:
            data = json.dumps(body).encode()
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:  # noqa: N802
            url = urlparse(self.path)
            seen.append(url.path)
            match = _PATH.match(url.path)
            if url.path in forbidden or url.path in missing or match is None:
                code, reason = (403, "Forbidden") if url.path in forbidden else (404, "NotFound")
                status = {
                    "kind": "Status",
                    "apiVersion": "v1",
                    "status": "Failure",
                    "reason": reason,
                    "code": code,
                    "message": f"{reason} {url.path}",
                }
                self._send(code, status)
                return
            body = json.loads((RECORDED / f"{match['plural']}.json").read_text())
            if match["ns"]:
                body["items"] = [
                    i for i in body["items"] if i["metadata"].get("namespace") == match["ns"]
                ]
            if match["plural"] == "pods":
                start = int(parse_qs(url.query).get("continue", ["0"])[0])
                rest = body["items"][start + 2 :]
                body["items"] = body["items"][start : start + 2]
                if rest:
                    body["metadata"]["continue"] = str(start + 2)
            self._send(200, body)

    return Handler


@contextmanager
def serve(
    forbidden: set[str] | None = None, missing: set[str] | None = None
) -> Iterator[tuple[str, list[str]]]:
    """(server URL, the paths requested so far), for the duration of the block."""
    seen: list[str] = []
    handler = _handler(forbidden or set(), missing or set(), seen)
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", seen
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def write_kubeconfig(path: Path, server: str, namespace: str | None = None) -> Path:
    context: dict[str, Any] = {"cluster": "recorded", "user": "tester"}
    if namespace:
        context["namespace"] = namespace
    config = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": "recorded", "cluster": {"server": server}}],
        "users": [{"name": "tester", "user": {"token": "not-a-secret"}}],
        "contexts": [{"name": "recorded", "context": context}],
        "current-context": "recorded",
    }
    path.write_text(json.dumps(config))
    return path

"""Structured logs: one JSON object per line (time, level, message, fields), to a stream.

`log.info("applied", rules=12, mode="incremental")` writes
`{"time": "2026-...Z", "level": "info", "msg": "applied", "node": "n1", "rules": 12, ...}`.
Thread-safe; the fields every line carries (the node) are given once.
"""

from __future__ import annotations

import datetime
import json
import sys
import threading
from typing import Any, TextIO

__all__ = ["JsonLog"]


class JsonLog:
    def __init__(self, stream: TextIO | None = None, **common: Any) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.common = common
        self._lock = threading.Lock()

    def _write(self, level: str, msg: str, fields: dict[str, Any]) -> None:
        now = datetime.datetime.now(datetime.UTC).isoformat(timespec="microseconds")
        record = {"time": now.replace("+00:00", "Z"), "level": level, "msg": msg}
        record.update(self.common)
        record.update(fields)
        line = json.dumps(record, default=str, separators=(",", ":"))
        with self._lock:
            try:
                self.stream.write(line + "\n")
                self.stream.flush()
            except (OSError, ValueError):
                pass  # a closed stream must not stop the agent

    def info(self, msg: str, **fields: Any) -> None:
        self._write("info", msg, fields)

    def warning(self, msg: str, **fields: Any) -> None:
        self._write("warning", msg, fields)

    def error(self, msg: str, **fields: Any) -> None:
        self._write("error", msg, fields)

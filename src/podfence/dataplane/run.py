"""Running commands: a small interface with a real implementation and a recording twin.

Every command that touches the network goes through `Runner`, always scoped to a network
namespace podfence created (`ip -n podfence-...`, `ip netns exec podfence-... nft`), so tests
can record the exact commands without root and the real runner can refuse anything else.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

__all__ = [
    "NETNS_PREFIX",
    "CommandError",
    "Completed",
    "Runner",
    "SubprocessRunner",
    "RecordingRunner",
    "require_tools",
    "ToolMissing",
    "check_netns_name",
]

NETNS_PREFIX = "podfence-"


class CommandError(RuntimeError):
    """A command failed; the message carries the command and its stderr."""

    def __init__(self, argv: Sequence[str], returncode: int, stderr: str) -> None:
        self.argv = tuple(argv)
        self.returncode = returncode
        self.stderr = stderr
        detail = stderr.strip() or f"exit status {returncode}"
        super().__init__(f"{' '.join(argv)}: {detail}")


class ToolMissing(RuntimeError):
    """A required program (`ip`, `nft`) is not installed."""


def check_netns_name(name: str) -> None:
    """Refuse any namespace podfence did not name: the host's own is never touched."""
    if not name.startswith(NETNS_PREFIX) or "/" in name or len(name) > 200:
        raise ValueError(f"refusing network namespace {name!r}: not a podfence namespace")


def require_tools(*tools: str) -> None:
    for tool in tools:
        if shutil.which(tool) is None:
            raise ToolMissing(f"{tool} not found: install {'nftables' if tool == 'nft' else tool}")


@dataclass(frozen=True, slots=True)
class Completed:
    returncode: int
    stdout: str
    stderr: str


class Runner(Protocol):
    def run(
        self, argv: Sequence[str], *, input: str | None = None, check: bool = True
    ) -> Completed: ...


class SubprocessRunner:
    """Runs commands for real (with a timeout, so a stuck tool cannot hang a lab)."""

    def __init__(self, timeout: float = 60.0) -> None:
        self.timeout = timeout

    def run(
        self, argv: Sequence[str], *, input: str | None = None, check: bool = True
    ) -> Completed:
        proc = subprocess.run(
            list(argv),
            input=input,
            capture_output=True,
            text=True,
            timeout=self.timeout,
            check=False,
        )
        done = Completed(proc.returncode, proc.stdout, proc.stderr)
        if check and proc.returncode != 0:
            raise CommandError(argv, proc.returncode, proc.stderr)
        return done


@dataclass
class RecordingRunner:
    """The in-memory twin: records commands and answers from a table (default: success)."""

    answers: dict[tuple[str, ...], Completed] = field(default_factory=dict)
    commands: list[tuple[tuple[str, ...], str | None]] = field(default_factory=list)
    fail_on: tuple[str, ...] | None = None
    """A command prefix that fails (to exercise cleanup paths)."""

    def run(
        self, argv: Sequence[str], *, input: str | None = None, check: bool = True
    ) -> Completed:
        key = tuple(argv)
        self.commands.append((key, input))
        if self.fail_on is not None and key[: len(self.fail_on)] == self.fail_on:
            done = Completed(1, "", "injected failure")
        else:
            done = self.answers.get(key, Completed(0, "", ""))
        if check and done.returncode != 0:
            raise CommandError(argv, done.returncode, done.stderr)
        return done

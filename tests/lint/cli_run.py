"""Run `podfence lint` in-process from the repository root (so paths in output are relative)."""

from __future__ import annotations

import os
from dataclasses import dataclass

from click.testing import CliRunner

from podfence.cli.lint_cmd import lint

from .helpers import REPO


@dataclass(frozen=True)
class Run:
    exit_code: int
    stdout: str
    stderr: str


def run_lint(*args: str, input: str | None = None) -> Run:
    cwd = os.getcwd()
    os.chdir(REPO)
    try:
        result = CliRunner().invoke(lint, list(args), input=input, catch_exceptions=False)
    finally:
        os.chdir(cwd)
    return Run(result.exit_code, result.stdout, result.stderr)

"""`podfence`: the command line. Thin: load, call an analysis, render, exit with a code.

Every command lives in a module imported only when it runs: `podfence --version` or
`podfence can` does not pay for numpy, rich or the lab at start-up.
"""

from __future__ import annotations

import importlib
import sys

import click

from podfence import __version__

__all__ = ["cli", "main"]

EXIT_OK = 0


_LAZY: dict[str, tuple[str, str]] = {
    "validate": ("podfence.cli.query_cmds", "validate"),
    "can": ("podfence.cli.query_cmds", "can"),
    "explain": ("podfence.cli.query_cmds", "explain"),
    "agent": ("podfence.cli.agent_cmd", "agent"),
    "matrix": ("podfence.cli.scale_cmds", "matrix"),
    "watch": ("podfence.cli.scale_cmds", "watch"),
    "lint": ("podfence.cli.lint_cmd", "lint"),
    "compile": ("podfence.cli.dataplane_cmds", "compile_command"),
    "lab": ("podfence.cli.dataplane_cmds", "lab_group"),
    "verify": ("podfence.cli.dataplane_cmds", "verify_command"),
    "graph": ("podfence.cli.review_cmds", "graph"),
    "report": ("podfence.cli.review_cmds", "report"),
    "diff": ("podfence.cli.review_cmds", "diff"),
}
"""Commands whose modules are imported only when used (numpy, rich, the lab...): a
`podfence can` does not pay for them at start-up."""


class _LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *_LAZY})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = _LAZY.get(cmd_name)
        if target is None:
            return super().get_command(ctx, cmd_name)
        command = getattr(importlib.import_module(target[0]), target[1])
        assert isinstance(command, click.Command) and command.name == cmd_name
        return command


@click.group(
    name="podfence",
    cls=_LazyGroup,
    context_settings={"help_option_names": ["-h", "--help"]},
)
@click.version_option(__version__, prog_name="podfence")
def cli() -> None:
    """Kubernetes NetworkPolicy, exactly: who can reach whom, on which port, and why."""


def main() -> None:
    """Entry point: click's own errors exit 2; a closed pipe is not an error."""
    try:
        cli.main(prog_name="podfence")
    except BrokenPipeError:
        sys.stderr.close()
        raise SystemExit(EXIT_OK) from None

"""Shared CLI plumbing: loading with diagnostics, exit codes, options."""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import click

from podfence.load import LoadResult, load_paths
from podfence.model import Cluster, ProtocolPort
from podfence.render.text import render_diagnostics

__all__ = [
    "EXIT_OK",
    "EXIT_FINDINGS",
    "EXIT_BAD_INPUT",
    "BadInput",
    "load_or_exit",
    "cluster_or_exit",
    "PortSpecType",
    "paths_argument",
    "namespace_option",
    "output_option",
    "ports_option",
]

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_BAD_INPUT = 2


class BadInput(click.ClickException):
    """A clear message and exit code 2, never a traceback."""

    exit_code = EXIT_BAD_INPUT

    def show(self, file: object = None) -> None:
        click.echo(f"podfence: error: {self.format_message()}", err=True)


def load_or_exit(paths: Sequence[str], namespace: str) -> Cluster:
    """Load and validate; print every diagnostic to stderr; exit 2 on any error."""
    if not paths:
        raise BadInput("no input: give files, directories or - for stdin")
    stdin = sys.stdin if "-" in paths else None
    return cluster_or_exit(load_paths(list(paths), default_namespace=namespace, stdin=stdin))


def cluster_or_exit(result: LoadResult, source: str = "the input") -> Cluster:
    """Print every diagnostic to stderr; the cluster, or exit 2 when there was an error."""
    if result.diagnostics:
        click.echo(render_diagnostics(result.diagnostics), err=True, nl=False)
    if result.cluster is None:
        raise BadInput(f"{result.error_count} error(s) in {source}; nothing was analysed")
    return result.cluster


class PortSpecType(click.ParamType):  # type: ignore[type-arg]
    name = "PORT[/PROTOCOL]"

    def convert(
        self, value: object, param: click.Parameter | None, ctx: click.Context | None
    ) -> ProtocolPort:
        if isinstance(value, ProtocolPort):
            return value
        try:
            return ProtocolPort.parse(str(value))
        except ValueError as exc:
            self.fail(str(exc), param, ctx)


paths_argument = click.argument("paths", nargs=-1, metavar="PATH...")
namespace_option = click.option(
    "-n",
    "--namespace",
    default="default",
    show_default=True,
    help="Namespace for objects that do not set metadata.namespace.",
)


_F = TypeVar("_F", bound=Callable[..., Any])


def output_option(*choices: str) -> Callable[[_F], _F]:
    return click.option(
        "-o",
        "--output",
        type=click.Choice(choices),
        default=choices[0],
        show_default=True,
        help="Output format.",
    )


def ports_option(
    *, required: bool = False, help: str = "PORT[/PROTOCOL] (TCP); repeatable."
) -> Callable[[_F], _F]:
    """`-p/--port PORT[/PROTOCOL]`, repeatable, as the parameter `ports`."""
    return click.option(
        "-p", "--port", "ports", type=PortSpecType(), multiple=True, required=required, help=help
    )

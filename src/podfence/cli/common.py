"""Shared CLI plumbing: loading with diagnostics, exit codes, options."""

from __future__ import annotations

import difflib
import functools
from collections.abc import Callable, Sequence
from typing import Any, TypeVar, cast

import click

from podfence.analysis.named_ports import QueryPort, parse_query_port
from podfence.load import (
    KNOWN_VERSIONS,
    LATEST,
    KubeVersion,
    LoadOptions,
    LoadResult,
    UnknownVersion,
    parse_kube_version,
)
from podfence.load.cnp_crd import BUNDLE_VERSION, Channel
from podfence.load.options import DEFAULT_MAX_FILE_SIZE, DEFAULT_OPTIONS, format_size, parse_size
from podfence.model import Cluster, ProtocolPort
from podfence.render.text import render_diagnostics
from podfence.render.words import count

__all__ = [
    "EXIT_OK",
    "EXIT_FINDINGS",
    "EXIT_BAD_INPUT",
    "BadInput",
    "did_you_mean",
    "input_options",
    "load_or_exit",
    "load_result",
    "load_with_positions",
    "cluster_or_exit",
    "KubeVersionType",
    "PortSpecType",
    "QueryPortType",
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


def load_result(
    paths: Sequence[str],
    namespace: str,
    options: LoadOptions = DEFAULT_OPTIONS,
    *,
    positions: bool = False,
) -> LoadResult:
    """Load files, directories and `-` (stdin) through the fast path (the exact loader's
    answer; a progress bar on a terminal); exit 2 when no path was given. `positions`: the
    cluster knows the line of every field (lint reports them), found when asked for."""
    from podfence.cli.scale_load import load_fast_result

    return load_fast_result(paths, namespace, options, positions=positions)


def load_or_exit(
    paths: Sequence[str], namespace: str, options: LoadOptions = DEFAULT_OPTIONS
) -> Cluster:
    """Load and validate; print every diagnostic to stderr; exit 2 on any error."""
    return cluster_or_exit(load_result(paths, namespace, options))


def load_with_positions(
    paths: Sequence[str], namespace: str, options: LoadOptions = DEFAULT_OPTIONS
) -> Cluster:
    """`load_or_exit`, the cluster knowing the line of every field (for lint findings)."""
    return cluster_or_exit(load_result(paths, namespace, options, positions=True))


def echo_diagnostics(result: LoadResult) -> None:
    """Every diagnostic to stderr, one per line."""
    if result.diagnostics:
        click.echo(render_diagnostics(result.diagnostics), err=True, nl=False)


def cluster_or_exit(result: LoadResult, source: str = "the input") -> Cluster:
    """Print every diagnostic to stderr; the cluster, or exit 2 when there was an error."""
    echo_diagnostics(result)
    if result.cluster is None:
        errors = count(result.error_count, "error")
        raise BadInput(f"{errors} in {source}; nothing was analysed")
    return result.cluster


def did_you_mean(text: str, candidates: Sequence[str]) -> str:
    """` (did you mean 'x'?)` for the closest candidate, or nothing."""
    close = difflib.get_close_matches(text, list(candidates), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


class KubeVersionType(click.ParamType):  # type: ignore[type-arg]
    """`--kube-version 1.NN` (an unknown one is a usage error, exit 2, listing the known
    ones)."""

    name = "1.NN"

    def convert(
        self, value: object, param: click.Parameter | None, ctx: click.Context | None
    ) -> KubeVersion:
        if isinstance(value, KubeVersion):
            return value
        try:
            return parse_kube_version(str(value))
        except UnknownVersion as exc:
            self.fail(str(exc), param, ctx)


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


class QueryPortType(click.ParamType):  # type: ignore[type-arg]
    """`--port` of a question: a number or a container port's name, with a protocol."""

    name = "PORT[/PROTOCOL]"

    def convert(
        self, value: object, param: click.Parameter | None, ctx: click.Context | None
    ) -> QueryPort:
        if isinstance(value, ProtocolPort):
            return value
        try:
            return parse_query_port(str(value))
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
    *,
    required: bool = False,
    help: str = "PORT[/PROTOCOL] (TCP); repeatable.",
    named: bool = False,
) -> Callable[[_F], _F]:
    """`-p/--port PORT[/PROTOCOL]`, repeatable, as the parameter `ports`; with `named`, a
    port may also be a container port's NAME[/PROTOCOL] (a `QueryPort`)."""
    kind: QueryPortType | PortSpecType = QueryPortType() if named else PortSpecType()
    return click.option(
        "-p", "--port", "ports", type=kind, multiple=True, required=required, help=help
    )


class SizeType(click.ParamType):  # type: ignore[type-arg]
    name = "SIZE"

    def convert(
        self, value: object, param: click.Parameter | None, ctx: click.Context | None
    ) -> int:
        if isinstance(value, int):
            return value
        try:
            return parse_size(str(value))
        except ValueError as exc:
            self.fail(str(exc), param, ctx)


def input_options(f: _F) -> _F:
    """`--exclude GLOB` (repeatable), `--max-file-size SIZE`, `--strict`, `--kube-version` and
    `--cnp-channel`, given to the command as one keyword parameter `loading: LoadOptions`."""

    @functools.wraps(f)
    def command(
        *args: Any,
        exclude: tuple[str, ...],
        max_file_size: int,
        strict: bool,
        kube_version: KubeVersion,
        cnp_channel: str,
        **kwargs: Any,
    ) -> Any:
        options = LoadOptions(
            exclude=exclude,
            max_file_size=max_file_size,
            strict=strict,
            kube_version=kube_version,
            cnp_channel=Channel(cnp_channel),
        )
        return f(*args, loading=options, **kwargs)

    options = [
        click.option(
            "--cnp-channel",
            "cnp_channel",
            type=click.Choice([c.value for c in Channel]),
            default=DEFAULT_OPTIONS.cnp_channel.value,
            show_default=True,
            help="Validate ClusterNetworkPolicies against this channel's CRD (network-policy-api "
            f"{BUNDLE_VERSION}): standard lacks the nodes and domainNames egress peers.",
        ),
        click.option(
            "--kube-version",
            "kube_version",
            type=KubeVersionType(),
            default=str(LATEST),
            show_default=True,
            help="Validate as the API server of this Kubernetes version, with its default "
            f"feature gates ({', '.join(str(v) for v in KNOWN_VERSIONS)}).",
        ),
        click.option(
            "--strict",
            is_flag=True,
            help="An object defined twice is an error (default: a warning; identical "
            "definitions merge, otherwise the later one wins, as with kubectl apply).",
        ),
        click.option(
            "--max-file-size",
            type=SizeType(),
            default=DEFAULT_MAX_FILE_SIZE,
            help=f"Refuse a file (or stdin) larger than this: bytes, or with a unit such as "
            f"512M or 2GiB [default: {format_size(DEFAULT_MAX_FILE_SIZE)}].",
        ),
        click.option(
            "--exclude",
            "exclude",
            multiple=True,
            metavar="GLOB",
            help="Leave out files and directories whose name or path matches GLOB "
            "(e.g. 'charts/*', '*.json', node_modules); repeatable.",
        ),
    ]
    decorated: Any = command
    for option in options:
        decorated = option(decorated)
    return cast(_F, decorated)

"""Where a command's cluster comes from: files (PATH...) or a live cluster (`--cluster`).

`cluster_options` adds `--cluster`, `--context`, `--kubeconfig` and `-A/--all-namespaces` to a
command that already has PATH... and `-n/--namespace`; `load_input` loads whichever was asked
for, printing diagnostics to stderr and exiting 2 (never a traceback) when it cannot.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar, cast

import click

from podfence.cli.common import BadInput, cluster_or_exit, load_or_exit
from podfence.load import LoadOptions, LoadResult, load_texts
from podfence.model import Cluster

__all__ = ["Live", "cluster_options", "live_namespace", "load_input", "read_live", "wants_live"]

F = TypeVar("F", bound=Callable[..., object])


@dataclass(frozen=True, slots=True)
class Live:
    """What `--cluster`, `--context`, `--kubeconfig` and `-A` asked for."""

    enabled: bool = False
    context: str | None = None
    kubeconfig: str | None = None
    all_namespaces: bool = False


def cluster_options(f: F) -> F:
    """`--cluster`, `--context`, `--kubeconfig`, `-A/--all-namespaces`, given to the command
    as one keyword parameter `live: Live`."""

    @functools.wraps(f)
    def command(
        *args: Any,
        cluster: bool,
        context: str | None,
        kubeconfig: str | None,
        all_namespaces: bool,
        **kwargs: Any,
    ) -> Any:
        return f(*args, live=Live(cluster, context, kubeconfig, all_namespaces), **kwargs)

    options = [
        click.option(
            "-A",
            "--all-namespaces",
            is_flag=True,
            help="With --cluster: read every namespace (default: the -n or context namespace).",
        ),
        click.option(
            "--kubeconfig",
            metavar="FILE",
            help="With --cluster: the kubeconfig file (default: $KUBECONFIG, ~/.kube/config).",
        ),
        click.option(
            "--context", metavar="NAME", help="With --cluster: the kubeconfig context to use."
        ),
        click.option(
            "--cluster",
            is_flag=True,
            help="Read the live cluster through the Kubernetes API instead of files.",
        ),
    ]
    decorated: Any = command
    for option in options:
        decorated = option(decorated)
    return cast(F, decorated)


def _namespace_given() -> bool:
    ctx = click.get_current_context(silent=True)
    if ctx is None:
        return True
    source = ctx.get_parameter_source("namespace")
    return source is not None and source is not click.core.ParameterSource.DEFAULT


def live_namespace(
    namespace: str, *, context: str | None, kubeconfig: str | None, all_namespaces: bool
) -> str | None:
    """The namespace to read (None: all): -A, else -n when given, else the context's."""
    if all_namespaces:
        return None
    if _namespace_given():
        return namespace
    from podfence.kube import context_namespace

    return context_namespace(kubeconfig, context)


def read_live(namespace: str, live: Live, options: LoadOptions) -> LoadResult:
    """Read the live cluster through podfence.kube and load it with the files' own loader."""
    from podfence.kube import ClusterError, read_cluster

    try:
        only = live_namespace(
            namespace,
            context=live.context,
            kubeconfig=live.kubeconfig,
            all_namespaces=live.all_namespaces,
        )
        texts = read_cluster(kubeconfig=live.kubeconfig, context=live.context, namespace=only)
    except ClusterError as exc:
        raise BadInput(str(exc)) from None
    return load_texts(texts, default_namespace=only or namespace, options=options)


def wants_live(paths: Sequence[str], live: Live) -> bool:
    """Whether the command reads the live cluster; rejects options that do not fit together."""
    wanted = live.enabled or (
        (live.context is not None or live.kubeconfig is not None) and not paths
    )
    if not wanted:
        if live.all_namespaces:
            raise BadInput("-A/--all-namespaces reads a live cluster: add --cluster")
        if live.context is not None or live.kubeconfig is not None:
            raise BadInput("--context/--kubeconfig read a live cluster: give --cluster, not PATH")
    elif paths:
        raise BadInput("give PATH... or --cluster, not both")
    return wanted


def load_input(
    paths: Sequence[str],
    namespace: str,
    live: Live,
    options: LoadOptions,
    *,
    load_files: Callable[[Sequence[str], str, LoadOptions], Cluster] = load_or_exit,
) -> Cluster:
    """Files via `load_files` (`load_or_exit` by default), or the live cluster via
    podfence.kube and the same loader; diagnostics to stderr, exit 2 on errors."""
    if not wants_live(paths, live):
        return load_files(paths, namespace, options)
    result = read_live(namespace, live, options)
    return cluster_or_exit(result, "the objects read from the cluster")

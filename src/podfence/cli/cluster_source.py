"""Where a command's cluster comes from: files (PATH...) or a live cluster (`--cluster`).

`cluster_options` adds `--cluster`, `--context`, `--kubeconfig` and `-A/--all-namespaces` to a
command that already has PATH... and `-n/--namespace`; `load_input` loads whichever was asked
for, printing diagnostics to stderr and exiting 2 (never a traceback) when it cannot.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

import click

from podfence.cli.common import BadInput, load_or_exit
from podfence.load import load_texts
from podfence.model import Cluster, Severity
from podfence.render.text import render_diagnostics

__all__ = ["cluster_options", "load_input", "live_namespace"]

F = TypeVar("F", bound=Callable[..., object])


def cluster_options(f: F) -> F:
    """`--cluster`, `--context`, `--kubeconfig`, `-A/--all-namespaces` (params: cluster,
    context, kubeconfig, all_namespaces)."""
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
    for option in options:
        f = option(f)
    return f


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


def load_input(
    paths: Sequence[str],
    namespace: str,
    cluster: bool,
    context: str | None,
    kubeconfig: str | None,
    all_namespaces: bool,
) -> Cluster:
    """Files via `load_or_exit`, or the live cluster via podfence.kube and the same loader."""
    live = cluster or ((context is not None or kubeconfig is not None) and not paths)
    if not live:
        if all_namespaces:
            raise BadInput("-A/--all-namespaces reads a live cluster: add --cluster")
        if context is not None or kubeconfig is not None:
            raise BadInput("--context/--kubeconfig read a live cluster: give --cluster, not PATH")
        return load_or_exit(paths, namespace)
    if paths:
        raise BadInput("give PATH... or --cluster, not both")
    from podfence.kube import ClusterError, read_cluster

    try:
        only = live_namespace(
            namespace, context=context, kubeconfig=kubeconfig, all_namespaces=all_namespaces
        )
        texts = read_cluster(kubeconfig=kubeconfig, context=context, namespace=only)
    except ClusterError as exc:
        raise BadInput(str(exc)) from None
    result = load_texts(texts, default_namespace=only or namespace)
    if result.diagnostics:
        click.echo(render_diagnostics(result.diagnostics), err=True, nl=False)
    if result.cluster is None:
        errors = sum(d.severity is Severity.ERROR for d in result.diagnostics)
        raise BadInput(f"{errors} error(s) in the objects read from the cluster")
    return result.cluster

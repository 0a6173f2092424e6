"""The official `kubernetes` client behind the `Lister` interface: the only importer of it.

Every failure (package missing, bad kubeconfig, unreachable or refusing API server) becomes a
`ClusterError` with a message for people; nothing else escapes.
"""

from __future__ import annotations

import os
from typing import Any

from podfence.kube.resources import Resource
from podfence.kube.texts import ClusterRead, Lister, NotServed, cluster_read

__all__ = ["ClusterError", "connect", "read_cluster", "context_namespace"]

_PAGE = 500
_TIMEOUT = 15


class ClusterError(Exception):
    """Reading the live cluster failed; the message says why."""


def _kubernetes() -> Any:
    try:
        import kubernetes  # type: ignore[import-untyped,import-not-found,unused-ignore]
    except ImportError:
        raise ClusterError(
            "reading a live cluster needs the kubernetes package: pip install 'podfence[cluster]'"
        ) from None
    return kubernetes


def context_namespace(kubeconfig: str | None, context: str | None) -> str:
    """The namespace of the kubeconfig context (`default` when it sets none)."""
    k8s = _kubernetes()
    try:
        contexts, active = k8s.config.list_kube_config_contexts(config_file=kubeconfig)
    except Exception:  # noqa: BLE001 - in-cluster or no kubeconfig: kubectl's default
        return "default"
    chosen = active
    if context is not None:
        chosen = next((c for c in contexts if c.get("name") == context), active)
    ns = (chosen or {}).get("context", {}).get("namespace")
    return ns if isinstance(ns, str) and ns else "default"


def connect(kubeconfig: str | None, context: str | None) -> Any:
    """An `ApiClient` for the context (or the in-cluster service account)."""
    k8s = _kubernetes()
    in_cluster = kubeconfig is None and context is None and "KUBERNETES_SERVICE_HOST" in os.environ
    try:
        if in_cluster and not os.path.exists(os.path.expanduser("~/.kube/config")):
            k8s.config.load_incluster_config()
            return k8s.client.ApiClient()
        return k8s.config.new_client_from_config(
            config_file=kubeconfig, context=context, persist_config=False
        )
    except (k8s.config.ConfigException, OSError, ValueError, TypeError) as exc:
        where = kubeconfig or os.environ.get("KUBECONFIG") or "~/.kube/config"
        raise ClusterError(f"cannot use kubeconfig {where}: {exc}") from None


def _describe(exc: Exception, resource: Resource, k8s: Any) -> str:
    if isinstance(exc, k8s.client.exceptions.ApiException):
        reason = (exc.reason or "").strip()
        return f"listing {resource.plural} failed: HTTP {exc.status} {reason}".rstrip()
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return f"cannot reach the API server while listing {resource.plural}: {text}"


def _status(exc: Exception, k8s: Any) -> int | None:
    if isinstance(exc, k8s.client.exceptions.ApiException):
        return int(exc.status) if exc.status is not None else None
    return None


def api_lister(api_client: Any) -> Lister:
    """List through the client, page by page, as plain dicts (sanitize_for_serialization)."""
    k8s = _kubernetes()
    apis: dict[str, Any] = {}

    def lister(resource: Resource, namespace: str | None) -> list[dict[str, Any]]:
        api = apis.setdefault(resource.api, getattr(k8s.client, resource.api)(api_client))
        args: tuple[str, ...] = ()
        if resource.group is not None:  # a custom resource (cluster-scoped ones only so far)
            method = api.list_cluster_custom_object
            args = (resource.group, resource.version, resource.plural)
        elif not resource.namespaced:
            method = getattr(api, f"list_{resource.method}")
        elif namespace is None:
            method = getattr(api, f"list_{resource.method}_for_all_namespaces")
        else:
            method, args = getattr(api, f"list_namespaced_{resource.method}"), (namespace,)
        items: list[dict[str, Any]] = []
        token: str | None = None
        try:
            while True:
                kwargs: dict[str, Any] = {"limit": _PAGE, "_request_timeout": _TIMEOUT}
                if token:
                    kwargs["_continue"] = token
                page = api_client.sanitize_for_serialization(method(*args, **kwargs))
                items += page.get("items") or []
                token = (page.get("metadata") or {}).get("continue")
                if not token:
                    return items
        except Exception as exc:  # noqa: BLE001 - every client failure becomes a message
            if _status(exc, k8s) == 404 and resource.optional:
                raise NotServed(resource.plural) from None
            raise ClusterError(_describe(exc, resource, k8s)) from None

    return lister


def read_cluster(
    *, kubeconfig: str | None, context: str | None, namespace: str | None
) -> ClusterRead:
    """Loader input for the live cluster, all namespaces (`namespace` None) or one, and notes
    (informational diagnostics) about kinds the cluster does not serve."""
    api_client = connect(kubeconfig, context)
    try:
        api_client.configuration.retries = 1
        return cluster_read(api_lister(api_client), namespace)
    finally:
        api_client.close()

"""The validation stage: every problem of every object, each with its field path and line.

Runs after defaults (as on the API server) and reports everything it finds, never stopping at
the first problem. The per-kind rules live in validate_meta, validate_policy, validate_pods.
"""

from __future__ import annotations

from podfence.load.names import is_dns1123_label, is_dns1123_subdomain
from podfence.load.objects import Obj
from podfence.load.options import LoadOptions
from podfence.load.tree import get_map
from podfence.load.validate_meta import validate_metadata
from podfence.load.validate_pods import validate_pod_ips, validate_pod_spec, validate_workload
from podfence.load.validate_policy import validate_policy_spec
from podfence.model import Diagnostic

__all__ = ["validate_object"]


def validate_object(obj: Obj, out: list[Diagnostic], options: LoadOptions) -> None:
    """Append every validation problem of `obj` to `out`, judged as `options` say."""
    report = obj.reporter(out)
    body = obj.body
    kind = obj.kind
    name_check = is_dns1123_label if kind.name == "Namespace" else is_dns1123_subdomain
    validate_metadata(
        body,
        report,
        namespaced=kind.namespaced,
        name_check=name_check,
        generated_name="metadata.name" in obj.defaulted,
    )
    strict = options.strict_ip_cidr
    if kind.name == "NetworkPolicy":
        validate_policy_spec(get_map(body, "spec"), report, strict_cidrs=strict)
    elif kind.name == "Pod":
        validate_pod_spec(get_map(body, "spec"), "spec", report)
        validate_pod_ips(get_map(body, "status"), report, strict_ips=strict)
    elif kind.template is not None:
        # A selector copied from the template's labels by defaulting is checked there.
        selector = None if kind.selector in obj.defaulted else kind.selector
        plain = kind.name == "ReplicationController"
        validate_workload(
            body, template=kind.template, selector=selector, plain=plain, report=report
        )

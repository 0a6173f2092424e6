"""ClusterNetworkPolicy validation: the CRD's OpenAPI schema and CEL rules, as the API server.

Upstream: the bundled CRD (podfence.load.cnp_crd) is the authority; apiextensions-apiserver's
messages are reproduced by podfence.load.openapi and podfence.load.cnp_rules. Deliberate
differences, each with its reason:
- every problem is reported at once: the API server answers 400 on unknown fields before it
  validates anything, and runs no CEL rule while a "blocking" error (wrong type, enum,
  required, too long, too many) exists; podfence evaluates each rule whose inputs are well
  typed anyway;
- an unknown field is an error, except when it is the only field of a peer or of a protocol
  entry and is not a likely typo (no "did you mean"): a newer CRD may define it, and the API
  asks implementations to fail closed on a peer with no field they know. podfence warns and
  keeps an `UnknownPeer` / `UnknownProtocol` (an Accept rule with it matches nothing, a Deny
  or Pass rule with it denies everything). A field of the experimental channel under
  `Channel.STANDARD`, or an egress-only peer in an ingress rule, is an error: no version of
  the CRD accepts it there;
- label selectors are not checked by the CRD (any operator, any key is stored), but an invalid
  selector cannot be evaluated: podfence reports it as an error, with the words of
  metav1 label selector validation;
- warnings the API server does not give: `metadata.namespace` on this cluster-scoped kind
  (the API server clears it on create, without a word: k8s.io/apiserver registry/rest
  BeforeCreate, seen on v1.36.2), a `destinationNamedPort` no container port can have, and
  `domainNames` in a rule whose action is not Accept (the API supports them for Accept only).

The cases of tests/load/cnp_cases.py were checked against kube-apiserver v1.36.2 with each
channel's CRD installed (server-side dry run, strict field validation).
"""

from __future__ import annotations

import dataclasses
import difflib
import re
from collections.abc import Iterator, Mapping

from podfence.load.cnp_crd import BUNDLE_VERSION, Channel, cnp_schema
from podfence.load.cnp_rules import RULES, rule_message
from podfence.load.fielderr import required
from podfence.load.names import is_valid_port_name
from podfence.load.objects import Obj
from podfence.load.openapi import Problem, ProblemKind, Schema, Walk, walk
from podfence.load.report import Reporter
from podfence.load.tree import child, get_list, get_map, index
from podfence.load.validate_meta import validate_selector
from podfence.model import Diagnostic

__all__ = [
    "EGRESS_ONLY_PEERS",
    "FAIL_CLOSED",
    "SELECTOR_NOTE",
    "fail_closed_position",
    "selector_paths",
    "validate_cluster_network_policy",
]

EGRESS_ONLY_PEERS = ("networks", "nodes", "domainNames")
SELECTOR_NOTE = (
    " (the ClusterNetworkPolicy CRD does not check label selectors, "
    "but podfence cannot evaluate an invalid one)"
)
FAIL_CLOSED = (
    "an Accept rule with it matches nothing, a Deny or Pass rule with it denies everything"
)
"""ClusterNetworkPolicyIngressPeer/EgressPeer: 'For "Accept" rules, "fail closed" means: "treat
the rule as matching no traffic". For "Deny" and "Pass" rules, "fail closed" means: "treat the
rule as a 'Deny all' rule"'."""
NAMESPACE_WARNING = (
    "ignored: a ClusterNetworkPolicy is cluster-scoped (the API server drops metadata.namespace)"
)
_PEER = re.compile(r"spec\.(ingress|egress)\[\d+\]\.(from|to)\[\d+\]")
_PROTOCOL = re.compile(
    r"spec\.(ingress|egress)\[\d+\]\.protocols\[\d+\](\.(tcp|udp|sctp)(\.destinationPort)?)?"
)
_INGRESS_PEER = re.compile(r"spec\.ingress\[\d+\]\.from\[\d+\]")


def fail_closed_position(path: str) -> str | None:
    """ "peer" or "protocol entry" when an object at `path` made only of unknown fields
    fails closed; None elsewhere."""
    if _PEER.fullmatch(path):
        return "peer"
    if _PROTOCOL.fullmatch(path):
        return "protocol entry"
    return None


def _experimental_fields(path: str) -> tuple[str, ...]:
    """The fields the experimental channel has, and the standard one lacks, at `path`."""
    if re.fullmatch(r"spec\.egress\[\d+\]\.to\[\d+\]", path):
        return ("nodes", "domainNames")
    return ()


def _unknown(problem: Problem, channel: Channel, report: Reporter, suppressed: set[str]) -> None:
    parent = problem.path[: -len(problem.key) - 1] if problem.key else problem.path
    key = problem.key
    if channel is Channel.STANDARD and key in _experimental_fields(parent):
        report.error(
            problem.path,
            f'unknown field "{key}" (it is in the experimental channel of the CRD only; '
            "podfence checks against the standard channel)",
        )
        return
    if key in EGRESS_ONLY_PEERS and _INGRESS_PEER.fullmatch(parent):
        report.error(problem.path, f'unknown field "{key}" ({key} peers are for egress only)')
        return
    close = difflib.get_close_matches(key, sorted(problem.known), n=1)
    if close:
        report.error(problem.path, f'unknown field "{key}" (did you mean "{close[0]}"?)')
        return
    position = fail_closed_position(parent)
    if position is not None and problem.siblings == 0:
        suppressed.add(parent)  # its "at least 1 properties": the unknown field is the one
        report.warning(
            problem.path,
            f'unknown field "{key}": the CRD ({BUNDLE_VERSION}, {channel} channel) has no such '
            f"field in a {position}; podfence fails closed: {FAIL_CLOSED}",
        )
        return
    report.error(problem.path, problem.message)


def _report_walk(found: Walk, channel: Channel, report: Reporter) -> set[str]:
    """Report the schema problems; the paths that have one."""
    suppressed: set[str] = set()
    for problem in found.problems:
        if problem.kind is ProblemKind.UNKNOWN_FIELD:
            _unknown(problem, channel, report, suppressed)
    for problem in found.problems:
        if problem.kind is ProblemKind.UNKNOWN_FIELD:
            continue
        if problem.path in suppressed and "should have at least 1 properties" in problem.message:
            continue
        report.error(problem.path, problem.message)
    for site in found.rules:
        check = RULES.get(site.rule)
        if check is None:  # pragma: no cover - a test pins every rule of the bundled CRDs
            report.error(site.path, f"podfence cannot evaluate the CRD rule {site.rule!r}")
            continue
        if check(site.value) is False:
            report.error(site.path, rule_message(site.value, site.message))
    return {p.path for p in found.problems}


def selector_paths(spec: Mapping[str, object]) -> Iterator[tuple[str, Mapping[str, object]]]:
    """Every label selector of a spec, with its path (well-typed ones only)."""
    subject = get_map(spec, "subject")
    yield from _selectors(subject, "spec.subject")
    for direction, peers in (("ingress", "from"), ("egress", "to")):
        for i, rule in enumerate(get_list(spec, direction) or []):
            rule_path = index(f"spec.{direction}", i)
            items = get_list(rule, peers) if isinstance(rule, dict) else None
            for j, peer in enumerate(items or []):
                peer_path = index(child(rule_path, peers), j)
                yield from _selectors(peer if isinstance(peer, dict) else None, peer_path)


def _selectors(
    parent: Mapping[str, object] | None, path: str
) -> Iterator[tuple[str, Mapping[str, object]]]:
    for key in ("namespaces", "nodes"):
        selector = get_map(parent, key)
        if selector is not None:
            yield child(path, key), selector
    pods = get_map(parent, "pods")
    for key in ("namespaceSelector", "podSelector"):
        selector = get_map(pods, key)
        if selector is not None:
            yield child(child(path, "pods"), key), selector


def _check_selectors(
    spec: Mapping[str, object], bad: set[str], report: Reporter, out: list[Diagnostic]
) -> None:
    for path, selector in selector_paths(spec):
        if any(p == path or p.startswith((path + ".", path + "[")) for p in bad):
            continue  # a schema problem inside: reported already
        found: list[Diagnostic] = []
        validate_selector(selector, path, Reporter(report.file, report.lines, report.obj, found))
        out += [dataclasses.replace(d, message=d.message + SELECTOR_NOTE) for d in found]


def _rules(spec: Mapping[str, object]) -> Iterator[tuple[str, Mapping[str, object]]]:
    for direction in ("ingress", "egress"):
        for i, rule in enumerate(get_list(spec, direction) or []):
            if isinstance(rule, dict):
                yield index(f"spec.{direction}", i), rule


def _check_named_ports(spec: Mapping[str, object], report: Reporter) -> None:
    for rule_path, rule in _rules(spec):
        for j, protocol in enumerate(get_list(rule, "protocols") or []):
            name = protocol.get("destinationNamedPort") if isinstance(protocol, dict) else None
            if not isinstance(name, str):
                continue
            path = child(index(child(rule_path, "protocols"), j), "destinationNamedPort")
            if name == "":
                report.warning(
                    path,
                    'an empty destinationNamedPort is Go\'s zero value, "no field set": '
                    f"podfence fails closed: {FAIL_CLOSED}",
                )
                continue
            problems = is_valid_port_name(name)
            if problems:
                report.warning(
                    path,
                    f'no container port can be named "{name}" ({"; ".join(problems)}): '
                    "it matches no port",
                )


def _check_domain_names(spec: Mapping[str, object], report: Reporter) -> None:
    for rule_path, rule in _rules(spec):
        action = rule.get("action")
        if not rule_path.startswith("spec.egress") or action == "Accept":
            continue
        for j, peer in enumerate(get_list(rule, "to") or []):
            if isinstance(peer, dict) and "domainNames" in peer and isinstance(action, str):
                report.warning(
                    child(index(child(rule_path, "to"), j), "domainNames"),
                    f"domainNames peers are supported in Accept rules only, not in a {action} "
                    "rule (network-policy-api): an implementation may ignore or reject it",
                )


def _mapping(value: object) -> Schema:
    return value if isinstance(value, Mapping) else {}


def validate_cluster_network_policy(obj: Obj, channel: Channel, out: list[Diagnostic]) -> None:
    """Append every problem of a ClusterNetworkPolicy (metadata is checked by the caller)."""
    report = obj.reporter(out)
    schema: Schema = cnp_schema(channel)
    properties = schema["properties"]
    assert isinstance(properties, Mapping)
    meta = get_map(obj.body, "metadata")
    if meta is not None and isinstance(meta.get("namespace"), str) and meta["namespace"]:
        report.warning("metadata.namespace", NAMESPACE_WARNING)
    found = Walk()
    spec = obj.body.get("spec")
    if spec is None:
        report.error("spec", required())
    else:
        walk(spec, _mapping(properties["spec"]), "spec", found)
    status = obj.body.get("status")
    if status is not None:
        walk(status, _mapping(properties["status"]), "status", found, values=False)
    bad = _report_walk(found, channel, report)
    if isinstance(spec, dict):
        _check_selectors(spec, bad, report, out)
        _check_named_ports(spec, report)
        _check_domain_names(spec, report)

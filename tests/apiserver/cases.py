"""Seeded NetworkPolicies for the differential test: valid ones, and each with targeted mutations.

`generate(seed, count)` is deterministic: the same seed gives the same cases. A case is a
valid policy (`base_policy`) with zero, one or two mutations from `MUTATIONS`; each mutation
names the upstream rule it exercises (`RULES`), so a test can check that every rule of
pkg/apis/networking/validation and of the apimachinery pieces it uses is exercised by a case
with that mutation alone. A mutation may make the policy invalid or leave it valid (an edge
case the API server accepts, such as `endPort == port` or an IPv6 CIDR in upper case): the
API server decides, and podfence must agree.

Out of scope: `metadata.namespace` (it is part of the request URL, and the API server refuses
a namespace that does not exist before it validates anything).
"""

from __future__ import annotations

import copy
import json
import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

__all__ = ["MUTATIONS", "RULES", "Case", "Mutation", "base_policy", "generate"]

Body = dict[str, Any]

RULES: dict[str, str] = {
    # pkg/apis/networking/validation/validation.go
    "np-name": "ValidateNetworkPolicyName: a DNS subdomain",
    "np-port-protocol": "ValidateNetworkPolicyPort: protocol TCP, UDP or SCTP",
    "np-port-number": "ValidateNetworkPolicyPort: IsValidPortNum(port)",
    "np-port-name": "ValidateNetworkPolicyPort: IsValidPortName(port)",
    "np-endport-order": "ValidateNetworkPolicyPort: endPort >= port",
    "np-endport-range": "ValidateNetworkPolicyPort: IsValidPortNum(endPort)",
    "np-endport-named": "ValidateNetworkPolicyPort: no endPort with a named port",
    "np-endport-alone": "ValidateNetworkPolicyPort: no endPort without port",
    "np-peer-empty": "ValidateNetworkPolicyPeer: must specify a peer",
    "np-peer-ipblock-alone": "ValidateNetworkPolicyPeer: ipBlock and another peer",
    "np-peer-selectors": "ValidateNetworkPolicyPeer: its selectors are validated",
    "np-spec-podselector": "ValidateNetworkPolicySpec: spec.podSelector is validated",
    "np-policytypes-count": "ValidateNetworkPolicySpec: at most two policyTypes",
    "np-policytypes-value": "ValidateNetworkPolicySpec: policyTypes are Ingress or Egress",
    "np-ipblock-cidr-required": "ValidateIPBlock: cidr is required",
    "np-ipblock-cidr-format": "ValidateIPBlock: IsValidCIDRForLegacyField(cidr)",
    "np-ipblock-cidr-strict": "IsValidCIDRForLegacyField, StrictIPCIDRValidation: cidr",
    "np-ipblock-except-format": "ValidateIPBlock: IsValidCIDRForLegacyField(except[i])",
    "np-ipblock-except-strict": "IsValidCIDRForLegacyField, StrictIPCIDRValidation: except",
    "np-ipblock-except-subset": "ValidateIPBlock: except[i] a strict subset of cidr",
    # apimachinery pkg/api/validation/objectmeta.go and core's ValidateObjectMeta
    "meta-name-required": "ValidateObjectMetaAccessor: name or generateName is required",
    "meta-generatename": "ValidateObjectMetaAccessor: generateName (a prefix) and the name",
    "meta-labels": "ValidateLabels: qualified-name keys, label values",
    "meta-annotations": "ValidateAnnotations: qualified-name keys, 256 KiB in all",
    "meta-ownerreferences": "ValidateOwnerReferences: fields, Event, one controller",
    "meta-finalizers": "ValidateFinalizers and core: qualified, standard, orphan xor fg",
    "meta-reset-fields": "fields reset on creation (generation, uid, timestamps...)",
    # apimachinery pkg/apis/meta/v1/validation/validation.go
    "selector-matchlabels": "ValidateLabelSelector: matchLabels as labels",
    "selector-operator": "ValidateLabelSelectorRequirement: a valid operator",
    "selector-values-required": "ValidateLabelSelectorRequirement: values for In/NotIn",
    "selector-values-forbidden": "ValidateLabelSelectorRequirement: no values for Exists",
    "selector-key": "ValidateLabelSelectorRequirement: key is a qualified name",
    "selector-values": "ValidateLabelSelectorRequirement: values are label values",
    # decoding (k8s.io/apimachinery runtime/serializer, sigs.k8s.io/json, strict fields)
    "decode-type": "the JSON type (and Go range) of every field",
    "decode-time": "metav1.Time: RFC 3339",
    "decode-unknown": "fieldValidation=Strict: unknown fields",
    "decode-duplicate": "fieldValidation=Strict: duplicate fields",
    "decode-null": "null: an absent field, or Go's zero value for a list item or map value",
    # pkg/apis/networking/v1/defaults.go and GetWarningsForCIDR
    "defaults": "defaulting: protocol, policyTypes, podSelector",
    "warn-cidr": "GetWarningsForCIDR: IPv6 not in canonical form",
}


@dataclass(frozen=True, slots=True)
class Case:
    """One request: the object (or raw JSON text), and the mutations that made it."""

    name: str
    body: Body
    mutations: tuple[str, ...]
    raw: str | None = None

    def text(self) -> str:
        return self.raw if self.raw is not None else json.dumps(self.body, indent=2)


Mutate = Callable[[random.Random, Body], "Body | str"]


@dataclass(frozen=True, slots=True)
class Mutation:
    """A named change to a valid policy; returns the new body, or raw JSON text."""

    name: str
    rule: str
    apply: Mutate


# --- valid building blocks --------------------------------------------------------------------

NAMES = ["web", "db", "allow-dns", "deny-all", "frontend.v1", "a", "x-1", "api-2024"]
KEYS = ["app", "tier", "example.com/team", "k8s.io/part-of", "env", "A_b.c-9"]
VALUES = ["web", "db", "", "v1.2", "A_b-c", "x" * 63, "9"]
V4 = ["10.0.0.0/8", "192.168.1.0/24", "172.16.0.0/12", "0.0.0.0/0", "10.1.2.3/32"]
V6 = ["fd00::/8", "2001:db8::/32", "::/0", "2001:db8:1::/48", "fd00::1/128"]
EXCEPTS = {
    "10.0.0.0/8": ["10.1.0.0/16", "10.2.3.0/24"],
    "192.168.1.0/24": ["192.168.1.128/25", "192.168.1.7/32"],
    "172.16.0.0/12": ["172.16.0.0/16"],
    "0.0.0.0/0": ["10.0.0.0/8", "169.254.169.254/32"],
    "fd00::/8": ["fd00:1::/32"],
    "2001:db8::/32": ["2001:db8:1::/48", "2001:db8::/64"],
    "::/0": ["fd00::/8"],
}
PORT_NAMES = ["http", "dns", "h2c-web", "metrics", "a1"]


def _labels(rng: random.Random, most: int = 3) -> dict[str, str]:
    return {rng.choice(KEYS): rng.choice(VALUES) for _ in range(rng.randint(1, most))}


def _selector(rng: random.Random) -> Body:
    choice = rng.randrange(4)
    selector: Body = {}
    if choice in (1, 3):
        selector["matchLabels"] = _labels(rng)
    if choice in (2, 3):
        expressions = []
        for _ in range(rng.randint(1, 2)):
            operator = rng.choice(["In", "NotIn", "Exists", "DoesNotExist"])
            expression: Body = {"key": rng.choice(KEYS), "operator": operator}
            if operator in ("In", "NotIn"):
                expression["values"] = rng.sample(VALUES, rng.randint(1, 3))
            expressions.append(expression)
        selector["matchExpressions"] = expressions
    return selector


def _ip_block(rng: random.Random) -> Body:
    cidr = rng.choice(V4 + V6)
    block: Body = {"cidr": cidr}
    if cidr in EXCEPTS and rng.random() < 0.5:
        block["except"] = rng.sample(EXCEPTS[cidr], rng.randint(1, len(EXCEPTS[cidr])))
    return block


def _peer(rng: random.Random) -> Body:
    choice = rng.randrange(4)
    if choice == 0:
        return {"podSelector": _selector(rng)}
    if choice == 1:
        return {"namespaceSelector": _selector(rng)}
    if choice == 2:
        return {"podSelector": _selector(rng), "namespaceSelector": _selector(rng)}
    return {"ipBlock": _ip_block(rng)}


def _port(rng: random.Random) -> Body:
    port: Body = {}
    if rng.random() < 0.6:
        port["protocol"] = rng.choice(["TCP", "UDP", "SCTP"])
    choice = rng.randrange(4)
    if choice == 0:
        port["port"] = rng.randint(1, 65535)
    elif choice == 1:
        port["port"] = rng.choice(PORT_NAMES)
    elif choice == 2:
        start = rng.randint(1, 60000)
        port["port"] = start
        port["endPort"] = rng.randint(start, 65535)
    return port


def _rule(rng: random.Random, peers: str) -> Body:
    rule: Body = {}
    if rng.random() < 0.7:
        rule[peers] = [_peer(rng) for _ in range(rng.randint(1, 3))]
    if rng.random() < 0.6:
        rule["ports"] = [_port(rng) for _ in range(rng.randint(1, 3))]
    return rule


def base_policy(rng: random.Random) -> Body:
    """A valid NetworkPolicy in the namespace `default` (which the request names)."""
    metadata: Body = {"name": rng.choice(NAMES)}
    if rng.random() < 0.3:
        metadata["namespace"] = "default"
    if rng.random() < 0.4:
        metadata["labels"] = _labels(rng)
    if rng.random() < 0.2:
        metadata["annotations"] = {"example.com/owner": "team-a", "note": "any text: ok"}
    spec: Body = {}
    if rng.random() < 0.9:
        spec["podSelector"] = _selector(rng)
    directions = rng.choice([("ingress",), ("egress",), ("ingress", "egress"), ()])
    for direction in directions:
        peers = "from" if direction == "ingress" else "to"
        spec[direction] = [_rule(rng, peers) for _ in range(rng.randint(0, 3))]
    if rng.random() < 0.5:
        types = [d.capitalize() for d in directions] or ["Ingress"]
        spec["policyTypes"] = types
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": metadata,
        "spec": spec,
    }


# --- where a mutation goes --------------------------------------------------------------------


def _spec(body: Body) -> Body:
    spec = body.setdefault("spec", {})
    assert isinstance(spec, dict)
    return spec


def _meta(body: Body) -> Body:
    meta = body.setdefault("metadata", {})
    assert isinstance(meta, dict)
    return meta


def _new_rule(rng: random.Random, body: Body) -> tuple[Body, str]:
    """A rule of the policy (a new one if it has none) and its peers field."""
    direction = rng.choice(["ingress", "egress"])
    rules = _spec(body).setdefault(direction, [])
    if not rules or rng.random() < 0.3:
        rules.append({})
    return rng.choice(rules), ("from" if direction == "ingress" else "to")


def _add_port(rng: random.Random, body: Body, port: Body) -> Body:
    rule, _ = _new_rule(rng, body)
    rule.setdefault("ports", []).append(port)
    return body


def _add_peer(rng: random.Random, body: Body, peer: Any) -> Body:
    rule, peers = _new_rule(rng, body)
    rule.setdefault(peers, []).append(peer)
    return body


def _some_selector(rng: random.Random, body: Body) -> Body:
    """spec.podSelector, or the podSelector/namespaceSelector of a new peer."""
    if rng.random() < 0.5:
        selector = _spec(body).setdefault("podSelector", {})
        assert isinstance(selector, dict)
        return selector
    selector = {}
    _add_peer(rng, body, {rng.choice(["podSelector", "namespaceSelector"]): selector})
    return selector


def _expression(rng: random.Random, body: Body, expression: Body) -> Body:
    _some_selector(rng, body).setdefault("matchExpressions", []).append(expression)
    return body


def _match_label(rng: random.Random, body: Body, key: str, value: Any) -> Body:
    _some_selector(rng, body).setdefault("matchLabels", {})[key] = value
    return body


def _block(rng: random.Random, body: Body, block: Body) -> Body:
    return _add_peer(rng, body, {"ipBlock": block})


def _set_meta(key: str, value: Any) -> Mutate:
    def apply(rng: random.Random, body: Body) -> Body:
        _meta(body)[key] = value
        return body

    return apply


def _set_spec(key: str, value: Any) -> Mutate:
    def apply(rng: random.Random, body: Body) -> Body:
        _spec(body)[key] = copy.deepcopy(value)
        return body

    return apply


def _port_m(port: Body) -> Mutate:
    return lambda rng, body: _add_port(rng, body, dict(port))


def _peer_m(peer: Any) -> Mutate:
    return lambda rng, body: _add_peer(rng, body, copy.deepcopy(peer))


def _block_m(cidr: Any, excepts: list[Any] | None = None) -> Mutate:
    def apply(rng: random.Random, body: Body) -> Body:
        block: Body = {"cidr": cidr}
        if excepts is not None:
            block["except"] = list(excepts)
        return _block(rng, body, block)

    return apply


def _expr_m(expression: Body) -> Mutate:
    return lambda rng, body: _expression(rng, body, copy.deepcopy(expression))


def _label_m(key: str, value: Any) -> Mutate:
    return lambda rng, body: _match_label(rng, body, key, value)


def _meta_labels_m(field: str, key: str, value: Any) -> Mutate:
    def apply(rng: random.Random, body: Body) -> Body:
        _meta(body).setdefault(field, {})[key] = value
        return body

    return apply


def _no_name_m(generate_name: str) -> Mutate:
    def apply(rng: random.Random, body: Body) -> Body:
        meta = _meta(body)
        meta.pop("name", None)
        meta["generateName"] = generate_name
        return body

    return apply


def _drop_pod_selector(rng: random.Random, body: Body) -> Body:
    _spec(body).pop("podSelector", None)
    return body


def _drop_name(rng: random.Random, body: Body) -> Body:
    _meta(body).pop("name", None)
    return body


def _owner(**fields: Any) -> dict[str, Any]:
    ref = {"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "web-1", "uid": "1234"}
    ref.update(fields)
    return {k: v for k, v in ref.items() if v is not None}


def _top_m(key: str, value: Any) -> Mutate:
    def apply(rng: random.Random, body: Body) -> Body:
        body[key] = value
        return body

    return apply


def _rule_field_m(direction: str, key: str, value: Any) -> Mutate:
    def apply(rng: random.Random, body: Body) -> Body:
        _spec(body).setdefault(direction, []).append({key: copy.deepcopy(value)})
        return body

    return apply


def _null_item_m(field: str) -> Mutate:
    """A `null` in a list: Go's zero value (a rule, peer or port with nothing set)."""

    def apply(rng: random.Random, body: Body) -> Body:
        rule, peers = _new_rule(rng, body)
        rule.setdefault(peers if field == "peers" else "ports", []).append(None)
        return body

    return apply


def _selector_field_m(key: str, value: Any) -> Mutate:
    def apply(rng: random.Random, body: Body) -> Body:
        _some_selector(rng, body)[key] = copy.deepcopy(value)
        return body

    return apply


def _duplicate_name(rng: random.Random, body: Body) -> str:
    text = json.dumps(body)
    return text.replace('"metadata": {', '"metadata": {"name": "twice", ', 1)


def _duplicate_cidr(rng: random.Random, body: Body) -> str:
    _block(rng, body, {"cidr": "10.0.0.0/8"})
    once = '"cidr": "10.0.0.0/8"'
    return json.dumps(body).replace(once, f'{once}, "cidr": "fd00::/8"', 1)


_BIG = "x" * (256 * 1024)

MUTATIONS: list[Mutation] = [
    # names
    Mutation("name-uppercase", "np-name", _set_meta("name", "Web")),
    Mutation("name-underscore", "np-name", _set_meta("name", "web_1")),
    Mutation("name-too-long", "np-name", _set_meta("name", "a" * 254)),
    Mutation("name-253", "np-name", _set_meta("name", "a" * 253)),
    Mutation("name-leading-dash", "np-name", _set_meta("name", "-web")),
    Mutation("name-dots", "np-name", _set_meta("name", "web.v1.shop")),
    Mutation("name-double-dot", "np-name", _set_meta("name", "web..v1")),
    Mutation("name-empty", "meta-name-required", _set_meta("name", "")),
    Mutation("name-missing", "meta-name-required", _drop_name),
    Mutation("generatename-only", "meta-generatename", _no_name_m("web-")),
    Mutation("generatename-only-bad", "meta-generatename", _no_name_m("Web_")),
    Mutation("generatename-only-long", "meta-generatename", _no_name_m("w" * 250)),
    Mutation("generatename-only-too-long", "meta-generatename", _no_name_m("w" * 300)),
    Mutation("generatename-bad-with-name", "meta-generatename", _set_meta("generateName", "A_")),
    Mutation("generatename-ok-with-name", "meta-generatename", _set_meta("generateName", "a-")),
    Mutation("generatename-dash", "meta-generatename", _no_name_m("-")),
    # labels and annotations
    Mutation("label-key-space", "meta-labels", _meta_labels_m("labels", "a b", "x")),
    Mutation("label-key-prefix-bad", "meta-labels", _meta_labels_m("labels", "Foo_/a", "x")),
    Mutation("label-key-empty-prefix", "meta-labels", _meta_labels_m("labels", "/a", "x")),
    Mutation("label-key-two-slashes", "meta-labels", _meta_labels_m("labels", "a/b/c", "x")),
    Mutation("label-key-name-64", "meta-labels", _meta_labels_m("labels", "a" * 64, "x")),
    Mutation("label-key-ok-prefix", "meta-labels", _meta_labels_m("labels", "ex.io/A.b", "")),
    Mutation("label-value-space", "meta-labels", _meta_labels_m("labels", "app", "a b")),
    Mutation("label-value-64", "meta-labels", _meta_labels_m("labels", "app", "v" * 64)),
    Mutation("label-value-dash", "meta-labels", _meta_labels_m("labels", "app", "-v")),
    Mutation("label-value-int", "decode-type", _meta_labels_m("labels", "app", 5)),
    Mutation("label-value-null", "decode-null", _meta_labels_m("labels", "app", None)),
    Mutation("annotation-key-bad", "meta-annotations", _meta_labels_m("annotations", "a b", "")),
    Mutation(
        "annotation-key-upper", "meta-annotations", _meta_labels_m("annotations", "Ex.IO/K", "v")
    ),
    Mutation("annotation-too-big", "meta-annotations", _meta_labels_m("annotations", "a", _BIG)),
    Mutation("annotations-list", "decode-type", _set_meta("annotations", ["a"])),
    # owner references and finalizers
    Mutation("owner-ok", "meta-ownerreferences", _set_meta("ownerReferences", [_owner()])),
    Mutation(
        "owner-no-uid", "meta-ownerreferences", _set_meta("ownerReferences", [_owner(uid=None)])
    ),
    Mutation(
        "owner-no-kind", "meta-ownerreferences", _set_meta("ownerReferences", [_owner(kind="")])
    ),
    Mutation(
        "owner-no-name", "meta-ownerreferences", _set_meta("ownerReferences", [_owner(name=None)])
    ),
    Mutation(
        "owner-group-only",
        "meta-ownerreferences",
        _set_meta("ownerReferences", [_owner(apiVersion="apps/")]),
    ),
    Mutation(
        "owner-event",
        "meta-ownerreferences",
        _set_meta("ownerReferences", [_owner(apiVersion="v1", kind="Event")]),
    ),
    Mutation(
        "owner-two-controllers",
        "meta-ownerreferences",
        _set_meta(
            "ownerReferences", [_owner(controller=True), _owner(name="web-2", controller=True)]
        ),
    ),
    Mutation(
        "owner-unknown-field",
        "decode-unknown",
        _set_meta("ownerReferences", [_owner(ownerKind="x")]),
    ),
    Mutation("owner-empty", "meta-ownerreferences", _set_meta("ownerReferences", [{}])),
    Mutation("finalizer-plain", "meta-finalizers", _set_meta("finalizers", ["cleanup"])),
    Mutation("finalizer-standard", "meta-finalizers", _set_meta("finalizers", ["kubernetes"])),
    Mutation("finalizer-qualified", "meta-finalizers", _set_meta("finalizers", ["ex.com/x"])),
    Mutation("finalizer-space", "meta-finalizers", _set_meta("finalizers", ["a b"])),
    Mutation("finalizer-empty-name", "meta-finalizers", _set_meta("finalizers", ["x.io/"])),
    Mutation(
        "finalizer-orphan-fg",
        "meta-finalizers",
        _set_meta("finalizers", ["orphan", "foregroundDeletion"]),
    ),
    # fields reset on creation, and their types
    Mutation("generation-string", "decode-type", _set_meta("generation", "1")),
    Mutation("generation-negative", "meta-reset-fields", _set_meta("generation", -1)),
    Mutation("generation-float", "decode-type", _set_meta("generation", 1.5)),
    Mutation("uid-int", "decode-type", _set_meta("uid", 5)),
    Mutation("uid-set", "meta-reset-fields", _set_meta("uid", "abc")),
    Mutation("resource-version", "meta-reset-fields", _set_meta("resourceVersion", "12")),
    Mutation("grace-string", "decode-type", _set_meta("deletionGracePeriodSeconds", "5")),
    Mutation("managed-fields-string", "decode-type", _set_meta("managedFields", "x")),
    Mutation(
        "creation-ok", "meta-reset-fields", _set_meta("creationTimestamp", "2024-05-01T10:00:00Z")
    ),
    Mutation("creation-words", "decode-time", _set_meta("creationTimestamp", "yesterday")),
    Mutation(
        "creation-month-13", "decode-time", _set_meta("creationTimestamp", "2024-13-01T00:00:00Z")
    ),
    Mutation(
        "creation-feb-30", "decode-time", _set_meta("creationTimestamp", "2024-02-30T00:00:00Z")
    ),
    Mutation(
        "creation-no-zone", "decode-time", _set_meta("creationTimestamp", "2024-01-01T00:00:00")
    ),
    Mutation(
        "creation-space", "decode-time", _set_meta("creationTimestamp", "2024-01-01 00:00:00Z")
    ),
    Mutation(
        "creation-fraction-offset",
        "decode-time",
        _set_meta("creationTimestamp", "2024-01-01T00:00:00.25+01:00"),
    ),
    Mutation(
        "creation-one-digit-hour",
        "decode-time",
        _set_meta("creationTimestamp", "2024-01-01T1:00:00Z"),
    ),
    Mutation("creation-int", "decode-type", _set_meta("creationTimestamp", 5)),
    Mutation(
        "deletion-timestamp",
        "meta-reset-fields",
        _set_meta("deletionTimestamp", "2024-05-01T10:00:00Z"),
    ),
    # decoding: unknown fields, duplicates, types, nulls
    Mutation("status-empty", "decode-unknown", _top_m("status", {})),
    Mutation("status-null", "decode-unknown", _top_m("status", None)),
    Mutation("top-unknown", "decode-unknown", _top_m("specification", {})),
    Mutation("meta-unknown", "decode-unknown", _set_meta("labelz", {"a": "b"})),
    Mutation("spec-unknown", "decode-unknown", _set_spec("ingres", [])),
    Mutation("selector-unknown", "decode-unknown", _selector_field_m("matchLables", {"a": "b"})),
    Mutation("ingress-to", "decode-unknown", _rule_field_m("ingress", "to", [{"podSelector": {}}])),
    Mutation("egress-from", "decode-unknown", _rule_field_m("egress", "from", [])),
    Mutation("port-unknown", "decode-unknown", _port_m({"port": 80, "ports": 90})),
    Mutation("ipblock-unknown", "decode-unknown", _peer_m({"ipBlock": {"cidrs": "10.0.0.0/8"}})),
    Mutation("duplicate-name", "decode-duplicate", _duplicate_name),
    Mutation("duplicate-cidr", "decode-duplicate", _duplicate_cidr),
    Mutation("spec-list", "decode-type", _top_m("spec", [])),
    Mutation("spec-null", "decode-null", _top_m("spec", None)),
    Mutation("metadata-list", "decode-type", _top_m("metadata", [])),
    Mutation("ingress-map", "decode-type", _set_spec("ingress", {"from": []})),
    Mutation("ingress-string", "decode-type", _set_spec("egress", "all")),
    Mutation("ingress-null-item", "decode-null", _set_spec("ingress", [None])),
    Mutation("peer-null-item", "decode-null", _null_item_m("peers")),
    Mutation("port-null-item", "decode-null", _null_item_m("ports")),
    Mutation("peer-string", "decode-type", _peer_m("everyone")),
    Mutation("matchlabels-list", "decode-type", _selector_field_m("matchLabels", ["a"])),
    Mutation("matchlabels-int-value", "decode-type", _label_m("app", 1)),
    Mutation("matchlabels-null-value", "decode-null", _label_m("app", None)),
    Mutation(
        "values-string", "decode-type", _expr_m({"key": "a", "operator": "In", "values": "x"})
    ),
    Mutation(
        "values-int-item", "decode-type", _expr_m({"key": "a", "operator": "In", "values": [1]})
    ),
    Mutation(
        "values-null-item", "decode-null", _expr_m({"key": "a", "operator": "In", "values": [None]})
    ),
    Mutation("expression-null-item", "decode-null", _selector_field_m("matchExpressions", [None])),
    Mutation("podselector-null", "decode-null", _set_spec("podSelector", None)),
    Mutation("policytypes-null-item", "decode-null", _set_spec("policyTypes", [None])),
    Mutation("cidr-int", "decode-type", _peer_m({"ipBlock": {"cidr": 10}})),
    Mutation("except-null-item", "decode-null", _block_m("10.0.0.0/8", [None])),
    Mutation("protocol-int", "decode-type", _port_m({"protocol": 6})),
    Mutation("protocol-null", "decode-null", _port_m({"protocol": None, "port": 53})),
    Mutation("port-bool", "decode-type", _port_m({"port": True})),
    Mutation("port-float", "decode-type", _port_m({"port": 80.5})),
    Mutation("port-float-whole", "decode-type", _port_m({"port": 80.0})),
    Mutation("port-int64", "decode-type", _port_m({"port": 2**40})),
    Mutation("port-list", "decode-type", _port_m({"port": [80]})),
    Mutation("endport-string", "decode-type", _port_m({"port": 80, "endPort": "90"})),
    Mutation("endport-int64", "decode-type", _port_m({"port": 80, "endPort": 2**33})),
    # defaults
    Mutation("podselector-missing", "defaults", _drop_pod_selector),
    Mutation("policytypes-empty", "defaults", _set_spec("policyTypes", [])),
    Mutation("protocol-missing", "defaults", _port_m({"port": 443})),
    Mutation("rule-empty", "defaults", _rule_field_m("egress", "ports", [])),
    # ports
    Mutation("protocol-icmp", "np-port-protocol", _port_m({"protocol": "ICMP"})),
    Mutation("protocol-lowercase", "np-port-protocol", _port_m({"protocol": "tcp", "port": 80})),
    Mutation("protocol-empty", "np-port-protocol", _port_m({"protocol": ""})),
    Mutation("protocol-sctp", "np-port-protocol", _port_m({"protocol": "SCTP", "port": 9})),
    Mutation("port-zero", "np-port-number", _port_m({"port": 0})),
    Mutation("port-65536", "np-port-number", _port_m({"port": 65536})),
    Mutation("port-negative", "np-port-number", _port_m({"port": -1})),
    Mutation("port-65535", "np-port-number", _port_m({"port": 65535})),
    Mutation("port-int32-max", "np-port-number", _port_m({"port": 2**31 - 1})),
    Mutation("port-name-digits", "np-port-name", _port_m({"port": "80"})),
    Mutation("port-name-16", "np-port-name", _port_m({"port": "a" * 16})),
    Mutation("port-name-15", "np-port-name", _port_m({"port": "a" * 15})),
    Mutation("port-name-upper", "np-port-name", _port_m({"port": "Http"})),
    Mutation("port-name-double-dash", "np-port-name", _port_m({"port": "a--b"})),
    Mutation("port-name-edge-dash", "np-port-name", _port_m({"port": "-ab"})),
    Mutation("port-name-empty", "np-port-name", _port_m({"port": ""})),
    Mutation("port-name-underscore", "np-port-name", _port_m({"port": "my_port"})),
    Mutation("endport-below", "np-endport-order", _port_m({"port": 80, "endPort": 70})),
    Mutation("endport-equal", "np-endport-order", _port_m({"port": 80, "endPort": 80})),
    Mutation("endport-65536", "np-endport-range", _port_m({"port": 80, "endPort": 65536})),
    Mutation("endport-zero-port-zero", "np-endport-range", _port_m({"port": 0, "endPort": 0})),
    Mutation("endport-named", "np-endport-named", _port_m({"port": "http", "endPort": 90})),
    Mutation("endport-alone", "np-endport-alone", _port_m({"endPort": 90})),
    # peers
    Mutation("peer-empty", "np-peer-empty", _peer_m({})),
    Mutation(
        "peer-ipblock-and-pods",
        "np-peer-ipblock-alone",
        _peer_m({"ipBlock": {"cidr": "10.0.0.0/8"}, "podSelector": {}}),
    ),
    Mutation(
        "peer-ipblock-and-namespaces",
        "np-peer-ipblock-alone",
        _peer_m({"ipBlock": {"cidr": "10.0.0.0/8"}, "namespaceSelector": {"matchLabels": {}}}),
    ),
    Mutation(
        "peer-both-selectors",
        "np-peer-selectors",
        _peer_m({"podSelector": {}, "namespaceSelector": {}}),
    ),
    Mutation(
        "peer-bad-selector",
        "np-peer-selectors",
        _peer_m({"namespaceSelector": {"matchLabels": {"a b": "x"}}}),
    ),
    # selectors
    Mutation("matchlabels-bad-key", "selector-matchlabels", _label_m("a b", "x")),
    Mutation("matchlabels-bad-value", "selector-matchlabels", _label_m("app", "a b")),
    Mutation("matchlabels-empty-value", "selector-matchlabels", _label_m("app", "")),
    Mutation("matchlabels-empty-key", "selector-matchlabels", _label_m("", "x")),
    Mutation("operator-unknown", "selector-operator", _expr_m({"key": "a", "operator": "Equals"})),
    Mutation(
        "operator-lowercase",
        "selector-operator",
        _expr_m({"key": "a", "operator": "in", "values": ["x"]}),
    ),
    Mutation("operator-missing", "selector-operator", _expr_m({"key": "a"})),
    Mutation(
        "in-without-values", "selector-values-required", _expr_m({"key": "a", "operator": "In"})
    ),
    Mutation(
        "notin-empty-values",
        "selector-values-required",
        _expr_m({"key": "a", "operator": "NotIn", "values": []}),
    ),
    Mutation(
        "exists-with-values",
        "selector-values-forbidden",
        _expr_m({"key": "a", "operator": "Exists", "values": ["x"]}),
    ),
    Mutation(
        "doesnotexist-with-values",
        "selector-values-forbidden",
        _expr_m({"key": "a", "operator": "DoesNotExist", "values": ["x", "y"]}),
    ),
    Mutation("key-bad", "selector-key", _expr_m({"key": "a b", "operator": "Exists"})),
    Mutation("key-missing", "selector-key", _expr_m({"operator": "Exists"})),
    Mutation("key-prefixed", "selector-key", _expr_m({"key": "ex.com/a", "operator": "Exists"})),
    Mutation(
        "value-bad",
        "selector-values",
        _expr_m({"key": "a", "operator": "In", "values": ["ok", "a b"]}),
    ),
    Mutation(
        "value-64",
        "selector-values",
        _expr_m({"key": "a", "operator": "NotIn", "values": ["v" * 64]}),
    ),
    Mutation(
        "podselector-bad",
        "np-spec-podselector",
        _set_spec("podSelector", {"matchExpressions": [{"key": "-a", "operator": "Exists"}]}),
    ),
    # policyTypes
    Mutation(
        "policytypes-three",
        "np-policytypes-count",
        _set_spec("policyTypes", ["Ingress", "Egress", "Ingress"]),
    ),
    Mutation(
        "policytypes-twice", "np-policytypes-count", _set_spec("policyTypes", ["Egress", "Egress"])
    ),
    Mutation("policytypes-typo", "np-policytypes-value", _set_spec("policyTypes", ["Egres"])),
    Mutation(
        "policytypes-lowercase", "np-policytypes-value", _set_spec("policyTypes", ["ingress"])
    ),
    Mutation("policytypes-empty-string", "np-policytypes-value", _set_spec("policyTypes", [""])),
    # ipBlock
    Mutation("cidr-empty", "np-ipblock-cidr-required", _block_m("")),
    Mutation("cidr-missing", "np-ipblock-cidr-required", _peer_m({"ipBlock": {}})),
    Mutation("cidr-no-prefix", "np-ipblock-cidr-format", _block_m("10.0.0.0")),
    Mutation("cidr-prefix-33", "np-ipblock-cidr-format", _block_m("10.0.0.0/33")),
    Mutation("cidr-prefix-129", "np-ipblock-cidr-format", _block_m("fd00::/129")),
    Mutation("cidr-words", "np-ipblock-cidr-format", _block_m("everywhere")),
    Mutation("cidr-space", "np-ipblock-cidr-format", _block_m(" 10.0.0.0/8")),
    Mutation("cidr-arabic-digits", "np-ipblock-cidr-format", _block_m("\u0661\u0660.0.0.0/8")),
    Mutation("cidr-arabic-prefix", "np-ipblock-cidr-format", _block_m("10.0.0.0/\u0668")),
    Mutation("cidr-zone", "np-ipblock-cidr-format", _block_m("fe80::1%eth0/64")),
    Mutation("cidr-three-octets", "np-ipblock-cidr-format", _block_m("10.0.0/8")),
    Mutation("cidr-octet-256", "np-ipblock-cidr-format", _block_m("10.0.0.256/32")),
    Mutation("cidr-plus-prefix", "np-ipblock-cidr-format", _block_m("10.0.0.0/+8")),
    Mutation("cidr-hex", "np-ipblock-cidr-format", _block_m("0x0a.0.0.0/8")),
    Mutation("cidr-host-bits", "np-ipblock-cidr-strict", _block_m("10.0.0.1/8")),
    Mutation("cidr-host-bits-v6", "np-ipblock-cidr-strict", _block_m("fd00::1/8")),
    Mutation("cidr-leading-zero", "np-ipblock-cidr-strict", _block_m("010.0.0.0/8")),
    Mutation("cidr-leading-zeros-octet", "np-ipblock-cidr-strict", _block_m("10.00.0.0/16")),
    Mutation("cidr-leading-zero-prefix", "np-ipblock-cidr-strict", _block_m("10.0.0.0/08")),
    Mutation("cidr-leading-zero-prefix-v6", "np-ipblock-cidr-strict", _block_m("fd00::/08")),
    Mutation("cidr-many-zeros", "np-ipblock-cidr-strict", _block_m("0010.0.0.0/0008")),
    Mutation("cidr-mapped", "np-ipblock-cidr-strict", _block_m("::ffff:10.0.0.0/104")),
    Mutation("cidr-mapped-hex", "np-ipblock-cidr-strict", _block_m("::ffff:a00:0/104")),
    Mutation("cidr-mapped-zeros", "np-ipblock-cidr-strict", _block_m("::ffff:010.0.0.0/104")),
    Mutation("cidr-mapped-short", "np-ipblock-cidr-strict", _block_m("::ffff:10.0.0.0/80")),
    Mutation("cidr-v6-upper", "warn-cidr", _block_m("FD00::/8")),
    Mutation("cidr-v6-zero-group", "warn-cidr", _block_m("fd00:0::/16")),
    Mutation("cidr-v4-compatible", "warn-cidr", _block_m("::10.0.0.0/104")),
    Mutation("cidr-v6-embedded", "warn-cidr", _block_m("fd00::10.0.0.1/128")),
    Mutation("except-invalid", "np-ipblock-except-format", _block_m("10.0.0.0/8", ["10.1.0.0"])),
    Mutation("except-empty", "np-ipblock-except-format", _block_m("10.0.0.0/8", [""])),
    Mutation(
        "except-host-bits", "np-ipblock-except-strict", _block_m("10.0.0.0/8", ["10.1.0.1/16"])
    ),
    Mutation(
        "except-leading-zero", "np-ipblock-except-strict", _block_m("10.0.0.0/8", ["10.01.0.0/16"])
    ),
    Mutation(
        "except-mapped", "np-ipblock-except-strict", _block_m("10.0.0.0/8", ["::ffff:10.1.0.0/112"])
    ),
    Mutation("except-v6-upper", "warn-cidr", _block_m("fd00::/8", ["FD00:1::/32"])),
    Mutation("except-outside", "np-ipblock-except-subset", _block_m("10.0.0.0/8", ["11.0.0.0/16"])),
    Mutation("except-equal", "np-ipblock-except-subset", _block_m("10.0.0.0/8", ["10.0.0.0/8"])),
    Mutation("except-wider", "np-ipblock-except-subset", _block_m("10.1.0.0/16", ["10.0.0.0/8"])),
    Mutation(
        "except-other-family", "np-ipblock-except-subset", _block_m("10.0.0.0/8", ["fd00::/16"])
    ),
    Mutation(
        "except-v4-in-mapped",
        "np-ipblock-except-subset",
        _block_m("::ffff:10.0.0.0/104", ["10.1.0.0/16"]),
    ),
    Mutation(
        "except-host-bits-cidr", "np-ipblock-except-subset", _block_m("10.0.0.1/8", ["10.1.0.0/16"])
    ),
    Mutation(
        "except-v6-ok", "np-ipblock-except-subset", _block_m("2001:db8::/32", ["2001:db8::/33"])
    ),
    # more edges
    Mutation("name-unicode", "np-name", _set_meta("name", "w\u00e9b")),
    Mutation("label-value-unicode", "meta-labels", _meta_labels_m("labels", "app", "caf\u00e9")),
    Mutation("label-key-prefix-upper", "meta-labels", _meta_labels_m("labels", "Ex.com/a", "x")),
    Mutation("label-key-prefix-254", "meta-labels", _meta_labels_m("labels", "a" * 254 + "/b", "")),
    Mutation("label-key-name-63", "meta-labels", _meta_labels_m("labels", "k" * 63, "v" * 63)),
    Mutation("matchlabels-prefix-empty", "selector-matchlabels", _label_m("/app", "x")),
    Mutation("matchlabels-key-slashes", "selector-matchlabels", _label_m("a/b/c", "x")),
    Mutation(
        "matchexpressions-empty", "selector-operator", _selector_field_m("matchExpressions", [])
    ),
    Mutation("matchlabels-empty", "selector-matchlabels", _selector_field_m("matchLabels", {})),
    Mutation("port-name-trailing-dash", "np-port-name", _port_m({"port": "web-"})),
    Mutation("port-name-digit-first", "np-port-name", _port_m({"port": "1a"})),
    Mutation("port-name-spaces", "np-port-name", _port_m({"port": " 80"})),
    Mutation("protocol-space", "np-port-protocol", _port_m({"protocol": " TCP"})),
    Mutation(
        "policytypes-twice-ingress",
        "np-policytypes-value",
        _set_spec("policyTypes", ["Ingress", "Ingress"]),
    ),
    Mutation("cidr-prefix-leading-zero-32", "np-ipblock-cidr-strict", _block_m("1.2.3.4/032")),
    Mutation("cidr-trailing-slash", "np-ipblock-cidr-format", _block_m("10.0.0.0/8/")),
    Mutation("cidr-newline", "np-ipblock-cidr-format", _block_m("10.0.0.0/8\n")),
    Mutation("cidr-v6-upper-host-bits", "np-ipblock-cidr-strict", _block_m("FD00::1/8")),
    Mutation("cidr-v6-max", "np-ipblock-cidr-format", _block_m("2001:db8::1/128")),
    Mutation(
        "except-v6-wider", "np-ipblock-except-subset", _block_m("2001:db8::/32", ["2001:db8::/31"])
    ),
    Mutation(
        "except-twice",
        "np-ipblock-except-subset",
        _block_m("10.0.0.0/8", ["10.1.0.0/16", "10.1.0.0/16"]),
    ),
    Mutation("finalizer-two-slashes", "meta-finalizers", _set_meta("finalizers", ["a/b/c"])),
    Mutation("finalizer-empty-prefix", "meta-finalizers", _set_meta("finalizers", ["/x"])),
    Mutation(
        "finalizer-k8s", "meta-finalizers", _set_meta("finalizers", ["kubernetes.io/pv-protection"])
    ),
    Mutation(
        "owner-version-empty",
        "meta-ownerreferences",
        _set_meta("ownerReferences", [_owner(apiVersion="v1/")]),
    ),
    Mutation(
        "owner-three-parts",
        "meta-ownerreferences",
        _set_meta("ownerReferences", [_owner(apiVersion="a/b/c")]),
    ),
    Mutation(
        "owner-no-api-version",
        "meta-ownerreferences",
        _set_meta("ownerReferences", [_owner(apiVersion=None)]),
    ),
    Mutation(
        "owner-controller-string",
        "decode-type",
        _set_meta("ownerReferences", [_owner(controller="yes")]),
    ),
    Mutation("generation-huge", "decode-type", _set_meta("generation", 2**70)),
    Mutation("cluster-name", "decode-unknown", _set_meta("clusterName", "c1")),
    Mutation("finalizers-string", "decode-type", _set_meta("finalizers", "kubernetes")),
    Mutation("labels-null", "decode-null", _set_meta("labels", None)),
    Mutation("time-and-type", "decode-type", _set_meta("creationTimestamp", "now")),
]


def _mutate(rng: random.Random, body: Body, mutations: list[Mutation]) -> tuple[Body, str | None]:
    raw = None
    for mutation in mutations:
        out = mutation.apply(rng, body)
        if isinstance(out, str):
            raw = out  # a raw-text mutation comes last
        else:
            body = out
    return body, raw


def _combine(
    rng: random.Random, base: Body, chosen: list[Mutation]
) -> tuple[Body, str | None, list[Mutation]]:
    """Apply the mutations in order; when the first left nothing for the second to change
    (`spec: []` then a port), in the other order; else the first alone."""
    chosen = sorted(chosen, key=lambda m: m.rule == "decode-duplicate")  # raw text last
    orders = [chosen, chosen[::-1], chosen[:1]] if len(chosen) == 2 else [chosen]
    for order in orders:
        if sum(m.rule == "decode-duplicate" for m in order) > 1 or (
            order[:-1] and order[0].rule == "decode-duplicate"
        ):
            continue
        state = rng.getstate()
        try:
            body, raw = _mutate(rng, copy.deepcopy(base), order)
        except (AssertionError, AttributeError, TypeError, KeyError, IndexError):
            rng.setstate(state)
            continue
        return body, raw, order
    raise AssertionError(f"no way to apply {[m.name for m in chosen]}")


def generate(seed: int, count: int, *, singles_each: int = 2) -> list[Case]:
    """`count` cases, in a seeded order: every mutation alone `singles_each` times, about one
    case in eight valid as generated, and the rest with two mutations."""
    rng = random.Random(seed)
    singles = [[m] for m in MUTATIONS for _ in range(singles_each)]
    valid = max(count // 8, 1)
    doubles = count - len(singles) - valid
    if doubles < 0:
        raise ValueError(f"{count} cases are too few for {len(singles)} single mutations")
    pool = list(MUTATIONS) * (2 * doubles // len(MUTATIONS) + 1)
    rng.shuffle(pool)
    plan: list[list[Mutation]] = singles + [[]] * valid
    plan += [[pool[2 * i], pool[2 * i + 1]] for i in range(doubles)]
    rng.shuffle(plan)
    cases = []
    for i, chosen in enumerate(plan):
        body, raw, applied = (
            _combine(rng, base_policy(rng), chosen)
            if chosen
            else (
                base_policy(rng),
                None,
                [],
            )
        )
        names = tuple(m.name for m in applied)
        label = "+".join(names) or "valid"
        cases.append(Case(f"case-{i:04d}-{label}", body, names, raw))
    return cases

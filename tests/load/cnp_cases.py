"""ClusterNetworkPolicy validation cases, as data, for two independent judges.

Each `Case` is one YAML document and what podfence reports for it (line, field path, message,
error or warning), and for each expectation whether kube-apiserver v1.36, with the bundle
v0.2.0 CRD of the case's channel installed, reports it too. Used by:
- tests/load/test_cnp_validate.py: podfence's loader must report exactly `expect`;
- a differential test against the real API server: install the case's CRD
  (/work/shared/k8s/crds/<channel>-clusternetworkpolicies.yaml), send `yaml.safe_load(text)`
  as a server-side dry-run create with fieldValidation=Strict, and assert that
  `server_mismatches(case, status, causes, message)` is empty: the same status, the same field
  paths and, for `Server.SAME`, the same messages.

The API server's answers were recorded by hand against kube-apiserver v1.36.2 with
/work/shared/k8s/crds/*-clusternetworkpolicies.yaml installed. Where podfence differs on
purpose (see podfence.load.validate_cnp), the expectation says so.
"""

from __future__ import annotations

import enum
import re
import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

__all__ = [
    "CASES",
    "Case",
    "Expect",
    "Server",
    "server_mismatches",
    "server_verdict",
    "HEAD",
    "cnp",
]


class Server(enum.Enum):
    SAME = "same"
    """The API server reports this field path with this exact message (HTTP 422)."""
    UNKNOWN = "unknown"
    """The strict decoder rejects this unknown field (HTTP 400, `unknown field "PATH"`),
    before any validation: only such fields are then reported."""
    DEFERRED = "deferred"
    """A CEL rule the API server does not run while a blocking error exists
    (apiextensions hasBlockingErr); podfence checks it anyway."""
    NONE = "none"
    """podfence only (a warning, or a check the CRD does not make)."""


@dataclass(frozen=True, slots=True)
class Expect:
    line: int
    field: str
    message: str
    warning: bool = False
    server: Server = Server.SAME


@dataclass(frozen=True, slots=True)
class Case:
    id: str
    text: str
    expect: tuple[Expect, ...] = ()
    channel: str = "experimental"
    note: str = ""

    @property
    def errors(self) -> tuple[Expect, ...]:
        return tuple(e for e in self.expect if not e.warning)


def server_verdict(case: Case) -> tuple[int, frozenset[str]]:
    """(HTTP status of a dry-run create: 201, 400 or 422; the field paths of its causes,
    without the "<nil>" note about rules not checked)."""
    unknown = frozenset(e.field for e in case.expect if e.server is Server.UNKNOWN)
    if unknown:
        return 400, unknown
    same = frozenset(e.field for e in case.expect if e.server is Server.SAME)
    return (422, same) if same else (201, frozenset())


def server_mismatches(
    case: Case, status: int, causes: Sequence[Mapping[str, object]], message: str = ""
) -> list[str]:
    """How the API server's answer to a dry-run create of `case` differs from the case (empty:
    it agrees). `status` is the HTTP status (201 when created), `causes` the Status's
    `details.causes` (each with `field` and `message`), `message` the Status's `message` (where
    the strict decoder lists unknown fields)."""
    if status == 400:
        fields = frozenset(re.findall(r'unknown field "([^"]+)"', message))
    else:
        fields = frozenset(str(c.get("field")) for c in causes if c.get("field") != "<nil>")
    want = server_verdict(case)
    if (status, fields) != want:
        return [f"{case.id}: got {status} {sorted(fields)}, want {want[0]} {sorted(want[1])}"]
    problems = []
    for e in case.expect:
        if e.server is Server.SAME and status == 422:
            got = [c.get("message") for c in causes if c.get("field") == e.field]
            if e.message not in got:
                problems.append(f"{case.id}: {e.field}: got {got}, want {e.message!r}")
    return problems


HEAD = """\
apiVersion: policy.networking.k8s.io/v1alpha2
kind: ClusterNetworkPolicy
metadata:
  name: c
spec:
  tier: Admin
  priority: 10
  subject:
    namespaces: {}
"""
"""Nine lines: a body given to `cnp` starts at line 10."""


def cnp(body: str = "", head: str = HEAD) -> str:
    """`head` and then `body`, written at column 0, as the rest of `spec`."""
    return head + textwrap.indent(textwrap.dedent(body), "  ")


def _head(tier: str = "Admin", priority: str = "10", subject: str = "namespaces: {}") -> str:
    return (
        HEAD.replace("tier: Admin", f"tier: {tier}")
        .replace("priority: 10", f"priority: {priority}")
        .replace("namespaces: {}", subject)
    )


def _e(line: int, field: str, message: str, server: Server = Server.SAME) -> Expect:
    return Expect(line, field, message, False, server)


def _w(line: int, field: str, message: str, server: Server = Server.NONE) -> Expect:
    return Expect(line, field, message, True, server)


def _min_items(path: str, n: int = 1) -> str:
    return f"Invalid value: 0: {path} in body should have at least {n} items"


def _min_props(path: str) -> str:
    return f"Invalid value: 0: {path} in body should have at least 1 properties"


def _type(path: str, want: str, got: str) -> str:
    return f'Invalid value: "{got}": {path} in body must be of type {want}: "{got}"'


_DOMAIN = (
    r"^(\*\.)?([a-zA-z0-9]([-a-zA-Z0-9_]*[a-zA-Z0-9])?\.)+"
    r"[a-zA-z0-9]([-a-zA-Z0-9_]*[a-zA-Z0-9])?\.?$"
)
_CIDR = "Invalid CIDR format provided"
_NAMED = (
    "Invalid value: networks/nodes/domainNames peer cannot be set with namedPorts since there "
    "are no namedPorts for networks/nodes/domainNames"
)
_START_END = "Invalid value: Start port must be less than End port"
_SELECTOR = (
    " (the ClusterNetworkPolicy CRD does not check label selectors, "
    "but podfence cannot evaluate an invalid one)"
)
_FAIL_PEER = (
    "the CRD (v0.2.0, experimental channel) has no such field in a peer; podfence fails "
    "closed: an Accept rule with it matches nothing, a Deny or Pass rule with it denies "
    "everything"
)
_FAIL_PROTOCOL = (
    "the CRD (v0.2.0, experimental channel) has no such field in a protocol entry; podfence "
    "fails closed: an Accept rule with it matches nothing, a Deny or Pass rule with it denies "
    "everything"
)
_25_PEERS = "".join("    - namespaces: {}\n" for _ in range(25))
_26_PEERS = _25_PEERS + "    - namespaces: {}\n"
_NETS = [f"10.0.0.{i}/32" for i in range(26)]

VALID = [
    Case("minimal", cnp()),
    Case(
        "baseline with a pods subject and every ingress form",
        cnp(
            """\
            ingress:
            - name: from-monitoring
              action: Accept
              from:
              - namespaces:
                  matchLabels: {team: monitoring}
              - pods:
                  namespaceSelector: {}
                  podSelector:
                    matchExpressions:
                    - {key: app, operator: In, values: [prometheus]}
              protocols:
              - tcp: {destinationPort: {number: 9090}}
              - udp: {destinationPort: {range: {start: 5000, end: 5010}}}
              - sctp: {destinationPort: {number: 9}}
              - destinationNamedPort: metrics
            """,
            _head("Baseline", "0", "pods:\n      podSelector: {matchLabels: {app: db}}"),
        ),
    ),
    Case(
        "every egress peer, priority 1000",
        cnp(
            """\
            egress:
            - action: Accept
              to:
              - namespaces: {}
              - pods: {podSelector: {}}
              - nodes: {matchLabels: {node-role.kubernetes.io/control-plane: ""}}
              - networks: ["10.0.0.0/8", "10.0.0.1/24", "2001:DB8::/32", "::1.2.3.4/128"]
              - domainNames: ["*.example.com", "example.org.", "x_y.example.net"]
              protocols:
              - tcp: {destinationPort: {number: 443}}
            """,
            _head(priority="1000"),
        ),
    ),
    Case(
        "named ports with pods peers",
        cnp(
            """\
            egress:
            - action: Deny
              to: [{pods: {podSelector: {}}}, {namespaces: {}}]
              protocols: [{destinationNamedPort: http}]
            """
        ),
    ),
    Case(
        "25 items everywhere, a 100-character rule name",
        cnp("egress:\n- name: " + "é" * 100 + "\n  action: Pass\n  to:\n" + _25_PEERS),
    ),
    Case(
        "nulls are pruned, empty rule lists, empty and repeated names",
        cnp(
            """\
            ingress: []
            egress:
            - {name: "", action: Deny, to: [{pods: {podSelector: {}, namespaceSelector: null}}]}
            - {name: "", action: Deny, to: [{namespaces: {}}], protocols: null}
            """
        ),
    ),
    Case("a float with an integral value is an integer", cnp(head=_head(priority="7.0"))),
    Case(
        "status is not validated on create",
        cnp("", HEAD + "status:\n  conditions: not-a-list\n"),
    ),
    Case(
        "standard channel: named ports with networks are allowed",
        cnp(
            """\
            egress:
            - action: Deny
              to: [{networks: ["10.0.0.0/8"]}]
              protocols: [{destinationNamedPort: http}]
            """
        ),
        channel="standard",
        note="the standard CRD has no CEL rule on egress rules",
    ),
]

SPEC = [
    Case(
        "spec is required",
        "apiVersion: policy.networking.k8s.io/v1alpha2\nkind: ClusterNetworkPolicy\n"
        "metadata: {name: c}\n",
        (_e(1, "spec", "Required value"),),
    ),
    Case(
        "tier, priority and subject are required",
        "apiVersion: policy.networking.k8s.io/v1alpha2\nkind: ClusterNetworkPolicy\n"
        "metadata: {name: c}\nspec: {}\n",
        (
            _e(4, "spec.priority", "Required value"),
            _e(4, "spec.subject", "Required value"),
            _e(4, "spec.tier", "Required value"),
        ),
    ),
    Case(
        "a null tier is absent",
        cnp(head=_head(tier="null")),
        (_e(6, "spec.tier", "Required value"),),
    ),
    Case(
        "tier enum",
        cnp(head=_head(tier="Admins")),
        (_e(6, "spec.tier", 'Unsupported value: "Admins": supported values: "Admin", "Baseline"'),),
    ),
    Case(
        "tier of the wrong type is also not in the enum",
        cnp(head=_head(tier="true")),
        (
            _e(6, "spec.tier", _type("spec.tier", "string", "boolean")),
            _e(6, "spec.tier", 'Unsupported value: true: supported values: "Admin", "Baseline"'),
        ),
    ),
    Case(
        "priority above 1000",
        cnp(head=_head(priority="1001")),
        (
            _e(
                7,
                "spec.priority",
                "Invalid value: 1001: spec.priority in body should be less than or equal to 1000",
            ),
        ),
    ),
    Case(
        "priority below 0",
        cnp(head=_head(priority="-1")),
        (
            _e(
                7,
                "spec.priority",
                "Invalid value: -1: spec.priority in body should be greater than or equal to 0",
            ),
        ),
    ),
    Case(
        "priority as a string",
        cnp(head=_head(priority='"10"')),
        (_e(7, "spec.priority", _type("spec.priority", "integer", "string")),),
    ),
    Case(
        "priority as a fraction",
        cnp(head=_head(priority="1.5")),
        (_e(7, "spec.priority", _type("spec.priority", "int32", "float64")),),
    ),
    Case(
        "priority as a boolean",
        cnp(head=_head(priority="true")),
        (_e(7, "spec.priority", _type("spec.priority", "int32", "")),),
    ),
    Case(
        "priority as a list",
        cnp(head=_head(priority="[]")),
        (_e(7, "spec.priority", _type("spec.priority", "integer", "array")),),
    ),
    Case(
        "subject needs one field",
        cnp(head=_head(subject="{}")),
        (_e(8, "spec.subject", _min_props("spec.subject")),),
    ),
    Case(
        "subject has one field only",
        cnp(head=_head(subject="namespaces: {}\n    pods: {podSelector: {}}")),
        (_e(8, "spec.subject", "Too many: 2: must have at most 1 item"),),
    ),
    Case(
        "subject pods needs a podSelector",
        cnp(head=_head(subject="pods: {namespaceSelector: {}}")),
        (_e(9, "spec.subject.pods.podSelector", "Required value"),),
    ),
    Case(
        "subject of the wrong type",
        cnp(head=_head(subject="[]")),
        (_e(8, "spec.subject", _type("spec.subject", "object", "array")),),
    ),
]

RULES = [
    Case(
        "at most 25 rules",
        cnp(
            "ingress:\n"
            + "".join("- {action: Pass, from: [{namespaces: {}}]}\n" for _ in range(26))
        ),
        (_e(10, "spec.ingress", "Too many: 26: must have at most 25 items"),),
    ),
    Case(
        "action and from are required",
        cnp("ingress:\n- name: x\n"),
        (
            _e(11, "spec.ingress[0].action", "Required value"),
            _e(11, "spec.ingress[0].from", "Required value"),
        ),
    ),
    Case(
        "action and to are required",
        cnp("egress:\n- {}\n"),
        (
            _e(11, "spec.egress[0].action", "Required value"),
            _e(11, "spec.egress[0].to", "Required value"),
        ),
    ),
    Case(
        "action enum",
        cnp("ingress:\n- action: Allow\n  from: [{namespaces: {}}]\n"),
        (
            _e(
                11,
                "spec.ingress[0].action",
                'Unsupported value: "Allow": supported values: "Accept", "Deny", "Pass"',
            ),
        ),
    ),
    Case(
        "a null rule",
        cnp("ingress:\n- null\n"),
        (_e(11, "spec.ingress[0]", _type("spec.ingress[0]", "object", "null")),),
    ),
    Case(
        "rule names are at most 100 characters",
        cnp("egress:\n- name: " + "é" * 101 + "\n  action: Pass\n  to: [{namespaces: {}}]\n"),
        (_e(11, "spec.egress[0].name", "Too long: may not be more than 100 bytes"),),
    ),
    Case(
        "rule names are strings",
        cnp("egress:\n- name: 5\n  action: Pass\n  to: [{namespaces: {}}]\n"),
        (_e(11, "spec.egress[0].name", _type("spec.egress[0].name", "string", "integer")),),
    ),
    Case(
        "from needs a peer",
        cnp("ingress:\n- action: Pass\n  from: []\n"),
        (_e(12, "spec.ingress[0].from", _min_items("spec.ingress[0].from")),),
    ),
    Case(
        "at most 25 peers",
        cnp("egress:\n- action: Pass\n  to:\n" + _26_PEERS),
        (_e(12, "spec.egress[0].to", "Too many: 26: must have at most 25 items"),),
    ),
]

PEERS = [
    Case(
        "a peer needs a field",
        cnp("egress:\n- action: Pass\n  to:\n  - {}\n"),
        (_e(13, "spec.egress[0].to[0]", _min_props("spec.egress[0].to[0]")),),
    ),
    Case(
        "a peer has one field only",
        cnp("ingress:\n- action: Pass\n  from:\n  - namespaces: {}\n    pods: {podSelector: {}}\n"),
        (_e(13, "spec.ingress[0].from[0]", "Too many: 2: must have at most 1 item"),),
    ),
    Case(
        "a pods peer needs a podSelector",
        cnp("ingress:\n- action: Pass\n  from:\n  - pods: {}\n"),
        (_e(13, "spec.ingress[0].from[0].pods.podSelector", "Required value"),),
    ),
    Case(
        "networks needs a CIDR",
        cnp("egress:\n- action: Deny\n  to:\n  - networks: []\n"),
        (
            _e(
                13,
                "spec.egress[0].to[0].networks",
                _min_items("spec.egress[0].to[0].networks"),
            ),
        ),
    ),
    Case(
        "at most 25 networks",
        cnp("egress:\n- action: Deny\n  to:\n  - networks: [" + ", ".join(_NETS) + "]\n"),
        (_e(13, "spec.egress[0].to[0].networks", "Too many: 26: must have at most 25 items"),),
    ),
    Case(
        "networks is a set",
        cnp(
            "egress:\n- action: Deny\n  to:\n  - networks:\n"
            "    - 10.0.0.0/8\n    - 10.0.0.0/8\n    - 10.0.0.0/8\n"
            "    - 1.0.0.0/8\n    - 1.0.0.0/8\n"
        ),
        (
            _e(15, "spec.egress[0].to[0].networks[1]", 'Duplicate value: "10.0.0.0/8"'),
            _e(18, "spec.egress[0].to[0].networks[4]", 'Duplicate value: "1.0.0.0/8"'),
        ),
        note="each repeated value once, at its first repeat (kube-apiserver v1.36)",
    ),
    Case(
        "a network is at most 43 characters",
        cnp("egress:\n- action: Deny\n  to:\n  - networks: [" + "a" * 44 + "]\n"),
        (
            _e(13, "spec.egress[0].to[0].networks[0]", "Too long: may not be more than 43 bytes"),
            _e(
                13,
                "spec.egress[0].to[0].networks[0]",
                f'Invalid value: "{"a" * 44}": {_CIDR}',
                Server.DEFERRED,
            ),
        ),
    ),
    Case(
        "a network is a string",
        cnp("egress:\n- action: Deny\n  to:\n  - networks: [10, null]\n"),
        (
            _e(
                13,
                "spec.egress[0].to[0].networks[0]",
                _type("spec.egress[0].to[0].networks[0]", "string", "integer"),
            ),
            _e(
                13,
                "spec.egress[0].to[0].networks[1]",
                _type("spec.egress[0].to[0].networks[1]", "string", "null"),
            ),
        ),
    ),
    Case(
        "domain names follow the pattern",
        cnp(
            "egress:\n- action: Accept\n  to:\n  - domainNames:\n"
            "    - foo\n    - '*.a'\n    - a..b\n    - '*'\n    - a.b-\n    - A.Z`\n"
        ),
        tuple(
            _e(
                14 + i,
                f"spec.egress[0].to[0].domainNames[{i}]",
                f'Invalid value: "{name}": spec.egress[0].to[0].domainNames[{i}] in body '
                f"should match '{_DOMAIN}'",
            )
            for i, name in enumerate(["foo", "*.a", "a..b", "*", "a.b-", "A.Z`"])
        ),
    ),
    Case(
        "a newline at the end does not match `$` (RE2)",
        cnp('egress:\n- action: Accept\n  to:\n  - domainNames: ["a.b\\n"]\n'),
        (
            _e(
                13,
                "spec.egress[0].to[0].domainNames[0]",
                'Invalid value: "a.b\\n": spec.egress[0].to[0].domainNames[0] in body '
                f"should match '{_DOMAIN}'",
            ),
        ),
    ),
    Case(
        "domainNames is a set",
        cnp("egress:\n- action: Accept\n  to:\n  - domainNames: [a.b, a.b]\n"),
        (_e(13, "spec.egress[0].to[0].domainNames[1]", 'Duplicate value: "a.b"'),),
    ),
    Case(
        "selectors: types and required fields",
        cnp(
            """\
            ingress:
            - action: Pass
              from:
              - namespaces:
                  matchLabels: {a: null, b: 1}
                  matchExpressions:
                  - {key: x}
            """
        ),
        (
            _e(
                14,
                "spec.ingress[0].from[0].namespaces.matchLabels.b",
                _type("spec.ingress[0].from[0].namespaces.matchLabels.b", "string", "integer"),
            ),
            _e(
                16,
                "spec.ingress[0].from[0].namespaces.matchExpressions[0].operator",
                "Required value",
            ),
        ),
    ),
]

PROTOCOLS = [
    Case(
        "protocols needs an entry",
        cnp("ingress:\n- action: Pass\n  from: [{namespaces: {}}]\n  protocols: []\n"),
        (_e(13, "spec.ingress[0].protocols", _min_items("spec.ingress[0].protocols")),),
    ),
    Case(
        "at most 25 protocols",
        cnp(
            "ingress:\n- action: Pass\n  from: [{namespaces: {}}]\n  protocols:\n"
            + "".join(f"  - tcp: {{destinationPort: {{number: {i + 1}}}}}\n" for i in range(26))
        ),
        (_e(13, "spec.ingress[0].protocols", "Too many: 26: must have at most 25 items"),),
    ),
    Case(
        "a protocol entry needs a field",
        cnp("ingress:\n- action: Pass\n  from: [{namespaces: {}}]\n  protocols: [{}]\n"),
        (
            _e(
                13,
                "spec.ingress[0].protocols[0]",
                _min_props("spec.ingress[0].protocols[0]"),
            ),
        ),
    ),
    Case(
        "a protocol entry has one field only",
        cnp(
            "ingress:\n- action: Pass\n  from: [{namespaces: {}}]\n  protocols:\n"
            "  - tcp: {destinationPort: {number: 1}}\n    destinationNamedPort: http\n"
        ),
        (_e(14, "spec.ingress[0].protocols[0]", "Too many: 2: must have at most 1 item"),),
    ),
    Case(
        "tcp needs a destinationPort",
        cnp("ingress:\n- action: Pass\n  from: [{namespaces: {}}]\n  protocols: [{tcp: {}}]\n"),
        (
            _e(
                13,
                "spec.ingress[0].protocols[0].tcp",
                _min_props("spec.ingress[0].protocols[0].tcp"),
            ),
        ),
    ),
    Case(
        "a destinationPort needs a number or a range",
        cnp(
            "ingress:\n- action: Pass\n  from: [{namespaces: {}}]\n  protocols:\n"
            "  - udp: {destinationPort: {}}\n"
        ),
        (
            _e(
                14,
                "spec.ingress[0].protocols[0].udp.destinationPort",
                _min_props("spec.ingress[0].protocols[0].udp.destinationPort"),
            ),
        ),
    ),
    Case(
        "a destinationPort is a number or a range, not both",
        cnp(
            "ingress:\n- action: Pass\n  from: [{namespaces: {}}]\n  protocols:\n"
            "  - sctp: {destinationPort: {number: 1, range: {start: 1, end: 2}}}\n"
        ),
        (
            _e(
                14,
                "spec.ingress[0].protocols[0].sctp.destinationPort",
                "Too many: 2: must have at most 1 item",
            ),
        ),
    ),
    Case(
        "port numbers are 1-65535",
        cnp(
            "egress:\n- action: Deny\n  to: [{namespaces: {}}]\n  protocols:\n"
            "  - tcp: {destinationPort: {number: 0}}\n"
            "  - tcp: {destinationPort: {number: 65536}}\n"
        ),
        (
            _e(
                14,
                "spec.egress[0].protocols[0].tcp.destinationPort.number",
                "Invalid value: 0: spec.egress[0].protocols[0].tcp.destinationPort.number in "
                "body should be greater than or equal to 1",
            ),
            _e(
                15,
                "spec.egress[0].protocols[1].tcp.destinationPort.number",
                "Invalid value: 65536: spec.egress[0].protocols[1].tcp.destinationPort.number "
                "in body should be less than or equal to 65535",
            ),
        ),
    ),
    Case(
        "a port number is an integer",
        cnp(
            "egress:\n- action: Deny\n  to: [{namespaces: {}}]\n  protocols:\n"
            '  - tcp: {destinationPort: {number: "80"}}\n'
        ),
        (
            _e(
                14,
                "spec.egress[0].protocols[0].tcp.destinationPort.number",
                _type(
                    "spec.egress[0].protocols[0].tcp.destinationPort.number", "integer", "string"
                ),
            ),
        ),
    ),
    Case(
        "a range needs start and end",
        cnp(
            "egress:\n- action: Deny\n  to: [{namespaces: {}}]\n  protocols:\n"
            "  - udp: {destinationPort: {range: {}}}\n"
        ),
        (
            _e(14, "spec.egress[0].protocols[0].udp.destinationPort.range.end", "Required value"),
            _e(14, "spec.egress[0].protocols[0].udp.destinationPort.range.start", "Required value"),
        ),
    ),
    Case(
        "range ends are 1-65535",
        cnp(
            "egress:\n- action: Deny\n  to: [{namespaces: {}}]\n  protocols:\n"
            "  - udp: {destinationPort: {range: {start: 0, end: 70000}}}\n"
        ),
        (
            _e(
                14,
                "spec.egress[0].protocols[0].udp.destinationPort.range.start",
                "Invalid value: 0: spec.egress[0].protocols[0].udp.destinationPort.range.start "
                "in body should be greater than or equal to 1",
            ),
            _e(
                14,
                "spec.egress[0].protocols[0].udp.destinationPort.range.end",
                "Invalid value: 70000: spec.egress[0].protocols[0].udp.destinationPort.range.end"
                " in body should be less than or equal to 65535",
            ),
        ),
    ),
]

CEL = [
    Case(
        "start < end (equal)",
        cnp(
            "ingress:\n- action: Deny\n  from: [{namespaces: {}}]\n  protocols:\n"
            "  - tcp:\n      destinationPort:\n        range: {start: 80, end: 80}\n"
        ),
        (_e(16, "spec.ingress[0].protocols[0].tcp.destinationPort.range", _START_END),),
    ),
    Case(
        "start < end (reversed)",
        cnp(
            "egress:\n- action: Deny\n  to: [{namespaces: {}}]\n  protocols:\n"
            "  - sctp: {destinationPort: {range: {start: 90, end: 80}}}\n"
        ),
        (_e(14, "spec.egress[0].protocols[0].sctp.destinationPort.range", _START_END),),
    ),
    Case(
        "isCIDR",
        cnp(
            "egress:\n- action: Deny\n  to:\n  - networks:\n"
            + "".join(
                f"    - {n!r}\n"
                for n in [
                    "10.0.0.0/33",
                    "010.0.0.0/8",
                    "10.0.0.0",
                    "::ffff:1.2.3.4/120",
                    "::ffff:0:0/96",
                    "fe80::1%eth0/64",
                    "1.2.3.4/032",
                    "2001:db8::/129",
                    "10.0.0/8",
                    "1.2.3.4 /8",
                    "10.0.0.1/24",
                    "::/0",
                    "2001:DB8::/32",
                    "64:ff9b::1.2.3.4/96",
                    "0.0.0.0/0",
                ]
            )
        ),
        tuple(
            _e(14 + i, f"spec.egress[0].to[0].networks[{i}]", f'Invalid value: "{n}": {_CIDR}')
            for i, n in enumerate(
                [
                    "10.0.0.0/33",
                    "010.0.0.0/8",
                    "10.0.0.0",
                    "::ffff:1.2.3.4/120",
                    "::ffff:0:0/96",
                    "fe80::1%eth0/64",
                    "1.2.3.4/032",
                    "2001:db8::/129",
                    "10.0.0/8",
                    "1.2.3.4 /8",
                ]
            )
        ),
        note="the last five are valid: host bits, ::/0, upper case, an embedded IPv4, 0.0.0.0/0",
    ),
    *(
        Case(
            f"no named ports with {peer}",
            cnp(
                f"egress:\n- action: Accept\n  to:\n  - namespaces: {{}}\n  - {peer}: {value}\n"
                "  protocols:\n  - destinationNamedPort: http\n"
            ),
            (_e(11, "spec.egress[0]", _NAMED),),
        )
        for peer, value in (
            ("networks", '["10.0.0.0/8"]'),
            ("nodes", "{}"),
            ("domainNames", "[example.com]"),
        )
    ),
    Case(
        "an empty named port counts for the CEL rule (has() is true)",
        cnp(
            "egress:\n- action: Deny\n  to: [{networks: [10.0.0.0/8]}]\n  protocols:\n"
            '  - destinationNamedPort: ""\n'
        ),
        (
            _e(11, "spec.egress[0]", _NAMED),
            _w(
                14,
                "spec.egress[0].protocols[0].destinationNamedPort",
                'an empty destinationNamedPort is Go\'s zero value, "no field set": podfence '
                "fails closed: an Accept rule with it matches nothing, a Deny or Pass rule with "
                "it denies everything",
            ),
        ),
    ),
    Case(
        "CEL rules run despite a maximum error",
        cnp(
            "egress:\n- action: Deny\n  to: [{networks: [x]}]\n",
            _head(priority="1001"),
        ),
        (
            _e(
                7,
                "spec.priority",
                "Invalid value: 1001: spec.priority in body should be less than or equal to 1000",
            ),
            _e(12, "spec.egress[0].to[0].networks[0]", f'Invalid value: "x": {_CIDR}'),
        ),
    ),
    Case(
        "CEL rules deferred upstream by a blocking error, checked by podfence",
        cnp("egress:\n- action: Deny\n  to: [{networks: [x]}]\n", _head(tier="Admins")),
        (
            _e(
                6, "spec.tier", 'Unsupported value: "Admins": supported values: "Admin", "Baseline"'
            ),
            _e(
                12,
                "spec.egress[0].to[0].networks[0]",
                f'Invalid value: "x": {_CIDR}',
                Server.DEFERRED,
            ),
        ),
    ),
]

UNKNOWN = [
    Case(
        "an unknown spec field",
        cnp("tierx: Admin\n"),
        (_e(10, "spec.tierx", 'unknown field "tierx" (did you mean "tier"?)', Server.UNKNOWN),),
    ),
    Case(
        "an unknown top-level field",
        cnp("", HEAD + "extra: 1\n"),
        (_e(10, "extra", 'unknown field "extra"', Server.UNKNOWN),),
    ),
    Case(
        "an unknown metadata field",
        cnp("", HEAD.replace("  name: c\n", "  name: c\n  labls: {}\n")),
        (
            _e(
                5,
                "metadata.labls",
                'unknown field "labls" (did you mean "labels"?)',
                Server.UNKNOWN,
            ),
        ),
    ),
    Case(
        "an unknown status field",
        cnp("", HEAD + "status:\n  conditions: []\n  phase: x\n"),
        (_e(12, "status.phase", 'unknown field "phase"', Server.UNKNOWN),),
    ),
    Case(
        "a misspelt peer is an error",
        cnp("ingress:\n- action: Accept\n  from:\n  - namespace: {}\n"),
        (
            _e(
                13,
                "spec.ingress[0].from[0].namespace",
                'unknown field "namespace" (did you mean "namespaces"?)',
                Server.UNKNOWN,
            ),
            _e(13, "spec.ingress[0].from[0]", _min_props("spec.ingress[0].from[0]"), Server.NONE),
        ),
        note="the API server stops at the unknown field; after pruning the peer is empty",
    ),
    Case(
        "an egress-only peer in an ingress rule is an error",
        cnp("ingress:\n- action: Deny\n  from:\n  - networks: [10.0.0.0/8]\n"),
        (
            _e(
                13,
                "spec.ingress[0].from[0].networks",
                'unknown field "networks" (networks peers are for egress only)',
                Server.UNKNOWN,
            ),
            _e(13, "spec.ingress[0].from[0]", _min_props("spec.ingress[0].from[0]"), Server.NONE),
        ),
    ),
    Case(
        "an unknown field beside a known one is an error",
        cnp("egress:\n- action: Deny\n  to:\n  - namespaces: {}\n    services: {}\n"),
        (_e(14, "spec.egress[0].to[0].services", 'unknown field "services"', Server.UNKNOWN),),
    ),
    Case(
        "a peer of unknown type fails closed",
        cnp("egress:\n- action: Deny\n  to:\n  - services: {}\n"),
        (
            _w(
                13,
                "spec.egress[0].to[0].services",
                f'unknown field "services": {_FAIL_PEER}',
                Server.UNKNOWN,
            ),
        ),
        note="a newer CRD may define it: the API asks implementations to fail closed",
    ),
    Case(
        "a protocol of unknown type fails closed",
        cnp(
            "egress:\n- action: Deny\n  to: [{namespaces: {}}]\n  protocols:\n"
            "  - icmp: {type: 8}\n  - tcp: {sourcePort: 1}\n"
        ),
        (
            _w(
                14,
                "spec.egress[0].protocols[0].icmp",
                f'unknown field "icmp": {_FAIL_PROTOCOL}',
                Server.UNKNOWN,
            ),
            _w(
                15,
                "spec.egress[0].protocols[1].tcp.sourcePort",
                f'unknown field "sourcePort": {_FAIL_PROTOCOL}',
                Server.UNKNOWN,
            ),
        ),
    ),
    Case(
        "an unknown field beside start and end is an error",
        cnp(
            "egress:\n- action: Deny\n  to: [{namespaces: {}}]\n  protocols:\n"
            "  - tcp: {destinationPort: {range: {start: 1, end: 2, step: 1}}}\n"
        ),
        (
            _e(
                14,
                "spec.egress[0].protocols[0].tcp.destinationPort.range.step",
                'unknown field "step"',
                Server.UNKNOWN,
            ),
        ),
    ),
    Case(
        "standard channel: no nodes or domainNames peers",
        cnp("egress:\n- action: Accept\n  to:\n  - nodes: {}\n  - domainNames: [a.b]\n"),
        (
            _e(
                13,
                "spec.egress[0].to[0].nodes",
                'unknown field "nodes" (it is in the experimental channel of the CRD only; '
                "podfence checks against the standard channel)",
                Server.UNKNOWN,
            ),
            _e(13, "spec.egress[0].to[0]", _min_props("spec.egress[0].to[0]"), Server.NONE),
            _e(
                14,
                "spec.egress[0].to[1].domainNames",
                'unknown field "domainNames" (it is in the experimental channel of the CRD '
                "only; podfence checks against the standard channel)",
                Server.UNKNOWN,
            ),
            _e(14, "spec.egress[0].to[1]", _min_props("spec.egress[0].to[1]"), Server.NONE),
        ),
        channel="standard",
    ),
]

METADATA = [
    Case(
        "the name is a DNS subdomain",
        cnp("", HEAD.replace("name: c", "name: Bad_Name")),
        (
            _e(
                4,
                "metadata.name",
                'Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain must consist of lower '
                "case alphanumeric characters, '-' or '.', and must start and end with an "
                "alphanumeric character (e.g. 'example.com', regex used for validation is "
                "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
            ),
        ),
    ),
    Case(
        "a namespace is ignored",
        cnp("", HEAD.replace("  name: c\n", "  name: c\n  namespace: shop\n")),
        (
            _w(
                5,
                "metadata.namespace",
                "ignored: a ClusterNetworkPolicy is cluster-scoped (the API server drops "
                "metadata.namespace)",
            ),
        ),
    ),
]

PODFENCE_ONLY = [
    Case(
        "invalid label selectors are accepted by the CRD but cannot be evaluated",
        cnp(
            """\
            ingress:
            - action: Deny
              from:
              - namespaces:
                  matchLabels: {"a b": c}
                  matchExpressions:
                  - {key: x, operator: Foo}
                  - {key: y, operator: In}
            """
        ),
        (
            _e(
                14,
                "spec.ingress[0].from[0].namespaces.matchLabels",
                "Invalid value: \"a b\": name part must consist of alphanumeric characters, '-', "
                "'_' or '.', and must start and end with an alphanumeric character (e.g. "
                "'MyName',  or 'my.name',  or '123-abc', regex used for validation is "
                "'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')" + _SELECTOR,
                Server.NONE,
            ),
            _e(
                16,
                "spec.ingress[0].from[0].namespaces.matchExpressions[0].operator",
                'Invalid value: "Foo": not a valid selector operator' + _SELECTOR,
                Server.NONE,
            ),
            _e(
                17,
                "spec.ingress[0].from[0].namespaces.matchExpressions[1].values",
                "Required value: must be specified when `operator` is 'In' or 'NotIn'" + _SELECTOR,
                Server.NONE,
            ),
        ),
    ),
    Case(
        "a named port no container port can have",
        cnp(
            "ingress:\n- action: Accept\n  from: [{namespaces: {}}]\n  protocols:\n"
            "  - destinationNamedPort: http_x\n"
        ),
        (
            _w(
                14,
                "spec.ingress[0].protocols[0].destinationNamedPort",
                'no container port can be named "http_x" (must contain only alpha-numeric '
                "characters (a-z, 0-9), and hyphens (-)): it matches no port",
            ),
        ),
    ),
    Case(
        "domainNames outside an Accept rule",
        cnp("egress:\n- action: Deny\n  to:\n  - domainNames: [example.com]\n"),
        (
            _w(
                13,
                "spec.egress[0].to[0].domainNames",
                "domainNames peers are supported in Accept rules only, not in a Deny rule "
                "(network-policy-api): an implementation may ignore or reject it",
            ),
        ),
    ),
]

CASES: tuple[Case, ...] = (
    *VALID,
    *SPEC,
    *RULES,
    *PEERS,
    *PROTOCOLS,
    *CEL,
    *UNKNOWN,
    *METADATA,
    *PODFENCE_ONLY,
)

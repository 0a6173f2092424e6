"""NetworkPolicy validation: each rule with a valid and an invalid case, exact text and line.

Upstream: kubernetes pkg/apis/networking/validation/validation.go (ValidateNetworkPolicyPort,
ValidateNetworkPolicyPeer, ValidateIPBlock, ValidateNetworkPolicySpec) and apimachinery
pkg/apis/meta/v1/validation (label selectors). `# @x` marks the line an error must point at.
"""

from __future__ import annotations

import re
import textwrap

import pytest

from podfence.load import LoadOptions, load_texts, parse_kube_version
from podfence.model import Severity

HEADER = """\
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: web
  namespace: shop
spec:
"""
PROTOCOL_NOT_SUPPORTED = 'supported values: "TCP", "UDP", "SCTP"'
RANGE = "must be between 1 and 65535, inclusive"
BAD_CIDR = "must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)"
LABEL_VALUE_REGEX = (
    "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' "
    "or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or "
    "'my_value',  or '12345', regex used for validation is "
    "'(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"
)
NAME_PART_REGEX = (
    "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and "
    "end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex "
    "used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"
)


def policy(spec: str) -> str:
    return HEADER + textwrap.indent(textwrap.dedent(spec), "  ")


def marks(text: str) -> dict[str, int]:
    return {
        m: n for n, line in enumerate(text.splitlines(), 1) for m in re.findall(r"# @(\w+)", line)
    }


def errors(text: str) -> list[tuple[int, str | None, str]]:
    result = load_texts([("np.yaml", text)])
    assert (result.cluster is None) == (not result.ok)
    return [
        (d.line, d.field, d.message) for d in result.diagnostics if d.severity is Severity.ERROR
    ]


def check(spec: str, expected: list[tuple[str, str, str]]) -> None:
    text = policy(spec)
    at = marks(text)
    assert errors(text) == [(at[m], field, message) for m, field, message in expected]


VALID_SPECS = {
    "protocols": """
        podSelector: {}
        ingress:
        - ports: [{protocol: TCP}, {protocol: UDP}, {protocol: SCTP}]
    """,
    "port-numbers-and-names": """
        podSelector: {}
        ingress:
        - ports: [{port: 1}, {port: 65535}, {port: http}, {port: h2c-web}, {port: a1}]
    """,
    "endPort-equal-and-range": """
        podSelector: {}
        egress:
        - ports: [{port: 80, endPort: 80}, {port: 80, endPort: 90}]
    """,
    "peers-pod-and-namespace-selector-together": """
        podSelector: {}
        ingress:
        - from:
          - podSelector: {matchLabels: {app: a}}
            namespaceSelector: {}
    """,
    "ipv6-block-with-except": """
        podSelector: {}
        egress:
        - to: [{ipBlock: {cidr: "fd00::/48", except: ["fd00::/64"]}}]
    """,
    # validation.go only rejects more than two entries: duplicates pass.
    "duplicate-policyTypes": """
        podSelector: {}
        policyTypes: [Ingress, Ingress]
    """,
    "empty-rule-lists": """
        podSelector: {}
        ingress: []
        egress: []
        policyTypes: [Ingress, Egress]
    """,
    "selector-operators": """
        podSelector:
          matchLabels: {app: web, example.com/tier: "", a.b_c-d: X.y}
          matchExpressions:
          - {key: a, operator: In, values: [x]}
          - {key: b, operator: NotIn, values: [x, y]}
          - {key: c, operator: Exists}
          - {key: d, operator: DoesNotExist, values: []}
    """,
}


@pytest.mark.parametrize("spec", VALID_SPECS.values(), ids=VALID_SPECS.keys())
def test_valid_specs(spec: str) -> None:
    assert errors(policy(spec)) == []


P0 = "spec.ingress[0].ports[0]"
CASES: dict[str, tuple[str, list[tuple[str, str, str]]]] = {
    # --- ValidateNetworkPolicyPort: protocol is case sensitive
    "protocol-lowercase": (
        """
        podSelector: {}
        ingress:
        - ports:
          - protocol: tcp # @a
        """,
        [("a", f"{P0}.protocol", f'Unsupported value: "tcp": {PROTOCOL_NOT_SUPPORTED}')],
    ),
    # SetDefaults_NetworkPolicyPort only defaults a nil protocol: "" stays and is rejected.
    "protocol-empty-string": (
        """
        podSelector: {}
        ingress:
        - ports:
          - protocol: "" # @a
        """,
        [("a", f"{P0}.protocol", f'Unsupported value: "": {PROTOCOL_NOT_SUPPORTED}')],
    ),
    "port-zero": (
        """
        podSelector: {}
        ingress:
        - ports:
          - port: 0 # @a
        """,
        [("a", f"{P0}.port", f"Invalid value: 0: {RANGE}")],
    ),
    "port-too-big": (
        """
        podSelector: {}
        ingress:
        - ports:
          - port: 65536 # @a
        """,
        [("a", f"{P0}.port", f"Invalid value: 65536: {RANGE}")],
    ),
    # IsValidPortName requires a letter: the string "80" is a bad name, not a number.
    "port-digits-as-string": (
        """
        podSelector: {}
        ingress:
        - ports:
          - port: "80" # @a
        """,
        [("a", f"{P0}.port", 'Invalid value: "80": must contain at least one letter (a-z)')],
    ),
    "port-name-uppercase": (
        """
        podSelector: {}
        ingress:
        - ports:
          - port: HTTP # @a
        """,
        [
            (
                "a",
                f"{P0}.port",
                'Invalid value: "HTTP": must contain only alpha-numeric characters (a-z, 0-9), '
                "and hyphens (-)",
            ),
            ("a", f"{P0}.port", 'Invalid value: "HTTP": must contain at least one letter (a-z)'),
        ],
    ),
    "port-name-hyphens": (
        """
        podSelector: {}
        ingress:
        - ports:
          - port: -a--b # @a
        """,
        [
            ("a", f"{P0}.port", 'Invalid value: "-a--b": must not contain consecutive hyphens'),
            ("a", f"{P0}.port", 'Invalid value: "-a--b": must not begin or end with a hyphen'),
        ],
    ),
    "port-name-too-long": (
        """
        podSelector: {}
        ingress:
        - ports:
          - port: abcdefghijklmnop # @a
        """,
        [
            (
                "a",
                f"{P0}.port",
                'Invalid value: "abcdefghijklmnop": must be no more than 15 characters',
            )
        ],
    ),
    # --- endPort
    "endPort-below-port": (
        """
        podSelector: {}
        ingress:
        - ports:
          - port: 80
            endPort: 79 # @a
        """,
        # upstream shows the value of `port`, not of endPort
        [("a", f"{P0}.endPort", "Invalid value: 80: must be greater than or equal to `port`")],
    ),
    "endPort-out-of-range": (
        """
        podSelector: {}
        ingress:
        - ports:
          - port: 80
            endPort: 70000 # @a
        """,
        [("a", f"{P0}.endPort", f"Invalid value: 70000: {RANGE}")],
    ),
    "endPort-with-named-port": (
        """
        podSelector: {}
        ingress:
        - ports:
          - port: http
            endPort: 90 # @a
        """,
        [
            (
                "a",
                f"{P0}.endPort",
                "Invalid value: 90: may not be specified when `port` is non-numeric",
            )
        ],
    ),
    "endPort-without-port": (
        """
        podSelector: {}
        ingress:
        - ports:
          - endPort: 90 # @a
        """,
        [
            (
                "a",
                f"{P0}.endPort",
                "Invalid value: 90: may not be specified when `port` is not specified",
            )
        ],
    ),
    # --- ValidateNetworkPolicyPeer
    "peer-empty": (
        """
        podSelector: {}
        ingress:
        - from:
          - {} # @a
        """,
        [("a", "spec.ingress[0].from[0]", "Required value: must specify a peer")],
    ),
    "peer-ipBlock-and-podSelector": (
        """
        podSelector: {}
        egress:
        - to:
          - ipBlock: {cidr: 10.0.0.0/8} # @a
            podSelector: {}
        """,
        [
            (
                "a",
                "spec.egress[0].to[0]",
                "Forbidden: may not specify both ipBlock and another peer",
            )
        ],
    ),
    "peer-ipBlock-and-namespaceSelector": (
        """
        podSelector: {}
        ingress:
        - from:
          - namespaceSelector: {} # @a
            ipBlock: {cidr: 10.0.0.0/8}
        """,
        [
            (
                "a",
                "spec.ingress[0].from[0]",
                "Forbidden: may not specify both ipBlock and another peer",
            )
        ],
    ),
    # --- ValidateIPBlock
    "ipBlock-without-cidr": (
        """
        podSelector: {}
        ingress:
        - from:
          - ipBlock: {} # @a
        """,
        [("a", "spec.ingress[0].from[0].ipBlock.cidr", "Required value")],
    ),
    "ipBlock-cidr-without-prefix": (
        """
        podSelector: {}
        ingress:
        - from:
          - ipBlock:
              cidr: 10.0.0.0 # @a
        """,
        [("a", "spec.ingress[0].from[0].ipBlock.cidr", f'Invalid value: "10.0.0.0": {BAD_CIDR}')],
    ),
    "ipBlock-cidr-prefix-too-long": (
        """
        podSelector: {}
        ingress:
        - from:
          - ipBlock:
              cidr: 10.0.0.0/33 # @a
        """,
        [
            (
                "a",
                "spec.ingress[0].from[0].ipBlock.cidr",
                f'Invalid value: "10.0.0.0/33": {BAD_CIDR}',
            )
        ],
    ),
    "except-not-inside": (
        """
        podSelector: {}
        ingress:
        - from:
          - ipBlock:
              cidr: 10.0.0.0/16
              except:
              - 10.0.1.0/24
              - 10.1.0.0/24 # @a
        """,
        [
            (
                "a",
                "spec.ingress[0].from[0].ipBlock.except[1]",
                'Invalid value: "10.1.0.0/24": must be a strict subset of `cidr`',
            )
        ],
    ),
    # "strict": the same network, or a wider one, is not a subset (cidrMaskLen >= exceptMaskLen)
    "except-equal-to-cidr": (
        """
        podSelector: {}
        ingress:
        - from:
          - ipBlock:
              cidr: 10.0.0.0/16
              except: [10.0.0.0/16] # @a
        """,
        [
            (
                "a",
                "spec.ingress[0].from[0].ipBlock.except[0]",
                'Invalid value: "10.0.0.0/16": must be a strict subset of `cidr`',
            )
        ],
    ),
    "except-other-family": (
        """
        podSelector: {}
        ingress:
        - from:
          - ipBlock:
              cidr: 10.0.0.0/8
              except: ["fd00::/64"] # @a
        """,
        [
            (
                "a",
                "spec.ingress[0].from[0].ipBlock.except[0]",
                'Invalid value: "fd00::/64": must be a strict subset of `cidr`',
            )
        ],
    ),
    "except-not-a-cidr": (
        """
        podSelector: {}
        ingress:
        - from:
          - ipBlock:
              cidr: 10.0.0.0/8
              except: [bogus] # @a
        """,
        [
            (
                "a",
                "spec.ingress[0].from[0].ipBlock.except[0]",
                f'Invalid value: "bogus": {BAD_CIDR}',
            )
        ],
    ),
    # --- policyTypes
    "policyTypes-three": (
        """
        podSelector: {}
        policyTypes: [Ingress, Egress, Ingress] # @a
        """,
        [
            (
                "a",
                "spec.policyTypes",
                'Invalid value: ["Ingress","Egress","Ingress"]: '
                "may not specify more than two policyTypes",
            )
        ],
    ),
    "policyTypes-lowercase": (
        """
        podSelector: {}
        policyTypes:
        - Egress
        - ingress # @a
        """,
        [
            (
                "a",
                "spec.policyTypes[1]",
                'Unsupported value: "ingress": supported values: "Ingress", "Egress"',
            )
        ],
    ),
    # --- label selectors (meta/v1/validation ValidateLabelSelector)
    "matchLabels-bad-key": (
        """
        podSelector:
          matchLabels:
            -app: web # @a
        """,
        # a map entry is reported at the map's path (ValidateLabels), on the entry's line
        [("a", "spec.podSelector.matchLabels", f'Invalid value: "-app": {NAME_PART_REGEX}')],
    ),
    "matchLabels-empty-prefix": (
        """
        podSelector:
          matchLabels:
            /app: web # @a
        """,
        [
            (
                "a",
                "spec.podSelector.matchLabels",
                'Invalid value: "/app": prefix part must be non-empty',
            )
        ],
    ),
    "matchLabels-bad-value": (
        """
        podSelector:
          matchLabels:
            app: no spaces # @a
        """,
        [
            (
                "a",
                "spec.podSelector.matchLabels",
                f'Invalid value: "no spaces": {LABEL_VALUE_REGEX}',
            )
        ],
    ),
    "matchLabels-value-too-long": (
        f"""
        podSelector:
          matchLabels:
            app: {"a" * 64} # @a
        """,
        [
            (
                "a",
                "spec.podSelector.matchLabels",
                f'Invalid value: "{"a" * 64}": must be no more than 63 bytes',
            )
        ],
    ),
    "operator-unknown": (
        """
        podSelector:
          matchExpressions:
          - key: app
            operator: Foo # @a
            values: [x]
        """,
        [
            (
                "a",
                "spec.podSelector.matchExpressions[0].operator",
                'Invalid value: "Foo": not a valid selector operator',
            )
        ],
    ),
    "operator-In-without-values": (
        """
        podSelector:
          matchExpressions:
          - key: app # @a
            operator: In
        """,
        [
            (
                "a",
                "spec.podSelector.matchExpressions[0].values",
                "Required value: must be specified when `operator` is 'In' or 'NotIn'",
            )
        ],
    ),
    "operator-NotIn-with-empty-values": (
        """
        podSelector:
          matchExpressions:
          - key: app
            operator: NotIn
            values: [] # @a
        """,
        [
            (
                "a",
                "spec.podSelector.matchExpressions[0].values",
                "Required value: must be specified when `operator` is 'In' or 'NotIn'",
            )
        ],
    ),
    "operator-Exists-with-values": (
        """
        podSelector:
          matchExpressions:
          - key: app
            operator: Exists
            values: [x] # @a
        """,
        [
            (
                "a",
                "spec.podSelector.matchExpressions[0].values",
                "Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
            )
        ],
    ),
    "requirement-bad-value": (
        """
        podSelector:
          matchExpressions:
          - key: app
            operator: In
            values:
            - ok
            - not ok # @a
        """,
        [
            (
                "a",
                "spec.podSelector.matchExpressions[0].values[1]",
                f'Invalid value: "not ok": {LABEL_VALUE_REGEX}',
            )
        ],
    ),
    "requirement-bad-key": (
        """
        podSelector:
          matchExpressions:
          - key: a/b/c # @a
            operator: Exists
        """,
        [
            (
                "a",
                "spec.podSelector.matchExpressions[0].key",
                'Invalid value: "a/b/c": a valid label key must consist of alphanumeric '
                "characters, '-', '_' or '.', and must start and end with an alphanumeric "
                "character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for "
                "validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS "
                "subdomain "
                "prefix and '/' (e.g. 'example.com/MyName')",
            )
        ],
    ),
    "peer-selector-validated": (
        """
        podSelector: {}
        egress:
        - to:
          - namespaceSelector:
              matchLabels: {team: "a b"} # @a
        """,
        [
            (
                "a",
                "spec.egress[0].to[0].namespaceSelector.matchLabels",
                f'Invalid value: "a b": {LABEL_VALUE_REGEX}',
            )
        ],
    ),
}


@pytest.mark.parametrize(("spec", "expected"), CASES.values(), ids=CASES.keys())
def test_invalid_specs(spec: str, expected: list[tuple[str, str, str]]) -> None:
    check(spec, expected)


HOST_BITS = """
    podSelector: {}
    ingress:
    - from: [{ipBlock: {cidr: 10.0.0.1/24}}]
"""


def test_host_bits_in_cidr_are_an_error_from_1_36() -> None:
    # apimachinery IsValidCIDRForLegacyField with StrictIPCIDRValidation (on by default in 1.36)
    assert errors(policy(HOST_BITS)) == [
        (
            10,
            "spec.ingress[0].from[0].ipBlock.cidr",
            'Invalid value: "10.0.0.1/24": must not have bits set beyond the prefix length',
        )
    ]


@pytest.mark.parametrize("version", ["1.33", "1.34", "1.35"])
def test_host_bits_in_cidr_are_accepted_with_a_warning_before_1_36(version: str) -> None:
    # IsValidCIDRForLegacyField with the gate off (its default before 1.36) + GetWarningsForCIDR
    options = LoadOptions(parse_kube_version(version))
    result = load_texts([("np.yaml", policy(HOST_BITS))], options=options)
    assert result.ok
    [warning] = [d for d in result.diagnostics if d.field and "ipBlock" in d.field]
    assert warning.severity is Severity.WARNING
    assert (warning.line, warning.field) == (10, "spec.ingress[0].from[0].ipBlock.cidr")
    assert warning.message == (
        'CIDR value "10.0.0.1/24" is ambiguous in this context '
        '(should be "10.0.0.0/24" or "10.0.0.1/32"?)'
    )
    assert result.cluster is not None
    block = result.cluster.policies[0].ingress[0].peers[0].ip_block
    assert block is not None and str(block.cidr) == "10.0.0.0/24"

"""Validation of metadata, Namespaces, Pods and workloads (what podfence reads of them).

Upstream: apimachinery pkg/api/validation/objectmeta.go (ValidateObjectMeta: names,
namespace, labels, annotations) and pkg/apis/core/validation/validation.go
(validateContainerPorts). `# @x` marks the line an error must point at.
"""

from __future__ import annotations

import re
import textwrap

import pytest

from podfence.load import LoadOptions, load_texts, parse_kube_version
from podfence.model import Severity

SUBDOMAIN = (
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' "
    "or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex "
    "used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
)
LABEL = (
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', "
    "and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', "
    "regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"
)
NAME_PART = (
    "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and "
    "end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex "
    "used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"
)
RANGE = "must be between 1 and 65535, inclusive"
BAD_IP = "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"


def errors(text: str) -> list[tuple[str | int, str | None, str, str | None]]:
    text = textwrap.dedent(text)
    result = load_texts([("o.yaml", text)])
    at = {
        m: n for n, line in enumerate(text.splitlines(), 1) for m in re.findall(r"# @(\w+)", line)
    }
    found = [
        (d.line, d.field, d.message, d.obj)
        for d in result.diagnostics
        if d.severity is Severity.ERROR
    ]
    # replace lines by their marker, so expectations read `("a", ...)`
    names = {v: k for k, v in at.items()}
    return [(names.get(line, line), f, m, o) for line, f, m, o in found]


VALID = {
    "pod-with-dotted-name": """
        apiVersion: v1
        kind: Pod
        metadata: {name: a.b, namespace: x, labels: {app: web, example.com/x: ""}}
        spec:
          containers:
          - ports:
            - {containerPort: 80, name: http}
            - {containerPort: 53, name: dns, protocol: UDP, hostPort: 53}
            - {containerPort: 9000, protocol: ""}
          initContainers:
          - ports: [{containerPort: 0, name: NOT_CHECKED}]
        status: {podIP: 10.0.0.1, podIPs: [{ip: 10.0.0.1}, {ip: "fd00::1"}]}
    """,
    "same-port-name-in-two-containers": """
        apiVersion: v1
        kind: Pod
        metadata: {name: p}
        spec:
          containers:
          - ports: [{containerPort: 80, name: http}]
          - ports: [{containerPort: 81, name: http}]
    """,
    "namespace": """
        apiVersion: v1
        kind: Namespace
        metadata: {name: shop, labels: {team: a}, annotations: {Example.com/Note: "x"}}
    """,
    "pod-unknown-fields-are-ignored": """
        apiVersion: v1
        kind: Pod
        metadata: {name: p, uid: u1, bogus: 2}
        spec:
          containers: [{name: c, image: nginx, ports: [{containerPort: 80, bogus: 1}]}]
          nodeName: n1
          bogus: [1, 2]
        status: {phase: Running, bogus: {}}
    """,
}


@pytest.mark.parametrize("text", VALID.values(), ids=VALID.keys())
def test_valid_objects(text: str) -> None:
    assert errors(text) == []


POD = "Pod default/p"
CASES = {
    "name-missing": (
        """
        apiVersion: v1
        kind: Pod
        metadata: # @a
          labels: {app: x}
        """,
        [
            (
                "a",
                "metadata.name",
                "Required value: name or generateName is required",
                "Pod default/<unnamed>",
            )
        ],
    ),
    # generateName is a prefix (a trailing '-' is fine), and the name made from it is checked
    "generate-name-not-a-subdomain": (
        """
        apiVersion: v1
        kind: Pod
        metadata:
          generateName: Web_ # @a
        """,
        [
            (
                "a",
                "metadata.generateName",
                f'Invalid value: "Web_": {SUBDOMAIN}',
                "Pod default/Web_*",
            ),
            ("a", "metadata.name", f'Invalid value: "Web_*": {SUBDOMAIN}', "Pod default/Web_*"),
        ],
    ),
    # an invalid generateName next to a valid name is still an error (ValidateObjectMetaAccessor)
    "generate-name-next-to-a-name": (
        """
        apiVersion: v1
        kind: Pod
        metadata:
          name: p
          generateName: "-x-" # @a
        """,
        [("a", "metadata.generateName", f'Invalid value: "-x-": {SUBDOMAIN}', POD)],
    ),
    "name-not-a-subdomain": (
        """
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata:
          name: Web # @a
        spec: {podSelector: {}}
        """,
        [("a", "metadata.name", f'Invalid value: "Web": {SUBDOMAIN}', "NetworkPolicy default/Web")],
    ),
    "name-too-long": (
        f"""
        apiVersion: v1
        kind: Pod
        metadata:
          name: {"a" * 254} # @a
        """,
        [
            (
                "a",
                "metadata.name",
                'Invalid value: "' + "a" * 254 + '": must be no more than 253 characters',
                f"Pod default/{'a' * 254}",
            )
        ],
    ),
    # ValidateNamespaceName is NameIsDNSLabel: no dots.
    "namespace-name-with-dot": (
        """
        apiVersion: v1
        kind: Namespace
        metadata:
          name: a.b # @a
        """,
        [("a", "metadata.name", 'Invalid value: "a.b": must not contain dots', "Namespace a.b")],
    ),
    "metadata-namespace-not-a-label": (
        """
        apiVersion: v1
        kind: Pod
        metadata:
          name: p
          namespace: Shop_1 # @a
        """,
        [("a", "metadata.namespace", f'Invalid value: "Shop_1": {LABEL}', "Pod Shop_1/p")],
    ),
    "metadata-label-key": (
        """
        apiVersion: v1
        kind: Pod
        metadata:
          name: p
          labels:
            _x: y # @a
        """,
        [("a", "metadata.labels", f'Invalid value: "_x": {NAME_PART}', POD)],
    ),
    "annotation-key": (
        """
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata:
          name: web
          annotations:
            a b: y # @a
        spec: {podSelector: {}}
        """,
        [
            (
                "a",
                "metadata.annotations",
                f'Invalid value: "a b": {NAME_PART}',
                "NetworkPolicy default/web",
            )
        ],
    ),
    "container-ports": (
        """
        apiVersion: v1
        kind: Pod
        metadata: {name: p}
        spec:
          containers:
          - ports:
            - containerPort: 70000 # @a
              hostPort: 0
            - name: web # @b
            - {containerPort: 80, name: HTTP} # @c
            - {containerPort: 81, name: web} # @d
            - {containerPort: 82, protocol: tcp} # @e
            - {containerPort: 83, hostPort: 65536} # @f
        """,
        [
            (
                "a",
                "spec.containers[0].ports[0].containerPort",
                f"Invalid value: 70000: {RANGE}",
                POD,
            ),
            ("b", "spec.containers[0].ports[1].containerPort", "Required value", POD),
            (
                "c",
                "spec.containers[0].ports[2].name",
                'Invalid value: "HTTP": must contain only alpha-numeric characters (a-z, 0-9), '
                "and hyphens (-)",
                POD,
            ),
            (
                "c",
                "spec.containers[0].ports[2].name",
                'Invalid value: "HTTP": must contain at least one letter (a-z)',
                POD,
            ),
            ("d", "spec.containers[0].ports[3].name", 'Duplicate value: "web"', POD),
            (
                "e",
                "spec.containers[0].ports[4].protocol",
                'Unsupported value: "tcp": supported values: "SCTP", "TCP", "UDP"',
                POD,
            ),
            ("f", "spec.containers[0].ports[5].hostPort", f"Invalid value: 65536: {RANGE}", POD),
        ],
    ),
    "pod-ip": (
        """
        apiVersion: v1
        kind: Pod
        metadata: {name: p}
        status:
          podIP: 10.0.0.300 # @a
          podIPs:
          - ip: nope # @b
        """,
        [
            (
                "a",
                "status.podIP",
                f'Invalid value: "10.0.0.300": {BAD_IP}',
                POD,
            ),
            (
                "b",
                "status.podIPs[0].ip",
                f'Invalid value: "nope": {BAD_IP}',
                POD,
            ),
        ],
    ),
    "deployment-selector-and-template": (
        """
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: d}
        spec:
          selector:
            matchExpressions:
            - {key: app, operator: in, values: [x]} # @a
          template:
            metadata:
              labels: {app: "x y"} # @b
            spec:
              containers: [{ports: [{containerPort: 0}]}] # @c
        """,
        [
            (
                "a",
                "spec.selector.matchExpressions[0].operator",
                'Invalid value: "in": not a valid selector operator',
                "Deployment default/d",
            ),
            (
                "b",
                "spec.template.metadata.labels",
                'Invalid value: "x y": a valid label must be an empty string or consist of '
                "alphanumeric characters, '-', '_' or '.', and must start and end with an "
                "alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex "
                "used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')",
                "Deployment default/d",
            ),
            (
                "c",
                "spec.template.spec.containers[0].ports[0].containerPort",
                "Required value",
                "Deployment default/d",
            ),
        ],
    ),
    "cronjob-nested-template": (
        """
        apiVersion: batch/v1
        kind: CronJob
        metadata: {name: c}
        spec:
          schedule: "* * * * *"
          jobTemplate:
            spec:
              template:
                spec:
                  containers:
                  - ports: [{containerPort: 99999}] # @a
        """,
        [
            (
                "a",
                "spec.jobTemplate.spec.template.spec.containers[0].ports[0].containerPort",
                f"Invalid value: 99999: {RANGE}",
                "CronJob default/c",
            )
        ],
    ),
    "replicationcontroller-selector-map": (
        """
        apiVersion: v1
        kind: ReplicationController
        metadata: {name: rc}
        spec:
          selector:
            app: "a b" # @a
          template:
            metadata: {labels: {app: ok}}
        """,
        [
            (
                "a",
                "spec.selector",
                'Invalid value: "a b": a valid label must be an empty string or consist of '
                "alphanumeric characters, '-', '_' or '.', and must start and end with an "
                "alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex "
                "used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')",
                "ReplicationController default/rc",
            )
        ],
    ),
}


@pytest.mark.parametrize(("text", "expected"), CASES.values(), ids=CASES.keys())
def test_invalid_objects(text: str, expected: list[tuple[str, str, str, str]]) -> None:
    assert errors(text) == expected


# IsValidIPForLegacyField for the pod IPs podfence reads: never a zone; leading zeros and
# IPv4-mapped IPv6 are errors under StrictIPCIDRValidation (1.36), warnings before.
POD_IPS = [
    ("1.36", "fe80::1%eth0", "error", f'Invalid value: "fe80::1%eth0": {BAD_IP}'),
    ("1.35", "fe80::1%eth0", "error", f'Invalid value: "fe80::1%eth0": {BAD_IP}'),
    ("1.36", "\u0661.0.0.1", "error", f'Invalid value: "\u0661.0.0.1": {BAD_IP}'),
    ("1.36", "010.0.0.1", "error", 'Invalid value: "010.0.0.1": must not have leading 0s'),
    (
        "1.36",
        "::ffff:10.0.0.1",
        "error",
        'Invalid value: "::ffff:10.0.0.1": must not be an IPv4-mapped IPv6 address',
    ),
    (
        "1.35",
        "010.0.0.1",
        "warning",
        'non-standard IP address "010.0.0.1" will be considered invalid in a future Kubernetes '
        'release: use "10.0.0.1"',
    ),
]


@pytest.mark.parametrize(("version", "ip", "severity", "message"), POD_IPS)
def test_pod_ips(version: str, ip: str, severity: str, message: str) -> None:
    text = f"apiVersion: v1\nkind: Pod\nmetadata: {{name: p}}\nstatus: {{podIP: '{ip}'}}\n"
    options = LoadOptions(parse_kube_version(version))
    result = load_texts([("p.yaml", text)], options=options)
    found = [(d.severity.value, d.field, d.message) for d in result.diagnostics]
    assert (severity, "status.podIP", message) in found
    if severity == "warning":
        assert result.cluster is not None
        assert [str(a) for a in result.cluster.endpoints[0].ips] == ["10.0.0.1"]

"""Relations between objects: duplicates, workloads vs their pods, namespaces (-n, implicit)."""

from __future__ import annotations

import textwrap

import pytest

from podfence.load import LoadOptions, load_texts
from podfence.model import NAME_LABEL, Severity


def load(text: str, **kwargs: str) -> tuple[list[str], list[tuple[int, str | None, str]]]:
    result = load_texts([("c.yaml", textwrap.dedent(text))], **kwargs)
    errors = [
        (d.line, d.obj, d.message) for d in result.diagnostics if d.severity is Severity.ERROR
    ]
    ids = [f"{e.kind} {e.id}" for e in result.cluster.endpoints] if result.cluster else []
    return ids, errors


NS = "apiVersion: v1\nkind: Namespace\nmetadata: {name: default}\n---\n"
POD = """\
apiVersion: v1
kind: Pod
metadata:
  name: web-1
  labels: {app: web}
  ownerReferences: [{apiVersion: apps/v1, kind: ReplicaSet, name: web-rs, uid: u}]
---
"""
DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  selector: {matchLabels: {app: web}}
  template: {metadata: {labels: {app: web}}}
---
"""
REPLICA_SET = """\
apiVersion: apps/v1
kind: ReplicaSet
metadata:
  name: web-rs
  ownerReferences: [{apiVersion: apps/v1, kind: Deployment, name: web, uid: u}]
spec:
  selector: {matchLabels: {app: web, hash: h}}
  template: {metadata: {labels: {app: web, hash: h}}}
---
"""
OTHER_POD = "apiVersion: v1\nkind: Pod\nmetadata: {name: other, labels: {app: other}}\n---\n"
CRON_JOB = """\
apiVersion: batch/v1
kind: CronJob
metadata: {name: nightly}
spec:
  jobTemplate:
    spec:
      template: {metadata: {labels: {job: nightly}}}
---
"""
JOB = """\
apiVersion: batch/v1
kind: Job
metadata:
  name: nightly-1
  ownerReferences: [{apiVersion: batch/v1, kind: CronJob, name: nightly, uid: u}]
spec:
  template: {metadata: {labels: {job: nightly}}}
---
"""
JOB_POD = """\
apiVersion: v1
kind: Pod
metadata:
  name: nightly-1-x
  ownerReferences: [{apiVersion: batch/v1, kind: Job, name: nightly-1, uid: u}]
---
"""
RC = """\
apiVersion: v1
kind: ReplicationController
metadata: {name: legacy}
spec:
  template: {metadata: {labels: {app: legacy}}}
---
"""
RC_POD = "apiVersion: v1\nkind: Pod\nmetadata: {name: legacy-1, labels: {app: legacy}}\n---\n"

DEDUP = {
    "deployment-alone": (DEPLOYMENT, ["Deployment default/web"]),
    "deployment-with-its-pod": (DEPLOYMENT + POD, ["Pod default/web-1"]),
    "pod-of-another-app-keeps-the-deployment": (
        DEPLOYMENT + OTHER_POD,
        ["Deployment default/web", "Pod default/other"],
    ),
    "replicaset-owned-by-present-deployment": (
        DEPLOYMENT + REPLICA_SET,
        ["Deployment default/web"],
    ),
    "replicaset-alone": (REPLICA_SET, ["ReplicaSet default/web-rs"]),
    "deployment-replicaset-pods": (DEPLOYMENT + REPLICA_SET + POD, ["Pod default/web-1"]),
    "job-owned-by-present-cronjob": (CRON_JOB + JOB, ["CronJob default/nightly"]),
    # Pod -> Job -> CronJob: the ownership chain is followed, no selector needed
    "cronjob-job-pod": (CRON_JOB + JOB + JOB_POD, ["Pod default/nightly-1-x"]),
    "cronjob-and-its-pod-without-the-job": (
        CRON_JOB + JOB_POD,
        ["CronJob default/nightly", "Pod default/nightly-1-x"],
    ),
    # SetDefaults_ReplicationController: an empty selector is the template's labels
    "replicationcontroller-defaulted-selector": (RC + RC_POD, ["Pod default/legacy-1"]),
    "pod-in-another-namespace-does-not-count": (
        DEPLOYMENT + POD.replace("  name: web-1\n", "  name: web-1\n  namespace: other\n"),
        ["Deployment default/web", "Pod other/web-1"],
    ),
}


@pytest.mark.parametrize(("text", "expected"), DEDUP.values(), ids=DEDUP.keys())
def test_workloads_are_represented_by_their_pods(text: str, expected: list[str]) -> None:
    ids, errors = load(NS + text)
    assert errors == []
    assert sorted(ids) == sorted(expected)


POD_A = "apiVersion: v1\nkind: Pod\nmetadata: {name: a, labels: {app: a}}\n"
POD_A_OTHER = "apiVersion: v1\nkind: Pod\nmetadata: {name: a, labels: {app: b}}\n"
IDENTICAL = "defined twice: identical to the one at one.yaml:1; the two are merged"
DIFFERENT = (
    "defined twice: also defined, differently, at one.yaml:1; this later definition is "
    "used, as kubectl apply -f would"
)
STRICT = " (--strict: duplicates are errors)"
# (second file's text, strict) -> (severity, message, labels of the pod that is kept)
DUPLICATES = {
    "identical-merge": ((POD_A, False), (Severity.WARNING, IDENTICAL, {"app": "a"})),
    "different-later-wins": ((POD_A_OTHER, False), (Severity.WARNING, DIFFERENT, {"app": "b"})),
    "identical-strict": ((POD_A, True), (Severity.ERROR, IDENTICAL + STRICT, None)),
    "different-strict": ((POD_A_OTHER, True), (Severity.ERROR, DIFFERENT + STRICT, None)),
}


@pytest.mark.parametrize(("given", "expected"), DUPLICATES.values(), ids=DUPLICATES.keys())
def test_duplicate_objects_follow_kubectl_and_name_both_places(
    given: tuple[str, bool], expected: tuple[Severity, str, dict[str, str] | None]
) -> None:
    second, strict = given
    severity, message, labels = expected
    result = load_texts(
        [("one.yaml", POD_A), ("two.yaml", "---\n" + second)],
        options=LoadOptions(strict=strict),
    )
    [found] = [d for d in result.diagnostics if "defined twice" in d.message]
    assert (found.file, found.line, found.obj, found.severity) == (
        "two.yaml",
        2,
        "Pod default/a",
        severity,
    )
    assert found.message == message
    if labels is None:
        assert result.cluster is None
    else:
        assert result.cluster is not None
        [pod] = result.cluster.endpoints
        assert dict(pod.labels) == labels


def test_same_name_different_kinds_is_an_endpoint_clash() -> None:
    text = "apiVersion: v1\nkind: Pod\nmetadata: {name: x}\n---\n" + DEPLOYMENT.replace(
        "name: web}", "name: x}"
    )
    ids, errors = load(NS + text)
    assert ids == []
    assert errors == [
        (
            9,
            "Deployment default/x",
            'endpoint "default/x" is defined twice: by Pod default/x (c.yaml:5) and by '
            "Deployment default/x; names of pods and workloads must be unique in a namespace",
        )
    ]


def test_same_name_in_two_namespaces_is_fine() -> None:
    text = "apiVersion: v1\nkind: Pod\nmetadata: {name: x, namespace: a}\n---\n"
    text += "apiVersion: v1\nkind: Pod\nmetadata: {name: x, namespace: b}\n"
    ids, errors = load(text)
    assert errors == [] and ids == ["Pod a/x", "Pod b/x"]


def test_default_namespace_is_the_cli_namespace() -> None:
    text = "apiVersion: v1\nkind: Pod\nmetadata: {name: a}\n---\n"
    text += "apiVersion: v1\nkind: Pod\nmetadata: {name: b, namespace: other}\n"
    result = load_texts([("p.yaml", text)], default_namespace="dev")
    assert result.cluster is not None
    assert [e.id for e in result.cluster.endpoints] == ["dev/a", "other/b"]


def test_implicit_namespaces_get_one_warning_each_at_the_first_referrer() -> None:
    text = """\
    apiVersion: v1
    kind: Namespace
    metadata: {name: defined, labels: {team: a}}
    ---
    apiVersion: v1
    kind: Pod
    metadata:
      name: a
      namespace: shop
    ---
    apiVersion: v1
    kind: Pod
    metadata: {name: b, namespace: shop}
    ---
    apiVersion: networking.k8s.io/v1
    kind: NetworkPolicy
    metadata: {name: p}
    spec: {podSelector: {}}
    ---
    apiVersion: v1
    kind: Pod
    metadata: {name: c, namespace: defined}
    """
    result = load_texts([("n.yaml", textwrap.dedent(text))])
    assert result.cluster is not None
    warnings = [(d.line, d.obj, d.field, d.message) for d in result.diagnostics]
    assert warnings == [
        (
            9,
            "Pod shop/a",
            "metadata.namespace",
            "namespace shop is not defined in the input; assuming it exists with only the "
            "label kubernetes.io/metadata.name=shop",
        ),
        (
            15,  # -n supplied the namespace: the warning points at the object
            "NetworkPolicy default/p",
            None,
            "namespace default is not defined in the input; assuming it exists with only the "
            "label kubernetes.io/metadata.name=default",
        ),
    ]
    by_name = {n.name: n for n in result.cluster.namespaces}
    assert [n.name for n in result.cluster.namespaces] == ["default", "defined", "shop"]
    assert by_name["shop"].implicit and by_name["shop"].labels == ((NAME_LABEL, "shop"),)
    assert by_name["shop"].location.line == 9
    assert not by_name["defined"].implicit
    assert by_name["defined"].labels == ((NAME_LABEL, "defined"), ("team", "a"))


def test_namespace_name_label_is_set_as_the_api_server_does() -> None:
    text = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n"
    text += "  labels: {kubernetes.io/metadata.name: spoofed}\n"
    result = load_texts([("n.yaml", text)])
    assert result.cluster is not None
    assert result.cluster.namespaces[0].labels == ((NAME_LABEL, "shop"),)

"""Inputs as they are: repositories hold more than manifests.

Each case is a folder shaped like the real thing (tests/load/inputs): a Helm chart, a
kustomize base with an overlay, a Node repository with `package.json`, `tsconfig.json`
(with comments), a CI workflow and `node_modules`, and sock-shop's Namespace defined in two
files. Files that are not Kubernetes objects are skipped with one warning each, saying what
they are; what names a kind and is broken stays an error (fail closed).
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from podfence.load import LoadOptions, load_paths, load_texts
from podfence.load.foreign import HELM_HINT, KUSTOMIZE_HINT, kustomize_patches
from podfence.load.sources import read_sources
from podfence.model import Severity

INPUTS = Path(__file__).parent / "inputs"
CHART = INPUTS / "helm-chart" / "web"
HELM = f"({HELM_HINT})"

# folder -> (every warning, as (path under the folder, line, message start); ids loaded)
REPOSITORIES: dict[str, tuple[list[tuple[str, int, str]], list[str]]] = {
    "helm-chart": (
        [
            # `helm template web web | podfence ... -` gives exactly this file
            (
                "rendered.yaml",
                3,
                "namespace default is not defined in the input",
            ),
            (
                "web/Chart.yaml",
                0,
                f"a Helm chart's Chart.yaml, not a Kubernetes object; skipped {HELM}",
            ),
            (
                "web/templates/deployment.yaml",
                0,
                f"a Helm chart template (chart {CHART}), not a Kubernetes object; skipped {HELM}",
            ),
            # this template parses as YAML: its place in the chart says what it is
            (
                "web/templates/networkpolicy.yaml",
                0,
                f"a Helm chart template (chart {CHART}), not a Kubernetes object; skipped {HELM}",
            ),
            ("web/values.yaml", 0, f"Helm chart values, not a Kubernetes object; skipped {HELM}"),
        ],
        ["default/web"],
    ),
    "kustomize": (
        [
            ("base/kustomization.yaml", 0, "a kustomize configuration, not a Kubernetes object"),
            (
                "overlays/prod/kustomization.yml",
                0,
                "a kustomize configuration, not a Kubernetes object",
            ),
            # a patch the overlay lists: kustomize's to apply, not an object to read (so the
            # Deployment is the base's, with its labels and ports)
            (
                "overlays/prod/replicas.yaml",
                0,
                f"a kustomize patch (listed in {INPUTS}/kustomize/overlays/prod/kustomization.yml)"
                ", not a Kubernetes object; skipped",
            ),
        ],
        ["shop/cart"],
    ),
    "node-repo": (
        [
            (
                ".github/workflows/ci.yml",
                1,
                "not a Kubernetes object (no apiVersion and kind); skipped",
            ),
            ("docker-compose.yml", 1, "not a Kubernetes object (no apiVersion and kind); skipped"),
            ("node_modules", 0, "npm packages, not Kubernetes manifests; skipped"),
            ("package-lock.json", 0, "an npm lock file, not a Kubernetes object; skipped"),
            ("package.json", 0, "an npm package manifest, not a Kubernetes object; skipped"),
            ("tsconfig.json", 0, "a TypeScript configuration, not a Kubernetes object; skipped"),
        ],
        ["frontend/web"],
    ),
    "sock-shop": (
        [
            (
                "carts-dep.yaml",
                2,
                f"defined twice: identical to the one at {INPUTS}/sock-shop/00-sock-shop-ns.yaml"
                ":1; the two are merged",
            )
        ],
        ["sock-shop/carts"],
    ),
}


@pytest.mark.parametrize(("folder", "expected"), REPOSITORIES.items(), ids=REPOSITORIES.keys())
def test_a_repository_loads_with_one_warning_per_file_that_is_not_an_object(
    folder: str, expected: tuple[list[tuple[str, int, str]], list[str]]
) -> None:
    warnings, ids = expected
    result = load_paths([str(INPUTS / folder)])
    assert result.ok, [str(d) for d in result.diagnostics]
    found = [
        (Path(d.file).relative_to(INPUTS / folder).as_posix(), d.line, d.message)
        for d in result.diagnostics
    ]
    assert [(f, line) for f, line, _ in found] == [(f, line) for f, line, _ in warnings]
    for (_, _, message), (_, _, start) in zip(found, warnings, strict=True):
        assert message.startswith(start), message
    assert {d.severity for d in result.diagnostics} <= {Severity.WARNING}
    assert result.cluster is not None
    assert [e.id for e in result.cluster.endpoints] == ids


def test_the_kustomize_base_is_read_as_it_is() -> None:
    result = load_paths([str(INPUTS / "kustomize")])
    assert result.cluster is not None
    [cart] = result.cluster.endpoints
    assert dict(cart.labels) == {"app": "cart"} and [p.name for p in cart.ports] == ["http"]


PATCH_LISTS = {
    "patches-path": ("patches:\n- path: p.yaml\n- patch: |-\n    inline: x\n", ["p.yaml"]),
    "strategic-merge": (
        "patchesStrategicMerge:\n- p.yaml\n- |-\n  kind: Deployment\n  metadata: {name: x}\n",
        ["p.yaml"],
    ),
    "json6902": ("patchesJson6902:\n- target: {kind: Deployment}\n  path: j.yaml\n", ["j.yaml"]),
    "none": ("resources: [a.yaml]\n", []),
    "not-a-map": ("- a\n", []),
}


@pytest.mark.parametrize(("text", "paths"), PATCH_LISTS.values(), ids=PATCH_LISTS.keys())
def test_kustomize_patches_are_found(text: str, paths: list[str]) -> None:
    import yaml

    assert kustomize_patches(yaml.safe_load(text)) == paths


def test_the_kustomize_warning_says_how_to_build_it() -> None:
    result = load_paths([str(INPUTS / "kustomize" / "base")])
    [warning] = result.diagnostics
    assert warning.message.endswith(f"{KUSTOMIZE_HINT})")


def test_a_helm_template_outside_a_chart_that_does_not_parse_is_skipped() -> None:
    text = (CHART / "templates" / "deployment.yaml").read_text()
    result = load_texts([("<stdin>", text)])
    [warning] = result.diagnostics
    assert (warning.severity, warning.line) == (Severity.WARNING, 4)
    assert warning.message == (
        "a Go template ({{ }} at line 4), not a Kubernetes manifest: it does not parse; "
        f"skipped {HELM}"
    )


def test_a_template_that_parses_outside_a_chart_is_read_and_fails_closed() -> None:
    # `{{ }}` inside strings is data (a ConfigMap's alert template, say): only a parse error
    # or a chart's templates/ folder makes a file a template; this policy stays an error
    text = (CHART / "templates" / "networkpolicy.yaml").read_text()
    result = load_texts([("np.yaml", text)])
    assert result.cluster is None
    assert any(
        d.field == "metadata.name" and d.severity is Severity.ERROR for d in result.diagnostics
    )


# documents that name a kind (or sit in a List) stay errors; the others are skipped
DOCUMENTS = {
    "map-without-both": ("name: ci\non: [push]\n", Severity.WARNING, 1, None),
    "list": ("- op: replace\n  path: /spec/replicas\n  value: 3\n", Severity.WARNING, 1, None),
    "scalar": ("just text\n", Severity.WARNING, 1, None),
    "kind-only": (
        "kind: NetworkPolicy\nmetadata: {name: x}\n",
        Severity.ERROR,
        1,
        'missing required field "apiVersion"',
    ),
    "apiVersion-only": (
        "apiVersion: networking.k8s.io/v1\nmetadata: {name: x, namespace: shop}\n",
        Severity.ERROR,
        1,
        'missing required field "kind"',
    ),
}


@pytest.mark.parametrize(
    ("text", "severity", "line", "message"), DOCUMENTS.values(), ids=DOCUMENTS.keys()
)
def test_what_is_not_an_object_is_skipped_and_what_claims_to_be_one_fails_closed(
    text: str, severity: Severity, line: int, message: str | None
) -> None:
    result = load_texts([("x.yaml", text)])
    [found] = result.diagnostics
    assert (found.severity, found.line) == (severity, line)
    if message is None:
        assert found.message.startswith("not a Kubernetes object (")
        assert found.message.endswith("with no apiVersion and kind); skipped") or (
            found.message == "not a Kubernetes object (no apiVersion and kind); skipped"
        )
    else:
        assert found.message == message


def test_missing_kind_names_the_object_it_can() -> None:
    result = load_texts([("x.yaml", "apiVersion: v1\nmetadata: {name: x, namespace: shop}\n")])
    [error] = result.diagnostics
    assert (error.obj, error.field) == ("object shop/x", "kind")


NODE_REPO = {
    ".github/workflows/ci.yml",
    "docker-compose.yml",
    "k8s/deployment.yaml",
    "k8s/namespace.yaml",
    "k8s/networkpolicy.yaml",
    "node_modules",
    "package-lock.json",
    "package.json",
    "tsconfig.json",
}
# patterns -> what they leave out of the node repository (by name, path under the
# argument, or path as given; a directory is not searched at all)
EXCLUDES = {
    "a-directory-by-name": (["node_modules"], {"node_modules"}),
    "a-suffix": (["*.json"], {"package.json", "package-lock.json", "tsconfig.json"}),
    "a-path-under-the-argument": (
        ["k8s/*"],
        {"k8s/deployment.yaml", "k8s/namespace.yaml", "k8s/networkpolicy.yaml"},
    ),
    "a-directory-path": (
        ["k8s"],
        {"k8s/deployment.yaml", "k8s/namespace.yaml", "k8s/networkpolicy.yaml"},
    ),
    "trailing-slash-and-dot": (["./.github/"], {".github/workflows/ci.yml"}),
    "two-patterns": (
        ["*.yml", "package*"],
        {
            ".github/workflows/ci.yml",
            "docker-compose.yml",
            "package-lock.json",
            "package.json",
        },
    ),
}


@pytest.mark.parametrize(("patterns", "left_out"), EXCLUDES.values(), ids=EXCLUDES.keys())
def test_exclude_leaves_out_files_and_directories(patterns: list[str], left_out: set[str]) -> None:
    repo = INPUTS / "node-repo"
    sources, problems = read_sources([str(repo)], exclude=patterns)
    seen = {s.name for s in sources} | {d.file for d in problems}
    assert {Path(f).relative_to(repo).as_posix() for f in seen} == NODE_REPO - left_out


def test_exclude_names_what_it_left_an_empty_directory_with(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("apiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n")
    result = load_paths([str(tmp_path)], options=LoadOptions(exclude=("*.yaml",)))
    [warning] = result.diagnostics
    assert warning.message == (
        "no *.yaml, *.yml or *.json files in this directory (1 excluded by --exclude)"
    )


def test_helm_template_output_on_stdin_loads() -> None:
    text = (INPUTS / "helm-chart" / "rendered.yaml").read_text()
    result = load_texts([("<stdin>", text)], default_namespace="web")
    assert result.ok and result.cluster is not None
    assert [p.key for p in result.cluster.policies] == ["web/web-allow-frontend"]


def test_two_documents_without_a_separator_get_a_hint() -> None:
    a = "apiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n"
    b = "apiVersion: v1\nkind: Namespace\nmetadata: {name: b}\n"
    result = load_texts([("<stdin>", a + b)])  # `cat a.yaml b.yaml | podfence ... -`
    errors = [d for d in result.diagnostics if d.severity is Severity.ERROR]
    assert [(d.line, d.obj, d.field, d.message) for d in errors[:2]] == [
        (
            4,
            "Namespace a",
            "apiVersion",
            'duplicate key "apiVersion" (first defined at line 1): two documents without a '
            '"---" separator?',
        ),
        (
            5,
            "Namespace a",
            "kind",
            'duplicate key "kind" (first defined at line 2): two documents without a "---" '
            "separator?",
        ),
    ]
    assert result.cluster is None


DUPLICATE_KEYS = {
    "policy": (
        """\
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata: {name: p, namespace: shop}
        spec:
          podSelector: {}
          podSelector: {matchLabels: {a: b}}
        """,
        (6, "NetworkPolicy shop/p", "spec.podSelector"),
    ),
    "defaulted-namespace": (
        """\
        apiVersion: v1
        kind: Pod
        metadata:
          name: web
          labels: {a: b}
          labels: {a: c}
        """,
        (6, "Pod default/web", "metadata.labels"),
    ),
    "list-item": (
        """\
        apiVersion: v1
        kind: List
        items:
        - apiVersion: v1
          kind: Namespace
          metadata: {name: ns, name: other}
        """,
        (6, "Namespace ns", "metadata.name"),
    ),
    "unread-kind-keeps-its-namespace": (
        """\
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: c, namespace: shop}
        data: {a: "1", a: "2"}
        """,
        (4, "ConfigMap shop/c", "data.a"),
    ),
}


@pytest.mark.parametrize(("text", "expected"), DUPLICATE_KEYS.values(), ids=DUPLICATE_KEYS.keys())
def test_duplicate_keys_name_their_object(text: str, expected: tuple[int, str, str]) -> None:
    result = load_texts([("x.yaml", textwrap.dedent(text))])
    [error] = [d for d in result.diagnostics if d.severity is Severity.ERROR]
    assert (error.line, error.obj, error.field) == expected
    assert error.message.startswith("duplicate key")


def test_a_duplicate_key_in_a_manifest_holding_a_template_string_stays_an_error() -> None:
    text = textwrap.dedent(
        """\
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata:
          name: p
          annotations: {summary: "{{ $labels.instance }} is down"}
        spec:
          podSelector: {}
          podSelector: {matchLabels: {a: b}}
        """
    )
    result = load_texts([("np.yaml", text)])
    assert result.cluster is None
    [error] = [d for d in result.diagnostics if d.severity is Severity.ERROR]
    assert error.message.startswith('duplicate key "podSelector"')

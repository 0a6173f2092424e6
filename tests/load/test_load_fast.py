"""load_fast gives what load_paths gives: the same Cluster (object lines included) and the
same diagnostics, taking the fast path only for plain dumps and falling back otherwise."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest
import yaml

from podfence.load import LoadOptions, load_paths, parse_kube_version
from podfence.load.fast import load_fast
from podfence.load.fast.exact import LazyPositions
from podfence.load.fast.load import load_sources_fast
from podfence.load.sources import read_sources

ROOT = Path(__file__).resolve().parents[2]
SEED = sorted(p for p in (ROOT / "examples" / "seed").iterdir() if p.is_dir())
EXAMPLES = sorted(
    {p.parent for p in (ROOT / "examples").rglob("*") if p.suffix in (".yaml", ".json")}
    | {p for p in (ROOT / "examples").rglob("*") if p.suffix in (".yaml", ".json")}
)
"""Every example directory and every example file on its own."""


def _generate(out: Path, pods: int = 200, policies: int = 60) -> Path:
    spec = importlib.util.spec_from_file_location("bench_generate", ROOT / "bench" / "generate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    module.write(module.Spec(pods, policies), out)
    return out


def _fast_path_taken(path: Path) -> bool:
    sources, _ = read_sources([str(path)])
    try:
        load_sources_fast(sources)
    except Exception:
        return False
    return True


def _same(path: Path) -> None:
    fast, exact = load_fast([str(path)], positions=True), load_paths([str(path)])
    assert fast.diagnostics == exact.diagnostics
    assert fast.cluster == exact.cluster
    if fast.cluster is not None and exact.cluster is not None:
        positions = fast.cluster.positions
        if isinstance(positions, LazyPositions):
            positions.fill_all()
        assert dict(positions) == exact.cluster.positions


@pytest.fixture(scope="module")
def dump(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _generate(tmp_path_factory.mktemp("dump"))


def test_generated_json_dump_takes_the_fast_path_and_equals_the_loader(dump: Path) -> None:
    assert _fast_path_taken(dump)
    _same(dump)


def test_yaml_dump_too(dump: Path, tmp_path: Path) -> None:
    for f in dump.glob("*.json"):
        data = json.loads(f.read_text())
        (tmp_path / f"{f.stem}.yaml").write_text(yaml.safe_dump(data))
    assert _fast_path_taken(tmp_path)
    _same(tmp_path)


def test_kubectl_layout_four_spaces_and_one_line(dump: Path, tmp_path: Path) -> None:
    for indent, name in ((4, "four"), (None, "flat")):
        out = tmp_path / name
        out.mkdir()
        for f in dump.glob("*.json"):
            (out / f.name).write_text(json.dumps(json.loads(f.read_text()), indent=indent))
        assert _fast_path_taken(out)
        _same(out)


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_bundled_example(example: Path) -> None:
    _same(example)


POD = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "a", "namespace": "x"}}
NS = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "x"}}
OWNER_NO_UID = {"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "r"}


def _policy(spec: dict[str, object]) -> dict[str, object]:
    meta = {"name": "p", "namespace": "x"}
    return {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": meta,
            "spec": spec}  # fmt: skip


@pytest.mark.parametrize(
    "items",
    [
        [NS, POD, _policy({"podSelector": {}, "ingress": [{"ports": [{"port": 0}]}]})],  # error
        [NS, POD, _policy({"ingress": [{}]})],  # warning: podSelector missing
        [POD],  # warning: implicit namespace
        [NS, POD, POD],  # duplicate
        [
            NS,
            POD,
            _policy({"podSelector": {}, "egress": [{"to": [{"ipBlock": {"cidr": "10.0.0.1/8"}}]}]}),
        ],
        [
            NS,
            {
                "apiVersion": "apps/v1",
                "kind": "Deployment",
                "metadata": {"name": "d", "namespace": "x"},
                "spec": {
                    "selector": {"matchLabels": {"a": "b"}},
                    "template": {"metadata": {"labels": {"a": "b"}}},
                },
            },
        ],
        [NS, {**POD, "metadata": {"name": "a", "namespace": "x", "labels": {"k": "bad value"}}}],
        [NS, _policy({"podSelector": {}, "unknown": 1})],
        [NS, {"apiVersion": "v1", "kind": "Pdo", "metadata": {"name": "q"}}],  # typo: warning
        [NS, {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s"}}],  # skipped
        # ObjectMeta and decoding as the API server (issue 14): errors and warnings
        [NS, POD, {**_policy({"podSelector": {}}), "status": {}}],
        [NS, {**POD, "metadata": {**POD["metadata"], "ownerReferences": [OWNER_NO_UID]}}],
        [NS, {**POD, "metadata": {**POD["metadata"], "finalizers": ["cleanup"]}}],
        [NS, {**POD, "metadata": {**POD["metadata"], "creationTimestamp": "yesterday"}}],
        [NS, {**POD, "metadata": {**POD["metadata"], "generation": "1"}}],
        [NS, {**POD, "metadata": {"generateName": "a-", "namespace": "x"}}],
        [NS, {**POD, "status": {"podIP": "fe80::1%eth0"}}],
        [NS, {**POD, "status": {"podIPs": [{"ip": "::ffff:10.0.0.1"}]}}],
        [NS, _policy({"podSelector": {"matchLabels": {"a": None}}})],
        [
            NS,
            _policy(
                {"podSelector": {}, "ingress": [{"from": [{"ipBlock": {"cidr": "FD00::/8"}}]}]}
            ),
        ],
        [NS, {**POD, "spec": {"nodeName": "Bad_Node"}}],  # error
        [NS, {"apiVersion": "policy.networking.k8s.io/v1alpha1", "kind": "AdminNetworkPolicy"}],
        [NS, {"apiVersion": "v1", "kind": "Node", "metadata": {"name": "n"}}],
        [
            NS,
            {
                "apiVersion": "policy.networking.k8s.io/v1alpha2",
                "kind": "ClusterNetworkPolicy",
                "metadata": {"name": "c"},
                "spec": {"tier": "Admin", "priority": 1, "subject": {"namespaces": {}}},
            },
        ],
        # warnings only: read again exactly, on the fast path (tests/load/test_load_fast_warnings)
        [NS, _policy({"ingress": [{}]}), POD, {**POD, "metadata": {"name": "b", "namespace": "y"}}],
        [
            NS,
            {
                "apiVersion": "policy.networking.k8s.io/v1alpha2",
                "kind": "ClusterNetworkPolicy",
                "metadata": {"name": "c", "namespace": "x"},
                "spec": {
                    "tier": "Admin",
                    "priority": 1,
                    "subject": {"namespaces": {}},
                    "egress": [{"action": "Deny", "to": [{"services": {}}]}],
                },
            },
            POD,
        ],  # fmt: skip
        [
            NS,
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "n"},
                "status": {"addresses": [{"type": "InternalIP", "address": "n1"}]},
            },
        ],  # fmt: skip
        [NS, {"apiVersion": "v1", "kind": "Namespac", "metadata": {"name": "q"}}, POD],
        [NS, {**POD, "metadata": {"generateName": "a-", "namespace": "x"}}, POD],
    ],
)
def test_anything_unusual_gives_the_loaders_answer(items: list[object], tmp_path: Path) -> None:
    path = tmp_path / "in.json"
    path.write_text(json.dumps({"apiVersion": "v1", "kind": "List", "items": items}, indent=2))
    _same(path)
    exact = load_paths([str(path)])
    if exact.ok and not any(d.message.startswith("defined twice") for d in exact.diagnostics):
        assert _fast_path_taken(path)  # warnings only: kept on the fast path


@pytest.mark.parametrize("version", ["1.35", "1.36"])
def test_the_kubernetes_version_is_the_loaders(version: str, tmp_path: Path) -> None:
    block = {"ipBlock": {"cidr": "10.0.0.1/8"}}
    items = [NS, POD, _policy({"podSelector": {}, "egress": [{"to": [block]}]})]
    path = tmp_path / "in.json"
    path.write_text(json.dumps({"apiVersion": "v1", "kind": "List", "items": items}, indent=2))
    options = LoadOptions(parse_kube_version(version))
    fast = load_fast([str(path)], options=options)
    exact = load_paths([str(path)], options=options)
    assert (fast.diagnostics, fast.cluster) == (exact.diagnostics, exact.cluster)
    assert fast.ok is (version == "1.35")


def test_node_name_takes_the_fast_path(tmp_path: Path) -> None:
    path = tmp_path / "in.json"
    pod = {**POD, "spec": {"nodeName": "worker-1", "containers": [{"name": "c"}]}}
    path.write_text(json.dumps({"apiVersion": "v1", "kind": "List", "items": [NS, pod]}, indent=2))
    assert _fast_path_taken(path)
    _same(path)
    fast = load_fast([str(path)]).cluster
    assert fast is not None and fast.endpoints[0].node_name == "worker-1"


def test_syntax_errors_keep_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text('{\n  "apiVersion": "v1",\n  "kind": "List",\n  "items": [\n    {,\n  ]\n}\n')
    fast = load_fast([str(path)])
    assert fast.diagnostics == load_paths([str(path)]).diagnostics
    assert fast.diagnostics and fast.diagnostics[0].line > 0


# Fail closed on the fast path: orjson and PyYAML let the last of two equal keys win, the
# API server and `validate` reject the object. The fast path must give the loader's answer.
_POLICY_JSON = """{
  "apiVersion": "v1",
  "kind": "List",
  "items": [
    {
      "apiVersion": "v1",
      "kind": "Namespace",
      "metadata": {"name": "x"}
    },
    {
      "apiVersion": "networking.k8s.io/v1",
      "kind": "NetworkPolicy",
      "metadata": {"name": "p", "namespace": "x"%s},
      "spec": {"podSelector": {}, "ingress": [{}]%s}
    }
  ]
}
"""
_POLICY_YAML = """\
apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: Namespace
  metadata: {name: x}
- apiVersion: networking.k8s.io/v1
  kind: NetworkPolicy
  metadata: {name: p, namespace: x%s}
  spec:
    podSelector: {}
    ingress: [{}]%s
"""
LAST_KEY_WINS = {
    "json-duplicate-podSelector": (
        "in.json",
        _POLICY_JSON % ("", ', "podSelector": {"matchLabels": {"a": "b"}}'),
        True,
    ),
    "json-duplicate-with-spaces": (
        "in.json",
        _POLICY_JSON % ("", ', "podSelector" : {"matchLabels": {"a": "b"}}'),
        True,
    ),
    # an annotation holding JSON puts `":` in a string: counted exactly, still no duplicate
    "json-annotation-with-json-no-duplicate": (
        "in.json",
        _POLICY_JSON % (', "annotations": {"last": "{\\"podSelector\\":{}}"}', ""),
        False,
    ),
    "json-annotation-with-json-and-a-duplicate": (
        "in.json",
        _POLICY_JSON
        % (', "annotations": {"last": "{\\"a\\":{}}"}', ', "podSelector": {"matchLabels": {}}'),
        True,
    ),
    "yaml-duplicate-podSelector": (
        "in.yaml",
        _POLICY_YAML % ("", "\n    podSelector: {matchLabels: {a: b}}"),
        True,
    ),
    "yaml-no-duplicate": ("in.yaml", _POLICY_YAML % ("", ""), False),
}


@pytest.mark.parametrize(
    ("name", "text", "rejected"), LAST_KEY_WINS.values(), ids=LAST_KEY_WINS.keys()
)
def test_the_fast_path_refuses_exactly_what_validate_rejects(
    tmp_path: Path, name: str, text: str, rejected: bool
) -> None:
    path = tmp_path / name
    path.write_text(text)
    assert _fast_path_taken(path) is not rejected
    fast, exact = load_fast([str(path)]), load_paths([str(path)])
    assert fast.diagnostics == exact.diagnostics
    assert (fast.cluster is None) is rejected
    assert fast.cluster == exact.cluster
    if rejected:
        assert any(d.message.startswith('duplicate key "podSelector"') for d in fast.diagnostics)


def test_deep_yaml_falls_back_instead_of_raising(tmp_path: Path) -> None:
    path = tmp_path / "deep.yaml"
    path.write_text("a: " + "[" * 3000 + "]" * 3000 + "\n")
    assert not _fast_path_taken(path)
    assert load_fast([str(path)]).diagnostics == load_paths([str(path)]).diagnostics


_BOMB = """\
apiVersion: v1
kind: ConfigMap
metadata: {name: %s}
data:
  l: &l [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]
  m: &m [*l, *l, *l, *l, *l, *l, *l, *l, *l, *l]
  n: [*m, *m, *m, *m, *m, *m]
"""


def test_aliases_expanding_a_file_past_its_limit_fall_back_to_the_loaders_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The exact loader allows a file MAX_NODES more nodes than it has characters, counted
    over the whole file with aliases expanded. Two documents, each under MAX_NODES, together
    over the file's limit: refused there, and so the fast path hands the file to it."""
    monkeypatch.setattr("podfence.load.parse.MAX_NODES", 1000)
    path = tmp_path / "bomb.yaml"
    path.write_text(_BOMB % "a" + "---\n" + _BOMB % "b")
    assert not _fast_path_taken(path)
    fast, exact = load_fast([str(path)]), load_paths([str(path)])
    assert fast.diagnostics == exact.diagnostics
    assert any("too large" in d.message for d in exact.diagnostics)
    one = tmp_path / "one" / "bomb.yaml"
    one.parent.mkdir()
    one.write_text(_BOMB % "a")  # about 800 nodes: under the limit
    assert _fast_path_taken(one)
    assert load_fast([str(one)]).diagnostics == load_paths([str(one)]).diagnostics == ()


@pytest.mark.parametrize("fmt", ["yaml", "json"])
def test_a_big_file_without_aliases_is_read_whatever_its_node_count(
    fmt: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each written node takes a character, so a large dump (a 150,000-pod `kubectl get -o
    json` holds millions of nodes) never reaches the limit, on either path."""
    monkeypatch.setattr("podfence.load.parse.MAX_NODES", 10)
    pods = [
        {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": f"p{i}", "namespace": "n", "labels": {"k": "v"}},
        }
        for i in range(4)
    ]
    path = tmp_path / f"pods.{fmt}"
    if fmt == "json":
        path.write_text(json.dumps({"apiVersion": "v1", "kind": "List", "items": pods}, indent=2))
    else:
        path.write_text(yaml.safe_dump_all(pods, sort_keys=False))
    assert _fast_path_taken(path)
    _same(path)
    assert not [d for d in load_paths([str(path)]).diagnostics if "too large" in d.message]


def _deployment(name: str, labels: dict[str, str], **spec: object) -> dict[str, object]:
    template = {"metadata": {"labels": labels}, "spec": {"containers": [{"name": "c"}]}}
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name, "namespace": "x"},
        "spec": {"selector": {"matchLabels": labels}, "template": template, **spec},
    }


LABELS = {"a": "b"}
WORKLOADS = [
    [NS, _deployment("d", {"a": "b"})],
    [NS, _deployment("d", {"a": "b"}), {**POD, "metadata": {**POD["metadata"], "labels": LABELS}}],
    [NS, _deployment("d", {"a": "b"}), POD],
    [
        NS,
        {**POD, "metadata": {**POD["metadata"], "ownerReferences": [
            {**OWNER_NO_UID, "uid": "1", "kind": "ReplicaSet", "name": "r"}]}},
        {"apiVersion": "apps/v1", "kind": "ReplicaSet", "metadata": {"name": "r", "namespace": "x",
         "ownerReferences": [{"apiVersion": "apps/v1", "kind": "Deployment", "name": "d",
                              "uid": "2"}]},
         "spec": {"selector": {"matchLabels": {"q": "r"}},
                  "template": {"metadata": {"labels": {"q": "r"}}}}},
        _deployment("d", {"z": "y"}),
        _deployment("e", {"z": "w"}),
    ],
    [NS, _deployment("a", {"a": "b"}), POD],  # a pod and a workload named alike: an error
    [NS, _deployment("d", {"a": "b"}, replicas="two")],  # the wrong type: not read
    [NS, {**_deployment("d", {"a": "b"}), "apiVersion": "apps/v1beta1"}],  # an error
    [
        NS,
        {"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "c", "namespace": "x"},
         "spec": {"jobTemplate": {"spec": {"template": {
             "metadata": {"labels": {"job": "c"}},
             "spec": {"containers": [{"name": "c", "ports": [{"containerPort": 80}]}]}}}}}},
        {"apiVersion": "v1", "kind": "ReplicationController",
         "metadata": {"name": "rc", "namespace": "x"},
         "spec": {"template": {"metadata": {"labels": {"rc": "1"}}}}},
        {"apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": {"name": "ds", "namespace": "x"},
         "spec": {"selector": {"matchLabels": {"ds": "1"}}, "template": {
             "metadata": {"labels": {"ds": "1"}}, "spec": {"hostNetwork": True}}}},
    ],
    [_deployment("d", {"a": "b"}), POD],  # an implicit namespace, first named by a workload
]  # fmt: skip


@pytest.mark.parametrize("items", WORKLOADS)
@pytest.mark.parametrize("form", ["json", "yaml", "documents"])
def test_workloads_take_the_fast_path_with_the_loaders_answer(
    items: list[object], form: str, tmp_path: Path
) -> None:
    listed = {"apiVersion": "v1", "kind": "List", "items": items}
    if form == "json":
        (tmp_path / "in.json").write_text(json.dumps(listed, indent=2))
    elif form == "yaml":
        (tmp_path / "in.yaml").write_text(yaml.safe_dump(listed))
    else:
        (tmp_path / "in.yaml").write_text(yaml.safe_dump_all(items))
    _same(tmp_path)
    exact = load_paths([str(tmp_path)])
    if exact.error_count == 0:
        assert _fast_path_taken(tmp_path)


@pytest.mark.parametrize("form", ["json", "yaml", "documents"])
def test_implicit_namespaces_take_the_fast_path(form: str, tmp_path: Path) -> None:
    pods = [{**POD, "metadata": {"name": f"p{i}", "namespace": f"n{i % 3}"}} for i in range(5)] + [
        {**POD, "metadata": {"name": "q"}}
    ]  # -n: at the object's line
    listed = {"apiVersion": "v1", "kind": "List", "items": pods}
    if form == "json":
        (tmp_path / "in.json").write_text(json.dumps(listed, indent=2))
    elif form == "yaml":
        (tmp_path / "in.yaml").write_text(yaml.safe_dump(listed))
    else:
        (tmp_path / "in.yaml").write_text("# pods\n---\n" + yaml.safe_dump_all(pods))
    assert _fast_path_taken(tmp_path)
    _same(tmp_path)
    assert len(load_fast([str(tmp_path)]).diagnostics) == 4


def test_generated_workloads_as_yaml_documents(dump: Path, tmp_path: Path) -> None:
    """Every object of a generated dump as its own YAML document, pods made Deployments."""
    docs = []
    for f in sorted(dump.glob("*.json")):
        for item in json.loads(f.read_text())["items"]:
            if item["kind"] == "Pod" and item["metadata"]["name"].endswith("0"):
                labels = item["metadata"].get("labels", {})
                item = _deployment(item["metadata"]["name"], labels or {"x": "y"})
                item["metadata"]["namespace"] = "team0-dev"
            docs.append(item)
    (tmp_path / "all.yaml").write_text(yaml.safe_dump_all(docs))
    _same(tmp_path)


@pytest.mark.parametrize("depth", [197, 198, 199, 200, 201, 260])
@pytest.mark.parametrize("suffix", [".json", ".yaml"])
def test_nesting_as_deep_as_the_exact_loader_allows(
    depth: int, suffix: str, tmp_path: Path
) -> None:
    deep: object = 1
    for _ in range(depth):
        deep = [deep]
    pod = {**POD, "spec": {"unread": deep}}
    text = json.dumps({"apiVersion": "v1", "kind": "List", "items": [NS, pod]}, indent=2)
    (tmp_path / f"in{suffix}").write_text(text)
    _same(tmp_path)

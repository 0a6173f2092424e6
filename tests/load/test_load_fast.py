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
from podfence.load.fast.load import load_sources_fast
from podfence.load.sources import read_sources

ROOT = Path(__file__).resolve().parents[2]
SEED = sorted(p for p in (ROOT / "examples" / "seed").iterdir() if p.is_dir())


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
    fast, exact = load_fast([str(path)]), load_paths([str(path)])
    assert fast.diagnostics == exact.diagnostics
    assert fast.cluster == exact.cluster


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


@pytest.mark.parametrize("example", SEED, ids=lambda p: p.name)
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
    ],
)
def test_anything_unusual_gives_the_loaders_answer(items: list[object], tmp_path: Path) -> None:
    path = tmp_path / "in.json"
    path.write_text(json.dumps({"apiVersion": "v1", "kind": "List", "items": items}, indent=2))
    _same(path)


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


def test_syntax_errors_keep_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text('{\n  "apiVersion": "v1",\n  "kind": "List",\n  "items": [\n    {,\n  ]\n}\n')
    fast = load_fast([str(path)])
    assert fast.diagnostics == load_paths([str(path)]).diagnostics
    assert fast.diagnostics and fast.diagnostics[0].line > 0

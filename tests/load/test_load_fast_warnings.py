"""Inputs whose objects have warnings only stay on the fast path (`load.fast.warned`), with
exactly the exact loader's cluster, positions and diagnostics (file, line, message, object,
field path, order); an error still sends the input to the exact loader."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from podfence.load import LoadOptions, load_paths, parse_kube_version
from podfence.load.fast import load_fast
from podfence.load.fast.exact import LazyPositions
from podfence.load.fast.load import load_sources_fast
from podfence.load.sources import read_sources
from podfence.model import Severity

NS = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "x"}}
CNP_API = "policy.networking.k8s.io/v1alpha2"


def _pod(name: str, **extra: object) -> dict[str, object]:
    meta = {"name": name, "namespace": "x", "labels": {"app": name}}
    spec = {"containers": [{"name": "c", "ports": [{"containerPort": 80}]}]}
    return {"apiVersion": "v1", "kind": "Pod", "metadata": meta, "spec": spec, **extra}


def _policy(name: str, spec: dict[str, object]) -> dict[str, object]:
    meta = {"name": name, "namespace": "x"}
    return {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": meta,
            "spec": spec}  # fmt: skip


def _cnp(name: str, *, meta: dict[str, object] | None = None, **spec: object) -> dict[str, object]:
    body = {"tier": "Admin", "priority": 1, "subject": {"namespaces": {}}, **spec}
    return {"apiVersion": CNP_API, "kind": "ClusterNetworkPolicy",
            "metadata": {"name": name, **(meta or {})}, "spec": body}  # fmt: skip


def _deployment(meta: dict[str, object]) -> dict[str, object]:
    labels = {"d": "1"}
    template = {"metadata": {"labels": labels}, "spec": {"containers": [{"name": "c"}]}}
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"namespace": "x", **meta},
            "spec": {"selector": {"matchLabels": labels}, "template": template}}  # fmt: skip


WARNED: dict[str, list[dict[str, object]]] = {
    # the defaults stage
    "policy without spec.podSelector": [_policy("p", {"ingress": [{}]})],
    "pods named from a generateName": [
        {**_pod("a"), "metadata": {"generateName": "web-", "namespace": "x"}},
        {**_pod("b"), "metadata": {"generateName": "web-", "namespace": "x"}},
    ],
    "deployment named from a generateName": [_deployment({"generateName": "d-"})],
    # the validate stage
    "policy with an IPv6 CIDR not in RFC 5952 form": [
        _policy(
            "p", {"podSelector": {}, "ingress": [{"from": [{"ipBlock": {"cidr": "FD00::/8"}}]}]}
        )
    ],
    "cluster policy with a peer of unknown type (fails closed)": [
        _cnp("c", egress=[{"action": "Deny", "to": [{"services": {}}]}])
    ],
    "cluster policy with a namespace": [_cnp("c", meta={"namespace": "x"})],
    "cluster policy with an empty named port": [
        _cnp(
            "c",
            ingress=[
                {
                    "action": "Deny",
                    "from": [{"namespaces": {}}],
                    "protocols": [{"destinationNamedPort": ""}],
                }
            ],
        )  # fmt: skip
    ],
    "node with an address that is not an IP": [
        {
            "apiVersion": "v1",
            "kind": "Node",
            "metadata": {"name": "n"},
            "status": {"addresses": [{"type": "InternalIP", "address": "node-1"}]},
        }  # fmt: skip
    ],
    # the decode stage: kinds skipped with a warning
    "a misspelt kind": [{"apiVersion": "v1", "kind": "NetworkPolicyy", "metadata": {"name": "q"}}],
    "a kind ClusterNetworkPolicy succeeds": [
        {
            "apiVersion": "policy.networking.k8s.io/v1alpha1",
            "kind": "AdminNetworkPolicy",
            "metadata": {"name": "a"},
        }  # fmt: skip
    ],
    # the link stage, with warnings of the other stages in other objects
    "implicit namespace beside a warned policy": [
        {**_pod("z"), "metadata": {"name": "z", "namespace": "elsewhere"}},
        _policy("p", {"ingress": [{}]}),
    ],
}


def _write(items: list[dict[str, object]], form: str, out: Path) -> Path:
    """`items` in the middle of a namespace and pods, as a JSON List, a YAML List, or YAML
    documents (a comment first): the warned objects are on lines far from the top."""
    everything = json.loads(
        json.dumps([NS, _pod("a1"), _pod("a2"), *items, _pod("z1"), _pod("z2")])
    )
    listed = {"apiVersion": "v1", "kind": "List", "items": everything}
    if form == "json":
        path = out / "in.json"
        path.write_text(json.dumps(listed, indent=2))
    elif form == "yaml":
        path = out / "in.yaml"
        path.write_text(yaml.safe_dump(listed))
    else:
        path = out / "in.yaml"
        path.write_text("# a dump\n---\n" + yaml.safe_dump_all(everything))
    return path


def _fast_path_taken(path: Path, options: LoadOptions | None = None) -> bool:
    sources, problems = read_sources([str(path)])
    assert not problems
    try:
        load_sources_fast(sources, options=options or LoadOptions())
    except Exception:
        return False
    return True


def _same(path: Path, options: LoadOptions | None = None) -> None:
    options = options or LoadOptions()
    fast = load_fast([str(path)], positions=True, options=options)
    exact = load_paths([str(path)], options=options)
    assert fast.diagnostics == exact.diagnostics
    assert fast.cluster == exact.cluster
    if fast.cluster is not None and exact.cluster is not None:
        positions = fast.cluster.positions
        if isinstance(positions, LazyPositions):
            positions.fill_all()
        assert dict(positions) == exact.cluster.positions


def _warnings_only(path: Path, options: LoadOptions | None = None) -> None:
    exact = load_paths([str(path)], options=options or LoadOptions())
    assert exact.diagnostics and exact.ok, exact.diagnostics


@pytest.mark.parametrize("form", ["json", "yaml", "documents"])
@pytest.mark.parametrize("items", WARNED.values(), ids=WARNED.keys())
def test_warned_objects_take_the_fast_path_with_the_loaders_warnings(
    items: list[dict[str, object]], form: str, tmp_path: Path
) -> None:
    path = _write(items, form, tmp_path)
    _warnings_only(path)
    assert all(d.line > 5 for d in load_paths([str(path)]).diagnostics)  # not trivial lines
    assert _fast_path_taken(path)
    _same(path)


def test_a_document_that_is_not_an_object(tmp_path: Path) -> None:
    path = tmp_path / "in.yaml"
    docs = [NS, _pod("a"), {"just": "data"}, ["a", "list"], _pod("b")]
    path.write_text("# mixed\n---\n" + yaml.safe_dump_all(docs) + "---\njust text\n")
    _warnings_only(path)
    assert len(load_paths([str(path)]).diagnostics) == 3
    assert _fast_path_taken(path)
    _same(path)


@pytest.mark.parametrize("form", ["json", "yaml", "documents"])
def test_warnings_of_every_stage_in_the_loaders_order(form: str, tmp_path: Path) -> None:
    """Found by stage, then object; sorted by file, object, line: objects that share a line
    (JSON on one line) keep the stage order, which a sort by line alone would not give."""
    items = [
        *WARNED["policy with an IPv6 CIDR not in RFC 5952 form"],  # validate
        _policy("q", {"ingress": [{}]}),  # defaults
        *WARNED["a misspelt kind"],  # decode
        {**_pod("z"), "metadata": {"name": "z", "namespace": "elsewhere"}},  # link
        *WARNED["cluster policy with a namespace"],  # validate
    ]
    if form == "json":
        listed = {"apiVersion": "v1", "kind": "List", "items": [NS, *items]}
        path = tmp_path / "in.json"
        path.write_text(json.dumps(listed))  # one line
        messages = [d.message for d in load_paths([str(path)]).diagnostics]
        assert messages[0].startswith('kind "NetworkPolicyy"')
        assert messages[-1].startswith("namespace elsewhere")
    else:
        path = _write(items, form, tmp_path)
    _warnings_only(path)
    assert _fast_path_taken(path)
    _same(path)


def _renamed(obj: dict[str, object], i: int) -> dict[str, object]:
    """`obj` in namespace `n<i>` (a Namespace: named so), its name suffixed with `-<i>`."""
    meta = dict(obj["metadata"])  # type: ignore[call-overload]
    if obj["kind"] == "Namespace":
        meta["name"] = f"n{i}"
    elif "name" in meta:
        meta["name"] = f"{meta['name']}-{i}"
    if "namespace" in meta and meta["namespace"] == "x":
        meta["namespace"] = f"n{i}"
    return {**obj, "metadata": meta}


def test_several_files_each_with_warnings(tmp_path: Path) -> None:
    """Files ordered by name, each with its warnings; generateName counted across files."""
    for i, items in enumerate(WARNED.values()):
        form = ("json", "yaml", "documents")[i % 3]
        sub = tmp_path / f"{i:02d}"
        sub.mkdir()
        path = _write(items, form, sub)
        docs = path.read_text()
        objs = [_renamed(o, i) for o in [NS, _pod("a1"), _pod("a2"), *items, _pod("z1")]]
        listed = {"apiVersion": "v1", "kind": "List", "items": objs}
        if form == "json":
            path.write_text(json.dumps(listed, indent=2))
        elif form == "yaml":
            path.write_text(yaml.safe_dump(listed))
        else:
            path.write_text(docs[: docs.index("---")] + "---\n" + yaml.safe_dump_all(objs))
    _warnings_only(tmp_path)
    assert _fast_path_taken(tmp_path)
    _same(tmp_path)


def test_an_empty_directory_warning_comes_first(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    path = _write(WARNED["policy without spec.podSelector"], "json", tmp_path)
    args = [str(tmp_path / "empty"), str(path)]
    fast, exact = load_fast(args), load_paths(args)
    assert len(exact.diagnostics) == 2 and exact.ok
    assert (fast.diagnostics, fast.cluster) == (exact.diagnostics, exact.cluster)


@pytest.mark.parametrize("version", ["1.35", "1.36"])
def test_warnings_of_an_older_kubernetes_version(version: str, tmp_path: Path) -> None:
    """1.35 warns of a CIDR with host bits and a pod IP with leading zeros; 1.36 rejects
    them (an error): the fast path takes the first and leaves the second to the loader."""
    block = {"ipBlock": {"cidr": "10.0.0.1/8"}}
    items = [
        _policy("p", {"podSelector": {}, "egress": [{"to": [block]}]}),
        _pod("ip", status={"podIP": "010.0.0.1"}),
    ]
    path = _write(items, "yaml", tmp_path)
    options = LoadOptions(parse_kube_version(version))
    assert load_paths([str(path)], options=options).ok is (version == "1.35")
    assert _fast_path_taken(path, options) is (version == "1.35")
    _same(path, options)


@pytest.mark.parametrize("strict", [False, True])
def test_duplicates_still_fall_back_strict_or_not(strict: bool, tmp_path: Path) -> None:
    """A duplicate is a warning, an error with `strict`: the link stage decides which
    definition wins, so the fast path leaves it to the exact loader either way."""
    options = LoadOptions(strict=strict)
    path = _write([_policy("p", {"ingress": [{}]}), _pod("a1")], "json", tmp_path)
    exact = load_paths([str(path)], options=options)
    assert exact.ok is not strict
    assert not _fast_path_taken(path, options)
    _same(path, options)


def test_an_error_beside_warnings_falls_back(tmp_path: Path) -> None:
    items = [*WARNED["policy without spec.podSelector"], _pod("bad", spec={"nodeName": "Bad_Node"})]
    path = _write(items, "json", tmp_path)
    exact = load_paths([str(path)])
    assert not exact.ok
    assert {d.severity for d in exact.diagnostics} == {Severity.WARNING, Severity.ERROR}
    assert not _fast_path_taken(path)
    _same(path)


def test_a_whole_object_repeated_by_an_alias_falls_back(tmp_path: Path) -> None:
    """Two pods named from one generateName, the second a YAML alias of the first: the
    exact loader places the second at the first's text, so the loader decides."""
    pod = WARNED["pods named from a generateName"][0]
    path = tmp_path / "in.yaml"
    path.write_text(yaml.safe_dump({"apiVersion": "v1", "kind": "List", "items": [NS, pod, pod]}))
    assert "*id" in path.read_text()
    _warnings_only(path)
    assert not _fast_path_taken(path)
    _same(path)


# A pool of objects, clean, warned and wrong, for random inputs compared with the loader.
POOL: list[dict[str, object]] = [
    NS,
    _pod("p1"),
    _pod("p2", status={"podIP": "10.0.0.2"}),
    {**_pod("p3"), "metadata": {"name": "p3", "namespace": "y"}},  # implicit namespace
    _policy("allow", {"podSelector": {}, "ingress": [{"from": [{"podSelector": {}}]}]}),
    _deployment({"name": "d"}),
    *(o for items in WARNED.values() for o in items),
    _pod("bad", spec={"nodeName": "Bad_Node"}),  # an error
    _policy("err", {"podSelector": {}, "ingress": [{"ports": [{"port": 0}]}]}),  # an error
    {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s", "namespace": "x"}},
]


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    picks=st.lists(st.integers(0, len(POOL) - 1), min_size=1, max_size=8),
    form=st.sampled_from(["json", "flat", "yaml", "documents"]),
)
def test_random_inputs_give_the_loaders_answer(
    picks: list[int], form: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    items = [POOL[i] for i in picks]
    out = tmp_path_factory.mktemp("random")
    if form == "flat":
        path = out / "in.json"
        path.write_text(json.dumps({"apiVersion": "v1", "kind": "List", "items": items}))
    else:
        path = _write(items, form, out)
    _same(path)
    exact = load_paths([str(path)])
    if exact.ok and not any(d.message.startswith("defined twice") for d in exact.diagnostics):
        assert _fast_path_taken(path)

"""Live clusters through the official client, against recorded API list responses served on
127.0.0.1: a live object must behave exactly as the same object in a file."""

from __future__ import annotations

import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from tests.review.kube_server import serve, write_kubeconfig

from podfence.kube import RESOURCES, NotServed, cluster_read, cluster_texts, list_document
from podfence.load import load_texts
from podfence.load.cnp_crd import CNP_API_VERSION, CNP_PLURAL
from podfence.model import Action, Severity, Tier

pytest.importorskip("kubernetes", reason="the kubernetes package (podfence[cluster]) is absent")

HACKER, WEB, DB = "default/hacker", "secure/web-5d9c8b7f6-x2x9z", "secure/db-0"


@pytest.fixture
def kubeconfig(tmp_path: Path):  # type: ignore[no-untyped-def]
    with serve() as (url, seen):
        yield write_kubeconfig(tmp_path / "config", url), seen


def test_list_document_adds_kind_and_api_version() -> None:
    pods = next(r for r in RESOURCES if r.plural == "pods")
    text = list_document(pods, [{"metadata": {"name": "a", "namespace": "n"}}])
    result = load_texts([("cluster:pods", text)])
    assert result.cluster is not None
    assert [e.id for e in result.cluster.endpoints] == ["n/a"]


def test_cluster_texts_lists_every_kind_once() -> None:
    asked: list[tuple[str, str | None]] = []

    def lister(resource, namespace):  # type: ignore[no-untyped-def]
        asked.append((resource.plural, namespace))
        return []

    texts = cluster_texts(lister, "shop")
    assert [name for name, _ in texts] == [f"cluster:{r.plural}" for r in RESOURCES]
    assert ("namespaces", None) in asked and ("pods", "shop") in asked


def test_can_against_the_recorded_cluster(kubeconfig) -> None:  # type: ignore[no-untyped-def]
    from podfence.cli.main import cli

    config, seen = kubeconfig
    runner = CliRunner()
    base = ["--cluster", "-A", "--kubeconfig", str(config), "-p", "5432/TCP"]
    denied = runner.invoke(cli, ["can", HACKER, DB, *base])
    assert denied.exit_code == 1, denied.output
    assert "DENIED" in denied.output
    allowed = runner.invoke(cli, ["can", WEB, DB, *base])
    assert allowed.exit_code == 0, allowed.output
    assert "allowed by secure/db-allow-web ingress[0].from[0] ports[0]" in allowed.output


def test_graph_against_the_recorded_cluster(cli: click.Group, kubeconfig) -> None:  # type: ignore[no-untyped-def]
    config, seen = kubeconfig
    res = CliRunner().invoke(
        cli, ["graph", "--cluster", "-A", "--kubeconfig", str(config), "--show-denied"]
    )
    assert res.exit_code == 0, res.output
    assert "n_secure_web_5d9c8b7f6_x2x9z -->|" in res.output
    blocked = "Blocked (ingress): isolated by secure/db-allow-web, no rule allows it"
    assert f'n_default_hacker -.->|"{blocked}"| n_secure_db_0' in res.output
    assert "/api/v1/pods" in seen and "/apis/networking.k8s.io/v1/networkpolicies" in seen
    assert seen.count("/api/v1/pods") == 2  # two pages


def test_live_and_file_give_the_same_diff(cli: click.Group, kubeconfig, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """`diff --cluster --to FILES`: the recorded objects, dumped to a file, diff as empty."""
    from podfence.kube.client import read_cluster

    config, _ = kubeconfig
    read = read_cluster(kubeconfig=str(config), context=None, namespace=None)
    assert read.notes == ()
    for name, text in read.texts:
        (tmp_path / f"{name.split(':')[1]}.json").write_text(text)
    res = CliRunner().invoke(
        cli, ["diff", "--cluster", "-A", "--kubeconfig", str(config), "--to", str(tmp_path)]
    )
    assert res.exit_code == 0, res.output
    assert res.output == "no change: both allow exactly the same connections\n"


def test_one_namespace_uses_namespaced_paths(cli: click.Group, kubeconfig) -> None:  # type: ignore[no-untyped-def]
    config, seen = kubeconfig
    res = CliRunner().invoke(
        cli, ["graph", "--cluster", "-n", "secure", "--kubeconfig", str(config)]
    )
    assert res.exit_code == 0, res.output
    assert "hacker" not in res.output and "n_secure_db_0" in res.output
    assert "/api/v1/namespaces/secure/pods" in seen and "/api/v1/namespaces" in seen


def test_context_namespace_is_the_default(cli: click.Group, tmp_path: Path) -> None:
    with serve() as (url, seen):
        config = write_kubeconfig(tmp_path / "config", url, namespace="default")
        res = CliRunner().invoke(cli, ["graph", "--cluster", "--kubeconfig", str(config)])
    assert res.exit_code == 0, res.output
    assert "/api/v1/namespaces/default/pods" in seen


def test_forbidden_is_a_clear_error(cli: click.Group, tmp_path: Path) -> None:
    with serve(forbidden={"/apis/networking.k8s.io/v1/networkpolicies"}) as (url, _):
        config = write_kubeconfig(tmp_path / "config", url)
        res = CliRunner().invoke(cli, ["graph", "--cluster", "-A", "--kubeconfig", str(config)])
    assert res.exit_code == 2
    assert res.output == "podfence: error: listing networkpolicies failed: HTTP 403 Forbidden\n"


def test_unreachable_cluster_is_a_clear_error(cli: click.Group, tmp_path: Path) -> None:
    config = write_kubeconfig(tmp_path / "config", "http://127.0.0.1:1")
    res = CliRunner().invoke(cli, ["graph", "--cluster", "-A", "--kubeconfig", str(config)])
    assert res.exit_code == 2
    assert res.output.startswith(
        "podfence: error: cannot reach the API server while listing namespaces: "
    )
    assert "Traceback" not in res.output


def test_bad_kubeconfig_is_a_clear_error(cli: click.Group, tmp_path: Path) -> None:
    res = CliRunner().invoke(cli, ["graph", "--cluster", "--kubeconfig", str(tmp_path / "missing")])
    assert res.exit_code == 2
    assert res.output.startswith(f"podfence: error: cannot use kubeconfig {tmp_path / 'missing'}")


def test_missing_kubernetes_package_is_a_clear_error(
    cli: click.Group, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "kubernetes", None)
    res = CliRunner().invoke(cli, ["graph", "--cluster", "-A"])
    assert res.exit_code == 2
    assert res.output == (
        "podfence: error: reading a live cluster needs the kubernetes package: "
        "pip install 'podfence[cluster]'\n"
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["graph", "x.yaml", "--cluster"], "give PATH... or --cluster, not both"),
        (["graph", "x.yaml", "-A"], "-A/--all-namespaces reads a live cluster: add --cluster"),
        (
            ["graph", "x.yaml", "--context", "prod"],
            "--context/--kubeconfig read a live cluster: give --cluster, not PATH",
        ),
    ],
)
def test_option_mistakes(cli: click.Group, args: list[str], message: str) -> None:
    res = CliRunner().invoke(cli, args)
    assert res.exit_code == 2
    assert res.output == f"podfence: error: {message}\n"


def test_the_kubectl_pipe_reads_the_same_objects() -> None:
    """`kubectl get ns,pods,... -A -o yaml | podfence can ... -`: the same verdict as live."""
    import json

    import yaml
    from tests.review.kube_server import RECORDED

    from podfence.cli.main import cli

    items = [
        {"apiVersion": r.api_version, "kind": r.kind, **item}
        for r in RESOURCES
        for item in json.loads((RECORDED / f"{r.plural}.json").read_text())["items"]
    ]
    text = yaml.safe_dump({"apiVersion": "v1", "kind": "List", "items": items})
    res = CliRunner().invoke(cli, ["can", HACKER, DB, "-p", "5432", "-"], input=text)
    assert res.exit_code == 1, res.output
    # the recorded cluster has a ClusterNetworkPolicy that passes secure's ingress to the
    # namespace owners: the verdict names the tiers
    assert (
        "ingress of secure/db-0: DENIED by the NetworkPolicy tier: isolated by "
        "secure/db-allow-web" in res.output
    )
    assert 'cnp/delegate-secure ingress[0].from[0] "' in res.output


CNP_PATH = "/apis/policy.networking.k8s.io/v1alpha2/clusternetworkpolicies"


def test_the_custom_resource_matches_the_bundled_crd() -> None:
    cnps = next(r for r in RESOURCES if r.kind == "ClusterNetworkPolicy")
    assert (cnps.api_version, cnps.plural, cnps.optional) == (CNP_API_VERSION, CNP_PLURAL, True)


def test_cluster_policies_and_nodes_are_read(kubeconfig) -> None:  # type: ignore[no-untyped-def]
    from podfence.kube.client import read_cluster

    config, seen = kubeconfig
    read = read_cluster(kubeconfig=str(config), context=None, namespace="secure")
    result = load_texts(list(read.texts), default_namespace="secure")
    assert result.cluster is not None, [str(d) for d in result.diagnostics]
    (cnp,) = result.cluster.cluster_policies
    assert (cnp.name, cnp.tier, cnp.priority) == ("delegate-secure", Tier.ADMIN, 10)
    assert cnp.ingress[0].action is Action.PASS
    assert [(n.name, [str(ip) for ip in n.ips]) for n in result.cluster.nodes] == [
        ("kind-control-plane", ["172.18.0.3"]),
        ("kind-worker", ["172.18.0.2"]),
    ]
    assert {e.node_name for e in result.cluster.endpoints} == {"kind-worker"}
    # cluster-scoped kinds are listed whole, even for one namespace
    assert CNP_PATH in seen and "/api/v1/nodes" in seen


def test_a_cluster_without_the_crd_is_read_with_a_note(cli: click.Group, tmp_path: Path) -> None:
    with serve(missing={CNP_PATH}) as (url, seen):
        config = write_kubeconfig(tmp_path / "config", url)
        res = CliRunner().invoke(cli, ["validate", "--cluster", "-A", "--kubeconfig", str(config)])
    assert res.exit_code == 0, res.output
    assert CNP_PATH in seen
    assert (
        "cluster:clusternetworkpolicies info: policy.networking.k8s.io/v1alpha2 "
        "clusternetworkpolicies are not served by this cluster (the ClusterNetworkPolicy CRD is "
        "not installed): there are none to read\n"
    ) in res.output


def test_a_forbidden_crd_is_an_error(cli: click.Group, tmp_path: Path) -> None:
    with serve(forbidden={CNP_PATH}) as (url, _):
        config = write_kubeconfig(tmp_path / "config", url)
        res = CliRunner().invoke(cli, ["graph", "--cluster", "-A", "--kubeconfig", str(config)])
    assert res.exit_code == 2
    assert res.output == (
        "podfence: error: listing clusternetworkpolicies failed: HTTP 403 Forbidden\n"
    )


def test_not_served_is_fatal_for_a_required_kind() -> None:
    def lister(resource, namespace):  # type: ignore[no-untyped-def]
        raise NotServed(resource.plural)

    with pytest.raises(NotServed):
        cluster_read(lister, None)


def test_not_served_optional_kinds_become_notes() -> None:
    def lister(resource, namespace):  # type: ignore[no-untyped-def]
        if resource.optional:
            raise NotServed(resource.plural)
        return []

    read = cluster_read(lister, None)
    assert [n for n, _ in read.texts] == [
        f"cluster:{r.plural}" for r in RESOURCES if not r.optional
    ]
    assert [(n.file, n.severity) for n in read.notes] == [
        ("cluster:clusternetworkpolicies", Severity.INFO)
    ]

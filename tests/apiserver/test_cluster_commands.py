"""Every command that reads a live cluster (`--cluster`), against a real kube-apiserver.

The recorded-response server of tests/review pins the exact requests; this runs each command
against the real thing (v1.36.2 on 127.0.0.1, from $KUBEBUILDER_ASSETS; skipped with one
reason without it): scenario B of the seed (the hacker pod in `default`, the database and
its web client in `secure`, a policy that lets only the web reach the database) is created
through the API, then each command asks the same questions as on the seed's files, and must
give the same answers.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from tests.support.kube import Plane, control_plane

from podfence.cli.main import cli

SEED = Path(__file__).resolve().parents[2] / "examples" / "seed" / "b-policy-selects-db"


@pytest.fixture(scope="module")
def plane(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Plane]:
    with control_plane(tmp_path_factory.mktemp("cluster-commands")) as found:
        if isinstance(found, str):
            pytest.skip(found)
        kube = found.kube
        kube.namespace("secure")
        account = {"metadata": {"name": "default", "namespace": "default"}}  # no controllers
        kube.ok("POST", "/api/v1/namespaces/default/serviceaccounts", account)
        kube.node("node-1")
        kube.pod("default", "hacker", node="node-1", ip="10.244.0.1", labels={"app": "hacker"})
        kube.pod("secure", "web", node="node-1", ip="10.244.0.2", labels={"app": "web"})
        db_port = [{"containerPort": 5432, "name": "postgres", "protocol": "TCP"}]
        kube.pod(
            "secure", "db", node="node-1", ip="10.244.0.3", labels={"app": "db"}, ports=db_port
        )
        kube.apply_policy(
            {
                "apiVersion": "networking.k8s.io/v1",
                "kind": "NetworkPolicy",
                "metadata": {"name": "db-allow-web", "namespace": "secure"},
                "spec": {
                    "podSelector": {"matchLabels": {"app": "db"}},
                    "policyTypes": ["Ingress"],
                    "ingress": [
                        {
                            "from": [{"podSelector": {"matchLabels": {"app": "web"}}}],
                            "ports": [{"protocol": "TCP", "port": 5432}],
                        }
                    ],
                },
            }
        )
        yield found


def _run(plane: Plane, *args: str) -> tuple[int, str]:
    live = ["--cluster", "--kubeconfig", str(plane.kubeconfig), "-A"]
    result = CliRunner().invoke(cli, [*args, *live])
    return result.exit_code, result.stdout


@pytest.mark.parametrize(
    ("source", "destination", "exit_code"),
    [
        ("default/hacker", "secure/db", 1),
        ("secure/web", "secure/db", 0),
        ("secure/db", "default/hacker", 0),
    ],
)
def test_can(plane: Plane, source: str, destination: str, exit_code: int) -> None:
    code, out = _run(plane, "can", source, destination, "-p", "5432/TCP")
    assert code == exit_code, out
    assert ("ALLOWED" if exit_code == 0 else "DENIED") in out


def test_validate(plane: Plane) -> None:
    code, out = _run(plane, "validate")
    assert code == 0, out
    assert out.startswith("ok:")


def test_matrix_is_the_matrix_of_the_files(plane: Plane) -> None:
    code, live = _run(plane, "matrix", "-p", "5432/TCP", "-o", "json")
    assert code == 0, live
    files = CliRunner().invoke(cli, ["matrix", "-p", "5432/TCP", "-o", "json", str(SEED)])
    assert files.exit_code == 0
    assert live == files.stdout


@pytest.mark.parametrize(
    ("args", "expect"),
    [
        (["explain", "--pod", "secure/db"], "isolated by secure/db-allow-web"),
        (["explain", "--policy", "secure/db-allow-web"], "NetworkPolicy secure/db-allow-web"),
        (["lint", "--fail-on", "never"], ""),
        (["graph", "-p", "5432/TCP"], "graph"),
        (["report", "-o", "json"], '"summary"'),
        (["diff", "--fail-on-change"], ""),
    ],
)
def test_every_other_command(plane: Plane, args: list[str], expect: str) -> None:
    if args[0] == "diff":  # the live cluster against the seed's files: the same connections
        code, out = _run(plane, "diff", "--to", str(SEED), "--fail-on-change")
        assert code == 0, out
        return
    code, out = _run(plane, *args)
    assert code == 0, out
    assert expect in out

"""`matrix -o json|yaml` never changes its shape on its own (issue 9).

The flags alone choose the shape of machine output: dense (`{"endpoints", "matrices"}`, the
contract of tests/conformance/test_matrix_contract.py) unless `--group` is given (`{"format",
"ports", "groups", "allowed"}`, sparse), whatever the number of endpoints. Only the text view
groups a large input by itself; above GROUP_ABOVE endpoints a note on stderr points machine
output at `--group`.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from podfence.cli.main import cli
from podfence.cli.scale_cmds import GROUP_ABOVE


def _pods(directory: Path, count: int) -> str:
    docs = ["apiVersion: v1\nkind: Namespace\nmetadata: {name: big}\n"]
    docs += [
        f"apiVersion: v1\nkind: Pod\nmetadata: {{name: p{i:03}, namespace: big, labels: "
        f"{{app: a{i % 2}}}}}\nspec: {{containers: [{{name: c, image: i}}]}}\n"
        for i in range(count)
    ]
    docs.append(
        "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: only-a0, "
        "namespace: big}\nspec:\n  podSelector: {matchLabels: {app: a0}}\n  ingress:\n"
        "    - from: [{podSelector: {matchLabels: {app: a0}}}]\n"
    )
    path = directory / "cluster.yaml"
    path.write_text("---\n".join(docs))
    return str(path)


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["matrix", *args])
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(scope="module")
def large(tmp_path_factory: pytest.TempPathFactory) -> str:
    return _pods(tmp_path_factory.mktemp("large"), GROUP_ABOVE + 1)


@pytest.mark.parametrize("fmt", ["json", "yaml"])
def test_machine_output_is_dense_above_the_text_threshold(large: str, fmt: str) -> None:
    code, out, err = _run(large, "-p", "80", "-o", fmt)
    assert code == 0
    data = json.loads(out) if fmt == "json" else yaml.safe_load(out)
    assert set(data) == {"endpoints", "matrices"}
    assert len(data["endpoints"]) == GROUP_ABOVE + 1
    (m,) = data["matrices"]
    assert len(m["allowed"]) == GROUP_ABOVE + 1
    assert f"{GROUP_ABOVE + 1} endpoints: -o {fmt} gives the dense matrix" in err


@pytest.mark.parametrize("fmt", ["json", "yaml"])
def test_machine_output_is_grouped_only_when_asked(large: str, fmt: str) -> None:
    code, out, err = _run(large, "-p", "80", "-o", fmt, "--group")
    assert code == 0
    data = json.loads(out) if fmt == "json" else yaml.safe_load(out)
    assert set(data) == {"format", "ports", "groups", "allowed"}
    assert [g["size"] for g in data["groups"]] == [101, 100]
    assert [(a["from"], a["to"]) for a in data["allowed"]] == [(0, 0), (0, 1), (1, 1)]
    assert err == ""


def test_small_inputs_are_dense_and_grouped_when_asked(tmp_path: Path) -> None:
    small = _pods(tmp_path, 4)
    dense = json.loads(_run(small, "-p", "80", "-o", "json")[1])
    assert set(dense) == {"endpoints", "matrices"}
    grouped = json.loads(_run(small, "-p", "80", "-o", "json", "--group")[1])
    assert set(grouped) == {"format", "ports", "groups", "allowed"}


def test_text_groups_a_large_input_by_itself(large: str) -> None:
    code, out, err = _run(large, "-p", "80")
    assert code == 0
    assert out.startswith("groups (endpoints that no policy tells apart")
    assert err == ""
    code, out, _ = _run(large, "-p", "80", "--no-group")
    assert out.startswith("80/TCP  (row: source, column: destination)")

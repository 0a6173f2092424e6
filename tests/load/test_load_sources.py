"""Sources: files, directories (recursive, sorted), stdin, and problems as diagnostics."""

from __future__ import annotations

import io
from pathlib import Path

from podfence.load import load_paths
from podfence.load.sources import discover
from podfence.model import Severity

POD = "apiVersion: v1\nkind: Pod\nmetadata: {{name: {name}, namespace: n}}\n"
NS = "apiVersion: v1\nkind: Namespace\nmetadata: {name: n}\n"


def write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def test_directories_are_searched_recursively_in_sorted_order(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "b.yaml": POD.format(name="b"),
            "a/z.yml": POD.format(name="z"),
            "a/deeper/c.json": '{"apiVersion": "v1", "kind": "Pod",\n'
            ' "metadata": {"name": "c", "namespace": "n"}}',
            "a/notes.txt": "not: [yaml",
            "ns.yaml": NS,
        },
    )
    assert [p.relative_to(tmp_path).as_posix() for p in discover(tmp_path)] == [
        "a/deeper/c.json",
        "a/z.yml",
        "b.yaml",
        "ns.yaml",
    ]
    result = load_paths([str(tmp_path)])
    assert result.ok and result.diagnostics == ()
    assert result.cluster is not None
    assert [e.location.file for e in result.cluster.endpoints] == [
        str(tmp_path / "b.yaml"),
        str(tmp_path / "a/deeper/c.json"),
        str(tmp_path / "a/z.yml"),
    ]


def test_a_file_named_explicitly_is_read_whatever_its_suffix(tmp_path: Path) -> None:
    write(tmp_path, {"pod.txt": POD.format(name="p") + "---\n" + NS})
    result = load_paths([str(tmp_path / "pod.txt")])
    assert result.cluster is not None and [e.id for e in result.cluster.endpoints] == ["n/p"]


def test_a_file_reached_twice_is_read_once(tmp_path: Path) -> None:
    write(tmp_path, {"p.yaml": POD.format(name="p") + "---\n" + NS})
    result = load_paths([str(tmp_path), str(tmp_path / "p.yaml")])
    assert result.ok, result.diagnostics


def test_missing_and_unreadable_paths_are_diagnostics(tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_bytes(b"a: 1\nb: \xff\n")
    (tmp_path / "empty").mkdir()
    missing = str(tmp_path / "nope.yaml")
    result = load_paths([missing, str(tmp_path / "bad.yaml"), str(tmp_path / "empty")])
    assert result.cluster is None
    found = {(d.file, d.line, d.severity, d.message) for d in result.diagnostics}
    assert found == {
        (missing, 0, Severity.ERROR, "no such file or directory"),
        (
            str(tmp_path / "bad.yaml"),
            2,
            Severity.ERROR,
            "not valid UTF-8: invalid start byte",
        ),
        (
            str(tmp_path / "empty"),
            0,
            Severity.WARNING,
            "no *.yaml, *.yml or *.json files in this directory",
        ),
    }


def test_stdin_is_dash(tmp_path: Path) -> None:
    write(tmp_path, {"ns.yaml": NS})
    stdin = io.StringIO(POD.format(name="p") + "---\nkind: Pod\n")
    result = load_paths([str(tmp_path / "ns.yaml"), "-"], stdin=stdin)
    assert [(d.file, d.line, d.message) for d in result.diagnostics] == [
        ("<stdin>", 5, 'missing required field "apiVersion"')
    ]


def test_no_paths_is_an_empty_cluster() -> None:
    result = load_paths([])
    assert result.ok and result.cluster is not None and result.cluster.endpoints == ()

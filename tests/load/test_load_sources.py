"""Sources: files, directories (recursive, sorted), stdin, and problems as diagnostics."""

from __future__ import annotations

import codecs
import io
import os
import threading
from pathlib import Path

import pytest

from podfence.load import LoadOptions, load_paths, load_texts
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


# --- bad input: every problem is a located diagnostic, never an exception or a hang ---

NS_TEXT = "apiVersion: v1\nkind: Namespace\nmetadata: {name: n}\n"
TOO_DEEP = "nested too deeply: more than 200 levels of maps and lists"
DEEP = {
    "json-2000-levels": ("deep.json", "[" * 2000 + "]" * 2000, 1),
    "json-object-2000-levels": ("deep.json", '{"a":' * 2000 + "1" + "}" * 2000, 1),
    "yaml-block-300-levels": (
        "deep.yaml",
        "".join(f"{'  ' * i}k{i}:\n" for i in range(300)) + "  " * 300 + "v: 1\n",
        202,
    ),
    # tabs make YAML reject this JSON: the JSON fallback must hold too
    "json-with-tabs-2000-levels": ("deep.json", "[\t" * 2000 + "]" * 2000, 1),
}


@pytest.mark.parametrize(("name", "text", "line"), DEEP.values(), ids=DEEP.keys())
def test_deep_nesting_is_a_located_error(name: str, text: str, line: int) -> None:
    result = load_texts([(name, text)])
    [error] = result.diagnostics
    assert (error.severity, error.line) == (Severity.ERROR, line)
    assert error.message.endswith(TOO_DEEP)


def test_a_symlink_loop_in_a_directory_is_an_error_not_a_traceback(tmp_path: Path) -> None:
    write(tmp_path, {"ns.yaml": NS_TEXT})
    (tmp_path / "a.yaml").symlink_to(tmp_path / "b.yaml")
    (tmp_path / "b.yaml").symlink_to(tmp_path / "a.yaml")
    result = load_paths([str(tmp_path)])
    found = [(Path(d.file).name, d.severity, d.message) for d in result.diagnostics]
    loop = "cannot read file: Too many levels of symbolic links"
    assert found == [("a.yaml", Severity.ERROR, loop), ("b.yaml", Severity.ERROR, loop)]


def test_the_empty_path_is_refused(tmp_path: Path) -> None:
    result = load_paths([""])
    [error] = result.diagnostics
    assert (error.file, error.severity, error.message) == (
        '""',
        Severity.ERROR,
        "an empty path names no file or directory",
    )


def test_a_fifo_in_a_directory_is_skipped_unopened(tmp_path: Path) -> None:
    write(tmp_path, {"ns.yaml": NS_TEXT})
    os.mkfifo(tmp_path / "pipe.yaml")  # opening it would block: it must not be opened
    result = load_paths([str(tmp_path)])
    [warning] = result.diagnostics
    assert (Path(warning.file).name, warning.severity, warning.message) == (
        "pipe.yaml",
        Severity.WARNING,
        "not a regular file (a named pipe); skipped",
    )
    assert result.cluster is not None and [n.name for n in result.cluster.namespaces] == ["n"]


def test_a_pipe_named_explicitly_is_read_like_process_substitution(tmp_path: Path) -> None:
    fifo = tmp_path / "fd63"
    os.mkfifo(fifo)

    def feed() -> None:
        with open(fifo, "w") as stream:
            stream.write(NS_TEXT)

    writer = threading.Thread(target=feed, daemon=True)
    writer.start()
    result = load_paths([str(fifo)])  # as `podfence validate <(helm template ...)` gives
    writer.join(10)
    assert result.ok and result.cluster is not None
    assert [n.name for n in result.cluster.namespaces] == ["n"]


def test_a_device_is_refused_unread() -> None:
    result = load_paths(["/dev/zero"])
    [error] = result.diagnostics
    assert error.message == (
        "not a regular file (a character device): podfence reads files, directories, pipes "
        "and - for standard input"
    )


SIZES = {
    "file-over-the-limit": (
        "file",
        100,
        99,
        "file too large: 100 bytes, more than the limit of 99 bytes",
    ),
    "file-at-the-limit": ("file", 100, 100, None),
    "stdin-over-the-limit": (
        "stdin",
        100,
        99,
        "file too large: more than that, more than the limit of 99 bytes",
    ),
    "stdin-at-the-limit": ("stdin", 100, 100, None),
}


@pytest.mark.parametrize(("where", "size", "limit", "message"), SIZES.values(), ids=SIZES.keys())
def test_a_size_limit_per_file(
    tmp_path: Path, where: str, size: int, limit: int, message: str | None
) -> None:
    text = NS_TEXT + "#" * (size - len(NS_TEXT) - 1) + "\n"
    assert len(text) == size
    options = LoadOptions(max_file_size=limit)
    if where == "file":
        (tmp_path / "ns.yaml").write_text(text)
        result = load_paths([str(tmp_path / "ns.yaml")], options=options)
    else:
        stdin = io.TextIOWrapper(io.BytesIO(text.encode()))
        result = load_paths(["-"], stdin=stdin, options=options)
    if message is None:
        assert result.ok and result.diagnostics == ()
    else:
        [error] = result.diagnostics
        assert (error.severity, error.message) == (
            Severity.ERROR,
            message + " (raise it with --max-file-size)",
        )


ENCODINGS = {
    "invalid-utf8": (
        b"apiVersion: v1\nkind: Namespace\nmetadata: {name: \xff}\n",
        3,
        "not valid UTF-8: invalid start byte",
    ),
    "utf16": (
        NS_TEXT.encode("utf-16"),
        1,
        "not valid UTF-8: the text is UTF-16 (it starts with a UTF-16 byte order mark); "
        "convert it, e.g. iconv -f UTF-16 -t UTF-8",
    ),
    "utf16-big-endian": (
        codecs.BOM_UTF16_BE + NS_TEXT.encode("utf-16-be"),
        1,
        "not valid UTF-8: the text is UTF-16 (it starts with a UTF-16 byte order mark); "
        "convert it, e.g. iconv -f UTF-16 -t UTF-8",
    ),
}


@pytest.mark.parametrize(("data", "line", "message"), ENCODINGS.values(), ids=ENCODINGS.keys())
def test_bad_bytes_on_stdin_are_reported_like_the_same_file(
    tmp_path: Path, data: bytes, line: int, message: str
) -> None:
    (tmp_path / "x.yaml").write_bytes(data)
    from_file = load_paths([str(tmp_path / "x.yaml")]).diagnostics
    from_stdin = load_paths(["-"], stdin=io.TextIOWrapper(io.BytesIO(data))).diagnostics
    assert [(d.line, d.message) for d in from_file] == [(line, message)]
    assert [(d.line, d.message) for d in from_stdin] == [(line, message)]
    assert from_stdin[0].file == "<stdin>"

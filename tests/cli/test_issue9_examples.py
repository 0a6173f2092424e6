"""Issue 9's two cases give the upstream answer in `can` and in `matrix`.

- examples/dual-stack: the client's only egress rule is an IPv4 ipBlock; the packet's own
  address is matched, so client -> server on 80 is allowed over IPv4 only: DENIED by name;
- examples/duplicate-port-names: `port: http` is 8080 and 9090 (two containers): both ALLOWED.
"""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from podfence.cli.main import cli

CASES = [
    ("examples/dual-stack", "net/client", "net/server", "80", False),
    ("examples/duplicate-port-names", "shop/client", "shop/web", "8080", True),
    ("examples/duplicate-port-names", "shop/client", "shop/web", "9090", True),
    ("examples/duplicate-port-names", "shop/client", "shop/web", "9091", False),
]


@pytest.mark.parametrize(("path", "src", "dst", "port", "allowed"), CASES)
def test_can(path: str, src: str, dst: str, port: str, allowed: bool) -> None:
    result = CliRunner().invoke(cli, ["can", src, dst, "-p", port, path])
    assert result.exit_code == (0 if allowed else 1), result.output


@pytest.mark.parametrize(
    ("path", "src", "dst", "port", "allowed"),
    [
        CASES[0],
        CASES[1],
        CASES[2],
        CASES[3],
    ],
)
def test_matrix(path: str, src: str, dst: str, port: str, allowed: bool) -> None:
    result = CliRunner().invoke(cli, ["matrix", path, "-p", port, "-o", "json"])
    data = json.loads(result.stdout)
    i, j = data["endpoints"].index(src), data["endpoints"].index(dst)
    assert data["matrices"][0]["allowed"][i][j] is allowed

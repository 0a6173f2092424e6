"""A real kube-apiserver for the session: etcd and one API server per emulated version.

Found through $KUBEBUILDER_ASSETS; without it every test here is skipped with one reason.
Started once (about 10 s, the servers in parallel), on 127.0.0.1 only, in a temporary
directory; stopped by PID at the end. The differential test's figures are printed in the
terminal summary and written to `apiserver-differential.md` (in the session's temporary
directory, or at $PODFENCE_APISERVER_REPORT).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from tests.apiserver.report import FIGURES, WRITTEN
from tests.apiserver.server import VERSIONS, ApiServer, LocalControlPlane, find_binaries


@pytest.fixture(scope="session")
def apiservers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, ApiServer]]:
    binaries = find_binaries()
    if isinstance(binaries, str):
        pytest.skip(binaries)
    plane = LocalControlPlane(binaries, tmp_path_factory.mktemp("apiserver"))
    try:
        plane.start_etcd()
        servers = {version: plane.start_apiserver(version) for version in VERSIONS}
        for server in servers.values():
            server.wait_ready()
        yield servers
    finally:
        plane.stop()


def pytest_terminal_summary(
    terminalreporter: pytest.TerminalReporter, config: pytest.Config
) -> None:
    if not FIGURES:
        return
    terminalreporter.section("podfence validate vs kube-apiserver")
    for line in FIGURES:
        terminalreporter.write_line(line)
    for path in WRITTEN:
        terminalreporter.write_line(f"(written to {path})")

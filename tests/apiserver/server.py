"""A throwaway etcd and kube-apiserver on 127.0.0.1, for tests: start, ask, stop by PID.

Adapted from ../shared/k8s/start-local: free ports, a fresh CA, serving certificate,
service-account key and bearer token (group system:masters) in a temporary directory. The
binaries come from $KUBEBUILDER_ASSETS (the envtest convention; CI's `.ci/run` unpacks
../shared/k8s there). Several API servers may share one etcd, each under its own prefix and
emulating its own Kubernetes version (`--emulated-version`).
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import subprocess
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import urllib3

__all__ = ["VERSIONS", "ApiServer", "Binaries", "LocalControlPlane", "Reply", "find_binaries"]

VERSIONS = ("1.36", "1.35")
"""The API servers a session starts: the newest version (StrictIPCIDRValidation on by
default), and the same binary emulating the newest version with the gate off."""

READY_TIMEOUT = 180.0
"""Seconds to wait for /readyz (about 10 s on the development machine)."""
WORKERS = 8


@dataclass(frozen=True, slots=True)
class Binaries:
    apiserver: Path
    etcd: Path


def find_binaries(environ: dict[str, str] | None = None) -> Binaries | str:
    """The binaries under $KUBEBUILDER_ASSETS, or the reason they cannot be used."""
    env = os.environ if environ is None else environ
    assets = env.get("KUBEBUILDER_ASSETS")
    if not assets:
        return (
            "no kube-apiserver: set KUBEBUILDER_ASSETS to a directory with kube-apiserver and "
            "etcd (../shared/k8s/unpack prints one; CI's .ci/run does it)"
        )
    found = Binaries(Path(assets, "kube-apiserver"), Path(assets, "etcd"))
    for binary in (found.apiserver, found.etcd):
        if not (binary.is_file() and os.access(binary, os.X_OK)):
            return f"KUBEBUILDER_ASSETS={assets} has no executable {binary.name}"
    if shutil.which("openssl") is None:
        return "openssl is needed to make the test API server's certificates"
    return found


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _openssl(*args: str) -> None:
    subprocess.run(["openssl", *args], check=True, capture_output=True)


def _make_pki(pki: Path) -> str:
    """CA, serving certificate for 127.0.0.1, service-account keys, token file: the token."""
    pki.mkdir(parents=True)
    ca_key, ca, key, csr, crt = (pki / n for n in ("ca.key", "ca.crt", "a.key", "a.csr", "a.crt"))
    _openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj",
             "/CN=podfence-test-ca", "-keyout", str(ca_key), "-out", str(ca))  # fmt: skip
    (pki / "san.cnf").write_text("subjectAltName=IP:127.0.0.1,DNS:localhost\n")
    _openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=kube-apiserver",
             "-keyout", str(key), "-out", str(csr))  # fmt: skip
    _openssl("x509", "-req", "-in", str(csr), "-CA", str(ca), "-CAkey", str(ca_key),
             "-CAcreateserial", "-days", "2", "-extfile", str(pki / "san.cnf"),
             "-out", str(crt))  # fmt: skip
    _openssl("genrsa", "-out", str(pki / "sa.key"), "2048")
    _openssl("rsa", "-in", str(pki / "sa.key"), "-pubout", "-out", str(pki / "sa.pub"))
    token = secrets.token_hex(24)
    (pki / "tokens.csv").write_text(f"{token},admin,admin,system:masters\n")
    return token


def _spawn(argv: list[str], log: Path) -> subprocess.Popen[bytes]:
    """Start a process in its own session, its output appended to `log`."""
    with log.open("ab") as out:
        return subprocess.Popen(
            argv,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )


def _stop(process: subprocess.Popen[bytes]) -> None:
    """Stop one process we started, by its PID: TERM, then KILL after 10 s."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


@dataclass(frozen=True, slots=True)
class Reply:
    """An API server's answer: HTTP status, decoded body, Warning header values."""

    status: int
    body: dict[str, Any]
    warnings: tuple[str, ...]


@dataclass(slots=True)
class ApiServer:
    """One kube-apiserver process and a connection pool to it."""

    process: subprocess.Popen[bytes]
    port: int
    emulated: str
    log: Path
    token: str
    ca: Path
    pool: urllib3.HTTPSConnectionPool = field(init=False)

    def __post_init__(self) -> None:
        self.pool = urllib3.HTTPSConnectionPool(
            "127.0.0.1",
            self.port,
            ca_certs=str(self.ca),
            cert_reqs="CERT_REQUIRED",
            maxsize=WORKERS,
            retries=False,
            timeout=urllib3.Timeout(connect=5, read=60),
        )

    def request(self, method: str, path: str, body: bytes | None = None) -> Reply:
        headers = {"Authorization": f"Bearer {self.token}", "Content-Type": "application/json"}
        response = self.pool.request(method, path, body=body, headers=headers)
        try:
            decoded = json.loads(response.data) if response.data else {}
        except json.JSONDecodeError:
            decoded = {"message": response.data.decode(errors="replace")}
        warnings = tuple(response.headers.getlist("Warning"))
        return Reply(response.status, decoded, warnings)

    def stop(self) -> None:
        """Stop the process (by its PID); `restart()` starts it again."""
        _stop(self.process)

    def restart(self) -> None:
        """Start the same kube-apiserver again: same port, flags and etcd state."""
        if self.process.poll() is None:
            _stop(self.process)
        self.pool.close()
        self.__post_init__()  # a fresh connection pool
        self.process = _spawn([str(arg) for arg in self.process.args], self.log)

    def wait_ready(self) -> None:
        deadline = time.monotonic() + READY_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                tail = self.log.read_text(errors="replace")[-3000:]
                raise RuntimeError(f"kube-apiserver exited: {tail}")
            try:
                if self.request("GET", "/readyz").status == 200:
                    return
            except (urllib3.exceptions.HTTPError, OSError):
                pass
            time.sleep(0.25)
        raise RuntimeError(f"kube-apiserver not ready after {READY_TIMEOUT:.0f} s: see {self.log}")

    def dry_run_creates(self, bodies: Sequence[bytes], namespace: str = "default") -> list[Reply]:
        """A server-side dry-run create of each body, with strict field validation (what
        `kubectl apply` does by default), in parallel over the pool."""
        path = (
            f"/apis/networking.k8s.io/v1/namespaces/{namespace}/networkpolicies"
            "?dryRun=All&fieldValidation=Strict"
        )
        with ThreadPoolExecutor(WORKERS) as executor:
            return list(executor.map(lambda b: self.request("POST", path, b), bodies))


@dataclass(slots=True)
class LocalControlPlane:
    """etcd, plus any number of API servers on it; `stop()` ends every process by its PID."""

    binaries: Binaries
    state: Path
    token: str = ""
    etcd: subprocess.Popen[bytes] | None = None
    etcd_port: int = 0
    servers: list[ApiServer] = field(default_factory=list)

    def start_etcd(self) -> None:
        self.token = _make_pki(self.state / "pki")
        self.etcd_port, peer = _free_port(), _free_port()
        client, peers = f"http://127.0.0.1:{self.etcd_port}", f"http://127.0.0.1:{peer}"
        argv = [
            str(self.binaries.etcd),
            "--name=test",
            f"--data-dir={self.state / 'etcd'}",
            "--unsafe-no-fsync",
            f"--listen-client-urls={client}",
            f"--advertise-client-urls={client}",
            f"--listen-peer-urls={peers}",
            f"--initial-advertise-peer-urls={peers}",
        ]
        self.etcd = _spawn(argv, self.state / "etcd.log")
        deadline = time.monotonic() + READY_TIMEOUT
        while time.monotonic() < deadline:
            if self.etcd.poll() is not None:
                tail = (self.state / "etcd.log").read_text(errors="replace")[-3000:]
                raise RuntimeError(f"etcd exited: {tail}")
            try:
                socket.create_connection(("127.0.0.1", self.etcd_port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"etcd not listening after {READY_TIMEOUT:.0f} s")

    def start_apiserver(self, emulated: str, *, label: str = "") -> ApiServer:
        """An API server emulating Kubernetes `emulated` (like "1.35"), not yet ready.
        `label` tells apart servers of one version (their own etcd prefix, logs, certs)."""
        pki = self.state / "pki"
        port = _free_port()
        suffix = f"{emulated}-{label}" if label else emulated
        name = f"kube-apiserver-{suffix}"
        argv = [
            str(self.binaries.apiserver),
            f"--etcd-servers=http://127.0.0.1:{self.etcd_port}",
            f"--etcd-prefix=/registry-{suffix}",
            f"--emulated-version={emulated}",
            "--bind-address=127.0.0.1",
            "--advertise-address=127.0.0.1",
            f"--secure-port={port}",
            f"--cert-dir={self.state / name}",
            f"--tls-cert-file={pki / 'a.crt'}",
            f"--tls-private-key-file={pki / 'a.key'}",
            f"--client-ca-file={pki / 'ca.crt'}",
            f"--token-auth-file={pki / 'tokens.csv'}",
            "--authorization-mode=RBAC",
            "--service-account-issuer=https://kubernetes.default.svc",
            f"--service-account-key-file={pki / 'sa.pub'}",
            f"--service-account-signing-key-file={pki / 'sa.key'}",
            "--service-cluster-ip-range=10.96.0.0/12",
            "--endpoint-reconciler-type=none",
            "--profiling=false",
        ]
        log = self.state / f"{name}.log"
        server = ApiServer(_spawn(argv, log), port, emulated, log, self.token, pki / "ca.crt")
        self.servers.append(server)
        return server

    def stop(self) -> None:
        for server in self.servers:
            server.pool.close()
            _stop(server.process)
        if self.etcd is not None:
            _stop(self.etcd)

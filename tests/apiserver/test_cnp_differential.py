"""ClusterNetworkPolicy validation against a real kube-apiserver, with each channel's CRD.

One etcd and two kube-apiservers v1.36 (from $KUBEBUILDER_ASSETS; skipped with one reason
without it), one with the standard and one with the experimental CustomResourceDefinition of
network-policy-api v0.2.0 installed, exactly the copies podfence validates against
(src/podfence/load/crds/). Every case of tests/load/cnp_cases.py is sent to the server of its
channel as a server-side dry-run create with `fieldValidation=Strict` (what `kubectl apply`
does by default) and to podfence's loader with `--cnp-channel` set to match. They must agree:
- the server answers as the case says (`server_mismatches`: the status, the field paths, and
  the messages of the expectations marked `Server.SAME`);
- podfence accepts exactly what the server accepts, except where the case says podfence
  differs on purpose (see podfence.load.validate_cnp): it fails closed, with a warning, on a
  peer or protocol entry made of one unknown field, which the server's strict decoder
  refuses; it refuses an invalid label selector, which the CRD does not check;
- every field path the server rejects is one podfence reports (as an error, or as that
  fail-closed warning).
The peers only the experimental channel has (`nodes`, `domainNames`) are also sent to both
servers, for `--cnp-channel`.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import yaml
from tests.apiserver.server import ApiServer, LocalControlPlane, Reply, find_binaries
from tests.load.cnp_cases import CASES, Case, Server, server_mismatches

from podfence.load import LoadOptions, load_texts
from podfence.load.cnp_crd import CNP_API_VERSION, CNP_PLURAL, Channel, crd
from podfence.model import Severity

COLLECTION = f"/apis/{CNP_API_VERSION}/{CNP_PLURAL}"
CRDS = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions"
SERVED_TIMEOUT = 60.0


def _install(server: ApiServer, channel: Channel) -> None:
    """The channel's CRD, created and served (its schema in force)."""
    body = json.loads(json.dumps(crd(channel)))  # a plain copy
    body.pop("status", None)
    reply = server.request("POST", CRDS, json.dumps(body).encode())
    assert reply.status == 201, reply.body
    deadline = time.monotonic() + SERVED_TIMEOUT
    while server.request("GET", COLLECTION).status != 200:
        assert time.monotonic() < deadline, f"the {channel} CRD is not served"
        time.sleep(0.1)


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[Channel, ApiServer]]:
    binaries = find_binaries()
    if isinstance(binaries, str):
        pytest.skip(binaries)
    plane = LocalControlPlane(binaries, tmp_path_factory.mktemp("cnp-apiserver"))
    try:
        plane.start_etcd()
        found = {c: plane.start_apiserver("1.36", label=c.value) for c in Channel}
        for channel, server in found.items():
            server.wait_ready()
            _install(server, channel)
        yield found
    finally:
        plane.stop()


def _dry_runs(server: ApiServer, texts: Sequence[str]) -> list[Reply]:
    path = f"{COLLECTION}?dryRun=All&fieldValidation=Strict"
    bodies = [json.dumps(yaml.safe_load(t)).encode() for t in texts]
    with ThreadPoolExecutor(8) as pool:
        return list(pool.map(lambda b: server.request("POST", path, b), bodies))


def _causes(reply: Reply) -> list[dict[str, Any]]:
    details = reply.body.get("details") or {}
    causes = details.get("causes") or []
    assert isinstance(causes, list)
    return causes


def _server_fields(reply: Reply) -> set[str]:
    if reply.status == 400:  # strict decoding: `unknown field "spec.x"` in the message
        message = str(reply.body.get("message", ""))
        return {f for f in message.split('"')[1::2] if f.startswith(("spec", "metadata"))}
    return {str(c.get("field")) for c in _causes(reply) if c.get("field") != "<nil>"}


def _fails_closed(case: Case) -> bool:
    """podfence warns and fails closed on a field the server's strict decoder refuses."""
    return any(e.warning and e.server is Server.UNKNOWN for e in case.expect)


def _podfence_only_error(case: Case) -> bool:
    """podfence refuses what the CRD does not check (an invalid label selector)."""
    return any(not e.warning and e.server is Server.NONE for e in case.expect)


def _check(case: Case, reply: Reply, channel: Channel) -> list[str]:
    problems = server_mismatches(case, reply.status, _causes(reply), reply.body.get("message", ""))
    result = load_texts([("cnp.yaml", case.text)], options=LoadOptions(cnp_channel=channel))
    podfence_accepts = result.cluster is not None
    server_accepts = reply.status == 201
    on_purpose = _fails_closed(case) if podfence_accepts else _podfence_only_error(case)
    if podfence_accepts != server_accepts and not on_purpose:
        problems.append(f"{case.id}: podfence accepts: {podfence_accepts}, server: {reply.status}")
    if not server_accepts:
        reported = {d.field for d in result.diagnostics if d.field is not None}
        missing = _server_fields(reply) - reported
        if missing:
            problems.append(f"{case.id}: the server rejects {sorted(missing)}, podfence does not")
    return problems


@pytest.mark.parametrize("channel", list(Channel), ids=str)
def test_podfence_and_the_api_server_agree_on_every_case(
    servers: dict[Channel, ApiServer], channel: Channel
) -> None:
    cases = [c for c in CASES if Channel(c.channel) is channel]
    assert cases
    replies = _dry_runs(servers[channel], [c.text for c in cases])
    problems = [
        p for case, reply in zip(cases, replies, strict=True) for p in _check(case, reply, channel)
    ]
    assert not problems, "\n".join(problems)


def test_every_case_is_sent() -> None:
    assert len(CASES) >= 81
    assert {Channel(c.channel) for c in CASES} == set(Channel)


EXPERIMENTAL_PEER = """\
apiVersion: policy.networking.k8s.io/v1alpha2
kind: ClusterNetworkPolicy
metadata:
  name: c
spec:
  tier: Admin
  priority: 10
  subject:
    namespaces: {}
  egress:
  - action: Accept
    to:
    - PEER
"""


@pytest.mark.parametrize(
    ("peer", "field"),
    [('domainNames: ["example.com"]', "domainNames"), ("nodes: {}", "nodes")],
)
def test_the_experimental_peers_per_channel(
    servers: dict[Channel, ApiServer], peer: str, field: str
) -> None:
    text = EXPERIMENTAL_PEER.replace("PEER", peer)
    path = f"spec.egress[0].to[0].{field}"
    for channel in Channel:
        (reply,) = _dry_runs(servers[channel], [text])
        result = load_texts([("cnp.yaml", text)], options=LoadOptions(cnp_channel=channel))
        errors = [(d.line, d.field) for d in result.diagnostics if d.severity is Severity.ERROR]
        if channel is Channel.EXPERIMENTAL:
            assert reply.status == 201, reply.body
            assert result.ok and errors == []
        else:
            assert reply.status == 400, reply.body
            assert _server_fields(reply) == {path}
            assert result.cluster is None and (13, path) in errors

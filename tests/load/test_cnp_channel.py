"""`--cnp-channel`: the ClusterNetworkPolicy CRD a cluster runs, honoured by both loaders.

The standard channel of network-policy-api v0.2.0 has no `nodes` and no `domainNames` egress
peer (they are in the experimental CRD only: src/podfence/load/crds/*.yaml). Under the standard
channel such a peer is an unknown field, as kube-apiserver with the standard CRD says (400,
strict decoding: tests/load/cnp_cases.py "nodes peer in the standard channel"). The exact
loader (`load_paths`) and the fast one (`load_sources_fast`, and `load_fast`, which falls back
to the exact loader on any problem) must give the same answer for each channel.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from podfence.cli.main import cli
from podfence.load import LoadOptions, load_paths
from podfence.load.cnp_crd import Channel
from podfence.load.fast import load_fast
from podfence.load.fast.load import load_sources_fast
from podfence.load.fast.objects import Unsupported
from podfence.load.sources import read_sources
from podfence.model import Severity

DOMAIN_NAMES = """\
apiVersion: policy.networking.k8s.io/v1alpha2
kind: ClusterNetworkPolicy
metadata:
  name: to-example
spec:
  tier: Admin
  priority: 10
  subject:
    namespaces: {}
  egress:
  - name: example
    action: Accept
    to:
    - domainNames: ["example.com"]
"""
NODES = DOMAIN_NAMES.replace('domainNames: ["example.com"]', "nodes: {}")
STANDARD = LoadOptions(cnp_channel=Channel.STANDARD)
EXPERIMENTAL = LoadOptions(cnp_channel=Channel.EXPERIMENTAL)
_ONLY = (
    "(it is in the experimental channel of the CRD only; podfence checks against the standard "
    "channel)"
)


def _file(tmp_path: Path, text: str) -> str:
    path = tmp_path / "cnp.yaml"
    path.write_text(text)
    return str(path)


def _first_error(path: str, options: LoadOptions) -> tuple[str, int, str | None, str]:
    result = load_fast([path], options=options)
    assert result.cluster is None
    d = next(d for d in result.diagnostics if d.severity is Severity.ERROR)
    return d.file, d.line, d.field, d.message


@pytest.mark.parametrize(("text", "field"), [(DOMAIN_NAMES, "domainNames"), (NODES, "nodes")])
def test_standard_rejects_an_experimental_peer_on_both_paths(
    tmp_path: Path, text: str, field: str
) -> None:
    path = _file(tmp_path, text)
    sources, _ = read_sources([path])
    with pytest.raises(Unsupported):  # the fast path does not take it ...
        load_sources_fast(sources, options=STANDARD)
    want = (path, 14, f"spec.egress[0].to[0].{field}", f'unknown field "{field}" {_ONLY}')
    assert _first_error(path, STANDARD) == want  # ... load_fast falls back to the exact loader
    exact = load_paths([path], options=STANDARD)
    assert exact.cluster is None
    assert exact.diagnostics == load_fast([path], options=STANDARD).diagnostics


@pytest.mark.parametrize("text", [DOMAIN_NAMES, NODES])
def test_experimental_accepts_it_on_both_paths(tmp_path: Path, text: str) -> None:
    path = _file(tmp_path, text)
    sources, _ = read_sources([path])
    fast = load_sources_fast(sources, options=EXPERIMENTAL)  # taken: no Unsupported
    exact = load_paths([path], options=EXPERIMENTAL)
    assert fast.diagnostics == exact.diagnostics == ()
    assert fast.cluster is not None and exact.cluster is not None
    assert fast.cluster.cluster_policies == exact.cluster.cluster_policies
    assert [p.name for p in fast.cluster.cluster_policies] == ["to-example"]


def test_the_default_is_experimental(tmp_path: Path) -> None:
    assert LoadOptions().cnp_channel is Channel.EXPERIMENTAL
    assert load_fast([_file(tmp_path, DOMAIN_NAMES)]).ok


def test_the_command_line_option(tmp_path: Path) -> None:
    path = _file(tmp_path, DOMAIN_NAMES)
    refused = CliRunner().invoke(cli, ["validate", "--cnp-channel", "standard", path])
    assert refused.exit_code == 2
    assert (
        f"{path}:14 error: ClusterNetworkPolicy to-example spec.egress[0].to[0].domainNames: "
        f'unknown field "domainNames" {_ONLY}'
    ) in refused.output
    assert "Traceback" not in refused.output
    for args in (["--cnp-channel", "experimental"], []):
        accepted = CliRunner().invoke(cli, ["validate", *args, path])
        assert accepted.exit_code == 0, accepted.output
    bad = CliRunner().invoke(cli, ["validate", "--cnp-channel", "beta", path])
    assert bad.exit_code == 2
    assert "'beta' is not one of 'standard', 'experimental'" in bad.output


def test_other_commands_take_it_too(tmp_path: Path) -> None:
    path = _file(tmp_path, DOMAIN_NAMES)
    for command in (["explain"], ["lint"], ["matrix", "-p", "80"], ["graph"]):
        refused = CliRunner().invoke(cli, [*command, "--cnp-channel", "standard", path])
        assert refused.exit_code == 2, command
        assert 'unknown field "domainNames"' in refused.output


def test_every_command_that_takes_kube_version_takes_it() -> None:
    import click
    from tests.cli.test_kube_version import _commands

    found = 0
    for name, command in _commands(cli, click.Context(cli)):
        options = {o for p in command.params for o in getattr(p, "opts", [])}
        if "--kube-version" in options and name != "agent":  # reads no files: its own options
            found += 1
            assert "--cnp-channel" in options, name
    assert found >= 10

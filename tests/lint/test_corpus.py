"""Lint the upstream-e2e-model conformance corpus (tests/conformance): every case, with the
findings reviewed by hand. PF001 (open namespaces) is left out: most cases leave y and z open
on purpose.

Reviewed expectations: no namespaceSelector there selects nothing by mistake (none in case
16 either: its `ns DoesNotExist` peer matches no namespace of the model, but kube-system,
kube-public, kube-node-lease and default exist in every cluster and have no `ns` label unless
someone adds one, so PF003 cannot say it selects nothing); no case has a podSelector that
only matches elsewhere (PF004; case 33 allows y/b, which exists); PF002 fires exactly in the
cases that isolate egress without allowing port 53 (the e2e model has no CoreDNS, so the
assumed one counts); 41's allow-all egress allows DNS. PF016 fires where egress is isolated
and a rule still reaches 169.254.169.254 on TCP 80: 40 (egress on port 80 to anyone) and 41
(`egress: [{}]`). No case declares a sensitive port (PF017).
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from podfence.load import load_texts

from .helpers import REPO, findings

CONFORMANCE = REPO / "tests" / "conformance"
CASES = CONFORMANCE / "cases"

EGRESS_WITHOUT_DNS = {
    "02-default-deny-egress",
    "03-deny-all-both",
    "19-named-port-egress",
    "20-named-port-wrong-protocol",
    "29-egress-to-namespace",
    "30-egress-to-pod-in-other-namespace",
    "31-egress-only-ingress-ignored",
    "32-policy-types-defaulted-with-egress",
    "36-both-sides-must-allow",
    "37-client-side-egress-deny",
    "40-ingress-and-egress-together",
}

OTHER: dict[str, set[str]] = {
    "04-allow-all-ingress-union": {"PF010"},
    "12-or-pod-or-namespace": {"PF005"},
    "20-named-port-wrong-protocol": {"PF008"},
    "31-egress-only-ingress-ignored": {"PF013"},
    "32-policy-types-defaulted-with-egress": {"PF012"},
    "40-ingress-and-egress-together": {"PF016"},
    "41-deny-all-then-allow-all-egress": {"PF010", "PF016"},
}


def _case_dirs() -> list[Path]:
    if not CASES.is_dir():
        return []
    return sorted(p for p in CASES.iterdir() if (p / "expected.yaml").is_file())


def _expected(name: str) -> set[str]:
    out = set(OTHER.get(name, set()))
    if name in EGRESS_WITHOUT_DNS:
        out.add("PF002")
    return out


@pytest.mark.skipif(not _case_dirs(), reason="the conformance corpus is not there")
@pytest.mark.parametrize("case", _case_dirs(), ids=lambda p: p.name)
def test_corpus_case(case: Path) -> None:
    meta = yaml.safe_load((case / "expected.yaml").read_text())
    files = [CONFORMANCE / meta.get("cluster", "cluster.yaml")]
    files += sorted(f for f in case.glob("*.yaml") if f.name != "expected.yaml")
    result = load_texts([(str(f.relative_to(REPO)), f.read_text()) for f in files])
    assert result.cluster is not None, [str(d) for d in result.diagnostics]
    got = {f.rule for f in findings(result.cluster) if f.rule != "PF001"}
    assert got == _expected(case.name)


def test_corpus_expectations_name_existing_cases() -> None:
    names = {p.name for p in _case_dirs()}
    if names:
        assert (EGRESS_WITHOUT_DNS | set(OTHER)) <= names

"""Golden rulesets: reviewed files compared exactly; regenerate only with
PODFENCE_UPDATE_GOLDEN=1 (and review the diff). Every golden must pass `nft -c`."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from podfence.dataplane.nft import apply, check, compile_ruleset, emit, list_table

from .cases import CASES

GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("PODFENCE_UPDATE_GOLDEN") == "1"


@pytest.mark.parametrize("case", sorted(CASES))
def test_golden(case: str) -> None:
    text = emit(compile_ruleset(CASES[case]()))
    path = GOLDEN / f"{case}.nft"
    if UPDATE:
        path.write_text(text)
    assert path.exists(), f"no golden file {path.name}: run with PODFENCE_UPDATE_GOLDEN=1"
    assert text == path.read_text(), f"{path.name} differs (PODFENCE_UPDATE_GOLDEN=1 to accept)"


def test_no_stray_golden_files() -> None:
    assert sorted(p.stem for p in GOLDEN.glob("*.nft")) == sorted(CASES)


@pytest.mark.netns
@pytest.mark.parametrize("path", sorted(GOLDEN.glob("*.nft")), ids=lambda p: p.stem)
def test_golden_passes_nft_check(path: Path, scratch_netns: str) -> None:
    check(path.read_text(), scratch_netns)


@pytest.mark.netns
def test_golden_applies_and_replaces(scratch_netns: str) -> None:
    """Applying twice works (the script replaces the table it finds) and the kernel keeps
    every rule comment."""
    for case in ("named_ports", "and_or_peers"):
        text = (GOLDEN / f"{case}.nft").read_text()
        apply(text, scratch_netns)
        apply(text, scratch_netns)
        listed = list_table(scratch_netns)
        assert 'comment "shop/' in listed
    apply((GOLDEN / "no_policies.nft").read_text(), scratch_netns)
    assert "chain ingress-shop" not in list_table(scratch_netns)

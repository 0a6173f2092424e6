"""`LoadOptions`: the Kubernetes version whose API server podfence imitates.

Upstream: pkg/features/kube_features.go, the versioned default of StrictIPCIDRValidation
(alpha, off: 1.33; beta, on: 1.36; KEP-4858 waits three releases after alpha for version
skew). kube-apiserver v1.36.2 --emulated-version accepts exactly 1.33..1.36.
"""

from __future__ import annotations

import pytest

from podfence.load import (
    KNOWN_VERSIONS,
    LATEST,
    KubeVersion,
    LoadOptions,
    UnknownVersion,
    parse_kube_version,
)


def test_the_known_versions_and_the_default() -> None:
    assert [str(v) for v in KNOWN_VERSIONS] == ["1.33", "1.34", "1.35", "1.36"]
    assert KubeVersion(1, 36) == LATEST
    assert LoadOptions().kube_version == LATEST


@pytest.mark.parametrize(
    ("version", "strict"),
    [("1.33", False), ("1.34", False), ("1.35", False), ("1.36", True)],
)
def test_strict_ip_cidr_validation_is_on_by_default_from_1_36(version: str, strict: bool) -> None:
    assert LoadOptions(parse_kube_version(version)).strict_ip_cidr is strict


@pytest.mark.parametrize("text", ["1.36", "v1.36", "1.36.2", " 1.36 "])
def test_spellings_of_a_version(text: str) -> None:
    assert parse_kube_version(text) == KubeVersion(1, 36)


@pytest.mark.parametrize("text", ["1.32", "1.37", "2.0", "136", "latest", "", "1.3x"])
def test_unknown_versions_are_an_error_listing_the_known_ones(text: str) -> None:
    with pytest.raises(UnknownVersion) as caught:
        parse_kube_version(text)
    assert str(caught.value) == (
        f"unknown Kubernetes version {text!r}: podfence knows 1.33, 1.34, 1.35, 1.36"
    )

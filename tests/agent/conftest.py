"""Fixtures of the agent tests: the real API server, the netns guard, lab state.

Tests that need the API server get it from `plane` (one per module: etcd and a kube-apiserver
emulating Kubernetes 1.35 on 127.0.0.1, from $KUBEBUILDER_ASSETS; without it they skip with
one reason). 1.35 on purpose: it stores an ipBlock such as `10.0.0.1/8` (a warning), which
podfence, judging as 1.36 (StrictIPCIDRValidation on), rejects: a real policy podfence
cannot compile, for the fail-closed tests. Tests marked `netns` need root, iproute2 and nft
and create only namespaces named `podfence-agent*`, removed afterwards, also on failure.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.dataplane.conftest import netns_unavailable
from tests.support.kube import Plane, control_plane

from podfence.dataplane.lab.state import STATE_ENV

EMULATED = "1.35"
"""The test API server's Kubernetes version (see the module docstring)."""


@pytest.fixture(autouse=True)
def _netns_guard(request: pytest.FixtureRequest) -> None:
    if request.node.get_closest_marker("netns") is not None:
        reason = netns_unavailable()
        if reason is not None:
            pytest.skip(reason)


@pytest.fixture(scope="module")
def plane(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Plane]:
    with control_plane(tmp_path_factory.mktemp("apiserver"), EMULATED) as found:
        if isinstance(found, str):
            pytest.skip(found)
        yield found


@pytest.fixture(scope="session", autouse=True)
def lab_state(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Labs of this session keep their state apart from real ones."""
    root = tmp_path_factory.mktemp("labs")
    previous = os.environ.get(STATE_ENV)
    os.environ[STATE_ENV] = str(root)
    yield root
    if previous is None:
        os.environ.pop(STATE_ENV, None)
    else:
        os.environ[STATE_ENV] = previous

"""Settings for every test: no test may depend on wall-clock speed.

Hypothesis's default deadline (200 ms per example) fails a property test on a loaded
machine, not on a wrong answer, so the profile loaded here has no deadline, and collection
refuses any hypothesis test that sets one of its own. The profile is the one hypothesis chose
(its `ci` profile under CI=true: derandomized, no database) with the deadline turned off;
tests that pick their own settings inherit it.
"""

from __future__ import annotations

import pytest
from hypothesis import settings

settings.register_profile("podfence", parent=settings.default, deadline=None)
settings.load_profile("podfence")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    timed = [
        item.nodeid
        for item in items
        if isinstance(item, pytest.Function)
        and getattr(item.obj, "is_hypothesis_test", False)
        and item.obj._hypothesis_internal_use_settings.deadline is not None
    ]
    if timed:
        raise pytest.UsageError(
            "hypothesis tests must not have a deadline (no test depends on wall-clock "
            f"speed): {', '.join(timed)}"
        )

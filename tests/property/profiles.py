"""Hypothesis profiles for the property tests, applied to these tests only (not globally).

Pick one with PODFENCE_PROPERTY_PROFILE=dev|ci|deep (default: ci):

- `ci`: 300 examples per engine-vs-reference property (a third for the targeted ones and
  the class engine), each connection asked over IPv4, IPv6 and by name; no deadline (the
  reference is deliberately slow); about a minute in all;
- `dev`: a quick smoke run while editing;
- `deep`: a long hunt, for a night or after touching the engine.

The profiles are registered under `podfence-property-*` and never loaded globally, so other
hypothesis tests in the session keep their own settings.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

__all__ = ["PROFILE"]

_EXAMPLES = {"dev": 40, "ci": 300, "deep": 5000}

for _name, _examples in _EXAMPLES.items():
    settings.register_profile(
        f"podfence-property-{_name}",
        max_examples=_examples,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow],
    )

PROFILE = settings.get_profile(
    f"podfence-property-{os.environ.get('PODFENCE_PROPERTY_PROFILE', 'ci')}"
)
"""The chosen profile; tests apply it with `@settings(PROFILE)`."""

"""Settings for the whole test session.

Hypothesis runs without a deadline everywhere: a property test must not depend on how fast
a shared machine happens to be. The profile is the one hypothesis chose (its `ci` profile
under CI=true: derandomized, no database) with the deadline turned off; tests that pick their
own settings inherit it (`settings(...)` starts from the loaded profile), and so do the
profiles registered after it.
"""

from __future__ import annotations

from hypothesis import settings

settings.register_profile("podfence", parent=settings.default, deadline=None)
settings.load_profile("podfence")

"""What a test needs from the machine. On a developer machine a missing part skips
the test with the reason; in CI (``CI`` set, as ``.ci/run`` runs) the test runs
anyway and fails, because CI installs everything the suite needs."""

from __future__ import annotations

import os

import pytest

IN_CI = bool(os.environ.get("CI"))


def needs(present: bool, reason: str) -> pytest.MarkDecorator:
    return pytest.mark.skipif(not present and not IN_CI, reason=reason)

"""Shared sample run for the report format tests.

Four findings over two files, given out of order on purpose: an error with a
hint and a json path, a whole-file warning, an info, and a suppressed error.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from karsgit.findings import Finding, Severity, Suppression
from karsgit.report import ReportData
from karsgit.rules import catalog

HOST = Finding(
    "host-case",
    Severity.ERROR,
    "sandboxes/web.yaml",
    7,
    11,
    "host 'API.github.com' is not lowercase",
    "write 'api.github.com'",
    "$.spec.networkPolicy.allowedEndpoints[0].host",
    fixable=True,
)
START = Finding(
    "unsafe-path",
    Severity.WARNING,
    "sandboxes/web.yaml",
    0,
    0,
    "symbolic link points outside the repository (to '/etc/web.yaml'); not followed",
    "commit the manifest itself instead of a link to it",
)
PORT = Finding(
    "egress-widened",
    Severity.INFO,
    "sandboxes/db.yaml",
    3,
    5,
    "KarsSandbox kars-system/db adds egress to db.internal:5432",
)
SILENCED = Finding(
    "host-case",
    Severity.ERROR,
    "sandboxes/db.yaml",
    9,
    3,
    "host 'DB.internal' is not lowercase",
    "write 'db.internal'",
    "$.spec.networkPolicy.allowedEndpoints[1].host",
    fixable=True,
    suppressed=Suppression("the vendor matches case", "2026-01-01"),
)

# Real catalog entries, so the sample shows what karsgit can actually report.
RULES = {rule_id: catalog()[rule_id] for rule_id in ("host-case", "unsafe-path", "egress-widened")}


def _make(*findings: Finding, files: int = 3, objects: int = 4) -> ReportData:
    return ReportData(findings, files, objects, RULES, "0.1.0")


@pytest.fixture
def make() -> Callable[..., ReportData]:
    """Build a run from findings: ``make(finding, ..., files=3, objects=4)``."""
    return _make


@pytest.fixture
def sample() -> ReportData:
    """HOST, SILENCED, START, PORT (in that unsorted order); see the module docstring."""
    return _make(HOST, SILENCED, START, PORT)


@pytest.fixture
def host() -> Finding:
    """The error with hint and json path, at sandboxes/web.yaml 7:11."""
    return HOST


@pytest.fixture
def empty() -> ReportData:
    return _make()

"""Acceptance: ``karsgit check -f parsable fixtures/example-repo`` prints exactly the
reviewed text committed beside the fixture (``fixtures/example-repo.expected.txt``).

The fixture is copied into a fresh repository and committed at a pinned date:
``approval-stale`` judges an approval by the commit that added it, and in this
project's own history that commit changes with every rebase or squash.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.support.cli import Run
from tests.support.repos import ROOT, git

FIXTURE = ROOT / "fixtures" / "example-repo"
EXPECTED = ROOT / "fixtures" / "example-repo.expected.txt"
COMMITTED = "2026-11-20T10:15:00Z"


def test_parsable_output_is_the_reviewed_text(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, karsgit: Run
) -> None:
    checkout = tmp_path / "checkout"
    shutil.copytree(FIXTURE, checkout / "fixtures" / "example-repo")
    git(checkout, "init", "-q", "-b", "main")
    git(checkout, "add", "-A")
    monkeypatch.setenv("GIT_AUTHOR_DATE", COMMITTED)
    monkeypatch.setenv("GIT_COMMITTER_DATE", COMMITTED)
    git(checkout, "commit", "-q", "-m", "example repository")
    monkeypatch.chdir(checkout)
    result = karsgit("check", "-f", "parsable", "fixtures/example-repo")
    assert result.code == 1
    assert result.err == ""
    assert result.out == EXPECTED.read_text(encoding="utf-8")

"""A shallow clone cannot tell when an approval was committed: approval-age-unknown
says so, with the fix, instead of approval-stale going silent (issue 10, item 20)."""

from __future__ import annotations

from pathlib import Path

import pytest

from karsgit.run.check import run_check
from karsgit.settings import Settings
from tests.support.repos import Repo, approval, git, sandbox


@pytest.fixture
def history(repo: Repo, monkeypatch: pytest.MonkeyPatch) -> Repo:
    """An approval committed in 2024, then two later commits."""
    repo.write("sb.yaml", sandbox("agent"))
    repo.write("ap.yaml", approval("PT4H"))
    monkeypatch.setenv("GIT_AUTHOR_DATE", "2024-03-01T10:00:00Z")
    monkeypatch.setenv("GIT_COMMITTER_DATE", "2024-03-01T10:00:00Z")
    repo.commit("approval")
    monkeypatch.delenv("GIT_AUTHOR_DATE")
    monkeypatch.delenv("GIT_COMMITTER_DATE")
    repo.write("notes.txt", "one\n")
    repo.commit("later")
    repo.write("notes.txt", "two\n")
    repo.commit("latest")
    return repo


def clone(source: Repo, target: Path, *depth: str) -> Path:
    git(target.parent, "clone", "-q", *depth, f"file://{source.path}", str(target))
    return target


def found(root: Path) -> list[tuple[str, str, int, int, str, str]]:
    result = run_check(Settings(root=root), ())
    return [
        (f.rule_id, f.path, f.line, f.column, f.message, f.hint)
        for f in result.findings
        if f.rule_id.startswith("approval-")
    ]


def test_a_shallow_clone_says_the_age_is_unknown(history: Repo, tmp_path: Path) -> None:
    shallow = clone(history, tmp_path / "shallow", "--depth", "1")
    tip = git(shallow, "rev-parse", "HEAD").strip()
    assert found(shallow) == [
        (
            "approval-age-unknown",
            "ap.yaml",
            9,
            8,
            f"the clone is shallow (history stops at commit {tip[:12]}): when this approval "
            "was committed is unknown, so approval-stale cannot judge it",
            'fetch the full history: fetch-depth: 0 (GitHub Actions), GIT_DEPTH: "0" (GitLab), '
            "or git fetch --unshallow",
        )
    ]


def test_the_full_clone_finds_it_stale(history: Repo, tmp_path: Path) -> None:
    full = clone(history, tmp_path / "full")
    assert [f[0] for f in found(full)] == ["approval-stale"]


def test_an_approval_added_after_the_cut_is_judged(history: Repo, tmp_path: Path) -> None:
    history.write("fresh.yaml", approval("PT4H").replace("name: temp", "name: fresh"))
    history.commit("fresh approval")
    shallow = clone(history, tmp_path / "shallow", "--depth", "2")
    assert [(f[0], f[1]) for f in found(shallow)] == [("approval-age-unknown", "ap.yaml")]

"""git history through subprocess: the batched walk agrees with per-file `git log --follow`."""

from __future__ import annotations

from pathlib import Path

import pytest

from karsgit.source import gitio
from tests.support.repos import Repo


def _commit_at(repo: Repo, stamp: int, monkeypatch, message: str) -> None:
    monkeypatch.setenv("GIT_AUTHOR_DATE", f"@{stamp} +0000")
    monkeypatch.setenv("GIT_COMMITTER_DATE", f"@{stamp} +0000")
    repo.commit(message)


def test_batched_added_times_match_per_file(repo: Repo, monkeypatch) -> None:
    for i in range(10):
        repo.write(f"approvals/a{i}.yaml", f"n: {i}\n")
    _commit_at(repo, 1_700_000_000, monkeypatch, "add ten")
    (repo.path / "moved").mkdir()
    repo.git("mv", "approvals/a0.yaml", "moved/a0.yaml")
    repo.write("approvals/a1.yaml", "n: changed\n")
    _commit_at(repo, 1_700_100_000, monkeypatch, "rename and edit")
    repo.git("rm", "-q", "approvals/a2.yaml")
    _commit_at(repo, 1_700_200_000, monkeypatch, "prune")
    repo.write("approvals/a2.yaml", "n: again\n")
    _commit_at(repo, 1_700_300_000, monkeypatch, "re-add")
    repo.write("approvals/new.yaml", "n: new\n")  # never committed
    paths = ["moved/a0.yaml", "approvals/new.yaml"] + [f"approvals/a{i}.yaml" for i in range(1, 10)]
    batched = gitio.added_times(repo.path, paths)
    one_by_one = {p: gitio.added_time(repo.path, p) for p in paths}
    assert batched == {p: t for p, t in one_by_one.items() if t is not None}
    assert batched["moved/a0.yaml"] == 1_700_000_000  # carried through the rename
    assert batched["approvals/a1.yaml"] == 1_700_000_000  # an edit is not an add
    assert batched["approvals/a2.yaml"] == 1_700_300_000  # a re-add starts a new object
    assert "approvals/new.yaml" not in batched


def test_karsgit_dir_is_where_git_puts_the_repositorys_own_files(
    repo: Repo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo.write("a.txt", "a\n")
    repo.commit("a")
    assert gitio.karsgit_dir(repo.path) == (repo.path / ".git" / "karsgit").resolve()
    # A linked worktree has its own git directory (a .git file points to it).
    other = tmp_path / "other"
    repo.git("worktree", "add", "-q", str(other))
    private = gitio.karsgit_dir(other)
    assert private.parent == (repo.path / ".git" / "worktrees" / "other").resolve()
    # GIT_DIR names the git directory whatever the work tree holds.
    elsewhere = tmp_path / "elsewhere.git"
    repo.git("clone", "-q", "--bare", str(repo.path), str(elsewhere))
    monkeypatch.setenv("GIT_DIR", str(elsewhere))
    assert gitio.karsgit_dir(repo.path) == elsewhere.resolve() / "karsgit"

"""Fixtures for the git-side gate: a committed clone of this checkout for the real
pre-commit framework, one PRE_COMMIT_HOME per session, bare repositories.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.gitgate import CONFIG, compiled, install_hook, push, run
from tests.support.repos import ROOT, Repo, sandbox


@pytest.fixture(scope="session")
def hook_source(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """This checkout's HEAD, cloned: pre-commit installs hook repos from commits."""
    clone = tmp_path_factory.mktemp("hook-source") / "karsgit"
    run(ROOT.parent, "git", "clone", "-q", "--no-hardlinks", str(ROOT), str(clone), check=True)
    sha = run(clone, "git", "rev-parse", "HEAD", check=True).stdout.strip()
    return clone, sha


@pytest.fixture(scope="session")
def pre_commit_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Shared by every test of the session, so the hook repo is pip-installed once."""
    return Path(os.environ.get("KARSGIT_TEST_PRE_COMMIT_HOME") or tmp_path_factory.mktemp("pch"))


@pytest.fixture
def precommit_env(
    pre_commit_home: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[dict[str, str]]:
    env = {"PRE_COMMIT_HOME": str(pre_commit_home), "PRE_COMMIT_COLOR": "never"}
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    yield env


@pytest.fixture
def remote(tmp_path: Path, repo: Repo) -> Path:
    """A bare repository holding a compiled first push, then the pre-receive hook:
    an existing repository gets the hook, and its config is what later pushes trust."""
    bare = tmp_path / "server.git"
    run(tmp_path, "git", "init", "-q", "--bare", "-b", "main", str(bare), check=True)
    repo.git("remote", "add", "origin", str(bare))
    repo.write(".karsgit.yaml", CONFIG)
    repo.write("apps/ok.yaml", sandbox("ok"))
    compiled(repo, "base")
    assert push(repo, "main").returncode == 0
    install_hook(bare)
    return bare

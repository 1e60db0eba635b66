"""Fixtures for the git-side gate: a committed clone of this checkout for the real
pre-commit framework, one PRE_COMMIT_HOME per session, bare repositories.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.repos import GIT_ENV, ROOT

VENV_BIN = str(Path(sys.executable).parent)


def run(cwd: Path, *argv: str, check: bool = False, **env: str) -> subprocess.CompletedProcess[str]:
    """A real subprocess with the venv's karsgit and pre-commit first on PATH."""
    full = {**os.environ, **GIT_ENV, "PATH": f"{VENV_BIN}:{os.environ['PATH']}", **env}
    return subprocess.run(argv, cwd=cwd, capture_output=True, text=True, check=check, env=full)


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


def hook_config(source: tuple[Path, str], hooks: list[str]) -> str:
    path, sha = source
    lines = ["repos:", f"  - repo: {path}", f"    rev: {sha}", "    hooks:"]
    lines += [f"      - id: {hook}" for hook in hooks]
    return "\n".join(lines) + "\n"

"""Shared fixtures: real git repositories in tmp_path and an in-process CLI runner."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
GIT_ENV = {
    "GIT_AUTHOR_NAME": "Test Author",
    "GIT_AUTHOR_EMAIL": "author@example.invalid",
    "GIT_COMMITTER_NAME": "Test Committer",
    "GIT_COMMITTER_EMAIL": "committer@example.invalid",
    "GIT_CONFIG_NOSYSTEM": "1",
}


@pytest.fixture(autouse=True)
def _git_identity(monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in GIT_ENV.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("NO_COLOR", raising=False)


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", *args],
        cwd=repo,
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, **GIT_ENV},
    )
    return done.stdout


@dataclass
class Repo:
    path: Path

    def write(self, rel: str, text: str | bytes) -> Path:
        target = self.path / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            target.write_bytes(text)
        else:
            target.write_text(text, encoding="utf-8")
        return target

    def git(self, *args: str) -> str:
        return git(self.path, *args)

    def commit(self, message: str = "change") -> str:
        self.git("add", "-A")
        self.git("commit", "-q", "--allow-empty", "-m", message)
        return self.git("rev-parse", "HEAD").strip()


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Repo]:
    path = tmp_path / "gitops"
    path.mkdir()
    git(path, "init", "-q", "-b", "main")
    monkeypatch.chdir(path)
    yield Repo(path)


@dataclass
class Result:
    code: int
    out: str
    err: str


@pytest.fixture
def karsgit(capsys: pytest.CaptureFixture[str]) -> object:
    """Run the real entry point (with its exit-code boundary) in process."""
    from karsgit.cli import main

    def run(*argv: str) -> Result:
        capsys.readouterr()
        try:
            main(list(argv))
        except SystemExit as stop:
            code = stop.code if isinstance(stop.code, int) else 1
        else:  # pragma: no cover - main always exits
            code = -1
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return run


SANDBOX = """\
apiVersion: kars.azure.com/v1alpha1
kind: KarsSandbox
metadata:
  name: {name}
  namespace: {namespace}
spec:
  networkPolicy:
    egressMode: Strict
    allowedEndpoints:
      - host: api.github.com
        port: 443
"""


def sandbox(name: str = "agent", namespace: str = "kars-system") -> str:
    return SANDBOX.format(name=name, namespace=namespace)

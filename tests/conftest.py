"""Shared fixtures: real git repositories in tmp_path and an in-process CLI runner."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from tests.support.cli import Result
from tests.support.repos import GIT_ENV, Repo, git

# No timing assertions: a property that holds must not fail because the machine
# is busy, so hypothesis' per-example deadline is off for every property test.
settings.register_profile("karsgit", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("karsgit")


@pytest.fixture(autouse=True)
def _git_identity(monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in GIT_ENV.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("NO_COLOR", raising=False)


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Repo]:
    path = tmp_path / "gitops"
    path.mkdir()
    git(path, "init", "-q", "-b", "main")
    monkeypatch.chdir(path)
    yield Repo(path)


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
            code = -1  # type: ignore[unreachable]
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return run

"""Long runs report progress to a callback; the CLI shows it only on a terminal."""

from __future__ import annotations

import sys

import pytest

from karsgit import workers
from karsgit.run import check as pipeline
from karsgit.settings import Settings
from tests.support.repos import Repo, sandbox

FILES = 120  # three chunks of at most 50 files: more than one progress report


@pytest.fixture
def parallel_run(repo: Repo, monkeypatch: pytest.MonkeyPatch) -> Repo:
    """A run large enough to be split over two forked workers, whatever this machine's CPUs."""
    for i in range(FILES):
        repo.write(f"s/{i}.yaml", sandbox(f"agent-{i}"))
    monkeypatch.setattr(pipeline, "PARALLEL_THRESHOLD", 10)
    monkeypatch.setattr(workers, "worker_count", lambda: 2)
    monkeypatch.delenv("CI", raising=False)
    return repo


def test_parallel_runs_report_progress(parallel_run: Repo) -> None:
    seen: list[tuple[int, int]] = []
    result = pipeline.run_check(
        Settings(root=parallel_run.path), ["s"], lambda d, t: seen.append((d, t))
    )
    assert result.files_checked == FILES and len(result.objects) == FILES
    assert len(seen) > 1 and seen[-1] == (FILES, FILES)
    assert {total for _, total in seen} == {FILES}
    assert [done for done, _ in seen] == sorted(done for done, _ in seen)


def test_cli_shows_progress_on_a_terminal(
    parallel_run: Repo, karsgit, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    result = karsgit("check")
    assert result.code == 0
    assert result.err.endswith(f"\rkarsgit: checked {FILES}/{FILES} files\n")


def test_cli_is_quiet_off_a_terminal(parallel_run: Repo, karsgit) -> None:
    # The same run as above, with stderr captured (not a terminal): not one byte.
    result = karsgit("check")
    assert result.code == 0
    assert result.err == ""

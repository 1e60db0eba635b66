"""Long runs report progress to a callback; the CLI shows it only on a terminal."""

from __future__ import annotations

from karsgit.run import check as pipeline
from karsgit.settings import Settings
from tests.conftest import Repo, sandbox


def test_parallel_runs_report_progress(repo: Repo, monkeypatch) -> None:
    for i in range(30):
        repo.write(f"s/{i}.yaml", sandbox(f"agent-{i}"))
    monkeypatch.setattr(pipeline, "PARALLEL_THRESHOLD", 10)
    seen: list[tuple[int, int]] = []
    result = pipeline.run_check(Settings(root=repo.path), ["s"], lambda d, t: seen.append((d, t)))
    assert result.files_checked == 30 and len(result.objects) == 30
    assert seen and seen[-1] == (30, 30)
    assert [done for done, _ in seen] == sorted(done for done, _ in seen)


def test_cli_is_quiet_off_a_terminal(repo: Repo, karsgit) -> None:
    for i in range(3):
        repo.write(f"s/{i}.yaml", sandbox(f"agent-{i}"))
    result = karsgit("check")
    assert result.err == ""

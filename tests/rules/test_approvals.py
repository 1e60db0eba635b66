"""EgressApproval rules: TTL grammar and ceilings, reason bytes, redundancy, staleness."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from karsgit.run.check import run_check
from karsgit.settings import Settings
from tests.support.repos import Repo, approval, git, sandbox
from tests.support.rulecheck import hits, where

RULES = ("approval-ttl-invalid", "approval-ttl-ceiling", "approval-reason-invalid")


TTL_CASES = [
    ("PT4H", [], ""),
    ("P1D", [], ""),
    ("P1DT1M", [(9, 8, "approval-ttl-ceiling")], "ttl P1DT1M is longer than the ceiling of P1D"),
    ("P2W", [(9, 8, "approval-ttl-invalid")], "ttl 'P2W' uses weeks, which are not accepted"),
    ("P1M", [(9, 8, "approval-ttl-invalid")], "ttl 'P1M' uses months, which are not accepted"),
    ("PT0S", [(9, 8, "approval-ttl-invalid")], "ttl 'PT0S' is zero"),
    ("pt4h", [(9, 8, "approval-ttl-invalid")], "ttl 'pt4h' is not in uppercase"),
    ("4h", [(9, 8, "approval-ttl-invalid")],
     "ttl '4h' is not an iso-8601 duration of days, hours, minutes and seconds"),
]  # fmt: skip


@pytest.mark.parametrize(("ttl", "expected", "message"), TTL_CASES)
def test_ttl(ttl: str, expected: list[tuple[int, int, str]], message: str) -> None:
    found = hits(approval(ttl), rules=RULES)
    assert sorted((h.position.line, h.position.column, h.rule_id) for h in found) == expected
    assert [h.message for h in found] == ([message] if message else [])


def test_ttl_ceiling_from_config_but_never_above_seven_days() -> None:
    week = Settings(root=Path("/nonexistent"), ttl_ceiling=timedelta(days=30))
    assert where(approval("P7D"), week, RULES) == []
    [hit] = hits(approval("P8D"), week, RULES)
    assert (hit.rule_id, hit.message) == (
        "approval-ttl-ceiling",
        "ttl P8D is longer than the hard ceiling of P7D",
    )


def test_non_string_ttl_is_left_to_the_schema() -> None:
    assert [h.rule_id for h in hits(approval("5"), rules=RULES)] == ["approval-ttl-invalid"]
    assert "not of type" in hits(approval("5"), rules=RULES)[0].message


def test_reason_control_bytes() -> None:
    [hit] = hits(approval(reason='"bad\\x1b[31m red"'), rules=RULES)
    assert (hit.position.line, hit.position.column) == (8, 11)
    assert hit.message == "reason contains the control byte 0x1b at character 4"
    # Tabs and newlines are not control bytes for the cluster's rule.
    assert hits(approval(reason='"a\\tb\\nc"'), rules=RULES) == []


def test_redundant_host(repo: Repo) -> None:
    repo.write("sb.yaml", sandbox("agent").replace("api.github.com", "github.com"))
    text = approval().replace("example.org", "API.github.com")
    repo.write("ap.yaml", text)
    found = [f for f in run_check(Settings(root=repo.path), ()).findings
             if f.rule_id == "approval-redundant"]  # fmt: skip
    assert [(f.path, f.line, f.column, f.message) for f in found] == [
        ("ap.yaml", 11, 13,
         "host 'api.github.com' is already admitted by entry 'github.com' of sandbox 'agent'")
    ]  # fmt: skip


def _stale(repo: Repo) -> list[tuple[int, int, str]]:
    found = run_check(Settings(root=repo.path), ()).findings
    return [(f.line, f.column, f.message) for f in found if f.rule_id == "approval-stale"]


def test_stale_approval_from_git_history(repo: Repo, monkeypatch: pytest.MonkeyPatch) -> None:
    repo.write("sb.yaml", sandbox("agent"))
    repo.write("ap.yaml", approval("PT4H"))
    monkeypatch.setenv("GIT_AUTHOR_DATE", "2024-03-01T10:00:00Z")
    monkeypatch.setenv("GIT_COMMITTER_DATE", "2024-03-01T10:00:00Z")
    repo.git("add", "-A")
    repo.git("commit", "-q", "-m", "approval")
    assert _stale(repo) == [
        (9, 8, "approval was committed on 2024-03-01 10:00 UTC with ttl PT4H; it expired "
               "on 2024-03-01 14:00 UTC and a re-created copy would get a fresh ttl"),
    ]  # fmt: skip


def test_uncommitted_and_fresh_approvals_are_not_stale(repo: Repo) -> None:
    repo.write("sb.yaml", sandbox("agent"))
    repo.write("ap.yaml", approval("PT4H"))
    assert _stale(repo) == []
    repo.commit()
    assert _stale(repo) == []


def test_renamed_file_keeps_its_age(repo: Repo, monkeypatch: pytest.MonkeyPatch) -> None:
    repo.write("sb.yaml", sandbox("agent"))
    repo.write("old.yaml", approval("P1D"))
    monkeypatch.setenv("GIT_AUTHOR_DATE", "2024-03-01T10:00:00Z")
    monkeypatch.setenv("GIT_COMMITTER_DATE", "2024-03-01T10:00:00Z")
    repo.commit()
    monkeypatch.delenv("GIT_AUTHOR_DATE")
    monkeypatch.delenv("GIT_COMMITTER_DATE")
    repo.git("mv", "old.yaml", "new.yaml")
    repo.commit("rename")
    assert len(_stale(repo)) == 1


# A shallow clone cannot tell when an approval was committed: approval-age-unknown


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

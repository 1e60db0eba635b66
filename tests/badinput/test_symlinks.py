"""Issue 10 item 8: a symlinked manifest is edited at its target (git keeps the
link); the repo-index cache is never read or written through a link."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.support.fs import CONFIG, gitops, run
from tests.support.repos import Repo, sandbox

LINKED = "sandboxes/agent.yaml"
TARGET = "real/agent.yaml"


def _linked_manifest(repo: Repo, text: str) -> None:
    # the link is what git lists and what the commands read; the target is excluded
    # from discovery, so only the link's path leads them to the file
    repo.write(".karsgit.yaml", CONFIG + "exclude: [real/**]\n")
    repo.write(TARGET, text)
    (repo.path / "sandboxes").mkdir()
    os.symlink("../real/agent.yaml", repo.path / LINKED)
    repo.commit()


def _typechanges(repo: Repo) -> str:
    return repo.git("status", "--porcelain")


def test_fix_edits_the_target_of_a_symlinked_manifest(repo: Repo, karsgit) -> None:
    _linked_manifest(repo, sandbox().replace("api.github.com", "API.github.com"))
    result = karsgit("fix", LINKED)
    assert result.code == 1, result.err
    assert (repo.path / LINKED).is_symlink()
    assert os.readlink(repo.path / LINKED) == "../real/agent.yaml"
    assert "host: api.github.com" in (repo.path / TARGET).read_text()
    assert " T " not in _typechanges(repo) and "M real/agent.yaml" in _typechanges(repo)


def test_compile_edits_the_target_of_a_symlinked_manifest(repo: Repo, karsgit) -> None:
    _linked_manifest(repo, sandbox())
    result = karsgit("compile")
    assert result.code == 0, result.err
    assert (repo.path / LINKED).is_symlink()
    assert "allowlistRef:" in (repo.path / TARGET).read_text()
    assert " T " not in _typechanges(repo)


@pytest.fixture
def victim(tmp_path: Path) -> Path:
    path = tmp_path / "victim"
    path.write_bytes(b"precious\n")
    return path


def _cache(repo: Repo) -> Path:
    return repo.path / ".git" / "karsgit" / "repoindex.marshal"


def test_cache_file_symlink_is_never_written_through(repo: Repo, karsgit, victim: Path) -> None:
    gitops(repo)
    repo.write("other.yaml", sandbox("other"))
    repo.commit()
    _cache(repo).parent.mkdir(parents=True, exist_ok=True)
    os.symlink(victim, _cache(repo))
    result = karsgit("check", "sandboxes/agent.yaml")
    assert result.code == 0, result.err
    assert victim.read_bytes() == b"precious\n"
    assert _cache(repo).is_symlink() and os.readlink(_cache(repo)) == str(victim)


def test_cache_folder_symlink_is_never_written_through(repo: Repo, karsgit, tmp_path: Path) -> None:
    gitops(repo)
    repo.write("other.yaml", sandbox("other"))
    repo.commit()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    os.symlink(elsewhere, repo.path / ".git" / "karsgit", target_is_directory=True)
    assert karsgit("check", "sandboxes/agent.yaml").code == 0
    assert list(elsewhere.iterdir()) == []


def test_cache_symlink_to_a_fifo_is_not_read(repo: Repo, karsgit, tmp_path: Path) -> None:
    """A link to something endless (the review used /dev/zero) must not be read: a
    FIFO with no writer would block the run forever if it were opened."""
    gitops(repo)
    repo.write("other.yaml", sandbox("other"))
    repo.commit()
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    _cache(repo).parent.mkdir(parents=True, exist_ok=True)
    os.symlink(fifo, _cache(repo))
    done = run(repo.path, "check", "sandboxes/agent.yaml", timeout=60)
    assert done.returncode == 0, done.stderr
    assert _cache(repo).is_symlink()

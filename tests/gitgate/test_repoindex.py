"""The repo index: objects of the files a hook run was not given, cached in .git/karsgit."""

from __future__ import annotations

import os

from karsgit.settings import Settings
from karsgit.source import repoindex
from tests.conftest import sandbox


def _age(path, seconds: int = 10) -> None:
    info = os.stat(path)
    os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns - seconds * 1_000_000_000))


def test_cached_reused_and_invalidated(repo, monkeypatch):
    for name in ("a", "b", "c"):
        _age(repo.write(f"{name}.yaml", sandbox(name)))
    settings = Settings(root=repo.path)
    first = repoindex.objects_outside(settings, {"a.yaml"})
    assert sorted(o.ref.name for o in first) == ["b", "c"]
    assert (repo.path / ".git" / "karsgit" / "repoindex.marshal").is_file()
    parsed: list[str] = []
    real = repoindex._objects_of
    monkeypatch.setattr(repoindex, "_objects_of", lambda job: parsed.append(job[1]) or real(job))
    assert len(repoindex.objects_outside(settings, {"a.yaml"})) == 2
    assert parsed == []
    _age(repo.write("c.yaml", sandbox("renamed")), 5)
    again = repoindex.objects_outside(settings, set())
    assert parsed == ["a.yaml", "c.yaml"]  # a.yaml: never indexed; c.yaml: changed
    assert sorted(o.ref.name for o in again) == ["a", "b", "renamed"]


def test_outside_git_is_empty(tmp_path):
    assert repoindex.objects_outside(Settings(root=tmp_path), set()) == []

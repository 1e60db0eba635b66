"""The repo index cache is only ever a speed-up: a corrupt, foreign or truncated
cache file changes nothing in the findings."""

from __future__ import annotations

import pytest

from tests.conftest import Repo, sandbox


@pytest.mark.parametrize(
    "content",
    [b"", b"\xff" * 64, b"karsgit-index\n" + (10**12).to_bytes(8, "little"), b"karsgit-index\n"],
)
def test_bad_cache_files_are_ignored(repo: Repo, karsgit, monkeypatch, tmp_path, content) -> None:
    cache = tmp_path / "cache"
    cache.mkdir()
    monkeypatch.setenv("KARSGIT_CACHE_DIR", str(cache))
    repo.write("a.yaml", sandbox("twin"))
    repo.write("b.yaml", sandbox("twin"))
    repo.commit()
    (cache / "repoindex.marshal").write_bytes(content)
    result = karsgit("check", "-f", "parsable", "b.yaml")
    assert result.code == 1
    assert "(duplicate-resource)" in result.out
    assert (cache / "repoindex.marshal").read_bytes().startswith(b"karsgit-index\n")


def test_truncated_rows_region(repo: Repo, karsgit, monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("KARSGIT_CACHE_DIR", str(tmp_path))
    repo.write("a.yaml", sandbox("twin"))
    repo.write("b.yaml", sandbox("twin"))
    repo.commit()
    monkeypatch.setattr("karsgit.source.repoindex.RACY_NS", 0)  # cache even just-written files
    assert "(duplicate-resource)" in karsgit("check", "-f", "parsable", "b.yaml").out
    path = tmp_path / "repoindex.marshal"
    path.write_bytes(path.read_bytes()[:-5])
    result = karsgit("check", "-f", "parsable", "b.yaml")
    assert result.code == 1 and "(duplicate-resource)" in result.out

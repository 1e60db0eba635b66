"""The root index (karsgit.render.rootindex): which roots a hook run's files reach,
cached in .git/karsgit between runs and followed exactly when a kustomization
changes; a damaged or foreign cache is ignored and replaced."""

from __future__ import annotations

import marshal
import os
import zlib
from pathlib import Path
from typing import Any

import pytest

from karsgit.render import rootindex
from karsgit.render.stage import render_stage
from karsgit.settings import Settings
from karsgit.source import gitio
from tests.support.render import needs_kubectl
from tests.support.repos import Repo, sandbox

pytestmark = needs_kubectl

HOUR_NS = 3600 * 1_000_000_000


def _age(repo: Repo) -> None:
    """Files an hour old: the cache is written only when no kustomization is racy."""
    for rel in gitio.listed_files(repo.path):
        path = repo.path / rel
        info = os.stat(path)
        os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns - HOUR_NS))


def two_overlays(repo: Repo) -> Settings:
    for name in ("b1", "b2"):
        repo.write(f"{name}/sb.yaml", sandbox(f"agent-{name}"))
        repo.write(f"{name}/kustomization.yaml", "resources:\n  - sb.yaml\n")
    repo.write("o1/kustomization.yaml", "namespace: one\nresources:\n  - ../b1\n")
    repo.write("o2/kustomization.yaml", "namespace: two\nresources:\n  - ../b2\n")
    repo.commit("two overlays")
    _age(repo)
    return Settings(root=repo.path)


def rendered(settings: Settings, *paths: str) -> list[str]:
    stage = render_stage(settings, list(paths))
    assert stage is not None
    return sorted(stage.outputs)


def cache(repo: Repo) -> Path:
    return repo.path / ".git" / "karsgit" / "rootindex.marshal"


def from_cache(settings: Settings) -> bool:
    """Whether the index came from the cache: then no kustomization was parsed."""
    index = rootindex.root_index(settings, gitio.listed_files(settings.root))
    return all(k.parsed is None for k in index.graph.kustomizations.values())


def test_the_map_follows_a_changed_resources_list(repo: Repo) -> None:
    settings = two_overlays(repo)
    assert rendered(settings, "b2/sb.yaml") == ["o2"]
    assert cache(repo).read_bytes().startswith(b"karsgit-roots\n")
    assert from_cache(settings)
    overlay = repo.path / "o1/kustomization.yaml"
    before = os.stat(overlay)
    # Same size, and the mtime put back (as cp -p or touch -r would): the ctime moves.
    overlay.write_text("namespace: one\nresources:\n  - ../b2\n")
    os.utime(overlay, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert not from_cache(settings)
    assert rendered(settings, "b2/sb.yaml") == ["o1", "o2"]
    assert rendered(settings, "b1/sb.yaml") == ["b1"]  # included by nothing now: a root


def test_a_new_overlay_and_a_removed_one_are_followed(repo: Repo) -> None:
    settings = two_overlays(repo)
    assert rendered(settings, "b1/sb.yaml") == ["o1"]
    repo.write("o3/kustomization.yaml", "resources:\n  - ../b1\n")
    assert rendered(settings, "b1/sb.yaml") == ["o1", "o3"]
    (repo.path / "o1/kustomization.yaml").unlink()
    repo.git("add", "-A")
    assert rendered(settings, "b1/sb.yaml") == ["o3"]


def test_a_file_listed_under_a_remote_looking_name_is_followed(repo: Repo) -> None:
    """``example.com/sb.yaml`` is remote until such a file is listed; the
    kustomization itself does not change."""
    repo.write("o/kustomization.yaml", "resources:\n  - example.com/sb.yaml\n")
    repo.commit("remote-looking")
    _age(repo)
    settings = Settings(root=repo.path)
    stage = render_stage(settings, ["o/kustomization.yaml"])
    assert stage is not None and sorted(stage.outputs) == []
    assert [hit.rule_id for _, hit in stage.hits] == ["render-remote"]
    assert from_cache(settings)
    repo.write("o/example.com/sb.yaml", sandbox("local"))
    stage = render_stage(settings, ["o/example.com/sb.yaml"])
    assert stage is not None and sorted(stage.outputs) == ["o"]
    assert stage.hits == []


def _framed(payload: tuple[Any, ...]) -> bytes:
    body = marshal.dumps(payload)
    return b"karsgit-roots\n" + zlib.crc32(body).to_bytes(4, "little") + body


@pytest.mark.parametrize(
    "damage",
    [
        "garbage",
        "truncated",
        "flipped byte",
        "another shape",
        "a ref of another type",
    ],
)
def test_a_damaged_or_foreign_cache_is_ignored_and_replaced(repo: Repo, damage: str) -> None:
    settings = two_overlays(repo)
    assert rendered(settings, "b2/sb.yaml") == ["o2"]
    good = cache(repo).read_bytes()
    version, keys, probed, rows, roots, file_roots = marshal.loads(
        good[len(b"karsgit-roots\n") + 4 :]
    )
    if damage == "garbage":
        bad = b"\x00" * 64
    elif damage == "truncated":
        bad = good[: len(good) // 2]
    elif damage == "flipped byte":
        bad = good[:-3] + bytes([good[-3] ^ 1]) + good[-2:]
    elif damage == "another shape":
        bad = _framed(("x", 1))
    else:
        directory, path, refs, *rest = rows[0]
        broken = [(directory, path, [(1, *ref[1:]) for ref in refs], *rest), *rows[1:]]
        bad = _framed((version, keys, probed, broken, roots, file_roots))
    cache(repo).write_bytes(bad)
    assert not from_cache(settings)  # read the files again, and wrote the cache anew
    assert rendered(settings, "b2/sb.yaml") == ["o2"]
    assert cache(repo).read_bytes() == good
    assert from_cache(settings)


def test_a_cache_that_is_a_symlink_is_not_followed(repo: Repo, tmp_path: Path) -> None:
    settings = two_overlays(repo)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.write_bytes(b"not mine")
    cache(repo).parent.mkdir(parents=True, exist_ok=True)
    cache(repo).symlink_to(elsewhere)
    assert rendered(settings, "b2/sb.yaml") == ["o2"]
    assert cache(repo).is_symlink() and elsewhere.read_bytes() == b"not mine"


def test_a_racy_kustomization_is_not_cached(repo: Repo) -> None:
    settings = two_overlays(repo)
    repo.write("o1/kustomization.yaml", "namespace: one\nresources:\n  - ../b2\n")  # just now
    assert rendered(settings, "b2/sb.yaml") == ["o1", "o2"]
    assert not cache(repo).exists()

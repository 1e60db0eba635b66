"""Issue 10 item 9: every writing command takes the repository lock before it reads,
so two writers never interleave; one that cannot get it in time refuses with one
line and writes nothing."""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.support.fs import MANIFEST, PASSWORD, gitops, one_line_error, run
from tests.support.repos import Repo

WRITERS = {
    "fix": ("fix",),
    "compile": ("compile",),
    "sign": ("sign", "--key", "KEY"),
    "egress": ("egress", "agent", "--approve", "example.org", "--no-sign"),
    "allow-extra": (
        "egress", "allow-extra", "agent", "--host", "example.org", "--ttl", "PT1H",
        "--reason", "test",
    ),
    "keygen": ("keygen", "--output-prefix", "fresh"),
}  # fmt: skip


@contextmanager
def held(folder: Path) -> Iterator[None]:
    """The lock as another karsgit process holds it (a flock on the root folder)."""
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


@pytest.fixture
def compiled(repo: Repo, tmp_path: Path) -> Repo:
    gitops(repo)
    keys = tmp_path / "keys"
    keys.mkdir()
    assert run(keys, "keygen", env={"COSIGN_PASSWORD": PASSWORD}).returncode == 0
    return repo


def _files(repo: Repo) -> dict[str, bytes]:
    return {
        p.relative_to(repo.path).as_posix(): p.read_bytes()
        for p in sorted(repo.path.rglob("*"))
        if p.is_file() and ".git" not in p.relative_to(repo.path).parts
    }


@pytest.mark.parametrize("writer", sorted(WRITERS))
def test_a_writer_waits_for_the_lock_then_refuses(compiled: Repo, tmp_path, writer) -> None:
    args = [a.replace("KEY", str(tmp_path / "keys" / "cosign.key")) for a in WRITERS[writer]]
    if writer == "fix":
        manifest = compiled.path / MANIFEST
        manifest.write_text(manifest.read_text().replace("api.github.com", "API.github.com"))
    if writer == "sign":
        assert run(compiled.path, "compile").returncode == 0
    before = _files(compiled)
    env = {"KARSGIT_LOCK_TIMEOUT": "0.3", "COSIGN_PASSWORD": PASSWORD}
    with held(compiled.path):
        done = run(compiled.path, *args, env=env)
    assert done.returncode == 3, (done.stdout, done.stderr)
    assert one_line_error(done.stderr)
    assert "another karsgit command is writing to" in done.stderr
    assert _files(compiled) == before
    # the same command runs once the lock is free
    again = run(compiled.path, *args, env=env)
    assert again.returncode in (0, 1), again.stderr
    assert _files(compiled) != before

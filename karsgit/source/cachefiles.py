"""The files karsgit caches under ``.git/karsgit/`` between runs (the repo index,
the kustomization root index): where they live, the stamps that key them, and how
they are read and written. A cache only ever costs speed: one that is missing,
damaged or reached through a symlink reads as empty, and a failed write is
dropped.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable
from pathlib import Path

from karsgit.settings import Settings
from karsgit.source import gitio

Stamp = tuple[int, int, int, int]  # size, mtime_ns, ctime_ns, inode
# Like git's "racily clean" index entries: a file written within this window of
# the cache write may change again without moving its mtime, so it is not cached.
RACY_NS = 2_000_000_000


def cache_file(settings: Settings, name: str) -> Path:
    """Raises GitError outside a repository (and without ``cache_dir``)."""
    if settings.cache_dir is not None:
        return settings.cache_dir / name
    return gitio.karsgit_dir(settings.root) / name


def stamps(root: Path, paths: Iterable[str]) -> dict[str, Stamp]:
    """The stamp of each path that exists. The change time is in it because
    ``cp -p`` and ``touch -r`` restore the size and mtime of a changed file;
    nobody can set a ctime."""
    out: dict[str, Stamp] = {}
    base = f"{root}{os.sep}"  # string joins: Path division costs more than the stat
    for rel in paths:
        try:
            info = os.stat(base + rel)
        except OSError:
            continue
        out[rel] = (info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino)
    return out


def open_plain(path: Path) -> int | None:
    """A descriptor of the regular file at ``path``, never through a symlink (a link
    to /dev/zero would be read forever); None when there is none."""
    if path.parent.is_symlink():
        return None
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    except OSError:
        return None
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        return None
    return fd


def read_plain(path: Path) -> bytes | None:
    """The whole cache file, or None (see ``open_plain``)."""
    fd = open_plain(path)
    if fd is None:
        return None
    try:
        with os.fdopen(fd, "rb") as handle:
            return handle.read()
    except OSError:
        return None


def write_plain(path: Path, data: bytes) -> None:
    """Replace the cache file atomically; never through a link, and a read-only
    ``.git`` only costs the next run its speed."""
    import tempfile

    from karsgit.edit.paths import remove_leftovers

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.parent.is_symlink() or path.is_symlink():
            return  # never write through a link, wherever it points
        # A check killed mid-write leaves its temp file; a concurrent check that
        # loses its temp here only skips its cache update.
        remove_leftovers(path.parent, path.name)
        fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.replace(temp, path)
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise
    except OSError:
        pass

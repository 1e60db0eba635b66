"""The repository index: every kars object of the files a run was not given.

pre-commit passes only the staged files, but duplicate and approval-target rules
need the whole repository. The index parses the other files once and caches
their objects under ``.git/karsgit/`` keyed by (path, size, mtime_ns, ctime_ns,
inode), so a hook run on 5 files of a 10,000-file repository re-reads only what
changed since the last run (figures in docs/pre-commit.md). The change time is in
the key because ``cp -p`` and ``touch -r`` restore the size and mtime of a changed
file; nobody can set a ctime. A cache that is damaged, of another shape, or
reached through a symlink is ignored, never trusted and never written through.
"""

from __future__ import annotations

import marshal
import os
import time
import zlib
from collections.abc import Collection, Iterable
from collections.abc import Set as AbstractSet
from pathlib import Path
from typing import cast

from karsgit import __version__
from karsgit.errors import GitError
from karsgit.settings import Settings
from karsgit.source import gitio
from karsgit.source.cachefiles import RACY_NS, Stamp, cache_file, open_plain, stamps, write_plain
from karsgit.source.discover import selected
from karsgit.source.extract import to_object
from karsgit.source.indexcodec import decode, encode
from karsgit.source.load import ReadLimits, iter_kars_documents, load_file
from karsgit.source.objects import Approval, KarsObject
from karsgit.workers import fork_map, worth_forking

CACHE_NAME = "repoindex.marshal"
# (*stamp, names, offset, length, crc32 of the rows)
Entry = tuple[int, int, int, int, tuple[str, ...], int, int, int]
Packed = tuple[tuple[str, ...], bytes]  # (names, marshalled rows)
# Bump when what is cached changes shape or meaning (extract, indexcodec).
CACHE_FORMAT = 5
MAGIC = b"karsgit-index\n"
# On disk: objects as plain tuples (``karsgit.source.indexcodec``); marshal reads 10,000
# of them in milliseconds where pickle of the dataclasses took seconds.


def objects_outside(
    settings: Settings,
    given: Collection[str],
    checked: Iterable[KarsObject] = (),
    names: AbstractSet[str] | None = None,
) -> list[KarsObject]:
    """Objects of every selected repository file not in ``given`` (repo-relative).

    Sandboxes carry their endpoints only when an approval of ``checked`` names them.
    With ``names``, only objects named so, or approvals targeting such a name, are
    built: the cross-file rules relate objects by name, and building all 10,000 of
    a large repository costs more than the hook's whole budget.
    """
    if names is not None and not names:
        return []  # nothing can relate to no name: skip listing and stamping the repository
    root = settings.root
    try:
        listed = gitio.listed_files(root)
        cache_path = cache_file(settings, CACHE_NAME)
    except GitError:
        return []
    found = stamps(root, (p for p in listed if p not in given and selected(p, settings)))
    wanted = {(o.ref.namespace, o.sandbox) for o in checked if isinstance(o, Approval)}
    cache = _Cache.read(cache_path)
    missing = [p for p, stamp in found.items() if cache.stamp(p) != stamp]
    fresh = {p: _pack(objects) for p, objects in _parse(root, missing, settings)}
    if missing:
        cache = cache.updated(found, fresh, given)
        cache.write(cache_path)
    return [
        obj
        for path in found
        if names is None or not names.isdisjoint(cache.names(path))
        for obj in _decoded(cache, path, wanted, names, root, settings)
    ]


def _decoded(
    cache: _Cache,
    path: str,
    wanted: Collection[tuple[str, str]],
    names: AbstractSet[str] | None,
    root: Path,
    settings: Settings,
) -> tuple[KarsObject, ...]:
    try:
        return decode(marshal.loads(cache.blob(path)), wanted, names)
    except (EOFError, ValueError, TypeError, IndexError, KeyError, AttributeError):
        # A damaged cache entry: read the file itself, as without a cache.
        return decode(encode(_parse(root, [path], settings)[0][1]), wanted, names)


def _pack(objects: tuple[KarsObject, ...]) -> Packed:
    """The names a file's objects relate by, and their rows, marshalled on their own so
    that a run unmarshals only the files whose names it asks for."""
    found = {o.ref.name for o in objects} | {o.sandbox for o in objects if isinstance(o, Approval)}
    return tuple(sorted(found)), marshal.dumps(encode(objects))


def _valid_header(header: object, rows: int) -> bool:
    """Every entry of the shape ``Entry`` with its rows inside the file; one pass per
    column keeps this at a few ms for 10,000 files on the hook path."""
    if type(header) is not dict:
        return False
    if not all(type(k) is str for k in header):
        return False
    entries = list(header.values())
    if not all(type(e) is tuple and len(e) == 8 for e in entries):
        return False
    if not entries:
        return True
    columns = list(zip(*entries, strict=True))
    if not all(type(v) is int for i in (0, 1, 2, 3, 5, 6, 7) for v in columns[i]):
        return False
    if not all(type(n) is tuple and all(type(x) is str for x in n) for n in columns[4]):
        return False
    spans = zip(columns[5], columns[6], strict=True)
    return all(offset >= 0 and length >= 0 and offset + length <= rows for offset, length in spans)


class _Cache:
    """On disk: MAGIC, an 8-byte header length, a marshalled header {path: (size, mtime_ns,
    names, offset, length)}, then the rows of every file. A run reads the header and
    only the rows of files whose names it asks for (unmarshalling everything took ~65 ms
    on 10,000 sandboxes)."""

    def __init__(self, header: dict[str, Entry],
                 data: bytes | None = None, source: Path | None = None) -> None:  # fmt: skip
        self.header, self.data, self.source = header, data, source

    @classmethod
    def read(cls, path: Path) -> _Cache:
        fd = open_plain(path)
        if fd is None:
            return cls({})
        try:
            with os.fdopen(fd, "rb") as handle:
                if handle.read(len(MAGIC)) != MAGIC:
                    return cls({})
                size = int.from_bytes(handle.read(8), "little")
                total = os.fstat(handle.fileno()).st_size
                if len(MAGIC) + 8 + size > total:
                    return cls({})
                loaded = marshal.loads(handle.read(size))
            version, header = loaded if type(loaded) is tuple and len(loaded) == 2 else (0, {})
            rows = total - len(MAGIC) - 8 - size
            if version == (__version__, CACHE_FORMAT) and _valid_header(header, rows):
                return cls(cast("dict[str, Entry]", header), source=path)
        except (OSError, EOFError, ValueError, TypeError, IndexError):
            pass
        return cls({})

    def stamp(self, path: str) -> Stamp | None:
        entry = self.header.get(path)
        return entry[:4] if entry else None

    def names(self, path: str) -> tuple[str, ...]:
        return self.header[path][4]

    def blob(self, path: str) -> bytes:
        """The rows of one file; a checksum mismatch reads as a damaged entry."""
        *_, offset, length, crc = self.header[path]
        if self.data is None:  # one plain read of the rows region, parsed per file
            assert self.source is not None
            fd = open_plain(self.source)
            if fd is None:
                raise ValueError("cache file went away")
            with os.fdopen(fd, "rb") as handle:
                handle.seek(len(MAGIC))
                handle.seek(len(MAGIC) + 8 + int.from_bytes(handle.read(8), "little"))
                self.data = handle.read()
        blob = self.data[offset : offset + length]
        if zlib.crc32(blob) != crc:
            raise ValueError("cache entry checksum mismatch")
        return blob

    def updated(
        self, stamps: dict[str, Stamp], fresh: dict[str, Packed], given: Collection[str]
    ) -> _Cache:
        """Entries of the given files stay cached for the next run, which may not pass them."""
        keep = [p for p in given if p in self.header] + list(stamps)
        header, chunks, offset = {}, [], 0
        for path in dict.fromkeys(keep):
            stamp = stamps.get(path) or self.stamp(path)
            try:
                names, blob = fresh[path] if path in fresh else (self.names(path), self.blob(path))
            except (OSError, ValueError):
                continue  # a damaged entry is dropped: the next run reads the file
            assert stamp is not None
            header[path] = (*stamp, names, offset, len(blob), zlib.crc32(blob))
            chunks.append(blob)
            offset += len(blob)
        return _Cache(header, b"".join(chunks))

    def write(self, path: Path) -> None:
        limit = time.time_ns() - RACY_NS
        # racy on mtime, as git's index is: ctime and inode only catch replacements
        stable = {p: e for p, e in self.header.items() if e[1] < limit}
        head = marshal.dumps(((__version__, CACHE_FORMAT), stable))
        write_plain(path, MAGIC + len(head).to_bytes(8, "little") + head + (self.data or b""))


def _objects_of(args: tuple[str, str, int]) -> tuple[str, tuple[KarsObject, ...]]:
    abspath, rel, limit = args
    loaded = load_file(abspath, rel, ReadLimits(limit))
    objects = (to_object(doc) for doc in iter_kars_documents(loaded))
    return rel, tuple(obj for obj in objects if obj is not None)


def _parse(
    root: Path, paths: list[str], settings: Settings
) -> list[tuple[str, tuple[KarsObject, ...]]]:
    jobs = [(str(root / p), p, settings.max_file_bytes) for p in paths]
    if not worth_forking(len(jobs)):
        return [_objects_of(job) for job in jobs]
    return list(fork_map(_objects_of, jobs, chunksize=64))

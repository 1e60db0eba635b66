"""The repository index: every kars object of the files a run was not given.

pre-commit passes only the staged files, but duplicate and approval-target rules
need the whole repository. The index parses the other files once and caches
their objects under ``.git/karsgit/`` keyed by (path, size, mtime_ns), so a hook
run on 5 files of a 10,000-file repository re-reads only what changed since the
last run (figures in docs/pre-commit.md).
"""

from __future__ import annotations

import marshal
import os
import time
from collections.abc import Collection, Iterable
from collections.abc import Set as AbstractSet
from pathlib import Path

from karsgit import __version__
from karsgit.errors import GitError
from karsgit.settings import Settings
from karsgit.source import gitio
from karsgit.source.discover import selected
from karsgit.source.extract import to_object
from karsgit.source.indexcodec import decode, encode
from karsgit.source.load import ReadLimits, iter_kars_documents, load_file
from karsgit.source.objects import Approval, KarsObject
from karsgit.workers import fork_map, worth_forking

CACHE_NAME = "karsgit/repoindex.marshal"
# Like git's "racily clean" index entries: a file written within this window of
# the cache write may change again without moving its mtime, so it is not cached.
RACY_NS = 2_000_000_000

Stamp = tuple[int, int]
Packed = tuple[tuple[str, ...], bytes]  # (names, marshalled rows)
# Bump when what is cached changes shape or meaning (extract, indexcodec).
CACHE_FORMAT = 4
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
    root = settings.root
    try:
        listed = gitio.listed_files(root)
        cache_path = _cache_path(root)
    except GitError:
        return []
    stamps = _stamps(root, (p for p in listed if p not in given and selected(p, settings)))
    wanted = {(o.ref.namespace, o.sandbox) for o in checked if isinstance(o, Approval)}
    cache = _Cache.read(cache_path)
    missing = [p for p, stamp in stamps.items() if cache.stamp(p) != stamp]
    fresh = {p: _pack(objects) for p, objects in _parse(root, missing, settings)}
    if missing:
        cache = cache.updated(stamps, fresh, given)
        cache.write(cache_path)
    return [
        obj
        for path in stamps
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
    except (EOFError, ValueError, TypeError, IndexError):
        # A damaged cache entry: read the file itself, as without a cache.
        return decode(encode(_parse(root, [path], settings)[0][1]), wanted, names)


def _pack(objects: tuple[KarsObject, ...]) -> Packed:
    """The names a file's objects relate by, and their rows, marshalled on their own so
    that a run unmarshals only the files whose names it asks for."""
    found = {o.ref.name for o in objects} | {o.sandbox for o in objects if isinstance(o, Approval)}
    return tuple(sorted(found)), marshal.dumps(encode(objects))


def _cache_path(root: Path) -> Path:
    override = os.environ.get("KARSGIT_CACHE_DIR")
    if override:
        return Path(override) / "repoindex.marshal"
    return gitio.git_path(root, CACHE_NAME)


def _stamps(root: Path, paths: Iterable[str]) -> dict[str, Stamp]:
    out: dict[str, Stamp] = {}
    base = f"{root}{os.sep}"  # string joins: Path division costs more than the stat
    for rel in paths:
        try:
            info = os.stat(base + rel)
        except OSError:
            continue
        out[rel] = (info.st_size, info.st_mtime_ns)
    return out


class _Cache:
    """On disk: MAGIC, an 8-byte header length, a marshalled header {path: (size, mtime_ns,
    names, offset, length)}, then the rows of every file. A run reads the header and
    only the rows of files whose names it asks for (unmarshalling everything took ~65 ms
    on 10,000 sandboxes)."""

    def __init__(self, header: dict[str, tuple[int, int, tuple[str, ...], int, int]],
                 data: bytes | None = None, source: Path | None = None) -> None:  # fmt: skip
        self.header, self.data, self.source = header, data, source

    @classmethod
    def read(cls, path: Path) -> _Cache:
        try:
            with open(path, "rb") as handle:
                if handle.read(len(MAGIC)) != MAGIC:
                    return cls({})
                size = int.from_bytes(handle.read(8), "little")
                total = os.fstat(handle.fileno()).st_size
                if len(MAGIC) + 8 + size > total:
                    return cls({})
                version, header = marshal.loads(handle.read(size))
            if version == (__version__, CACHE_FORMAT) and isinstance(header, dict):
                rows = total - len(MAGIC) - 8 - size
                if all(e[3] + e[4] <= rows for e in header.values()):
                    return cls(header, source=path)
        except (OSError, EOFError, ValueError, TypeError, IndexError):
            pass
        return cls({})

    def stamp(self, path: str) -> Stamp | None:
        entry = self.header.get(path)
        return (entry[0], entry[1]) if entry else None

    def names(self, path: str) -> tuple[str, ...]:
        return self.header[path][2]

    def blob(self, path: str) -> bytes:
        *_, offset, length = self.header[path]
        if self.data is None:  # one plain read of the rows region, parsed per file
            assert self.source is not None
            with open(self.source, "rb") as handle:
                handle.seek(len(MAGIC))
                handle.seek(len(MAGIC) + 8 + int.from_bytes(handle.read(8), "little"))
                self.data = handle.read()
        return self.data[offset : offset + length]

    def updated(
        self, stamps: dict[str, Stamp], fresh: dict[str, Packed], given: Collection[str]
    ) -> _Cache:
        """Entries of the given files stay cached for the next run, which may not pass them."""
        keep = [p for p in given if p in self.header] + list(stamps)
        header, chunks, offset = {}, [], 0
        for path in dict.fromkeys(keep):
            stamp = stamps.get(path) or self.stamp(path)
            names, blob = fresh[path] if path in fresh else (self.names(path), self.blob(path))
            assert stamp is not None
            header[path] = (*stamp, names, offset, len(blob))
            chunks.append(blob)
            offset += len(blob)
        return _Cache(header, b"".join(chunks))

    def write(self, path: Path) -> None:
        limit = time.time_ns() - RACY_NS
        stable = {p: e for p, e in self.header.items() if e[1] < limit}
        head = marshal.dumps(((__version__, CACHE_FORMAT), stable))
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            temp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
            with open(temp, "wb") as handle:
                handle.write(MAGIC + len(head).to_bytes(8, "little") + head + (self.data or b""))
            os.replace(temp, path)
        except OSError:
            pass  # a read-only .git only costs speed, never correctness


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

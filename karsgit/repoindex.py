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

from karsgit import __version__, gitio
from karsgit.discover import selected
from karsgit.errors import GitError
from karsgit.extract import to_object
from karsgit.indexcodec import decode, encode
from karsgit.load import ReadLimits, iter_kars_documents, load_file
from karsgit.model import Approval, KarsObject
from karsgit.settings import Settings

CACHE_NAME = "karsgit/repoindex.marshal"
# Like git's "racily clean" index entries: a file written within this window of
# the cache write may change again without moving its mtime, so it is not cached.
RACY_NS = 2_000_000_000
PARALLEL_THRESHOLD = 400

Stamp = tuple[int, int]
Packed = tuple[tuple[str, ...], bytes]  # (names, marshalled rows)
Entry = tuple[Stamp, Packed]
# Bump when what is cached changes shape or meaning (extract, indexcodec).
CACHE_FORMAT = 3
# On disk: objects as plain tuples (``karsgit.indexcodec``); marshal reads 10,000
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
    cached = _read_cache(cache_path)
    missing = [p for p, stamp in stamps.items() if cached.get(p, (None,))[0] != stamp]
    fresh = {p: _pack(objects) for p, objects in _parse(root, missing, settings)}
    rows = {p: (stamp, fresh[p] if p in fresh else cached[p][1]) for p, stamp in stamps.items()}
    if missing:
        _write_cache(cache_path, {**_kept(cached, given), **rows})
    return [
        obj
        for _, (found, blob) in rows.values()
        if names is None or not names.isdisjoint(found)
        for obj in decode(marshal.loads(blob), wanted, names)
    ]


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


def _kept(cached: dict[str, Entry], given: Collection[str]) -> dict[str, Entry]:
    """Entries of the given files stay cached for the next run, which may not pass them."""
    return {p: cached[p] for p in given if p in cached}


def _read_cache(path: Path) -> dict[str, Entry]:
    try:
        with open(path, "rb") as handle:
            version, stored = marshal.load(handle)
        if version != (__version__, CACHE_FORMAT):
            return {}
        return {
            p: ((size, mtime), (names, blob)) for p, (size, mtime, names, blob) in stored.items()
        }
    except (OSError, EOFError, ValueError, TypeError, IndexError, KeyError):
        return {}


def _write_cache(path: Path, entries: dict[str, Entry]) -> None:
    limit = time.time_ns() - RACY_NS
    stable = {p: (*e[0], *e[1]) for p, e in entries.items() if e[0][1] < limit}
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        with open(temp, "wb") as handle:
            marshal.dump(((__version__, CACHE_FORMAT), stable), handle)
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
    workers = min(os.cpu_count() or 1, 4)
    if len(jobs) < PARALLEL_THRESHOLD or workers < 2:
        return [_objects_of(job) for job in jobs]
    import concurrent.futures
    import multiprocessing

    context = multiprocessing.get_context("fork")
    with concurrent.futures.ProcessPoolExecutor(workers, mp_context=context) as pool:
        return list(pool.map(_objects_of, jobs, chunksize=64))

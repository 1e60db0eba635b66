"""The root index: the kustomization graph and which roots each repository file
reaches, kept between runs so that a hook run neither reads every kustomization
nor walks every root to learn which ones its files touch (issue 12).

Cached beside the repo index (``.git/karsgit/rootindex.marshal``), keyed by the
stamps of every listed kustomization file (karsgit.source.cachefiles) and by
whether each path that decided an entry was listed (an entry that looks like a
URL is remote only when no such file is listed). Any change to a kustomization
file, or a file added or removed under such a name, reads the files again. What
is not cached is looked up each run: which roots the settings name and which
paths Flux and Argo CD objects apply (those objects live in any YAML file). A
kustomization's document is parsed when a render needs it, not before.
"""

from __future__ import annotations

import marshal
import time
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from karsgit import __version__
from karsgit.errors import GitError
from karsgit.findings import Position
from karsgit.render.tree import (
    Graph,
    Kustomization,
    Ref,
    assemble,
    kustomization_files,
    read_kustomizations,
)
from karsgit.settings import Settings
from karsgit.source.cachefiles import RACY_NS, Stamp, cache_file, read_plain, stamps, write_plain

CACHE_NAME = "rootindex.marshal"
MAGIC = b"karsgit-roots\n"
# Bump when what is cached changes shape or meaning (tree.Kustomization, tree.Ref).
CACHE_FORMAT = 1

Keys = dict[str, Stamp | None]  # kustomization file -> stamp (None: listed, not on disk)


@dataclass
class RootIndex:
    graph: Graph
    file_roots: dict[str, tuple[str, ...]]  # repository file -> the roots that consume it

    def reached(self, given: Iterable[str]) -> list[str]:
        """The roots any of these files reach, in the graph's order."""
        hit = {root for path in given for root in self.file_roots.get(path, ())}
        return [root for root in self.graph.roots if root in hit]


def repo_index(settings: Settings) -> RootIndex | None:
    """The repository's root index; None where nothing is rendered: rendering is
    off, the folder is not a git work tree, or it holds no kustomization."""
    from karsgit.source import gitio

    if not settings.render_enabled:
        return None
    try:
        listed = gitio.listed_files(settings.root)
    except GitError:
        return None
    if not kustomization_files(listed):
        return None
    return root_index(settings, listed)


def root_index(settings: Settings, listed: list[str]) -> RootIndex:
    root = settings.root
    paths = kustomization_files(listed)
    found = stamps(root, paths)
    keys: Keys = {path: found.get(path) for path in paths}
    try:
        where: Path | None = cache_file(settings, CACHE_NAME)
    except GitError:
        where = None
    cached = _read(where, keys, listed) if where is not None else None
    probed: dict[str, bool] = {}
    if cached is not None:
        kustomizations, probed, roots, file_roots = cached
        for k in kustomizations.values():
            k.tree = root
    else:
        kustomizations = read_kustomizations(root, listed, probed)
        roots, file_roots = (), {}
    graph = assemble(root, kustomizations, settings.render_roots)
    if cached is None or tuple(graph.roots) != roots:  # or other roots named, a Flux path added
        file_roots = _file_roots(graph)
        if where is not None and not _racy(found.values()):
            _write(where, keys, probed, graph, file_roots)
    return RootIndex(graph, file_roots)


def _file_roots(graph: Graph) -> dict[str, tuple[str, ...]]:
    out: dict[str, list[str]] = {}
    for root in graph.roots:
        for path in graph.files(root):
            out.setdefault(path, []).append(root)
    return {path: tuple(roots) for path, roots in out.items()}


def _racy(found: Iterable[Stamp]) -> bool:
    """A file written this close to now may change again without moving its mtime."""
    limit = time.time_ns() - RACY_NS
    return any(stamp[1] >= limit for stamp in found)


FileRoots = dict[str, tuple[str, ...]]
Cached = tuple[dict[str, Kustomization], dict[str, bool], tuple[str, ...], FileRoots]


def _write(
    where: Path,
    keys: Keys,
    probed: dict[str, bool],
    graph: Graph,
    file_roots: dict[str, tuple[str, ...]],
) -> None:
    rows = [
        (k.directory, k.path, [_ref_row(r) for r in k.refs], _pos_row(k.helm), k.component,
         _pos_row(k.namespace))
        for k in graph.kustomizations.values()
    ]  # fmt: skip
    body = marshal.dumps(((__version__, CACHE_FORMAT), keys, probed, rows, tuple(graph.roots),
                          file_roots))  # fmt: skip
    write_plain(where, MAGIC + zlib.crc32(body).to_bytes(4, "little") + body)


def _ref_row(ref: Ref) -> tuple[Any, ...]:
    return (ref.field, ref.target, *ref.position, ref.patch, ref.remote, ref.directory)


def _pos_row(position: Position | None) -> tuple[int, int] | None:
    return None if position is None else (position.line, position.column)


def _read(where: Path, keys: Keys, listed: list[str]) -> Cached | None:
    """None unless the cache is whole, of this shape, and made from these files."""
    data = read_plain(where)
    if data is None or not data.startswith(MAGIC):
        return None
    crc, body = data[len(MAGIC) : len(MAGIC) + 4], data[len(MAGIC) + 4 :]
    if int.from_bytes(crc, "little") != zlib.crc32(body):
        return None
    try:
        return _decode(marshal.loads(body), keys, set(listed))
    except (EOFError, ValueError, TypeError, IndexError, KeyError):
        return None


def _decode(loaded: Any, keys: Keys, listed: set[str]) -> Cached | None:
    version, cached_keys, probed, rows, roots, file_roots = loaded
    if version != (__version__, CACHE_FORMAT) or cached_keys != keys:
        return None
    if type(probed) is not dict or any(
        type(path) is not str or type(was) is not bool or (path in listed) != was
        for path, was in probed.items()
    ):
        return None
    kustomizations = {}
    for directory, path, refs, helm, component, namespace in rows:
        _strings(directory, path)
        k = Kustomization(directory, path, [_ref(row) for row in refs], _position(helm),
                          _flag(component), _position(namespace))  # fmt: skip
        kustomizations[directory] = k
    if type(roots) is not tuple:
        raise TypeError("roots")
    _strings(*roots)
    if type(file_roots) is not dict:
        raise TypeError("file roots")
    for path, reached in file_roots.items():
        if type(reached) is not tuple:
            raise TypeError("file roots")
        _strings(path, *reached)
    return kustomizations, probed, roots, file_roots


def _ref(row: Any) -> Ref:
    field, target, line, column, patch, remote, directory = row
    _strings(field, target)
    position = _at(line, column)
    return Ref(field, target, position, _flag(patch), _flag(remote), _flag(directory))


def _position(row: Any) -> Position | None:
    return None if row is None else _at(*row)


def _at(line: Any, column: Any) -> Position:
    if type(line) is not int or type(column) is not int:
        raise TypeError("position")
    return Position(line, column)


def _flag(value: Any) -> bool:
    if type(value) is not bool:
        raise TypeError("flag")
    return value


def _strings(*values: Any) -> None:
    if not all(type(v) is str for v in values):
        raise TypeError("string")

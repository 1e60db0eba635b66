"""Two sides of a change: the kars objects and bundle files of the changed paths,
read from git objects at a revision (no checkout) or from the work tree.

Only the files that differ between the sides are read (``git diff --name-only``
plus untracked files), so ``check --base`` and ``diff`` cost what the change
costs, not what the repository weighs. Objects are keyed by ``ObjectRef``, so
a moved or renamed manifest is the same object on both sides.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from karsgit.bundle.layout import (
    BUNDLE_FILE,
    COSIGN_FILE,
    SIGSTORE_FILE,
    bundle_rel,
    is_bundle_file,
)
from karsgit.errors import FileTooLarge
from karsgit.settings import Settings
from karsgit.source import gitio
from karsgit.source.discover import selected
from karsgit.source.extract import to_object
from karsgit.source.load import iter_kars_documents, load_bytes
from karsgit.source.objects import SANDBOX, KarsObject, ObjectRef, Sandbox

BUNDLE_LEAVES = (BUNDLE_FILE, SIGSTORE_FILE, COSIGN_FILE)


@dataclass
class Side:
    """One revision (``rev`` None: the work tree) restricted to the changed paths."""

    rev: str | None
    objects: dict[ObjectRef, KarsObject] = field(default_factory=dict)
    files: dict[str, bytes] = field(default_factory=dict)
    # The allowlist as written (quotes, case, order), for ``noop-edit``.
    allowlists: dict[ObjectRef, str] = field(default_factory=dict)


@dataclass
class Change:
    old: Side
    new: Side
    paths: list[str]


def read(root: Path, rev: str | None, paths: Iterable[str], limit: int) -> dict[str, bytes]:
    """The bytes of ``paths`` at ``rev``; a file over ``limit`` stops the run
    (FileTooLarge) before it is read: a side that is not read whole cannot be judged."""
    wanted = list(paths)
    if rev is not None:
        sizes = gitio.blob_sizes(root, rev, wanted)
        for rel, size in sizes.items():
            if size > limit:
                raise FileTooLarge(f"{rel} at {rev[:12]}", size, limit)
        return gitio.read_blobs(root, rev, [p for p in wanted if p in sizes])
    out = {}
    for rel in wanted:
        try:
            size = (root / rel).stat().st_size
            if size > limit:
                raise FileTooLarge(rel, size, limit)
            out[rel] = (root / rel).read_bytes()
        except OSError:
            continue
    return out


def load_side(settings: Settings, rev: str | None, paths: list[str]) -> Side:
    side = Side(rev)
    wanted = [p for p in paths if selected(p, settings) or is_bundle_file(settings, p)]
    for rel, raw in sorted(read(settings.root, rev, wanted, settings.max_file_bytes).items()):
        if is_bundle_file(settings, rel):
            side.files[rel] = raw
            continue
        loaded = load_bytes(rel, raw)
        lines = (loaded.text or "").splitlines()
        for doc in iter_kars_documents(loaded):
            obj = to_object(doc)
            if obj is not None and obj.ref not in side.objects:
                side.objects[obj.ref] = obj
                side.allowlists[obj.ref] = _written(obj, lines)
    return side


def _written(obj: KarsObject, lines: list[str]) -> str:
    entries = obj.endpoints if isinstance(obj, Sandbox) else ()
    if not entries:
        return ""
    first = min(e.position.line for e in entries)
    last = max(max(e.host_position.line, e.port_position.line) for e in entries)
    return "\n".join(line.strip() for line in lines[first - 1 : last])


def _add_bundles(settings: Settings, change: Change) -> None:
    """Bundles of every changed sandbox, on both sides, even when only the manifest changed."""
    refs = {r for s in (change.old, change.new) for r in s.objects if r.kind == SANDBOX}
    leaves = [bundle_rel(settings, r, leaf) for r in sorted(refs) for leaf in BUNDLE_LEAVES]
    for side in (change.old, change.new):
        missing = [p for p in leaves if p not in change.paths]
        side.files.update(read(settings.root, side.rev, missing, settings.max_file_bytes))


def load_change(settings: Settings, base: str, head: str | None = None) -> Change:
    root = settings.root
    base_id = gitio.resolve(root, base)
    head_id = gitio.resolve(root, head) if head is not None else None
    paths = gitio.changed_files(root, base_id, head_id)
    change = Change(load_side(settings, base_id, paths), load_side(settings, head_id, paths), paths)
    _add_bundles(settings, change)
    return change


def raw_endpoints(sandbox: Sandbox) -> tuple[tuple[object, object, bool], ...]:
    return tuple((e.host, e.port, e.has_port) for e in sandbox.endpoints)

"""``karsgit diff`` on kustomize repositories: the roots a change reaches are
rendered at both revisions (exported to a temporary directory; the work tree as
it is) and diffed per root, so a change made only in an overlay shows up. Files
those roots consume are left out of the file-by-file diff.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from karsgit.render import kustomize
from karsgit.render.tree import NAMES, build_graph, kustomization_files
from karsgit.run.diff import BundlePath, EgressDiff, SandboxDiff, compute
from karsgit.settings import Settings
from karsgit.source import gitio
from karsgit.source.extract import to_object
from karsgit.source.load import iter_kars_documents, parse_documents
from karsgit.source.objects import KarsObject, ObjectRef
from karsgit.source.revisions import Change, Side


def rendered_diff(
    settings: Settings,
    change: Change,
    where: BundlePath,
    suffix: Callable[[str], bool],
    names: tuple[str, str],
) -> EgressDiff | None:
    """None when no kustomization root is reached: the file-by-file diff stands."""
    if not settings.render_enabled or change.old.rev is None:
        return None
    with tempfile.TemporaryDirectory(prefix="karsgit-diff-") as tmp:
        base_root = Path(tmp, "base")
        head_root = settings.root if change.new.rev is None else Path(tmp, "head")
        if change.new.rev is not None:
            gitio.export_tree(settings.root, change.new.rev, head_root)
        listed = _listed(settings, head_root, change.new.rev is None)
        if not kustomization_files(listed):
            return None
        graph = build_graph(head_root, listed, settings.render_roots)
        roots = [r for r in graph.roots if graph.files(r) & set(change.paths)]
        if not roots:
            return None
        gitio.export_tree(settings.root, change.old.rev, base_root)
        renderer = kustomize.renderer_for(settings)
        consumed: set[str] = set()
        entries: list[SandboxDiff] = []
        for root in roots:
            now = kustomize.render(renderer, head_root, root)
            if now.error:
                continue  # 'karsgit check' reports render-failed
            before = kustomize.render(renderer, base_root, root) if _has(base_root, root) else None
            consumed |= graph.files(root)
            old = Side(change.old.rev, _objects(before.text if before else ""), change.old.files)
            new = Side(change.new.rev, _objects(now.text), change.new.files)
            label = graph.kustomizations[root].path
            part = compute(old, new, where, suffix, names)
            entries += [replace(e, path=label) for e in part.sandboxes]
    plain = compute(
        _without(change.old, consumed), _without(change.new, consumed), where, suffix, names
    )
    merged = sorted([*entries, *plain.sandboxes], key=lambda e: (e.namespace, e.name, e.path))
    return EgressDiff(names[0], names[1], merged)


def _listed(settings: Settings, root: Path, work_tree: bool) -> list[str]:
    if work_tree:
        return gitio.listed_files(root)
    out = []
    for folder, _, files in os.walk(root):
        rel = os.path.relpath(folder, root)
        out += [f if rel == "." else f"{rel}/{f}".replace(os.sep, "/") for f in files]
    return out


def _has(root: Path, directory: str) -> bool:
    folder = root / directory if directory else root
    return any((folder / name).is_file() for name in NAMES)


def _objects(text: str) -> dict[ObjectRef, KarsObject]:
    out: dict[ObjectRef, KarsObject] = {}
    for doc in iter_kars_documents(parse_documents("<rendered>", text)):
        obj = to_object(doc)
        if obj is not None:
            out.setdefault(obj.ref, obj)
    return out


def _without(side: Side, consumed: set[str]) -> Side:
    kept = {r: o for r, o in side.objects.items() if o.location.path not in consumed}
    return Side(side.rev, kept, side.files, side.allowlists)

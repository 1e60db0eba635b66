"""``check --base`` on kustomize repositories: the roots a change reaches are
rendered on both sides (the base revision exported to a temporary directory, the
work tree as it is), and the edit rules judge the rendered objects, per root. A
change made only in an overlay (an inline JSON6902 op adding a host) is then an
edit like any other, reported at the line that made it.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from karsgit.errors import GitError
from karsgit.findings import Hit
from karsgit.normalize.endpoints import normalize_host
from karsgit.normalize.entries import normal_set
from karsgit.render import kustomize
from karsgit.render.mapping import RootMap
from karsgit.render.tree import Graph, build_graph, kustomization_files
from karsgit.settings import Settings
from karsgit.source import gitio
from karsgit.source.extract import to_object
from karsgit.source.load import iter_kars_documents, parse_documents
from karsgit.source.objects import KarsObject, ObjectRef, Sandbox
from karsgit.source.revisions import Change, Side


@dataclass
class RenderedEdits:
    hits: list[tuple[str, Hit]] = field(default_factory=list)
    consumed: set[str] = field(default_factory=set)  # files judged through their roots


def rendered_edits(settings: Settings, base_rev: str, changed: Sequence[str]) -> RenderedEdits:
    """Edit hits of every root the changed files reach, on both sides."""
    out = RenderedEdits()
    if not settings.render_enabled:
        return out
    head = _graph(settings, settings.root)
    if head is None:
        return out
    roots = [r for r in head.roots if head.files(r) & set(changed)]
    if not roots:
        return out
    renderer = kustomize.renderer_for(settings)
    with tempfile.TemporaryDirectory(prefix="karsgit-base-") as tmp:
        base_root = Path(tmp)
        gitio.export_tree(settings.root, base_rev, base_root)
        for index, root in enumerate(roots):
            now = kustomize.render(renderer, settings.root, root)
            if now.error:
                continue  # check itself reports render-failed for the work tree
            out.consumed |= head.files(root)
            before = (
                kustomize.render(renderer, base_root, root) if _exists(base_root, root) else None
            )
            old = _objects(before.text) if before is not None and not before.error else {}
            mapped = RootMap(settings, head, head.kustomizations[root], now, f"<edit:{index}>")
            out.hits.extend(h for h in _judge(settings, mapped, old, base_rev) if h not in out.hits)
    return out


def _graph(settings: Settings, root: Path) -> Graph | None:
    try:
        listed = gitio.listed_files(root)
    except GitError:
        return None
    if not kustomization_files(listed):
        return None
    return build_graph(root, listed, settings.render_roots)


def _exists(base_root: Path, root: str) -> bool:
    folder = base_root / root if root else base_root
    return any(
        (folder / name).is_file()
        for name in ("kustomization.yaml", "kustomization.yml", "Kustomization")
    )


def _objects(text: str) -> dict[ObjectRef, KarsObject]:
    loaded = parse_documents("<base>", text)
    out: dict[ObjectRef, KarsObject] = {}
    for doc in iter_kars_documents(loaded):
        obj = to_object(doc)
        if obj is not None:
            out[obj.ref] = obj
    return out


def _judge(
    settings: Settings, mapped: RootMap, old: dict[ObjectRef, KarsObject], base_rev: str
) -> Iterator[tuple[str, Hit]]:
    from karsgit.rules.edits import check_edits

    new = _objects_of(mapped)
    change = Change(Side(base_rev, old), Side(None, new), [])
    for _, hit in check_edits(change, settings, lambda: ()):
        if hit.rule_id == "egress-widened":
            hit = _at_first_added(hit, old, new)
        elif hit.rule_id == "mode-relaxed":
            hit = _at_mode(hit, mapped, new)
        yield mapped.locate_hit(hit)


def _objects_of(mapped: RootMap) -> dict[ObjectRef, KarsObject]:
    out: dict[ObjectRef, KarsObject] = {}
    for doc in iter_kars_documents(mapped.loaded):
        obj = to_object(doc)
        if obj is not None:
            out[obj.ref] = obj
    return out


def _at_mode(hit: Hit, mapped: RootMap, new: dict[ObjectRef, KarsObject]) -> Hit:
    """At the egressMode that relaxed it (the patch that set Learn), not the object."""
    for ref, after in new.items():
        if isinstance(after, Sandbox) and str(ref) in hit.message:
            docs = [d for d in mapped.loaded.documents if d.index == after.document_index]
            if docs:
                return replace(hit, position=docs[0].pos(("spec", "networkPolicy", "egressMode")))
    return hit


def _at_first_added(
    hit: Hit, old: dict[ObjectRef, KarsObject], new: dict[ObjectRef, KarsObject]
) -> Hit:
    """At the first added endpoint, so the finding lands on the line that added it."""
    for ref, after in new.items():
        if not isinstance(after, Sandbox) or str(ref) not in hit.message:
            continue
        before = old.get(ref)
        was = set(normal_set(before)) if isinstance(before, Sandbox) else set()
        added = {e.host for e in normal_set(after) if e not in was}
        for raw in after.endpoints:
            normal = normalize_host(raw.host).normal if isinstance(raw.host, str) else None
            if normal in added:
                return replace(hit, position=raw.host_position)
    return hit

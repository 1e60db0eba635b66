"""Compile per rendered object (issue 12 item 5): every sandbox a kustomization
root renders has its own bundle, keyed by the root (karsgit.bundle.layout), and
its ``allowlistRef`` is written where kustomize renders it from.

A root whose rendered endpoints are those of the base resource leaves the ref to
the base, when every such root agrees on it; a root that changed them (or
disagrees) gets a strategic-merge patch file of its own, listed in its
kustomization's ``patches:``. Plans only; ``karsgit.run.compile`` writes.
"""

from __future__ import annotations

import os
import posixpath
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace

from karsgit.bundle.layout import TOP_ROOT, bundle_rel, in_bundle_dir
from karsgit.bundle.plan import (
    Target,
    expected_ref,
    is_bundled,
    read_bundle,
    ref_matches,
    registry_for,
    source_endpoints,
)
from karsgit.bundle.plan import render as render_bytes
from karsgit.errors import ConfigError
from karsgit.render.kustomize import Output
from karsgit.render.rootindex import repo_index
from karsgit.render.tree import Kustomization
from karsgit.settings import Settings
from karsgit.source.extract import to_object
from karsgit.source.load import Document, RepoDocuments, parse_documents
from karsgit.source.objects import SANDBOX, KarsObject, Location, Sandbox

# The patch file compile writes in a root that changed its sandboxes' endpoints.
PATCH_FILE = "karsgit-allowlistref.yaml"
_HEADER = (
    "# Written by 'karsgit compile': the allowlistRef of the sandboxes this root\n"
    "# renders with endpoints of its own (docs/kustomize.md). Do not edit.\n"
)
_ORIGIN = "config.kubernetes.io/origin"
_VIRTUAL = "<rendered:{}>"
Ref = dict[str, str]


@dataclass(frozen=True, slots=True)
class RenderedTarget:
    """One rendered sandbox's bundle: ``target.sandbox`` is the sandbox as rendered,
    located (for findings) where compile writes its ref."""

    root: Kustomization
    target: Target
    origin: Sandbox | None  # the resource as written, when kustomize names it
    patched: bool  # the ref goes into the root's patch file, not the resource

    @property
    def ref_path(self) -> str:
        return self.target.sandbox.location.path


@dataclass
class RenderedPlan:
    targets: list[RenderedTarget] = field(default_factory=list)
    # resource file -> [(document index, ref)] for refs the base carries
    base_edits: dict[str, list[tuple[int, Ref]]] = field(default_factory=dict)
    # patch file -> its full new text; kustomization file -> its new text
    files: dict[str, str] = field(default_factory=dict)

    def only(self, keep: Callable[[RenderedTarget], bool]) -> RenderedPlan:
        """The part of the plan for the kept targets: their bundles, the base refs
        they carry, their roots' patch files (an egress edit compiles what it reached)."""
        targets = [t for t in self.targets if keep(t)]
        bases = {_key(t.origin) for t in targets if t.origin is not None and not t.patched}
        patched = [t.root for t in targets if t.patched]
        names = {_patch_rel(top) for top in patched} | {top.path for top in patched}
        edits = {
            path: [e for e in found if (path, e[0]) in bases]
            for path, found in self.base_edits.items()
        }
        return RenderedPlan(
            targets,
            {path: found for path, found in edits.items() if found},
            {path: text for path, text in self.files.items() if path in names},
        )


def rendered_plan(
    settings: Settings, renders: Mapping[str, Output] | None = None
) -> RenderedPlan | None:
    """None for a repository without kustomizations (or with rendering off).

    ``renders``: the outputs the rendered check already has (CheckResult.renders);
    only the roots it did not render are rendered here."""
    known = repo_index(settings)
    if known is None:
        return None
    graph = known.graph
    roots = [r for r in graph.roots if graph.renderable(r) and not in_bundle_dir(settings, r)]
    if "" in roots and TOP_ROOT in roots:
        raise ConfigError(
            f"the repository's own kustomization and the folder '{TOP_ROOT}' are both "
            f"roots, and both would file their bundles under '{TOP_ROOT}'",
            "name the roots to compile under render.roots in .karsgit.yaml",
        )
    found: list[tuple[Kustomization, Sandbox, Sandbox | None]] = []
    files = _Files(settings)
    outputs = _outputs(settings, roots, renders)
    for index, (root, output) in enumerate(zip(roots, outputs, strict=True)):
        if output.error:
            continue  # check reports render-failed, which blocks compile
        top = graph.kustomizations[root]
        for sandbox, origin in _sandboxes(settings, output, _VIRTUAL.format(index), files):
            if is_bundled(sandbox, settings):
                found.append((top, sandbox, origin))
    return _place(settings, found, files)


def _outputs(
    settings: Settings, roots: list[str], renders: Mapping[str, Output] | None
) -> list[Output]:
    from karsgit.render.kustomize import render_roots, renderer_for

    done = dict(renders or {})
    missing = [r for r in roots if r not in done]
    done.update(
        zip(missing, render_roots(renderer_for(settings), settings.root, missing), strict=True)
    )
    return [done[r] for r in roots]


class _Files(RepoDocuments):
    """Repository files read once, as documents and as the sandboxes they hold."""

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings.root)
        self.sandboxes: dict[str, list[Sandbox]] = {}

    def sandboxes_of(self, rel: str) -> list[Sandbox]:
        """Typed once per file: a base of many sandboxes is read by every root."""
        if rel not in self.sandboxes:
            found = (to_object(d) for d in self.read(rel))
            self.sandboxes[rel] = [o for o in found if isinstance(o, Sandbox)]
        return self.sandboxes[rel]


def rendered_sandboxes(settings: Settings, output: Output) -> list[tuple[Sandbox, Sandbox | None]]:
    """Each sandbox a root renders, with the resource kustomize read it from."""
    return list(_sandboxes(settings, output, "<rendered>", _Files(settings)))


def _sandboxes(
    settings: Settings, output: Output, virtual: str, files: _Files
) -> Iterator[tuple[Sandbox, Sandbox | None]]:
    for doc in parse_documents(virtual, output.text).documents:
        sandbox = to_object(doc) if doc.kind == SANDBOX else None
        if isinstance(sandbox, Sandbox):
            yield sandbox, _origin(settings, doc, output.wrapper, files)


def _origin(settings: Settings, doc: Document, wrapper: str, files: _Files) -> Sandbox | None:
    """The resource kustomize read the sandbox from (its origin annotation)."""
    annotations = doc.metadata.get("annotations")
    text = annotations.get(_ORIGIN) if isinstance(annotations, dict) else None
    found = re.search(r"^path: (.+)$", text, re.M) if isinstance(text, str) else None
    if found is None:
        return None
    absolute = os.path.normpath(os.path.join(wrapper, found.group(1).strip().strip("'\"")))
    rel = os.path.relpath(absolute, settings.root).replace(os.sep, "/")
    same = files.sandboxes_of(rel)
    best = [o for o in same if o.ref.name and o.ref.name in doc.name]
    chosen = best or same
    return chosen[0] if chosen else None


def _target(settings: Settings, top: Kustomization, sandbox: Sandbox) -> Target:
    rel = bundle_rel(settings, sandbox.ref, root=top.directory)
    current = read_bundle(settings, rel)
    endpoints = source_endpoints(sandbox, settings)
    expected = render_bytes(endpoints, current) if endpoints is not None else None
    data = expected if expected is not None else current
    registry = registry_for(settings, sandbox)
    ref = expected_ref(settings, sandbox, data, registry) if data is not None else None
    return Target(sandbox, rel, endpoints, current, expected, ref)


def _place(
    settings: Settings,
    found: list[tuple[Kustomization, Sandbox, Sandbox | None]],
    files: _Files,
) -> RenderedPlan:
    targets = [(top, _target(settings, top, s), origin) for top, s, origin in found]
    patched = {id(t) for top, t, o in targets if _needs_patch(settings, top, t, o, files)}
    # A base can carry one ref: the roots that leave it alone must agree on it.
    by_origin: dict[tuple[str, int], set[tuple[tuple[str, str], ...]]] = {}
    for _, t, origin in targets:
        if origin is not None and id(t) not in patched and t.ref is not None:
            by_origin.setdefault(_key(origin), set()).add(tuple(sorted(t.ref.items())))
    split = {key for key, digests in by_origin.items() if len(digests) > 1}
    plan = RenderedPlan()
    patches: dict[str, list[tuple[str, Ref]]] = {}
    for top, t, origin in targets:
        if origin is None or id(t) in patched or _key(origin) in split:
            name = origin.ref.name if origin is not None else t.sandbox.ref.name
            if t.ref is not None:
                patches.setdefault(top.directory, []).append((name, dict(t.ref)))
            where = Location(_patch_rel(top), 1, 1)
            plan.targets.append(_located(top, t, origin, where, True, files))
            continue
        if t.ref is not None and not ref_matches(origin, t.ref):
            edits = plan.base_edits.setdefault(origin.location.path, [])
            if (origin.document_index, t.ref) not in edits:
                edits.append((origin.document_index, dict(t.ref)))
        plan.targets.append(_located(top, t, origin, origin.location, False, files))
    for directory, refs in sorted(patches.items()):
        top = next(t.root for t in plan.targets if t.root.directory == directory)
        plan.files[_patch_rel(top)] = _patch_text(refs)
        listed = _listed(settings, top)
        if listed is not None:
            plan.files[top.path] = listed
    return plan


def _key(origin: Sandbox) -> tuple[str, int]:
    return origin.location.path, origin.document_index


def _needs_patch(
    settings: Settings, top: Kustomization, t: Target, origin: Sandbox | None, files: _Files
) -> bool:
    """The root changed the endpoints, or already has the ref patch (kept so that a
    second compile decides as the first did)."""
    if origin is None:
        return True
    if source_endpoints(origin, settings) != t.endpoints:
        return True
    name = origin.ref.name
    return any(d.name == name for d in files.read(_patch_rel(top)) if d.kind == SANDBOX)


def _located(
    top: Kustomization,
    t: Target,
    origin: Sandbox | None,
    where: Location,
    patched: bool,
    files: _Files,
) -> RenderedTarget:
    """The rendered sandbox, placed at the document that carries its ref."""
    index = origin.document_index if origin is not None and not patched else 0
    if patched:
        name = origin.ref.name if origin is not None else t.sandbox.ref.name
        docs = files.read(where.path)
        index = next((d.index for d in docs if d.name == name), len(docs))
        if not docs:  # no patch file yet: its kustomization is where it will be listed
            where, index = Location(top.path, 1, 1), 1
    sandbox = replace(t.sandbox, location=where, document_index=index)
    return RenderedTarget(top, replace(t, sandbox=sandbox), origin, patched)


def _patch_rel(top: Kustomization) -> str:
    return posixpath.join(top.directory, PATCH_FILE) if top.directory else PATCH_FILE


def _patch_text(refs: list[tuple[str, Ref]]) -> str:
    from karsgit.edit.rewrite import new_document
    from karsgit.source.objects import KARS_GROUP

    docs = []
    for name, ref in sorted(refs, key=lambda item: item[0]):
        doc: Mapping[str, object] = {
            "apiVersion": f"{KARS_GROUP}/v1alpha1",
            "kind": SANDBOX,
            "metadata": {"name": name},
            "spec": {"networkPolicy": {"allowlistRef": ref}},
        }
        docs.append(new_document(doc))
    return _HEADER + "---\n".join(docs)


def _listed(settings: Settings, top: Kustomization) -> str | None:
    """The root's kustomization with the patch file listed; None when it already is."""
    from karsgit.edit.rewrite import append_entry

    data = top.doc.data if top.doc is not None and isinstance(top.doc.data, dict) else {}
    for name in ("patches", "patchesStrategicMerge"):
        entries = data.get(name)
        if isinstance(entries, list) and any(_names(e, PATCH_FILE) for e in entries):
            return None
    from karsgit.edit.files import read_text

    text, form = read_text(settings.root / top.path)  # a BOM and CRLF line ends survive
    return form.join(append_entry(text, "patches", {"path": PATCH_FILE}))


def _names(entry: object, file: str) -> bool:
    ref = entry.get("path") if isinstance(entry, dict) else entry
    return isinstance(ref, str) and posixpath.normpath(ref) == file


def objects_of(objects: list[KarsObject]) -> list[KarsObject]:
    """``check``'s objects without the rendered ones (their bundles are planned here)."""
    return [o for o in objects if not o.location.path.startswith("<rendered:")]


@dataclass(frozen=True)
class Planned:
    """Every bundle a rendered check implies: the sandboxes written as plain files,
    and (``staged``) each sandbox a kustomization root renders, against its root's
    bundle. ``sign``, ``publish`` and ``verify`` see the set ``compile`` writes."""

    files: list[Target]
    staged: RenderedPlan | None

    @property
    def rendered(self) -> list[Target]:
        return [r.target for r in self.staged.targets] if self.staged is not None else []

    @property
    def targets(self) -> list[Target]:
        return [*self.files, *self.rendered]


def all_targets(
    settings: Settings, objects: list[KarsObject], renders: Mapping[str, Output]
) -> Planned:
    from karsgit.bundle.plan import plan

    staged = rendered_plan(settings, renders)
    return Planned(plan(settings, objects if staged is None else objects_of(objects)), staged)

"""The egress flows on a kustomize repository (docs/egress.md, "kustomize
repositories"): the sandbox a root renders, the source file that sets its list
or mode for that root (karsgit.render.placement), the edit of that file, its
check on the roots it reaches rendered from a copy, and their recompile.

Never prints, never exits. Refusals are exit 1 (``Refused``); a ``--root`` that
is not a root is a usage error (exit 2).
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from karsgit.bundle.plan import deny_all
from karsgit.edit.files import TextForm
from karsgit.errors import UsageError
from karsgit.findings import Finding, Position
from karsgit.render.kustomize import Output
from karsgit.render.placement import Op, Placement, Setter, place
from karsgit.render.tree import Graph
from karsgit.run.check import CheckResult
from karsgit.run.egress import (
    MODE_PATH,
    Edit,
    Refused,
    Request,
    empty_refusal,
    is_strict,
    judge_edit,
    label,
    plan_approvals,
    plan_denials,
    resolve,
)
from karsgit.settings import Settings
from karsgit.source.load import Document, parse_documents
from karsgit.source.objects import SANDBOX, Sandbox

LIST_PATH = ("spec", "networkPolicy", "allowedEndpoints")
_LIST = "allowedEndpoints"
_MODE = "egressMode"


@dataclass(frozen=True)
class Rendered:
    """A sandbox as one root renders it, with the resource kustomize read it from."""

    root: str
    sandbox: Sandbox
    origin: Sandbox | None

    @property
    def name(self) -> str:
        return f"{label(self.sandbox)} of {self.root or '.'}"


@dataclass
class RenderedEdit:
    edits: dict[str, Edit] = field(default_factory=dict)  # by file, in edit order
    changes: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    roots: list[str] = field(default_factory=list)  # every root the edit reaches, its own first


def load_graph(settings: Settings) -> Graph | None:
    """The kustomization graph, or None where egress reads the raw files."""
    from karsgit.render.rootindex import repo_index

    index = repo_index(settings)
    return index.graph if index is not None else None


def root_of(settings: Settings, graph: Graph | None, given: str) -> str:
    """``--root``: a root's directory, relative to the current directory or the
    repository, or the name of the Flux Kustomization or Argo CD Application that
    applies it (a cluster's name for it)."""
    roots = _roots(settings, graph)
    hint = f"pass one of: {', '.join(r or '.' for r in roots)}" if roots else ""
    if graph is not None and graph.apps:
        hint += f", or an application name: {', '.join(graph.apps)}"
    if graph is None:
        raise UsageError(
            f"--root {given}: this repository has no kustomization to render",
            "leave out --root; the sandbox is read from its manifest",
        )
    for candidate in _candidates(settings, given):
        if candidate in roots:
            return candidate
        if candidate in graph.kustomizations:
            users = sorted(
                k.directory or "."
                for k in graph.kustomizations.values()
                if any(r.target == candidate for r in k.includes())
            )
            included = f" (included by {', '.join(users)})" if users else ""
            raise UsageError(f"--root {given}: not a kustomization root{included}", hint)
    applied = [path for path in graph.apps.get(given, ()) if path in roots]
    if len(applied) == 1:
        return applied[0]
    if applied:
        shown = ", ".join(path or "." for path in applied)
        raise UsageError(
            f"--root {given}: GitOps objects of that name apply {len(applied)} roots: {shown}",
            "pass the root's directory",
        )
    raise UsageError(f"--root {given}: no kustomization root there", hint)


def _roots(settings: Settings, graph: Graph | None) -> list[str]:
    from karsgit.bundle.layout import in_bundle_dir

    return [r for r in graph.roots if not in_bundle_dir(settings, r)] if graph else []


def _candidates(settings: Settings, given: str) -> list[str]:
    import posixpath

    out = []
    try:
        here = (Path.cwd() / given).resolve().relative_to(settings.root.resolve())
        out.append("" if str(here) == "." else here.as_posix())
    except (ValueError, OSError):
        pass
    plain = posixpath.normpath(given.strip("/")) if given.strip("/") else "."
    out.append("" if plain == "." else plain)
    return out


def find(
    settings: Settings, result: CheckResult, name: str, namespace: str | None, root: str | None
) -> Sandbox | Rendered:
    """The one sandbox NAME means: a plain manifest's, or one root's rendered object."""
    from karsgit.render.bundles import objects_of, rendered_sandboxes

    rendered = [
        Rendered(directory, sandbox, origin)
        for directory, output in _rendered(result.renders, root)
        for sandbox, origin in rendered_sandboxes(settings, output)
        if sandbox.ref.name == name
    ]
    plain = [] if root is not None else [o for o in objects_of(result.objects) if _named(o, name)]
    if not rendered and root is None:
        return resolve(result.objects, name, namespace)
    chosen = [r for r in rendered if namespace is None or r.sandbox.ref.namespace == namespace]
    places = sorted({r.root for r in chosen})
    if len(places) + (1 if plain else 0) > 1:
        listed = ", ".join(f"{p or '.'} ({_spaces(chosen, p)})" for p in places)
        files = ", ".join(s.location.path for s in plain)
        roots = "root" if len(places) == 1 else "roots"
        raise Refused(
            f"sandbox '{name}' renders in {len(places)} kustomization {roots}: {listed}"
            + (f"; plain manifests: {files}" if files else ""),
            "pass --root DIR, one of: " + ", ".join(p or "." for p in places),
        )
    if not rendered and root is not None:
        elsewhere = _elsewhere(settings, result, name)
        raise Refused(
            f"no KarsSandbox '{name}' in the rendered {root or '.'}"
            + (f"; it renders in: {', '.join(elsewhere)}" if elsewhere else ""),
            "check the name and --root; 'karsgit check' lists render errors",
        )
    if plain and not chosen:
        return resolve(result.objects, name, namespace)
    one = resolve([r.sandbox for r in rendered], name, namespace)
    return next(r for r in chosen if r.sandbox is one)


def _named(obj: object, name: str) -> bool:
    return isinstance(obj, Sandbox) and obj.ref.name == name


def _spaces(found: list[Rendered], root: str) -> str:
    return ", ".join(sorted({label(r.sandbox) for r in found if r.root == root}))


def _rendered(renders: dict[str, Output], root: str | None) -> list[tuple[str, Output]]:
    return [(d, o) for d, o in renders.items() if not o.error and (root is None or d == root)]


def _elsewhere(settings: Settings, result: CheckResult, name: str) -> list[str]:
    from karsgit.render.bundles import rendered_sandboxes

    return [
        d or "."
        for d, output in _rendered(result.renders, None)
        if any(s.ref.name == name for s, _ in rendered_sandboxes(settings, output))
    ]


# -- planning -------------------------------------------------------------------


class Sources:
    """Repository files read once, as documents and as text."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.docs: dict[str, list[Document]] = {}
        self.texts: dict[str, tuple[str, TextForm]] = {}

    def read(self, rel: str) -> list[Document]:
        if rel not in self.docs:
            try:
                text = self.text(rel)[0]
            except (OSError, UnicodeDecodeError):
                text = ""
            self.docs[rel] = parse_documents(rel, text).documents
        return self.docs[rel]

    def text(self, rel: str) -> tuple[str, TextForm]:
        from karsgit.edit.files import read_text

        if rel not in self.texts:
            try:
                self.texts[rel] = read_text(self.settings.root / rel)
            except FileNotFoundError:  # a file the edit creates
                self.texts[rel] = TextForm.split("")
        return self.texts[rel]

    def sandbox(self, setter: Setter) -> Sandbox | None:
        from karsgit.source.extract import to_object

        docs = [d for d in self.read(setter.path) if d.index == setter.document_index]
        found = to_object(docs[0]) if docs else None
        return found if isinstance(found, Sandbox) else None


def plan(
    settings: Settings,
    graph: Graph,
    result: CheckResult,
    found: Rendered,
    request: Request,
) -> tuple[RenderedEdit, Sources]:
    """The edits that give ``found``'s root the request, or a refusal naming why not."""
    origin = found.origin
    if origin is None:
        raise Refused(
            f"kustomize does not name the resource of {found.name}; nothing was written",
            "edit the manifest by hand, then run 'karsgit compile'",
        )
    sources = Sources(settings)
    base = Setter(origin.location.path, origin.document_index, _start(origin))
    out = RenderedEdit(roots=[found.root])

    def placed(key: tuple[str, ...]) -> Placement:
        return place(graph, found.root, base, SANDBOX, origin.ref.name, key, sources.read)

    touched: list[tuple[Setter, str]] = []
    lists = placed(LIST_PATH) if request.approve or request.deny else None
    modes = placed(MODE_PATH) if request.mode else None
    listed = _list_plan(found, lists, request, out, sources)
    if lists is not None and listed is not None:
        _edit(out, sources, lists.setter, lambda t: _list_text(t, lists.setter, *listed))
        touched.append((lists.setter, _LIST))
    if modes is not None and request.mode is not None:
        _refuse_ops(found, modes, _MODE)
        sandbox = found.sandbox
        if request.mode != sandbox.mode or not sandbox.mode_set:
            _edit(
                out, sources, modes.setter, lambda t: _set(t, modes.setter, MODE_PATH, request.mode)
            )
            out.changes.append(f"egressMode: {sandbox.mode} -> {request.mode}")
            touched.append((modes.setter, _MODE))
    remaining = len(found.sandbox.endpoints)
    if listed is not None:
        remaining = listed[3] + len(listed[2])
    if _empties(settings, found.sandbox, request, remaining):
        why = "removing " + ", ".join(request.deny) if request.deny else "switching to Strict"
        if not request.allow_empty:
            raise empty_refusal(found.sandbox, settings, why)
        setter = (lists or modes or placed(LIST_PATH)).setter
        key = settings.deny_all_annotation
        _edit(
            out,
            sources,
            setter,
            lambda t: _set(t, setter, ("metadata", "annotations", key), "true"),
        )
        out.changes.append(f'marked deny-all on purpose ({key}: "true")')
    _reach(settings, graph, result, found, touched, out, sources)
    return out, sources


def _start(sandbox: Sandbox) -> Position:
    return Position(sandbox.location.line, sandbox.location.column)


Inserts = list[tuple[int, dict[str, object]]]


def _list_plan(
    found: Rendered, lists: Placement | None, request: Request, out: RenderedEdit, sources: Sources
) -> tuple[bool, list[int], Inserts, int] | None:
    """(whether entries go, the setter's entries kept, inserts at positions of that
    kept list, the rendered entries kept); None when the list does not change."""
    if lists is None:
        return None
    if lists.setter.inline:
        raise Refused(
            f"the {_LIST} of {found.name} are set by the inline patch at {lists.setter.where()}; "
            "karsgit edits patch files and resources, not patches written inside a "
            "kustomization; nothing was written",
            "move the patch into a file listed under 'patches: - path: FILE', then rerun",
        )
    _refuse_ops(found, lists, _LIST)
    rendered = found.sandbox
    setter = sources.sandbox(lists.setter)
    own = len(setter.endpoints) if setter is not None and setter.endpoints_set else 0
    appends = lists.appends()
    if len(rendered.endpoints) != own + len(appends):
        raise Refused(
            f"cannot tell which source writes each entry of the {_LIST} of {found.name} "
            f"({len(rendered.endpoints)} rendered, {own} in {lists.setter.where()}, "
            f"{len(appends)} appended by JSON6902 ops); nothing was written",
            "edit the sources by hand, then run 'karsgit compile'",
        )
    removed: set[int] = set()
    for arg in request.deny:
        hits, lines = plan_denials(rendered, [arg])
        for index in sorted(hits):
            if index >= own:
                _refuse_added(found, arg, appends[index - own], lists.setter)
        removed |= hits
        out.changes += lines
    kept = [e.index for e in rendered.endpoints if e.index not in removed]
    inserts, approved = plan_approvals(rendered, kept, request.approve)
    out.changes += approved
    kept_own = [i for i in kept if i < own]
    # an entry that sorts after the appended ones goes at the end of the setter's list
    placed = [(min(position, len(kept_own)), entry) for position, entry in inserts]
    if not removed and not inserts:
        return None
    return bool(removed), kept_own, placed, len(kept)


def _refuse_added(found: Rendered, arg: str, op: Op, setter: Setter) -> None:
    raise Refused(
        f"'{arg}' is added to {found.name} by the JSON6902 op at {op.where()} "
        f"('{op.op} {op.pointer}'); removing it from {setter.path} would not remove it "
        "from the rendered list; nothing was written",
        f"delete that op from {op.path} (karsgit does not rewrite inline ops), then rerun",
    )


def _refuse_ops(found: Rendered, placed: Placement, what: str) -> None:
    """Ops that set the field whole or index into the list: the edit's place is ambiguous."""
    ops = placed.others() if what == _LIST else placed.ops
    if placed.setter.inline and what == _MODE:
        raise Refused(
            f"the {what} of {found.name} is set by the inline patch at {placed.setter.where()}; "
            "karsgit edits patch files and resources, not patches written inside a "
            "kustomization; nothing was written",
            "move the patch into a file listed under 'patches: - path: FILE', then rerun",
        )
    if ops:
        op = ops[0]
        how = "by position" if what == _LIST and _indexed(op) else "after its source"
        raise Refused(
            f"the JSON6902 op '{op.op} {op.pointer}' at {op.where()} changes the {what} of "
            f"{found.name} {how}: where the edit belongs is ambiguous; nothing was written",
            f"edit the op in {op.path} by hand, or write the {what} in a strategic-merge "
            "patch file instead (kustomize replaces the list whole), then rerun",
        )


def _indexed(op: Op) -> bool:
    return any(part.isdigit() for part in op.pointer.split("/")[4:])


def _edit(
    out: RenderedEdit, sources: Sources, setter: Setter, change: Callable[[str], str]
) -> None:
    if setter.path not in out.edits:
        text = sources.text(setter.path)[0]
        out.edits[setter.path] = Edit(setter.path, text)
    edit = out.edits[setter.path]
    edit.text = change(edit.text)


def _list_text(
    text: str, setter: Setter, removes: bool, kept: list[int], inserts: Inserts, _: int
) -> str:
    from karsgit.edit.rewrite import insert_entries, keep_entries

    if removes:
        text = keep_entries(text, setter.document_index, LIST_PATH, kept)
    if inserts:
        text = insert_entries(text, setter.document_index, LIST_PATH, inserts)
    return text


def _set(text: str, setter: Setter, path: tuple[str, ...], value: str | None) -> str:
    from karsgit.edit.rewrite import set_scalar

    assert value is not None
    return set_scalar(text, setter.document_index, path, value)


def _empties(settings: Settings, rendered: Sandbox, request: Request, remaining: int) -> bool:
    """Whether the edit leaves a Strict rendered sandbox with an empty list it did not mean."""
    mode = request.mode or rendered.mode
    if not is_strict(mode) or deny_all(rendered, settings):
        return False
    if not rendered.endpoints_set and rendered.allowlist_ref is not None:
        return False  # the list comes from the committed bundle
    touched = bool(request.deny) or request.mode is not None
    return touched and remaining == 0


def _reach(
    settings: Settings,
    graph: Graph,
    result: CheckResult,
    found: Rendered,
    touched: list[tuple[Setter, str]],
    out: RenderedEdit,
    sources: Sources,
) -> None:
    """The other roots whose rendered sandbox takes the edited value from the same
    document: the change reaches them too, and the output names them."""
    from karsgit.render.bundles import rendered_sandboxes

    assert found.origin is not None
    key = (found.origin.location.path, found.origin.document_index)
    for setter, what in touched:
        path = LIST_PATH if what == _LIST else MODE_PATH
        others = []
        for directory, output in _rendered(result.renders, None):
            if directory == found.root:
                continue
            for _, origin in rendered_sandboxes(settings, output):
                if origin is None or (origin.location.path, origin.document_index) != key:
                    continue
                base = Setter(origin.location.path, origin.document_index, _start(origin))
                there = place(graph, directory, base, SANDBOX, origin.ref.name, path, sources.read)
                if there.setter == setter:
                    others.append(directory)
        out.notes.append(f"{what} of {found.root or '.'} is set in {setter.path}")
        if others:
            names = ", ".join(sorted(d or "." for d in set(others)))
            out.notes.append(f"{setter.path} is shared: the change reaches {names} too")
        out.roots += [d for d in sorted(set(others)) if d not in out.roots]


# -- checking -------------------------------------------------------------------


def check(
    settings: Settings,
    graph: Graph,
    result: CheckResult,
    found: Rendered,
    edit: RenderedEdit,
    sources: Sources,
) -> tuple[list[Finding], list[Rendered]]:
    """The reached roots rendered from a copy holding the edit and judged as
    ``check`` judges them: refuse an edit that adds an error or leaves one; return
    the new warnings and each reached root's sandbox as it will render."""
    from karsgit.edit.files import write_in_repo
    from karsgit.render.bundles import rendered_sandboxes
    from karsgit.render.kustomize import render_roots, renderer_for
    from karsgit.render.mapping import RootMap
    from karsgit.rules import engine

    hits = []
    after: list[Rendered] = []
    with tempfile.TemporaryDirectory(prefix="karsgit-egress-") as tmp:
        copy = replace(settings, root=Path(tmp))
        for rel in sorted({f for r in edit.roots for f in graph.files(r)} | set(edit.edits)):
            if rel in edit.edits:
                write_in_repo(copy.root, rel, sources.text(rel)[1].encode(edit.edits[rel].text))
            elif (settings.root / rel).is_file():
                write_in_repo(copy.root, rel, (settings.root / rel).read_bytes())
        outputs = render_roots(renderer_for(settings), copy.root, edit.roots)
        for index, (root, output) in enumerate(zip(edit.roots, outputs, strict=True)):
            if output.error:
                raise Refused(
                    f"kustomize cannot render {root or '.'} after the edit: {output.error}; "
                    "nothing was written",
                    "edit the sources by hand",
                )
            mapped = RootMap(copy, graph, graph.kustomizations[root], output, f"<edit:{index}>")
            hits += list(mapped.hits())
            for sandbox, origin in rendered_sandboxes(copy, output):
                if sandbox.ref == found.sandbox.ref or (
                    origin is not None and found.origin is not None
                    and origin.location.path == found.origin.location.path
                    and origin.document_index == found.origin.document_index
                ):  # fmt: skip
                    after.append(Rendered(root, sandbox, origin))
        texts = {rel: e.text for rel, e in edit.edits.items()}
        new = engine.finalize(hits, copy, texts)
    where = ", ".join(r or "." for r in edit.roots)
    fix = "fix them first ('karsgit check' lists them)"
    warnings = judge_edit(result.findings, new, ", ".join(edit.edits), where, fix)
    return warnings, after

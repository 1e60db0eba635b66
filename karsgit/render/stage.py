"""The render stage of ``check``: each kustomization root is rendered by kustomize
and its objects are judged as the cluster receives them, per root, with findings
moved to the source line that gave the value. Files a rendered root consumes are
not judged as objects of their own (a patch is a fragment; a base is judged
through the overlays that use it).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from karsgit.bundle.layout import in_bundle_dir
from karsgit.findings import Hit, Position
from karsgit.render.rootindex import repo_index
from karsgit.render.tree import CROSS_FAMILIES, Graph, Kustomization
from karsgit.settings import Settings
from karsgit.source.objects import KarsObject, Sandbox

if TYPE_CHECKING:
    from karsgit.render.kustomize import Output
    from karsgit.rules.base import RepoContext
    from karsgit.run.check import FileOutcome

_APPROVALS = "karsgit.rules.approvals"
# Judged by the file, not the object: an approval's age is its file's git history.
_BY_FILE = frozenset({"approval-stale"})
# What a consumed file is still judged for on its own: how it is written, not
# what it means (its meaning is judged in the rendered objects).
SOURCE_RULES = frozenset(
    {
        "conflict-marker", "hidden-unicode", "syntax", "duplicate-key", "encoding",
        "file-too-large", "unreadable", "unsafe-path", "yaml-ambiguous-scalar",
        "suppression-invalid", "suppression-expired",
    }
)  # fmt: skip


@dataclass
class Stage:
    consumed: set[str] = field(default_factory=set)  # files rendered roots read
    fragments: set[str] = field(default_factory=set)  # ... only as patches
    hits: list[tuple[str, Hit]] = field(default_factory=list)
    objects: list[KarsObject] = field(default_factory=list)
    raw: list[KarsObject] = field(default_factory=list)  # consumed resources, as written
    raw_paths: frozenset[str] = frozenset()
    # each rendered root's output, for compile and verify to plan from, not render again
    outputs: dict[str, Output] = field(default_factory=dict)

    def narrow(self, outcomes: list[FileOutcome]) -> list[FileOutcome]:
        """Consumed files keep their source findings only; their objects stand
        aside for the repository-wide bundle rules (compile still reads them)."""
        out: list[FileOutcome] = []
        shown = {(rel, h.rule_id, h.position) for rel, h in self.hits}
        for outcome in outcomes:
            if outcome.path not in self.consumed:
                out.append(outcome)
                continue
            if outcome.path not in self.fragments:
                self.raw.extend(outcome.objects)
            kept = [
                f
                for f in outcome.findings
                if f.rule_id in SOURCE_RULES
                and (f.path, f.rule_id, Position(f.line, f.column)) not in shown
            ]
            out.append(replace(outcome, findings=kept, objects=[]))
        self.raw_paths = frozenset(o.location.path for o in self.raw)
        return out

    def repo_hits(self, context: RepoContext) -> Iterator[tuple[str, Hit]]:
        from karsgit.rules import engine

        wide = replace(
            context,
            objects=[*context.objects, *self.raw],
            checked_paths=context.checked_paths | self.raw_paths,
        )
        yield from engine.repo_hits(wide, lambda name: name not in CROSS_FAMILIES)
        for path, hit in engine.repo_hits(wide, lambda name: name == _APPROVALS):
            if hit.rule_id in _BY_FILE:
                yield path, hit
        for path, hit in engine.repo_hits(context, lambda name: name in CROSS_FAMILIES):
            if hit.rule_id not in _BY_FILE:
                yield path, hit
        yield from self.hits


def render_stage(settings: Settings, paths: Sequence[str]) -> Stage | None:
    """None when there is nothing to render: plain-manifest repositories run as before."""
    index = repo_index(settings)
    if index is None:
        return None
    graph = index.graph
    given = {_relative(settings.root, p) for p in paths} if paths else None
    # Every root; with paths (the hook), only the roots those files reach.
    wanted = graph.roots if given is None else index.reached(given)
    roots = [r for r in wanted if not in_bundle_dir(settings, r)]
    stage = Stage()
    # A hook run reports a cycle when it touches one; a full run always does.
    stage.hits.extend(h for h in _cycle_hits(graph) if given is None or h[0] in given)
    ready = [r for r in roots if not _blocked(graph, r, stage)]
    fragments = graph.fragments()
    for root in roots:  # a patch file is a fragment whether or not its root renders
        stage.consumed |= graph.patch_only(root) & fragments
    stage.fragments = fragments
    if ready:
        _render_all(settings, graph, ready, stage)
    return stage


def _relative(root: Path, given: str) -> str:
    absolute = Path(given).absolute()
    try:
        return absolute.relative_to(root).as_posix()
    except ValueError:
        return given


def _cycle_hits(graph: Graph) -> Iterator[tuple[str, Hit]]:
    for path, ref in graph.cycles:
        yield (
            path,
            Hit(
                "render-cycle",
                ref.position,
                f"'{ref.target}' includes this kustomization again (a cycle of includes)",
                "remove one of the includes; kustomize cannot render a cycle",
            ),
        )


def _blocked(graph: Graph, root: str, stage: Stage) -> bool:
    """Roots kustomize cannot render offline: reported, left to the raw checks."""
    blocked = False
    for k in graph.reach(root):
        for ref in k.refs:
            if ref.remote:
                blocked = True
                stage.hits.append((k.path, _remote(ref.field, ref.target, ref.position)))
        if k.helm is not None:
            blocked = True
            stage.hits.append((k.path, _helm(k.helm)))
    if any(k.path == path for k in graph.reach(root) for path, _ in graph.cycles):
        blocked = True
    return blocked


def _remote(field_name: str, target: str, position: Position) -> Hit:
    what = "component" if field_name == "components" else "base"
    return Hit(
        "render-remote",
        position,
        f"remote {what} '{target}' is not fetched (karsgit renders offline); "
        "this root is judged file by file",
        "vendor the remote base into the repository, or name local roots under render.roots",
    )


def _helm(position: Position) -> Hit:
    return Hit(
        "render-helm",
        position,
        "helm chart inflation needs 'kustomize build --enable-helm' and helm; not rendered, "
        "this root is judged file by file",
        "pipe 'kustomize build --enable-helm DIR' into 'karsgit check -' in CI",
    )


def _render_all(settings: Settings, graph: Graph, roots: list[str], stage: Stage) -> None:
    from karsgit.render.drift import Bundles
    from karsgit.render.kustomize import render_roots, renderer_for
    from karsgit.render.mapping import RootMap

    bundles: Bundles | None = None
    outputs = render_roots(renderer_for(settings), settings.root, roots)
    for index, (root, output) in enumerate(zip(roots, outputs, strict=True)):
        stage.outputs[root] = output
        top = graph.kustomizations[root]
        if output.error:
            stage.hits.append((top.path, _failed(top, output)))
            continue
        if len(output.text) > settings.max_file_bytes:  # judged file by file instead
            stage.hits.append((top.path, _too_large(top, len(output.text), settings)))
            continue
        stage.consumed |= graph.files(root)
        judged = RootMap(settings, graph, top, output, f"<rendered:{index}>")
        stage.hits.extend(judged.hits())
        stage.objects.extend(judged.objects)
        if any(isinstance(o, Sandbox) and o.allowlist_ref for o in judged.objects):
            from karsgit.render import drift

            if bundles is None:
                bundles = drift.committed_bundles(settings)
            drifted = drift.drift_hits(judged.objects, bundles)
            stage.hits.extend(judged.locate_hit(h) for h in drifted)
    stage.hits = _dedupe(stage.hits)


def _failed(k: Kustomization, output: Output) -> Hit:
    """At the entry kustomize names, when it names one of this file's entries."""
    message = output.error
    named = [r for r in k.refs if r.target and Path(r.target).name in message]
    position = named[0].position if named else Position(1, 1)
    hint = (
        "raise render.timeout in .karsgit.yaml, or render it elsewhere and pipe the "
        "output into 'karsgit check -'"
        if output.timed_out
        else "fix the kustomization so that 'kubectl kustomize' renders it"
    )
    return Hit(
        "render-failed",
        position,
        f"kustomize cannot render '{k.directory or '.'}': {message}",
        hint,
    )


def _too_large(k: Kustomization, size: int, settings: Settings) -> Hit:
    return Hit(
        "file-too-large",
        Position(1, 1),
        f"rendered output of '{k.directory or '.'}' is {size} bytes, over the "
        f"{settings.max_file_bytes}-byte limit; judged file by file",
        "split the root, or raise max_file_bytes in .karsgit.yaml",
    )


def _dedupe(hits: list[tuple[str, Hit]]) -> list[tuple[str, Hit]]:
    """Overlays sharing a base report a base value once."""
    seen: set[tuple[str, Hit]] = set()
    out = []
    for item in hits:
        if item not in seen:
            seen.add(item)
            out.append(item)
    return out

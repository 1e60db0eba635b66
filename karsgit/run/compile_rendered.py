"""``compile`` for the sandboxes kustomization roots render: what is out of date
(``compile --check``) and the writes, from a plan of ``karsgit.render.bundles``;
plain manifests beside them are compiled by ``karsgit.run.compile`` as before.

Writes go through ``karsgit.edit.files`` (atomic, only when changed) and the
resource edits through ``karsgit.edit.rewrite``, as for plain manifests.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path

from karsgit.bundle.guard import GUARD_BYTES, guard_missing, guard_rel
from karsgit.bundle.plan import REF_PATH, Target, require_registry
from karsgit.render.bundles import (
    Planned,
    RenderedPlan,
    RenderedTarget,
    objects_of,
    rendered_plan,
)
from karsgit.run.check import CheckResult
from karsgit.run.compile import (
    CompileOutcome,
    Outdated,
    changes_of,
    compile_repo,
    target_changes,
)
from karsgit.settings import Settings


def compile_all(settings: Settings, result: CheckResult, *, write: bool) -> CompileOutcome:
    """``compile_repo`` for a rendered check: plain sandboxes as before, each
    rendered one per root. A repository without kustomizations compiles as before."""
    staged = rendered_plan(settings, result.renders)
    if staged is None:
        return compile_repo(settings, result, write=write)
    if write:
        _judge(settings, staged)  # a refusal comes before the plain writes too
    plain = replace(result, objects=objects_of(result.objects))
    outcome = compile_repo(settings, plain, write=write)
    outcome.changes += rendered_changes(settings, staged)
    guard = bool(staged.targets) and guard_missing(settings)
    guarded = any(c.kind == "guard" for c in outcome.changes)
    if guard and not guarded:
        outcome.changes.append(Outdated("guard", guard_rel(settings), "bundles.dir"))
    if write:
        outcome.written += write_rendered(settings, staged)
        if guard and not guarded and _write(settings.root, guard_rel(settings), GUARD_BYTES):
            outcome.written.append(guard_rel(settings))
    return outcome


def compile_selected(
    settings: Settings, result: CheckResult, keep: Callable[[RenderedTarget], bool]
) -> tuple[list[str], list[RenderedTarget]]:
    """Write what ``compile`` would for the kept rendered sandboxes only (an egress
    edit recompiles the roots it reached); returns the paths written and the targets."""
    staged = rendered_plan(settings, result.renders)
    plan = staged.only(keep) if staged is not None else RenderedPlan()
    guarded = bool(plan.targets) and guard_missing(settings)  # before bundles fill the dir
    written = write_rendered(settings, plan)
    if guarded and _write(settings.root, guard_rel(settings), GUARD_BYTES):
        written.append(guard_rel(settings))
    return written, plan.targets


def _name(rendered: RenderedTarget) -> str:
    ref = rendered.target.sandbox.ref
    return f"{ref.namespace}/{ref.name} of {rendered.root.directory or '.'}"


def outdated(settings: Settings, planned: Planned) -> list[Outdated]:
    """What ``compile --check`` reports of these bundles and refs (the guard aside)."""
    changes = changes_of(planned.files)
    if planned.staged is not None:
        changes += rendered_changes(settings, planned.staged)
    return changes


def rendered_changes(settings: Settings, plan: RenderedPlan) -> list[Outdated]:
    """What differs from what compile would write, judged on the rendered objects."""
    changes = []
    for rendered in plan.targets:
        target = rendered.target
        line = 0 if rendered.patched else target.sandbox.location.line
        changes += target_changes(target, _name(rendered), rendered.root.path, line)
    reported = {c.path for c in changes if c.kind == "ref"}
    for path, text in sorted(plan.files.items()):
        if path not in reported and _differs(settings.root / path, text):
            changes.append(Outdated("ref", path, "allowlistRef patch"))
    return changes


def _differs(path: Path, text: str) -> bool:
    try:
        return path.read_bytes() != text.encode("utf-8")
    except FileNotFoundError:
        return True


def write_rendered(settings: Settings, plan: RenderedPlan) -> list[str]:
    """Bundles, ref edits of the resources, patch files and kustomizations; every
    path and the registry are judged before the first write."""
    from karsgit.edit.paths import remove_leftovers_of

    bundles = _judge(settings, plan)
    remove_leftovers_of(settings.root, [*(t.rel for t in bundles), *plan.base_edits, *plan.files])
    written = []
    for target in bundles:
        assert target.expected is not None
        if _write(settings.root, target.rel, target.expected):
            written.append(target.rel)
    for path, edits in sorted(plan.base_edits.items()):
        if _write(settings.root, path, _edited(settings.root / path, edits)):
            written.append(path)
    for path, text in sorted(plan.files.items()):
        if _write(settings.root, path, text.encode("utf-8")):
            written.append(path)
    return written


def _judge(settings: Settings, plan: RenderedPlan) -> list[Target]:
    """The registry and every path to write, refused before anything is written;
    returns the bundles to write."""
    from karsgit.edit.paths import repo_target

    for rendered in plan.targets:
        if rendered.target.ref is not None:
            require_registry(settings, rendered.target.sandbox)
    bundles = [
        r.target
        for r in plan.targets
        if r.target.expected is not None and r.target.expected != r.target.current
    ]
    for rel in [*(t.rel for t in bundles), *plan.base_edits, *plan.files]:
        repo_target(settings.root, rel)
    return bundles


def _write(root: Path, rel: str, data: bytes) -> bool:
    from karsgit.edit.files import write_in_repo

    return write_in_repo(root, rel, data)


def _edited(path: Path, edits: Sequence[tuple[int, dict[str, str]]]) -> bytes:
    from karsgit.edit.files import read_text
    from karsgit.edit.rewrite import set_mapping

    text, form = read_text(path)
    for index, ref in edits:
        text = set_mapping(text, index, REF_PATH, ref)
    return form.encode(text)

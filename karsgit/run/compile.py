"""``compile``: from a clean check to bundle files and ``allowlistRef`` edits.

Writes go through ``karsgit.edit.files`` (atomic, only when changed); the
manifest edit through ``karsgit.edit.rewrite``. Never prints, never exits.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from karsgit.bundle.guard import GUARD_BYTES, guard_missing, guard_rel
from karsgit.bundle.plan import (
    REF_PATH,
    Target,
    expected_ref,
    plan,
    ref_matches,
    require_registry,
)
from karsgit.findings import Finding, Severity, active
from karsgit.run.check import CheckResult
from karsgit.settings import Settings

# check reports inline-drift only for rendered sandboxes (karsgit.render.drift):
# an overlay that changed the endpoints since the last compile.
_COMPILE_RESOLVES = frozenset({"inline-drift"})


@dataclass(frozen=True, slots=True)
class Outdated:
    """One thing that differs from what compile would write."""

    kind: str  # "missing" | "stale" | "ref" | "unsourced"
    path: str
    sandbox: str
    line: int = 0

    def describe(self) -> str:
        what = {
            "missing": "bundle is missing",
            "stale": "bundle is stale",
            "ref": "allowlistRef is missing or out of date",
            "unsourced": "no inline allowedEndpoints and no committed bundle to keep",
            "guard": "kustomization guard is missing (Flux would apply the bundles)",
        }[self.kind]
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {what} ({self.sandbox})"


@dataclass
class CompileOutcome:
    changes: list[Outdated] = field(default_factory=list)
    written: list[str] = field(default_factory=list)

    @property
    def unresolved(self) -> list[Outdated]:
        return [c for c in self.changes if c.kind == "unsourced"]


def blocking(findings: Sequence[Finding]) -> list[Finding]:
    """The check findings that make compile refuse: every active error but a
    rendered sandbox's ``inline-drift``, which compiling resolves."""
    return [
        f
        for f in active(findings)
        if f.severity >= Severity.ERROR and f.rule_id not in _COMPILE_RESOLVES
    ]


def _name(target: Target) -> str:
    ref = target.sandbox.ref
    return f"{ref.namespace}/{ref.name}"


def changes_of(targets: Sequence[Target]) -> list[Outdated]:
    changes = []
    for target in targets:
        location = target.sandbox.location
        changes += target_changes(target, _name(target), location.path, location.line)
    return changes


def target_changes(target: Target, name: str, source: str, ref_line: int) -> list[Outdated]:
    """One bundle missing or stale, and its ref out of date. ``source``: the file
    reported when nothing sources the bundle; the ref is reported where the
    target's sandbox is located, at ``ref_line`` (0: the file)."""
    changes = []
    if target.expected is None and target.current is None:
        changes.append(Outdated("unsourced", source, name))
    elif target.expected is not None and target.current != target.expected:
        kind = "missing" if target.current is None else "stale"
        changes.append(Outdated(kind, target.rel, name))
    if target.ref is not None and not _ref_current(target):
        changes.append(Outdated("ref", target.sandbox.location.path, name, ref_line))
    return changes


def _ref_current(target: Target) -> bool:
    assert target.ref is not None
    return bool(target.sandbox.allowlist_ref) and ref_matches(target.sandbox, target.ref)


def compile_repo(settings: Settings, result: CheckResult, *, write: bool) -> CompileOutcome:
    """Plan every Strict sandbox's bundle and ref; write them when ``write``."""
    targets = plan(settings, result.objects)
    outcome = CompileOutcome(changes_of(targets))
    guard = bool(targets) and guard_missing(settings)
    if guard:
        outcome.changes.append(Outdated("guard", guard_rel(settings), "bundles.dir"))
    if write:
        outcome.written = _write(settings, targets, outcome.changes)
        if guard and _write_file(settings.root, guard_rel(settings), GUARD_BYTES):
            outcome.written.append(guard_rel(settings))
    return outcome


def _write(settings: Settings, targets: Sequence[Target], changes: Sequence[Outdated]) -> list[str]:
    from karsgit.edit.paths import remove_leftovers_of, repo_target, sweep_tree

    pending = {(c.kind, c.sandbox) for c in changes}
    edits = _ref_edits(settings, [t for t in targets if ("ref", _name(t)) in pending])
    bundles = [
        t
        for t in targets
        if t.expected is not None and {("missing", _name(t)), ("stale", _name(t))} & pending
    ]
    # every path is judged before the first write: a refusal leaves nothing half done
    for rel in [*(t.rel for t in bundles), *edits]:
        repo_target(settings.root, rel)
    sweep_tree(settings.root, settings.bundle_dir)
    remove_leftovers_of(settings.root, {t.sandbox.location.path for t in targets})
    written = []
    for target in bundles:
        assert target.expected is not None
        _write_file(settings.root, target.rel, target.expected)
        written.append(target.rel)
    for path, file_edits in edits.items():
        if _write_file(settings.root, path, _edited(settings.root / path, file_edits)):
            written.append(path)
    return written


def _write_file(root: Path, rel: str, data: bytes) -> bool:
    from karsgit.edit.files import write_in_repo

    return write_in_repo(root, rel, data)


def _ref_edits(
    settings: Settings, targets: Sequence[Target]
) -> dict[str, list[tuple[int, dict[str, str]]]]:
    """Per manifest: (document index, new ref); the registry is resolved first so
    a missing one stops the run before any file is written."""
    edits: dict[str, list[tuple[int, dict[str, str]]]] = {}
    for target in targets:
        data = target.source_bytes
        assert data is not None
        sandbox = target.sandbox
        ref = expected_ref(settings, sandbox, data, require_registry(settings, sandbox))
        edits.setdefault(sandbox.location.path, []).append((sandbox.document_index, ref))
    return edits


def _edited(path: Path, edits: Sequence[tuple[int, dict[str, str]]]) -> bytes:
    from karsgit.edit.files import read_text
    from karsgit.edit.rewrite import set_mapping

    text, form = read_text(path)
    for index, ref in edits:
        text = set_mapping(text, index, REF_PATH, ref)
    return form.encode(text)

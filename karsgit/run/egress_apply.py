"""Carrying out an egress edit: the edited text, its check, the write, the
recompile of that one sandbox, its signature and the commit (docs/egress.md).

Never prints, never exits; files are written only through ``karsgit.edit.files``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from karsgit.bundle.layout import bundle_rel
from karsgit.bundle.plan import deny_all, is_bundled, require_registry
from karsgit.edit.files import TextForm
from karsgit.findings import Finding
from karsgit.rules import engine
from karsgit.rules.engine import file_hits
from karsgit.run.egress import (
    MODE_PATH,
    Edit,
    Request,
    empty_refusal,
    final_empty,
    final_mode,
    is_strict,
    judge_edit,
    label,
    plan_approvals,
    plan_denials,
)
from karsgit.settings import Settings
from karsgit.source.load import parse_documents
from karsgit.source.objects import KarsObject, ObjectRef, Sandbox

LIST_PATH = ("spec", "networkPolicy", "allowedEndpoints")


@dataclass
class Applied:
    written: list[str] = field(default_factory=list)
    bundle: str | None = None


def build_edit(settings: Settings, sandbox: Sandbox, text: str, request: Request) -> Edit:
    from karsgit.edit.rewrite import insert_entries, keep_entries, set_scalar

    doc = sandbox.document_index
    removed, changes = plan_denials(sandbox, request.deny)
    kept = [e.index for e in sandbox.endpoints if e.index not in removed]
    inserts, approved = plan_approvals(sandbox, kept, request.approve)
    edit = Edit(sandbox.location.path, text, changes + approved)
    if removed:
        edit.text = keep_entries(edit.text, doc, LIST_PATH, kept)
    if inserts:
        edit.text = insert_entries(edit.text, doc, LIST_PATH, inserts)
    if request.mode and (request.mode != sandbox.mode or not sandbox.mode_set):
        edit.text = set_scalar(edit.text, doc, MODE_PATH, request.mode)
        edit.changes.append(f"egressMode: {sandbox.mode} -> {request.mode}")
    if _empties(settings, sandbox, request, kept, len(inserts)):
        why = "removing " + ", ".join(request.deny) if removed else "switching to Strict"
        if not request.allow_empty:
            raise empty_refusal(sandbox, settings, why)
        key = settings.deny_all_annotation
        edit.text = set_scalar(edit.text, doc, ("metadata", "annotations", key), "true")
        edit.changes.append(f'marked deny-all on purpose ({key}: "true")')
    return edit


def _empties(
    settings: Settings, sandbox: Sandbox, request: Request, kept: Sequence[int], added: int
) -> bool:
    """Whether the edit leaves a Strict sandbox with an empty list it did not mean."""
    if not is_strict(final_mode(sandbox, request)) or deny_all(sandbox, settings):
        return False
    if not sandbox.endpoints_set and sandbox.allowlist_ref is not None:
        return False  # the list comes from the committed bundle
    touched = bool(request.deny) or request.mode is not None
    return touched and final_empty(sandbox, kept, added)


def file_findings(
    settings: Settings, rel: str, text: str
) -> tuple[list[Finding], list[KarsObject]]:
    """What ``check`` reports for one file's text, suppressions applied."""
    hits, objects = file_hits(parse_documents(rel, text), settings)
    findings = engine.finalize(((rel, hit) for hit in hits), settings, {rel: text})
    return findings, objects


def check_edit(settings: Settings, before: str, edit: Edit) -> list[Finding]:
    """Refuse an edit that adds an error or leaves one; return the new warnings."""
    old, _ = file_findings(settings, edit.path, before)
    new, _ = file_findings(settings, edit.path, edit.text)
    fix = "fix them first ('karsgit fix' rewrites the fixable ones)"
    return judge_edit(old, new, edit.path, edit.path, fix)


def edited_sandbox(settings: Settings, edit: Edit, ref: ObjectRef) -> Sandbox:
    _, objects = file_findings(settings, edit.path, edit.text)
    found = [o for o in objects if isinstance(o, Sandbox) and o.ref == ref]
    assert len(found) == 1, f"edited file lost {ref}"
    return found[0]


def require_compilable(settings: Settings, sandbox: Sandbox) -> None:
    """A bundled result needs a registry for its allowlistRef: fail before any write."""
    if is_bundled(sandbox, settings):
        require_registry(settings, sandbox)


def apply_edit(settings: Settings, edit: Edit, sandbox: Sandbox, form: TextForm) -> Applied:
    """Write the manifest, then recompile this one sandbox's bundle and ref."""
    from karsgit.edit.files import write_in_repo
    from karsgit.run.check import CheckResult
    from karsgit.run.compile import compile_repo

    applied = Applied()
    if write_in_repo(settings.root, edit.path, form.encode(edit.text)):
        applied.written.append(edit.path)
    if not is_bundled(sandbox, settings):
        return applied  # a Learn sandbox with no endpoints and no ref: no bundle
    outcome = compile_repo(settings, CheckResult([], 1, [sandbox]), write=True)
    applied.written.extend(p for p in outcome.written if p not in applied.written)
    rel = bundle_rel(settings, sandbox.ref)
    applied.bundle = rel if (settings.root / rel).is_file() else None
    return applied


def commit_message(sandbox: Sandbox, changes: Sequence[str], signed: str) -> str:
    subject = f"egress {label(sandbox)}: " + ", ".join(filter(None, map(_short, changes)))
    if len(subject) > 72:
        subject = f"egress {label(sandbox)}: {len(changes)} changes"
    body = "\n".join(f"- {line}" for line in changes)
    return f"{subject}\n\n{body}\n\n{signed}\n"


def _short(change: str) -> str:
    """A change line as a commit-subject phrase ("approved a:443" -> "approve a:443")."""
    verb, _, rest = change.partition(" ")
    if verb == "egressMode:":
        return "set " + rest.rsplit(" ", 1)[-1]
    phrases = {"approved": "approve " + rest, "denied": "deny " + rest.split(": removed", 1)[0]}
    return phrases.get(verb, "mark deny-all" if verb == "marked" else "")

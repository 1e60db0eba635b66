"""Edit rules: what a change does, judged against a base revision (``check --base REF``).

Objects are matched by kind, namespace and name, so moving a manifest to
another file is not a removal plus an addition.

``noop-edit``
    An edit touches a sandbox's allowlist but its normal form is unchanged
    (reordering, case, quoting, duplicates only): nothing for the controller,
    noise for reviewers. A warning; set it to ``error`` in ``.karsgit.yaml``.

``artifact-edited``
    A committed bundle (``allowlist.yaml``) or the ``allowlistRef.digest`` changed
    while the source allowlist did not: a hand-edited artifact. A re-signature of
    unchanged bytes (only ``.sigstore.json`` changed) is fine.

``allowlist-emptied``
    An edit removes the last endpoint of a ``Strict`` sandbox, which then denies
    all egress. Mark an intended deny-all with the ``deny_all_annotation``.

``mode-relaxed``
    ``egressMode`` goes from ``Strict`` to ``Learn`` (or is removed: the cluster
    default is ``Learn``), which lets every destination through. Allowed when
    the sandbox carries a non-empty ``karsgit.io/mode-relaxed-reason`` annotation.

``egress-widened``
    Endpoints were added to a sandbox or an approval; the message lists them so
    reports show reviewers what is newly reachable.

``sandbox-removed-with-approvals``
    A sandbox is deleted while EgressApprovals in its namespace still name it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence

from karsgit.findings import WHOLE_FILE, Hit, Position, Severity
from karsgit.rules import RuleInfo
from karsgit.settings import Settings
from karsgit.source.objects import LEARN, SANDBOX, STRICT, Approval, KarsObject, ObjectRef, Sandbox
from karsgit.source.revisions import ALLOWLIST, Change, normal_endpoints, raw_endpoints

E, W, INFO = Severity.ERROR, Severity.WARNING, Severity.INFO
RELAX_REASON = "karsgit.io/mode-relaxed-reason"

RULES = (
    RuleInfo("noop-edit", W, "an allowlist edit leaves its normal form unchanged"),
    RuleInfo("artifact-edited", E, "a bundle or allowlistRef changed while the allowlist did not"),
    RuleInfo("allowlist-emptied", E, "an edit removes the last endpoint of a Strict sandbox"),
    RuleInfo("mode-relaxed", E, "a sandbox goes from Strict to Learn without a reason"),
    RuleInfo("egress-widened", INFO, "endpoints were added"),
    RuleInfo("sandbox-removed-with-approvals", E, "a sandbox is deleted while approvals name it"),
)

PathHit = tuple[str, Hit]
Elsewhere = Callable[[], Sequence[KarsObject]]


def check_edits(change: Change, settings: Settings, elsewhere: Elsewhere) -> Iterator[PathHit]:
    """Every edit hit; ``elsewhere`` gives the work tree's objects outside the changed files."""
    old, new = change.old.objects, change.new.objects
    for ref in sorted(set(old) | set(new)):
        before, after = old.get(ref), new.get(ref)
        if isinstance(after, Sandbox):
            yield from _sandbox_edit(change, settings, before, after)
        elif isinstance(after, Approval):
            yield from _approval_widened(before, after)
    removed = [r for r, o in old.items() if isinstance(o, Sandbox) and r not in new]
    if removed:
        yield from _orphans(removed, [*new.values(), *elsewhere()])
    yield from _edited_bundles(change, settings)


def _sandbox_edit(
    change: Change, settings: Settings, before: KarsObject | None, after: Sandbox
) -> Iterator[PathHit]:
    path = after.location.path
    if not isinstance(before, Sandbox):
        yield from _widened(path, _start(after), after.ref, (), normal_endpoints(after))
        return
    was, now = normal_endpoints(before), normal_endpoints(after)
    yield from _widened(path, _start(after), after.ref, was, now)
    if was == now and now and _rewritten(change, before, after):
        yield (
            path,
            Hit(
                "noop-edit",
                _list_pos(after),
                f"allowlist of {after.ref} changed but its normal form is the same",
                "revert the edit, or fold it into a change that alters the endpoints",
            ),
        )
    if was and not now and after.mode == STRICT and not _deny_all(after, settings):
        yield (
            path,
            Hit(
                "allowlist-emptied",
                _list_pos(after),
                f"edit removes the last endpoint of Strict {after.ref}; it would deny all egress",
                f'keep an endpoint, or annotate {settings.deny_all_annotation}: "true"',
            ),
        )
    reason = after.annotations.get(RELAX_REASON, "").strip()
    if before.mode == STRICT and after.mode == LEARN and not reason:
        yield (
            path,
            Hit(
                "mode-relaxed",
                _start(after),
                f"{after.ref} goes from Strict to Learn, which lets all egress through",
                f"keep Strict, or annotate {RELAX_REASON} with why",
            ),
        )
    if was == now and _digest(before) != _digest(after) and _digest(before) is not None:
        yield (
            path,
            Hit(
                "artifact-edited",
                _start(after),
                f"allowlistRef digest of {after.ref} changed while its allowlist did not",
                "restore the digest; run 'karsgit compile' instead of editing it",
            ),
        )


def _edited_bundles(change: Change, settings: Settings) -> Iterator[PathHit]:
    prefix = settings.bundle_dir.rstrip("/") + "/"
    for path in change.paths:
        parts = path.removeprefix(prefix).split("/")
        if not path.startswith(prefix) or len(parts) != 3 or parts[2] != ALLOWLIST:
            continue
        old_bytes, new_bytes = change.old.files.get(path), change.new.files.get(path)
        if old_bytes is None or new_bytes is None or old_bytes == new_bytes:
            continue
        ref = ObjectRef(SANDBOX, parts[0], parts[1])
        if not _source_changed(change.old.objects.get(ref), change.new.objects.get(ref)):
            yield (
                path,
                Hit(
                    "artifact-edited",
                    WHOLE_FILE,
                    f"bundle of {ref} changed while its allowlist did not",
                    "restore the bundle; run 'karsgit compile' to regenerate it",
                ),
            )


def _source_changed(before: KarsObject | None, after: KarsObject | None) -> bool:
    if isinstance(before, Sandbox) and isinstance(after, Sandbox):
        return normal_endpoints(before) != normal_endpoints(after)
    return before is not None or after is not None


def _widened(
    path: str, pos: Position, ref: ObjectRef, was: Sequence[object], now: Sequence[object]
) -> Iterator[PathHit]:
    added = [str(e) for e in now if e not in was]
    if added:
        yield (
            path,
            Hit(
                "egress-widened",
                pos,
                f"{ref} adds egress to {', '.join(added)}",
                "make sure reviewers approved these endpoints",
            ),
        )


def _approval_widened(before: KarsObject | None, after: Approval) -> Iterator[PathHit]:
    was = _approval_hosts(before) if isinstance(before, Approval) else ()
    yield from _widened(after.location.path, _start(after), after.ref, was, _approval_hosts(after))


def _approval_hosts(approval: Approval) -> tuple[str, ...]:
    return tuple(f"{h.host}:{h.port}" if h.has_port else str(h.host) for h in approval.hosts)


def _orphans(removed: list[ObjectRef], now: Sequence[KarsObject]) -> Iterator[PathHit]:
    still = {o.ref for o in now if isinstance(o, Sandbox)}
    gone = {(r.namespace, r.name): r for r in removed if r not in still}
    for obj in sorted((o for o in now if isinstance(o, Approval)), key=lambda o: o.ref):
        ref = gone.get((obj.ref.namespace, obj.sandbox))
        if ref is not None:
            yield (
                obj.location.path,
                Hit(
                    "sandbox-removed-with-approvals",
                    obj.sandbox_position or _start(obj),
                    f"{obj.ref} still names {ref}, which this change deletes",
                    "delete the approval in the same change, or keep the sandbox",
                ),
            )


def _rewritten(change: Change, before: Sandbox, after: Sandbox) -> bool:
    if raw_endpoints(before) != raw_endpoints(after):
        return True
    written = change.old.allowlists.get(before.ref), change.new.allowlists.get(after.ref)
    return written[0] != written[1]


def _start(obj: KarsObject) -> Position:
    return Position(obj.location.line, obj.location.column)


def _list_pos(sandbox: Sandbox) -> Position:
    return sandbox.endpoints[0].position if sandbox.endpoints else _start(sandbox)


def _deny_all(sandbox: Sandbox, settings: Settings) -> bool:
    return sandbox.annotations.get(settings.deny_all_annotation, "").strip().lower() == "true"


def _digest(sandbox: Sandbox) -> object:
    return sandbox.allowlist_ref.get("digest") if sandbox.allowlist_ref else None

"""EgressApproval rules (temporary extra egress with a TTL, DESIGN.md §2).

The host rules of ``karsgit.rules.hosts`` apply to ``spec.hosts`` as well.

``approval-hosts-count``
    ``spec.hosts`` must hold 1..16 entries (the cluster's CEL bound).

``approval-reason-invalid``
    ``spec.reason`` must be 1..512 characters with no ASCII control bytes
    (0x00-0x08, 0x0B, 0x0C, 0x0E-0x1F, 0x7F): the reason goes to audit logs,
    and the cluster rejects control bytes as log injection.

``approval-ticket-invalid``
    ``spec.ticket``, when set, must be 1..128 characters.

``approval-ttl-invalid``
    ``spec.ttl`` must follow the controller's grammar: an ISO-8601 duration with
    days before ``T`` and hours, minutes, seconds after it (``P1D``, ``PT2H``,
    ``P1DT30M``), non-zero. Weeks, months and years pass the CRD's pattern but
    the controller rejects them at reconcile time.

``approval-ttl-ceiling``
    ``spec.ttl`` is longer than the configured ceiling (``approvals.ttl_ceiling``,
    default 24 hours), or than the 7-day hard ceiling whatever the config says.

``approval-redundant``
    A host already admitted by the target sandbox's allowlist (exactly or by a
    parent domain): the approval widens nothing, and outlives its reason.

``approval-stale``
    The approval has been in the repository longer than its TTL (from the commit
    that added the file; an uncommitted file counts from now). It has expired in
    the cluster, and a GitOps tool that prunes and re-creates it would re-admit
    it with a fresh TTL. Delete the file.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from karsgit.findings import Hit, Position, Severity
from karsgit.normalize.duration import exceeds, format_ttl, parse_ttl
from karsgit.normalize.endpoints import admits, show
from karsgit.rules import RuleInfo
from karsgit.rules.hosts import normal_endpoint
from karsgit.settings import Settings
from karsgit.source import gitio
from karsgit.source.load import Document
from karsgit.source.objects import Approval, KarsObject, Sandbox

if TYPE_CHECKING:
    from karsgit.rules.engine import RepoContext

E, W = Severity.ERROR, Severity.WARNING
RULES = (
    RuleInfo("approval-hosts-count", E, "an approval lists fewer than 1 or more than 16 hosts"),
    RuleInfo(
        "approval-reason-invalid", E, "an approval reason is empty, too long or has control bytes"
    ),
    RuleInfo(
        "approval-ticket-invalid", E, "an approval ticket is empty or longer than 128 characters"
    ),
    RuleInfo("approval-ttl-invalid", E, "an approval TTL is not the controller's duration grammar"),
    RuleInfo("approval-ttl-ceiling", E, "an approval TTL is above the configured or hard ceiling"),
    RuleInfo("approval-redundant", W, "an approval host is already admitted by the sandbox"),
    RuleInfo("approval-stale", E, "an approval has been in the repository longer than its TTL"),
)

_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_TTL = ("spec", "ttl")


def check_document(doc: Document, obj: KarsObject | None, settings: Settings) -> Iterator[Hit]:
    if not isinstance(obj, Approval):
        return
    yield from _reason(doc, obj)
    if not isinstance(obj.ttl, str):
        return  # the schema reports a missing or non-string ttl
    ttl = parse_ttl(obj.ttl)
    if not isinstance(ttl, timedelta):
        yield Hit("approval-ttl-invalid", doc.pos(_TTL), ttl.message, ttl.hint, "$.spec.ttl")
        return
    too_long = exceeds(ttl, settings.ttl_ceiling)
    if too_long is not None:
        yield Hit(
            "approval-ttl-ceiling", doc.pos(_TTL), too_long.message, too_long.hint, "$.spec.ttl"
        )


def _reason(doc: Document, approval: Approval) -> Iterator[Hit]:
    if not isinstance(approval.reason, str):
        return
    match = _CONTROL.search(approval.reason)
    if match is not None:
        yield Hit(
            "approval-reason-invalid",
            doc.pos(("spec", "reason")),
            f"reason contains the control byte 0x{ord(match.group()):02x} at character "
            f"{match.start() + 1}",
            "remove it; the cluster rejects control bytes in reasons (audit-log injection)",
            "$.spec.reason",
        )


def _stale(context: RepoContext) -> Iterator[tuple[str, Hit]]:
    # One history walk for the whole run (git per file cost ~9 ms x every approval).
    approvals = [
        (a, ttl)
        for a in context.objects
        if isinstance(a, Approval) and a.location.path in context.checked_paths
        for ttl in (parse_ttl(a.ttl) if isinstance(a.ttl, str) else None,)
        if isinstance(ttl, timedelta)
    ]
    paths = sorted({a.location.path for a, _ in approvals})
    added = gitio.added_times(context.settings.root, paths) if paths else {}
    now = time.time()
    for approval, ttl in approvals:
        stamp = added.get(approval.location.path)  # uncommitted: counts from now
        if stamp is not None and stamp + ttl.total_seconds() < now:
            yield approval.location.path, _stale_hit(approval, stamp, ttl)


def _stale_hit(approval: Approval, added: int, ttl: timedelta) -> Hit:
    expiry = added + ttl.total_seconds()
    return Hit(
        "approval-stale",
        approval.ttl_position or Position(approval.location.line, approval.location.column),
        f"approval was committed on {_when(added)} with ttl {format_ttl(ttl)}; it expired "
        f"on {_when(expiry)} and a re-created copy would get a fresh ttl",
        "delete the file; commit a new approval if the egress is still needed",
        "$.spec.ttl",
    )


def _when(stamp: float) -> str:
    return datetime.fromtimestamp(stamp, UTC).strftime("%Y-%m-%d %H:%M UTC")


SandboxIndex = dict[tuple[str, str], list[Sandbox]]


def check_repo(context: RepoContext) -> Iterator[tuple[str, Hit]]:
    sandboxes: SandboxIndex = {}
    for sandbox in context.objects:
        if isinstance(sandbox, Sandbox):
            sandboxes.setdefault((sandbox.ref.namespace, sandbox.ref.name), []).append(sandbox)
    for obj in context.objects:
        if isinstance(obj, Approval) and obj.location.path in context.checked_paths:
            for hit in _redundant(obj, sandboxes):
                yield obj.location.path, hit
    yield from _stale(context)


def _baseline(approval: Approval, sandboxes: SandboxIndex) -> list[str]:
    """Normal hosts of the target sandbox, when exactly one sandbox matches."""
    targets = sandboxes.get((approval.ref.namespace, approval.sandbox), [])
    if len(targets) != 1:
        return []  # missing or ambiguous: the reference rules report it
    normals = (normal_endpoint(entry) for entry in targets[0].endpoints)
    return sorted({n.host for n in normals if n is not None})


def _redundant(approval: Approval, sandboxes: SandboxIndex) -> Iterator[Hit]:
    baseline = _baseline(approval, sandboxes)
    for entry in approval.hosts:
        normal = normal_endpoint(entry)
        parent = next((b for b in baseline if normal and admits(b, normal.host)), None)
        if normal is not None and parent is not None:
            yield Hit(
                "approval-redundant",
                entry.host_position,
                f"host {show(normal.host)} is already admitted by entry '{parent}' of sandbox "
                f"'{approval.sandbox}'",
                "remove the host from the approval",
                f"$.spec.hosts[{entry.index}].host",
            )

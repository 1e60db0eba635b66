"""The effective egress change per sandbox between two sides of a change (pure).

What a reviewer needs: endpoints added and removed in normal form (so a noop
edit shows nothing), what each added entry admits (the router admits every
subdomain of an entry), mode changes, approvals added, changed or removed,
and the bundle digest and signature before and after. Objects are matched by
``ObjectRef``, so a moved manifest is not a removal plus an addition.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from karsgit.bundle.canonical import oci_manifest_digest
from karsgit.normalize.endpoints import Endpoint, admits
from karsgit.source.objects import SANDBOX, Approval, KarsObject, ObjectRef, Sandbox
from karsgit.source.revisions import ALLOWLIST, SIGNATURE, Side, normal_endpoints

BundlePath = Callable[[ObjectRef, str], str]


@dataclass(frozen=True)
class Added:
    endpoint: str
    admits: str


@dataclass(frozen=True)
class ApprovalChange:
    name: str
    change: str  # added | changed | removed
    hosts: tuple[str, ...]
    ttl: str
    reason: str


@dataclass
class SandboxDiff:
    namespace: str
    name: str
    status: str  # added | removed | changed
    path: str
    added: list[Added] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    mode_before: str | None = None
    mode_after: str | None = None
    approvals: list[ApprovalChange] = field(default_factory=list)
    bundle_before: str | None = None
    bundle_after: str | None = None
    signature: str = "none"


@dataclass
class EgressDiff:
    base: str
    head: str
    sandboxes: list[SandboxDiff]


def admits_text(entry: Endpoint, kept: list[Endpoint], suffix: Callable[[str], bool]) -> str:
    parent = next(
        (k.host for k in kept if k.host != entry.host and admits(k.host, entry.host)), None
    )
    if parent is not None:
        return f"nothing new: '{parent}' already admits it"
    if suffix(entry.host):
        return f"every site under the public suffix '{entry.host}'"
    return f"{entry.host} and every subdomain (*.{entry.host}), any port at L7"


def _sandbox(obj: KarsObject | None) -> Sandbox | None:
    return obj if isinstance(obj, Sandbox) else None


def _endpoints(sandbox: Sandbox | None) -> list[Endpoint]:
    return list(normal_endpoints(sandbox)) if sandbox else []


def _approval_changes(old: Side, new: Side) -> dict[tuple[str, str], list[ApprovalChange]]:
    out: dict[tuple[str, str], list[ApprovalChange]] = {}
    for ref in sorted(set(old.objects) | set(new.objects)):
        before, after = old.objects.get(ref), new.objects.get(ref)
        shown = after if isinstance(after, Approval) else before
        if not isinstance(shown, Approval) or _same_approval(before, after):
            continue
        change = "removed" if after is None else "added" if before is None else "changed"
        key = (ref.namespace, shown.sandbox)
        out.setdefault(key, []).append(_approval(shown, change))
    return out


def _same_approval(before: KarsObject | None, after: KarsObject | None) -> bool:
    if not isinstance(before, Approval) or not isinstance(after, Approval):
        return False
    return _approval(before, "") == _approval(after, "")


def _approval(obj: Approval, change: str) -> ApprovalChange:
    hosts = tuple(f"{h.host}:{h.port}" if h.has_port else str(h.host) for h in obj.hosts)
    return ApprovalChange(obj.ref.name, change, hosts, str(obj.ttl or ""), str(obj.reason or ""))


def _digest(side: Side, path: str) -> str | None:
    data = side.files.get(path)
    return oci_manifest_digest(data) if data is not None else None


def _signature(old: Side, new: Side, paths: tuple[str, str]) -> str:
    bundle, sig = paths
    if bundle not in new.files:
        return "none"
    if sig not in new.files:
        return "unsigned"
    if old.files.get(bundle) == new.files[bundle]:
        return "unchanged" if old.files.get(sig) == new.files[sig] else "re-signed"
    if old.files.get(sig) == new.files[sig]:
        return "stale: bundle changed, signature did not"
    return "signed (run 'karsgit verify' to check it)"


def _sandbox_diff(
    ref: ObjectRef, old: Side, new: Side, where: BundlePath, suffix: Callable[[str], bool]
) -> SandboxDiff:
    before, after = _sandbox(old.objects.get(ref)), _sandbox(new.objects.get(ref))
    status = _status(before, after)
    shown = after or before
    was, now = _endpoints(before), _endpoints(after)
    paths = (where(ref, ALLOWLIST), where(ref, SIGNATURE))
    return SandboxDiff(
        ref.namespace,
        ref.name,
        status,
        shown.location.path if shown else "",
        [Added(str(e), admits_text(e, now, suffix)) for e in now if e not in was],
        [str(e) for e in was if e not in now],
        before.mode if before else None,
        after.mode if after else None,
        bundle_before=_digest(old, paths[0]),
        bundle_after=_digest(new, paths[0]),
        signature=_signature(old, new, paths),
    )


def _status(before: Sandbox | None, after: Sandbox | None) -> str:
    if before is None:
        return "approvals only" if after is None else "added"
    return "removed" if after is None else "changed"


def _changed(entry: SandboxDiff, old: Side, new: Side) -> bool:
    moved_only = entry.status == "changed" and entry.mode_before == entry.mode_after
    quiet = not (entry.added or entry.removed or entry.approvals)
    return not (moved_only and quiet and entry.bundle_before == entry.bundle_after)


def compute(
    old: Side, new: Side, where: BundlePath, suffix: Callable[[str], bool], names: tuple[str, str]
) -> EgressDiff:
    """Every sandbox whose effective egress changed, in (namespace, name) order."""
    approvals = _approval_changes(old, new)
    refs = {r for side in (old, new) for r in side.objects if r.kind == SANDBOX}
    refs |= {ObjectRef(SANDBOX, ns, name) for ns, name in approvals}
    out = []
    for ref in sorted(refs, key=lambda r: (r.namespace, r.name)):
        entry = _sandbox_diff(ref, old, new, where, suffix)
        entry.approvals = approvals.get((ref.namespace, ref.name), [])
        if entry.path == "" and not entry.approvals:
            continue
        if _changed(entry, old, new):
            out.append(entry)
    return EgressDiff(names[0], names[1], out)

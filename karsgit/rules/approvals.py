r"""EgressApproval rules (temporary extra egress with a TTL, DESIGN.md §2).

The host rules of ``karsgit.rules.hosts`` apply to ``spec.hosts`` as well.

``approval-hosts-count``
    ``spec.hosts`` must hold 1..16 entries (the cluster's CEL bound).

    Fails:

    ```yaml
    apiVersion: kars.azure.com/v1alpha1
    kind: EgressApproval
    metadata:
      name: ci-debug
      namespace: kars-system
    spec:
      sandbox: web
      hosts: []
      reason: debug a failing build
      ttl: PT4H
    ```

    Passes:

    ```yaml
    apiVersion: kars.azure.com/v1alpha1
    kind: EgressApproval
    metadata:
      name: ci-debug
      namespace: kars-system
    spec:
      sandbox: web
      hosts:
        - host: pyindex.org
          port: 443
      reason: debug a failing build
      ttl: PT4H
    ```

    Fix: List 1 to 16 hosts; split larger grants into several approvals.

``approval-reason-invalid``
    ``spec.reason`` must be 1..512 characters with no ASCII control bytes
    (0x00-0x08, 0x0B, 0x0C, 0x0E-0x1F, 0x7F): the reason goes to audit logs,
    and the cluster rejects control bytes as log injection.

    Fails:

    ```yaml
    apiVersion: kars.azure.com/v1alpha1
    kind: EgressApproval
    metadata:
      name: ci-debug
      namespace: kars-system
    spec:
      sandbox: web
      reason: "build\x1b[31m broke"
      ttl: PT4H
      hosts:
        - host: pyindex.org
          port: 443
    ```

    Passes:

    ```yaml
    apiVersion: kars.azure.com/v1alpha1
    kind: EgressApproval
    metadata:
      name: ci-debug
      namespace: kars-system
    spec:
      sandbox: web
      reason: build broke on dependency download
      ttl: PT4H
      hosts:
        - host: pyindex.org
          port: 443
    ```

    Fix: Write 1 to 512 characters without control bytes (tabs and newlines are
    allowed).

``approval-ticket-invalid``
    ``spec.ticket``, when set, must be 1..128 characters.

    Fails:

    ```yaml
    apiVersion: kars.azure.com/v1alpha1
    kind: EgressApproval
    metadata:
      name: ci-debug
      namespace: kars-system
    spec:
      sandbox: web
      ticket: ""
      reason: debug a failing build
      ttl: PT4H
      hosts:
        - host: pyindex.org
          port: 443
    ```

    Passes:

    ```yaml
    apiVersion: kars.azure.com/v1alpha1
    kind: EgressApproval
    metadata:
      name: ci-debug
      namespace: kars-system
    spec:
      sandbox: web
      ticket: OPS-1234
      reason: debug a failing build
      ttl: PT4H
      hosts:
        - host: pyindex.org
          port: 443
    ```

    Fix: Remove the empty ticket or write 1 to 128 characters.

``approval-ttl-invalid``
    ``spec.ttl`` must follow the controller's grammar: an ISO-8601 duration with
    days before ``T`` and hours, minutes, seconds after it (``P1D``, ``PT2H``,
    ``P1DT30M``), non-zero. A trailing ``T`` after a value (``P1DT``) passes
    both, so it passes here. Weeks, months and years pass the CRD's pattern but
    the controller rejects them at reconcile time.

    Fails:

    ```yaml
    apiVersion: kars.azure.com/v1alpha1
    kind: EgressApproval
    metadata:
      name: ci-debug
      namespace: kars-system
    spec:
      sandbox: web
      ttl: P1W
      reason: debug a failing build
      hosts:
        - host: pyindex.org
          port: 443
    ```

    Passes:

    ```yaml
    apiVersion: kars.azure.com/v1alpha1
    kind: EgressApproval
    metadata:
      name: ci-debug
      namespace: kars-system
    spec:
      sandbox: web
      ttl: PT4H
      reason: debug a failing build
      hosts:
        - host: pyindex.org
          port: 443
    ```

    Fix: Write days before ``T`` and hours, minutes, seconds after it (``PT4H``,
    ``P1DT30M``).

``approval-ttl-ceiling``
    ``spec.ttl`` is longer than the configured ceiling (``approvals.ttl_ceiling``,
    default 24 hours), or than the 7-day hard ceiling whatever the config says.

    Fails:

    ```yaml
    apiVersion: kars.azure.com/v1alpha1
    kind: EgressApproval
    metadata:
      name: ci-debug
      namespace: kars-system
    spec:
      sandbox: web
      ttl: P3D   # default ceiling is 24 h
      reason: debug a failing build
      hosts:
        - host: pyindex.org
          port: 443
    ```

    Passes:

    ```yaml
    apiVersion: kars.azure.com/v1alpha1
    kind: EgressApproval
    metadata:
      name: ci-debug
      namespace: kars-system
    spec:
      sandbox: web
      ttl: PT12H
      reason: debug a failing build
      hosts:
        - host: pyindex.org
          port: 443
    ```

    Fix: Shorten the TTL, or raise ``approvals.ttl_ceiling`` (at most ``P7D``).

``approval-redundant``
    A host already admitted by the target sandbox's allowlist (exactly or by a
    parent domain): the approval widens nothing, and outlives its reason.

    Fails:

    ```yaml web.yaml
    apiVersion: kars.azure.com/v1alpha1
    kind: KarsSandbox
    metadata:
      name: web
      namespace: kars-system
    spec:
      networkPolicy:
        egressMode: Strict
        allowedEndpoints:
          - host: github.com
            port: 443
    ```

    ```yaml approval.yaml
    apiVersion: kars.azure.com/v1alpha1
    kind: EgressApproval
    metadata:
      name: ci-debug
      namespace: kars-system
    spec:
      sandbox: web
      reason: debug a failing build
      ttl: PT4H
      hosts:
        - host: api.github.com   # the sandbox already lists github.com
    ```

    Passes:

    ```yaml web.yaml
    apiVersion: kars.azure.com/v1alpha1
    kind: KarsSandbox
    metadata:
      name: web
      namespace: kars-system
    spec:
      networkPolicy:
        egressMode: Strict
        allowedEndpoints:
          - host: github.com
            port: 443
    ```

    ```yaml approval.yaml
    apiVersion: kars.azure.com/v1alpha1
    kind: EgressApproval
    metadata:
      name: ci-debug
      namespace: kars-system
    spec:
      sandbox: web
      reason: debug a failing build
      ttl: PT4H
      hosts:
        - host: pyindex.org
          port: 443
    ```

    Fix: Remove hosts the sandbox already admits.

``approval-stale``
    The approval has been in the repository longer than its TTL (from the commit
    that added the file; an uncommitted file counts from now). It has expired in
    the cluster, and a GitOps tool that prunes and re-creates it would re-admit
    it with a fresh TTL. Delete the file.

    Fails:

    (``approval.yaml``, with ``ttl: PT4H``, committed on 2024-03-01)

    ```yaml approval.yaml
    apiVersion: kars.azure.com/v1alpha1
    kind: EgressApproval
    metadata:
      name: ci-debug
      namespace: kars-system
    spec:
      sandbox: web
      reason: debug a failing build
      ttl: PT4H
      hosts:
        - host: pyindex.org
          port: 443
    ```

    ```console
    $ git add approval.yaml
    $ GIT_COMMITTER_DATE=2024-03-01T12:00:00Z git commit -q -m "debug the build"
    $ karsgit check
    ```

    Passes:

    (an approval committed less than its TTL ago)

    ```yaml approval.yaml
    apiVersion: kars.azure.com/v1alpha1
    kind: EgressApproval
    metadata:
      name: ci-debug
      namespace: kars-system
    spec:
      sandbox: web
      reason: debug a failing build
      ttl: PT4H
      hosts:
        - host: pyindex.org
          port: 443
    ```

    ```console
    $ git add approval.yaml
    $ git commit -q -m "debug the build"
    $ karsgit check
    ```

    Fix: Delete the file; commit a new approval if the egress is still needed.

``approval-age-unknown``
    The repository is a shallow clone whose history stops at or after the
    commit that added the approval (CI's default ``fetch-depth: 1``), so when it
    was committed is unknown and ``approval-stale`` cannot judge it: the oldest
    fetched commit would look like its add. Fetch the full history
    (``fetch-depth: 0`` in GitHub Actions, ``GIT_DEPTH: "0"`` in GitLab,
    ``git fetch --unshallow`` by hand).

    Fails:

    (a clone cut at the commit that added the approval; ``.git/shallow`` names
    the commits where a shallow clone's history stops)

    ```yaml approval.yaml
    apiVersion: kars.azure.com/v1alpha1
    kind: EgressApproval
    metadata:
      name: ci-debug
      namespace: kars-system
    spec:
      sandbox: web
      reason: debug a failing build
      ttl: PT4H
      hosts:
        - host: pyindex.org
          port: 443
    ```

    ```console
    $ git add approval.yaml
    $ git commit -q -m "debug the build"
    $ cp .git/refs/heads/main .git/shallow
    $ karsgit check
    ```

    Passes:

    (the full history)

    ```yaml approval.yaml
    apiVersion: kars.azure.com/v1alpha1
    kind: EgressApproval
    metadata:
      name: ci-debug
      namespace: kars-system
    spec:
      sandbox: web
      reason: debug a failing build
      ttl: PT4H
      hosts:
        - host: pyindex.org
          port: 443
    ```

    ```console
    $ git add approval.yaml
    $ git commit -q -m "debug the build"
    $ karsgit check
    ```

    Fix: Fetch the full history (``fetch-depth: 0``, ``GIT_DEPTH: "0"`` or
    ``git fetch --unshallow``).
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
from karsgit.normalize.entries import normal_endpoint, normal_entries
from karsgit.rules.base import RuleInfo
from karsgit.settings import Settings
from karsgit.source import gitio
from karsgit.source.load import Document
from karsgit.source.objects import Approval, KarsObject, Sandbox

if TYPE_CHECKING:
    from karsgit.rules.base import RepoContext

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
    RuleInfo("approval-age-unknown", E, "a shallow clone hides when an approval was committed"),
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
    too_long = exceeds(
        ttl, settings.ttl_ceiling, ttl_text=obj.ttl, ceiling_text=settings.ttl_ceiling_text
    )
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
    from karsgit.source.shallow import cut_off

    unknown = cut_off(context.settings.root, added)
    now = time.time()
    for approval, ttl in approvals:
        if approval.location.path in unknown:
            yield approval.location.path, _age_unknown(approval, unknown[approval.location.path])
            continue
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


def _age_unknown(approval: Approval, boundary: str) -> Hit:
    return Hit(
        "approval-age-unknown",
        approval.ttl_position or Position(approval.location.line, approval.location.column),
        f"the clone is shallow (history stops at commit {boundary[:12]}): when this approval "
        "was committed is unknown, so approval-stale cannot judge it",
        'fetch the full history: fetch-depth: 0 (GitHub Actions), GIT_DEPTH: "0" (GitLab), '
        "or git fetch --unshallow",
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
    normals = normal_entries(targets[0])
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

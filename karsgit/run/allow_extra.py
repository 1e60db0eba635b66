"""``egress allow-extra``: a new EgressApproval manifest (temporary extra egress
with a TTL) for one sandbox, checked by the same rules as ``check``.

Pure planning: returns the file's path and text; the CLI writes it.
"""

from __future__ import annotations

import posixpath
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

from karsgit.edit.paths import repo_target
from karsgit.errors import UsageError
from karsgit.findings import Finding, Severity, active
from karsgit.normalize.endpoints import normalize_host
from karsgit.rules import engine
from karsgit.rules.base import RepoContext
from karsgit.run.egress import Refused, label, split_endpoint
from karsgit.run.egress_apply import file_findings
from karsgit.settings import Settings
from karsgit.source.objects import (
    API_VERSION,
    APPROVAL,
    DEFAULT_PORT,
    Approval,
    KarsObject,
    Sandbox,
)

if TYPE_CHECKING:
    from karsgit.render.tree import Graph
    from karsgit.run.check import CheckResult
    from karsgit.run.egress_rendered import Rendered


@dataclass(frozen=True)
class ExtraRequest:
    hosts: tuple[str, ...]
    ttl: str
    reason: str
    ticket: str | None = None
    directory: str | None = None


@dataclass(frozen=True)
class Extra:
    path: str
    name: str
    text: str
    warnings: tuple[Finding, ...] = ()


# The name is also the file name: NAME.yaml must fit one path component (255
# bytes), and metadata.name a DNS subdomain (253 characters).
NAME_LIMIT = 250


def approval_name(sandbox: Sandbox, now: datetime) -> str:
    suffix = f"-extra-{now:%Y%m%d-%H%M%S}z"
    # a subdomain ends alphanumeric: a cut must not leave a '-' or '.' before the suffix
    # and room is left for the "-N" that tells two approvals of one second apart
    stem = sandbox.ref.name[: NAME_LIMIT - len(suffix) - len("-999")].rstrip("-.")
    return f"{stem}{suffix}"


def approval_text(sandbox: Sandbox, name: str, request: ExtraRequest) -> str:
    from karsgit.edit.rewrite import new_document

    hosts = []
    for arg in request.hosts:
        host, port = split_endpoint(arg)
        hosts.append({"host": normalize_host(host).normal or host, "port": port or DEFAULT_PORT})
    spec: dict[str, object] = {"sandbox": sandbox.ref.name, "hosts": hosts, "ttl": request.ttl}
    spec["reason"] = request.reason
    if request.ticket is not None:
        spec["ticket"] = request.ticket
    metadata = {"name": name, "namespace": sandbox.ref.namespace}
    return new_document(
        {"apiVersion": API_VERSION, "kind": APPROVAL, "metadata": metadata, "spec": spec}
    )


def plan_extra(
    settings: Settings,
    objects: Sequence[KarsObject],
    sandbox: Sandbox,
    request: ExtraRequest,
    now: datetime,
) -> Extra:
    """The approval file beside the sandbox manifest (or in ``request.directory``)."""
    folder = request.directory or str(PurePosixPath(sandbox.location.path).parent)
    name, path = _free_name(settings, objects, sandbox, folder, approval_name(sandbox, now))
    repo_target(settings.root, path)  # --dir ../x, /abs or .git/hooks: refused here
    text = approval_text(sandbox, name, request)
    findings, created = file_findings(settings, path, text)
    findings += _repo_findings(settings, path, [*objects, *created])
    errors = [f for f in active(findings) if f.severity >= Severity.ERROR]
    if errors:
        raise Refused(
            f"the approval for sandbox {label(sandbox)} has {len(errors)} error(s) that "
            "'karsgit check' reports; nothing was written",
            "",
            errors,
        )
    return Extra(path, name, text, tuple(active(findings)))


@dataclass(frozen=True)
class RenderedExtra:
    """The approval a kustomization root renders: its file in the root's folder and
    the root's kustomization listing it (Flux and Argo CD apply only what it lists)."""

    extra: Extra
    kustomization: str
    kustomization_bytes: bytes  # in the file's own form (BOM, line ends)


def plan_extra_rendered(
    settings: Settings,
    graph: Graph,
    result: CheckResult,
    found: Rendered,
    request: ExtraRequest,
    now: datetime,
) -> RenderedExtra:
    """The approval for ``found`` as its root renders it (rendered name and
    namespace), judged with the root rendered from a copy that holds it."""
    from karsgit.edit.rewrite import append_entry
    from karsgit.run.egress import Edit
    from karsgit.run.egress_rendered import RenderedEdit, Sources, check

    home = found.root or "."
    folder = posixpath.normpath(request.directory or home)
    entry = posixpath.relpath(folder, home)
    if entry == ".." or entry.startswith("../"):
        raise UsageError(
            f"--dir {request.directory}: outside the root {home}; kustomize reads a root's "
            "resource files from its own folder only",
            f"leave out --dir, or pass a folder under {home}",
        )
    sandbox = found.sandbox
    name, path = _free_name(settings, result.objects, sandbox, folder, approval_name(sandbox, now))
    repo_target(settings.root, path)
    text = approval_text(sandbox, name, request)
    top = graph.kustomizations[found.root].path
    sources = Sources(settings)
    body, form = sources.text(top)
    listed = append_entry(body, "resources", posixpath.relpath(path, home))
    edit = RenderedEdit(edits={path: Edit(path, text), top: Edit(top, listed)}, roots=[found.root])
    warnings, _ = check(settings, graph, result, found, edit, sources)
    extra = Extra(path, name, text, tuple(warnings))
    return RenderedExtra(extra, top, form.encode(listed))


def _free_name(
    settings: Settings, objects: Sequence[KarsObject], sandbox: Sandbox, folder: str, base: str
) -> tuple[str, str]:
    """The first of NAME, NAME-2, NAME-3, ... that neither a file nor an approval uses.

    The name carries the second only: two calls in one second (a script granting
    two hosts) must both get their own approval, not a refusal.
    """
    taken = {
        o.ref.name
        for o in objects
        if isinstance(o, Approval) and o.ref.namespace == sandbox.ref.namespace
    }
    for n in range(1, 1000):
        name = base if n == 1 else f"{base}-{n}"
        path = str(PurePosixPath(folder) / f"{name}.yaml")
        if name not in taken and not (settings.root / path).exists():
            return name, path
    raise Refused(f"{folder} already holds 999 approvals named {base}", "remove expired ones")


def _repo_findings(settings: Settings, path: str, objects: list[KarsObject]) -> list[Finding]:
    context = RepoContext(settings, objects, frozenset({path}))
    return engine.finalize(engine.repo_hits(context), settings)

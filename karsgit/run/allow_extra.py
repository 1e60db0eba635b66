"""``egress allow-extra``: a new EgressApproval manifest (temporary extra egress
with a TTL) for one sandbox, checked by the same rules as ``check``.

Pure planning: returns the file's path and text; the CLI writes it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import PurePosixPath

from karsgit.findings import Finding, Severity, active
from karsgit.normalize.endpoints import normalize_host
from karsgit.rules import engine
from karsgit.run.egress import Refused, label, split_endpoint
from karsgit.run.egress_apply import file_findings
from karsgit.settings import Settings
from karsgit.source.objects import API_VERSION, APPROVAL, DEFAULT_PORT, KarsObject, Sandbox


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


def approval_name(sandbox: Sandbox, now: datetime) -> str:
    return f"{sandbox.ref.name}-extra-{now:%Y%m%d-%H%M%S}z"


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
    name = approval_name(sandbox, now)
    folder = request.directory or str(PurePosixPath(sandbox.location.path).parent)
    path = str(PurePosixPath(folder) / f"{name}.yaml")
    if (settings.root / path).exists():
        raise Refused(f"{path} already exists", "wait a second and run the command again")
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


def _repo_findings(settings: Settings, path: str, objects: list[KarsObject]) -> list[Finding]:
    context = engine.RepoContext(settings, objects, frozenset({path}))
    return [f for rel, hit in engine.repo_hits(context) for f in engine.stamp(rel, [hit], settings)]

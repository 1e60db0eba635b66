"""The GitOps form of the kars egress flows (docs/egress.md): which sandbox a
name means, and the manifest edit that approves, denies or switches its mode.

Pure planning: returns the edited text and what changed; the CLI writes,
compiles, signs and commits. Refusals are exit 1, like findings: the request
or the repository has a problem the user must resolve; nothing was written.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from karsgit.errors import ExitCode, KarsgitError
from karsgit.findings import Finding, Severity, active
from karsgit.normalize.endpoints import Endpoint, admits, normalize_host
from karsgit.normalize.entries import normal_entries
from karsgit.settings import Settings
from karsgit.source.objects import DEFAULT_PORT, STRICT, KarsObject, Sandbox

MODE_PATH = ("spec", "networkPolicy", "egressMode")


class Refused(KarsgitError):
    """The request is unsafe or ambiguous; nothing was written (exit 1)."""

    exit_code = ExitCode.FINDINGS

    def __init__(self, message: str, hint: str = "", findings: Sequence[Finding] = ()) -> None:
        super().__init__(message, hint)
        self.findings = tuple(findings)


@dataclass(frozen=True)
class Request:
    approve: tuple[str, ...] = ()
    deny: tuple[str, ...] = ()
    mode: str | None = None
    allow_empty: bool = False


@dataclass
class Edit:
    """The new text of the sandbox's file and one line per change."""

    path: str
    text: str
    changes: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def split_endpoint(text: str, default_port: int | None = DEFAULT_PORT) -> tuple[str, int | None]:
    """``HOST[:PORT]`` -> (host, port); anything else stays whole for the host rules."""
    host, sep, port = text.rpartition(":")
    if sep and port.isascii() and port.isdigit() and host and not host.endswith(":"):
        # Port 0 is no port: approving it must not fall back to 443, nor may a
        # deny treat it as one (issue 10, item 16).
        if not 1 <= int(port) <= 65535:
            raise Refused(
                f"'{text}' has port {int(port)}, outside 1-65535; nothing was written",
                f"write a port from 1 to 65535, or '{host}' alone for 443",
            )
        return host, int(port)
    return text, default_port


def label(sandbox: Sandbox) -> str:
    return f"{sandbox.ref.namespace or '<no namespace>'}/{sandbox.ref.name}"


def resolve(objects: Sequence[KarsObject], name: str, namespace: str | None) -> Sandbox:
    """The one sandbox ``name`` (in ``namespace``) means, or a refusal naming the choices."""
    named = [o for o in objects if isinstance(o, Sandbox) and o.ref.name == name]
    found = [s for s in named if namespace is None or s.ref.namespace == namespace]
    spaces = sorted({s.ref.namespace or "<no namespace>" for s in named})
    if not found:
        where = f" in namespace '{namespace}'" if namespace is not None else ""
        elsewhere = f"; it exists in: {', '.join(spaces)}" if named else ""
        raise Refused(
            f"no KarsSandbox '{name}'{where} in this repository{elsewhere}",
            "check the name and -n/--namespace; 'karsgit check' lists parse errors",
        )
    if len({s.ref.namespace for s in found}) > 1:
        places = ", ".join(f"{label(s)} ({s.location.path})" for s in found)
        raise Refused(
            f"sandbox '{name}' exists in multiple namespaces: {places}",
            f"pass -n/--namespace, one of: {', '.join(spaces)}",
        )
    if len(found) > 1:
        raise Refused(
            f"sandbox {label(found[0])} is defined more than once: "
            + ", ".join(str(s.location) for s in found),
            "keep one definition (rule duplicate-resource)",
        )
    return found[0]


def _endpoints(sandbox: Sandbox) -> list[Endpoint | None]:
    return list(normal_entries(sandbox))


def _normal(host: str) -> str:
    return normalize_host(host).normal or host.strip().lower()


def plan_denials(sandbox: Sandbox, deny: Sequence[str]) -> tuple[set[int], list[str]]:
    """Indexes of the entries to remove, and a line per denied host."""
    normals = _endpoints(sandbox)
    removed: set[int] = set()
    changes = []
    for arg in deny:
        host, port = split_endpoint(arg, None)
        wanted = _normal(host)
        hits = [
            e.index
            for e, n in zip(sandbox.endpoints, normals, strict=True)
            if _matches(e.host, n, wanted, port)
        ]
        if not hits:
            raise _not_listed(sandbox, arg, wanted, normals)
        removed.update(hits)
        shown = ", ".join(_shown(sandbox, normals, i) for i in hits)
        changes.append(f"denied {arg}: removed {shown}")
    return removed, changes


def _matches(raw: object, normal: Endpoint | None, wanted: str, port: int | None) -> bool:
    if normal is None:
        return isinstance(raw, str) and raw.strip().lower() == wanted and port is None
    return normal.host == wanted and (port is None or normal.port == port)


def _shown(sandbox: Sandbox, normals: Sequence[Endpoint | None], index: int) -> str:
    normal = normals[index]
    return str(normal) if normal is not None else repr(sandbox.endpoints[index].host)


def _not_listed(
    sandbox: Sandbox, arg: str, wanted: str, normals: Sequence[Endpoint | None]
) -> Refused:
    parents = sorted({n.host for n in normals if n is not None and admits(n.host, wanted)})
    hint = (
        f"'{wanted}' is admitted by the entry '{parents[0]}'; deny '{parents[0]}' to stop it"
        if parents
        else "nothing to remove; the allowlist is in the manifest under allowedEndpoints"
    )
    return Refused(f"'{arg}' is not in the allowlist of sandbox {label(sandbox)}", hint)


def plan_approvals(
    sandbox: Sandbox, kept: Sequence[int], approve: Sequence[str]
) -> tuple[list[tuple[int, dict[str, object]]], list[str]]:
    """(position in the kept list, new entry), in canonical order, and a line per host."""
    normals = _endpoints(sandbox)
    present = [normals[i] for i in kept]
    wanted: dict[Endpoint, None] = {}
    changes = []
    for arg in approve:
        host, port = split_endpoint(arg)
        endpoint = Endpoint(normalize_host(host).normal or host, port or DEFAULT_PORT)
        if endpoint in present:
            changes.append(f"already allowlisted: {endpoint}")
        elif endpoint not in wanted:
            wanted[endpoint] = None
            changes.append(f"approved {endpoint}")
    inserts = [(_position(present, e), _entry(e)) for e in sorted(wanted, key=_order)]
    return inserts, changes


def _order(endpoint: Endpoint) -> tuple[str, int]:
    return endpoint.host, endpoint.port


def _position(present: Sequence[Endpoint | None], endpoint: Endpoint) -> int:
    """Before the first entry that sorts after it: a sorted list stays sorted."""
    after = (i for i, n in enumerate(present) if n is not None and _order(n) > _order(endpoint))
    return next(after, len(present))


def _entry(endpoint: Endpoint) -> dict[str, object]:
    return {"host": endpoint.host, "port": endpoint.port}


def final_empty(sandbox: Sandbox, kept: Sequence[int], added: int) -> bool:
    normals = _endpoints(sandbox)
    return added == 0 and not any(normals[i] is not None for i in kept)


def empty_refusal(sandbox: Sandbox, settings: Settings, why: str) -> Refused:
    return Refused(
        f"{why} would leave Strict sandbox {label(sandbox)} with no endpoint: an empty list "
        "denies all egress and the kars signer cannot sign it",
        f"pass --allow-empty to mark deny-all on purpose "
        f'(adds the annotation {settings.deny_all_annotation}: "true")',
    )


def final_mode(sandbox: Sandbox, request: Request) -> str:
    return request.mode or sandbox.mode


def new_errors(before: Sequence[Finding], after: Sequence[Finding]) -> list[Finding]:
    """Active errors after the edit that were not there before (by rule and message)."""
    old = {(f.rule_id, f.message) for f in active(before) if f.severity >= Severity.ERROR}
    return [
        f
        for f in active(after)
        if f.severity >= Severity.ERROR and (f.rule_id, f.message) not in old
    ]


def judge_edit(
    before: Sequence[Finding], after: Sequence[Finding], edited: str, where: str, fix: str
) -> list[Finding]:
    """Refuse an edit of ``edited`` (files) that adds an error, or leaves one in
    ``where``; return the warnings it adds."""
    added = new_errors(before, after)
    if added:
        raise Refused(
            f"the change to {edited} would add {len(added)} error(s) that 'karsgit check' "
            "reports; nothing was written",
            "",
            added,
        )
    left = [f for f in active(after) if f.severity >= Severity.ERROR]
    if left:
        raise Refused(
            f"{where} has {len(left)} error(s) that block compiling it; nothing was written",
            fix,
            left,
        )
    seen = {(f.rule_id, f.message) for f in active(before)}
    return [f for f in active(after) if (f.rule_id, f.message) not in seen]


def is_strict(mode: str) -> bool:
    return mode == STRICT

"""The normal form of a kars object's endpoint entries, computed once per object.

Every stage after loading (rules, compile, diff, egress, fix) asks here for an
entry's normal endpoint; the answer for a sandbox is kept on the object the
first time it is asked for, so the hook path pays only for what it uses.
"""

from __future__ import annotations

from functools import lru_cache

from karsgit.normalize.endpoints import Endpoint, HostVerdict, check_port, normalize_host
from karsgit.normalize.serdeyaml import scalar_type
from karsgit.source.load import PathKey
from karsgit.source.objects import Approval, KarsObject, RawEndpoint, Sandbox

SANDBOX_LIST: PathKey = ("spec", "networkPolicy", "allowedEndpoints")
APPROVAL_LIST: PathKey = ("spec", "hosts")


# Repositories repeat the same hosts across thousands of sandboxes; a verdict
# is a pure function of the text, so each distinct host is judged once.
@lru_cache(maxsize=16384)
def host_verdict(raw: str) -> HostVerdict:
    return normalize_host(raw)


def list_path(obj: KarsObject) -> PathKey:
    return APPROVAL_LIST if isinstance(obj, Approval) else SANDBOX_LIST


def entries_of(obj: KarsObject) -> tuple[RawEndpoint, ...]:
    return obj.hosts if isinstance(obj, Approval) else obj.endpoints


def normal_endpoint(entry: RawEndpoint) -> Endpoint | None:
    """The normal form of one entry, or None when host or port cannot be normalized
    (or the host could not be written into a bundle as a string: host-not-string)."""
    if not isinstance(entry.host, str):
        return None
    if entry.has_port and entry.port is None:
        return None  # 'port:' with no value: the schema reports it
    host = host_verdict(entry.host).normal
    if host is not None and scalar_type(host) is not None:
        return None
    port = check_port(entry.port if entry.has_port else None).normal
    return Endpoint(host, port) if host is not None and port is not None else None


def normal_entries(sandbox: Sandbox) -> tuple[Endpoint | None, ...]:
    """Each entry of the allowlist in normal form (None where it has none), cached."""
    cached = sandbox.normal_cache
    if cached is None:
        cached = tuple(normal_endpoint(entry) for entry in sandbox.endpoints)
        object.__setattr__(sandbox, "normal_cache", cached)
    return cached


def normal_set(sandbox: Sandbox) -> tuple[Endpoint, ...]:
    """The allowlist in normal form: valid entries only (rules report the others),
    deduplicated and in canonical order."""
    return tuple(sorted({e for e in normal_entries(sandbox) if e is not None}))

"""The kars objects karsgit reasons about, as plain typed values (DESIGN.md §2).

Built from loaded documents after schema validation; no YAML types. Values that
may still be malformed (hosts, ports) are kept raw beside their positions so the
rules can say exactly what is wrong and where.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from karsgit.findings import Position, compact_pickle

KARS_GROUP = "kars.azure.com"
API_VERSION = "kars.azure.com/v1alpha1"
SANDBOX = "KarsSandbox"
APPROVAL = "EgressApproval"
KINDS = (SANDBOX, APPROVAL)
STRICT = "Strict"
LEARN = "Learn"
# The cluster default when egressMode is absent (the CRD's default).
DEFAULT_MODE = LEARN
DEFAULT_PORT = 443
ARTIFACT_TYPE = "application/vnd.kars.egress-allowlist.v1+yaml"


@compact_pickle
@dataclass(frozen=True, slots=True, order=True)
class ObjectRef:
    kind: str
    namespace: str
    name: str

    def __str__(self) -> str:
        namespace = self.namespace or "<no namespace>"
        return f"{self.kind} {namespace}/{self.name}"


@compact_pickle
@dataclass(frozen=True, slots=True)
class Location:
    path: str
    line: int
    column: int

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}"


class RawEndpoint(NamedTuple):
    """One entry of an endpoint list, exactly as written (a named tuple for the
    same reason as Position: a 10,000-sandbox run holds ~250,000 of them)."""

    index: int  # type: ignore[assignment]  # shadows tuple.index, which nothing uses
    host: Any
    port: Any
    has_port: bool
    position: Position
    host_position: Position
    port_position: Position

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        flat = (*self[:4], *self.position, *self.host_position, *self.port_position)
        return _raw_endpoint, flat


def _raw_endpoint(*flat: Any) -> RawEndpoint:
    """Unpickle without a Python-level __new__ per endpoint and position."""
    make = tuple.__new__
    pos = (make(Position, flat[4:6]), make(Position, flat[6:8]), make(Position, flat[8:10]))
    return make(RawEndpoint, (*flat[:4], *pos))


@compact_pickle
@dataclass(frozen=True, slots=True)
class Sandbox:
    ref: ObjectRef
    location: Location
    mode: str
    mode_set: bool
    endpoints: tuple[RawEndpoint, ...]
    endpoints_set: bool
    annotations: Mapping[str, str] = field(default_factory=dict)
    allowlist_ref: Mapping[str, Any] | None = None
    document_index: int = 0


@compact_pickle
@dataclass(frozen=True, slots=True)
class Approval:
    ref: ObjectRef
    location: Location
    sandbox: str
    hosts: tuple[RawEndpoint, ...]
    ttl: Any
    reason: Any
    ticket: Any
    annotations: Mapping[str, str] = field(default_factory=dict)
    document_index: int = 0
    # Where spec.sandbox and spec.ttl are written, for the cross-file rules.
    sandbox_position: Position | None = None
    ttl_position: Position | None = None


KarsObject = Sandbox | Approval

"""Kars objects <-> plain tuples for the repo index cache (marshal-safe values only).

Cross-file rules read the ref, location, mode, approval target and annotations
of objects outside the checked files; positions inside those objects are never
reported, so they are stored as the whole-file position. A sandbox's endpoints
(~25 per sandbox in the benchmark corpus: 250,000 objects to build) are kept as
one JSON string and decoded only for the sandboxes a checked approval names.
"""

from __future__ import annotations

import json
from collections.abc import Collection
from typing import Any

from karsgit.findings import WHOLE_FILE, Position
from karsgit.source.objects import (
    APPROVAL,
    SANDBOX,
    Approval,
    KarsObject,
    Location,
    ObjectRef,
    RawEndpoint,
    Sandbox,
)

_PLAIN = (str, int, float, bool, type(None))


def _plain(value: Any) -> Any:
    if isinstance(value, _PLAIN):
        return value
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return str(value)


def _entries(items: tuple[RawEndpoint, ...]) -> str:
    return json.dumps([(_plain(e.host), _plain(e.port), e.has_port) for e in items])


def _raw(text: str) -> tuple[RawEndpoint, ...]:
    w = WHOLE_FILE
    rows = json.loads(text)
    return tuple(RawEndpoint(i, h, p, has, w, w, w) for i, (h, p, has) in enumerate(rows))


def _head(obj: KarsObject) -> tuple[Any, ...]:
    loc = obj.location
    return (obj.ref.kind, obj.ref.namespace, obj.ref.name, loc.path, loc.line, loc.column)


def encode(objects: tuple[KarsObject, ...]) -> list[Any]:
    rows: list[Any] = []
    for o in objects:
        notes = dict(o.annotations)
        if isinstance(o, Sandbox):
            ref = _plain(dict(o.allowlist_ref)) if o.allowlist_ref is not None else None
            body: tuple[Any, ...] = (
                o.mode,
                o.mode_set,
                o.endpoints_set,
                ref,
                _entries(o.endpoints),
            )
        else:
            pos = o.sandbox_position or WHOLE_FILE
            body = (o.sandbox, _entries(o.hosts), _plain(o.ttl), _plain(o.reason),
                    _plain(o.ticket), pos.line, pos.column)  # fmt: skip
        rows.append((*_head(o), notes, o.document_index, body))
    return rows


def decode(
    rows: list[Any], wanted: Collection[tuple[str, str]], names: Collection[str] | None = None
) -> tuple[KarsObject, ...]:
    """Objects of one file; sandboxes not in ``wanted`` (namespace, name) get no endpoints.

    With ``names``, rows neither named so nor targeting such a name are skipped.
    """
    out: list[KarsObject] = []
    for kind, ns, name, path, line, column, notes, index, body in rows:
        if names is not None and name not in names and not (kind == APPROVAL and body[0] in names):
            continue
        ref, loc = ObjectRef(kind, ns, name), Location(path, line, column)
        if kind == SANDBOX:
            mode, mode_set, ep_set, allow, entries = body
            raw = _raw(entries) if (ns, name) in wanted else ()
            out.append(Sandbox(ref, loc, mode, mode_set, raw, ep_set, notes, allow, index))
        elif kind == APPROVAL:
            target, hosts, ttl, reason, ticket, pl, pc = body
            out.append(Approval(ref, loc, target, _raw(hosts), ttl, reason, ticket, notes, index,
                                Position(pl, pc)))  # fmt: skip
    return tuple(out)

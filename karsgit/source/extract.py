"""Turn a loaded document into a typed kars object (``karsgit.source.objects``)."""

from __future__ import annotations

from typing import Any

from karsgit.source.load import Document, PathKey
from karsgit.source.objects import (
    APPROVAL,
    DEFAULT_MODE,
    SANDBOX,
    Approval,
    KarsObject,
    Location,
    ObjectRef,
    RawEndpoint,
    Sandbox,
)

NETWORK_POLICY: PathKey = ("spec", "networkPolicy")
ENDPOINTS: PathKey = (*NETWORK_POLICY, "allowedEndpoints")
APPROVAL_HOSTS: PathKey = ("spec", "hosts")


def _get(data: Any, path: PathKey) -> Any:
    for part in path:
        if isinstance(part, str) and isinstance(data, dict):
            data = data.get(part)
        else:
            return None
    return data


def _endpoints(doc: Document, at: PathKey) -> tuple[RawEndpoint, ...]:
    items = _get(doc.data, at)
    if not isinstance(items, list):
        return ()
    out = []
    positions = doc.item_positions(at, ("host", "port"))
    for index, (item, (here, host_at, port_at)) in enumerate(zip(items, positions, strict=True)):
        entry = item if isinstance(item, dict) else {}
        out.append(
            RawEndpoint(
                index=index,
                host=entry.get("host"),
                port=entry.get("port"),
                has_port="port" in entry,
                position=here,
                host_position=host_at,
                port_position=port_at,
            )
        )
    return tuple(out)


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _strings(value: Any) -> dict[str, str]:
    if not isinstance(value, dict):
        return {}
    return {str(k): v for k, v in value.items() if isinstance(v, str)}


def to_object(doc: Document) -> KarsObject | None:
    """The typed object of a kars document, or None for other kinds."""
    ref = ObjectRef(doc.kind, doc.namespace, doc.name)
    start = doc.start
    location = Location(doc.path, start.line, start.column)
    annotations = _strings(doc.metadata.get("annotations"))
    if doc.kind == SANDBOX:
        return _sandbox(doc, ref, location, annotations)
    if doc.kind == APPROVAL:
        spec = _get(doc.data, ("spec",))
        spec = spec if isinstance(spec, dict) else {}
        return Approval(
            ref=ref,
            location=location,
            sandbox=_text(spec.get("sandbox")),
            hosts=_endpoints(doc, APPROVAL_HOSTS),
            ttl=spec.get("ttl"),
            reason=spec.get("reason"),
            ticket=spec.get("ticket"),
            annotations=annotations,
            document_index=doc.index,
            sandbox_position=doc.pos(("spec", "sandbox")),
            ttl_position=doc.pos(("spec", "ttl")),
        )
    return None


def _sandbox(
    doc: Document, ref: ObjectRef, location: Location, annotations: dict[str, str]
) -> Sandbox:
    policy = _get(doc.data, NETWORK_POLICY)
    policy = policy if isinstance(policy, dict) else {}
    mode = policy.get("egressMode")
    allowlist_ref = policy.get("allowlistRef")
    return Sandbox(
        ref=ref,
        location=location,
        mode=mode if isinstance(mode, str) else DEFAULT_MODE,
        mode_set="egressMode" in policy,
        endpoints=_endpoints(doc, ENDPOINTS),
        endpoints_set="allowedEndpoints" in policy,
        annotations=annotations,
        allowlist_ref=allowlist_ref if isinstance(allowlist_ref, dict) else None,
        document_index=doc.index,
    )

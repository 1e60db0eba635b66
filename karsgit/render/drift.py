"""A rendered sandbox whose endpoints differ from the committed bundle its
``allowlistRef`` names: an overlay changed the list and kept the base's ref, so
the controller enforces the base's signed list and reports drift.
"""

from __future__ import annotations

from collections.abc import Iterator

from karsgit.bundle.layout import BUNDLE_FILE as ALLOWLIST
from karsgit.findings import Hit, Position
from karsgit.normalize.entries import normal_set
from karsgit.settings import Settings
from karsgit.source.load import parse_documents
from karsgit.source.objects import KarsObject, Sandbox

Bundles = dict[str, tuple[str, frozenset[str]]]  # digest -> (path, endpoints)


def committed_bundles(settings: Settings) -> Bundles:
    from karsgit.bundle.canonical import oci_manifest_digest

    out: Bundles = {}
    folder = settings.root / settings.bundle_dir
    for path in sorted(folder.rglob(ALLOWLIST)) if folder.is_dir() else []:
        raw = path.read_bytes()
        out[oci_manifest_digest(raw)] = (
            path.relative_to(settings.root).as_posix(),
            _endpoints(raw),
        )
    return out


def _endpoints(raw: bytes) -> frozenset[str]:
    try:
        docs = parse_documents(ALLOWLIST, raw.decode("utf-8")).documents
    except UnicodeDecodeError:
        return frozenset()  # bundle-noncanonical reports it
    data = docs[0].data if docs else None
    spec = data.get("spec") if isinstance(data, dict) else None
    items = spec.get("endpoints") if isinstance(spec, dict) else None
    entries = items if isinstance(items, list) else []
    return frozenset(f"{e.get('host')}:{e.get('port')}" for e in entries if isinstance(e, dict))


def drift_hits(objects: list[KarsObject], bundles: Bundles) -> Iterator[Hit]:
    """Hits at the rendered position of the first endpoint the bundle lacks."""
    for sandbox in objects:
        if not isinstance(sandbox, Sandbox) or not sandbox.allowlist_ref:
            continue
        known = bundles.get(str(sandbox.allowlist_ref.get("digest")))
        if known is None:
            continue  # no committed bundle by that digest: the bundle rules say so
        path, signed = known
        rendered = normal_set(sandbox)
        extra = [str(e) for e in rendered if str(e) not in signed]
        missing = sorted(signed - {str(e) for e in rendered})
        if not extra and not missing:
            continue
        yield Hit(
            "inline-drift",
            _position(sandbox, extra),
            f"rendered {sandbox.ref} {_listed(extra, missing)} {path}, the bundle its "
            "allowlistRef names (the controller enforces the bundle)",
            "run 'karsgit compile' (it gives this root's sandbox its own bundle and "
            "allowlistRef patch), or undo the endpoint change in the overlay",
        )


def _listed(extra: list[str], missing: list[str]) -> str:
    parts = []
    if extra:
        parts.append(f"lists {', '.join(extra)}, not in")
    if missing:
        parts.append(f"lacks {', '.join(missing)}, listed in")
    return " and ".join(parts)


def _position(sandbox: Sandbox, extra: list[str]) -> Position:
    from karsgit.normalize.endpoints import normalize_host

    hosts = {e.rsplit(":", 1)[0] for e in extra}
    for raw in sandbox.endpoints:
        normal = normalize_host(raw.host).normal if isinstance(raw.host, str) else None
        if normal in hosts:
            return raw.host_position
    return Position(sandbox.location.line, sandbox.location.column)

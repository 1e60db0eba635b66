"""Sigstore bundle v0.3 JSON for message signatures: build (key mode) and parse.

We only ever write the v0.3 bundle; cosign's older "cosign bundle" JSON (key
carried in ``cert``, Rekor payload inline) is neither written nor read. Parsing
is deliberately shallow: it pulls out what the key verifier needs and proves the
file is a v0.3 message-signature bundle; certificate chains and log entries are
sigstore-python's business in keyless mode.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from typing import Any

from karsgit.signing.errors import MalformedBundle

BUNDLE_MEDIA_TYPE = "application/vnd.dev.sigstore.bundle.v0.3+json"
# the same version spelled the older way (sigstore-conformance and some clients write it)
_V03_MEDIA_TYPES = frozenset(
    {BUNDLE_MEDIA_TYPE, "application/vnd.dev.sigstore.bundle+json;version=0.3"}
)
_DIGEST_ALGORITHM = "SHA2_256"
_HINT = "re-run 'karsgit sign' to write a fresh bundle"


@dataclass(frozen=True, slots=True)
class SigstoreBundle:
    """The parts of a v0.3 message-signature bundle karsgit looks at."""

    media_type: str
    digest: bytes
    signature: bytes
    key_hint: str | None
    has_certificate: bool
    tlog_entries: int


def build_key_bundle(digest: bytes, signature: bytes, hint: str) -> bytes:
    """A key-mode bundle; the same inputs always give the same bytes.

    Fields follow the protobuf order and the JSON is compact with one trailing
    newline, so a re-signed artifact only changes where the signature changes.
    """
    bundle = {
        "mediaType": BUNDLE_MEDIA_TYPE,
        "verificationMaterial": {"publicKey": {"hint": hint}, "tlogEntries": []},
        "messageSignature": {
            "messageDigest": {"algorithm": _DIGEST_ALGORITHM, "digest": _b64(digest)},
            "signature": _b64(signature),
        },
    }
    return json.dumps(bundle, separators=(",", ":")).encode() + b"\n"


def parse_bundle(bundle_json: bytes) -> SigstoreBundle:
    """Read a v0.3 message-signature bundle or raise MalformedBundle."""
    doc = _load_json(bundle_json)
    media_type = doc.get("mediaType")
    if media_type not in _V03_MEDIA_TYPES:
        raise MalformedBundle(
            f"bundle media type {media_type!r} is not '{BUNDLE_MEDIA_TYPE}'", _HINT
        )
    material = _object(doc, "verificationMaterial")
    message = _object(doc, "messageSignature")
    digest = _object(message, "messageDigest")
    if digest.get("algorithm") != _DIGEST_ALGORITHM:
        raise MalformedBundle(
            f"bundle digest algorithm {digest.get('algorithm')!r} is not {_DIGEST_ALGORITHM}",
            _HINT,
        )
    entries = material.get("tlogEntries", [])
    return SigstoreBundle(
        media_type=media_type,
        digest=_b64_field(digest, "digest"),
        signature=_b64_field(message, "signature"),
        key_hint=_key_hint(material),
        has_certificate="certificate" in material or "x509CertificateChain" in material,
        tlog_entries=len(entries) if isinstance(entries, list) else 0,
    )


def _load_json(bundle_json: bytes) -> dict[str, Any]:
    try:
        doc = json.loads(bundle_json)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        # a cut-off file and a non-JSON file read the same to the user
        raise MalformedBundle(
            f"bundle is not valid json ({exc.__class__.__name__})", _HINT
        ) from exc
    except RecursionError:
        # the json module recurses per level; a Sigstore bundle nests 5 levels
        raise MalformedBundle("bundle json nests too deeply to read", _HINT) from None
    if not isinstance(doc, dict):
        raise MalformedBundle("bundle is not a json object", _HINT)
    return doc


def _object(parent: dict[str, Any], name: str) -> dict[str, Any]:
    value = parent.get(name)
    if not isinstance(value, dict):
        raise MalformedBundle(f"bundle has no '{name}' object", _HINT)
    return value


def _b64_field(parent: dict[str, Any], name: str) -> bytes:
    value = parent.get(name)
    if not isinstance(value, str) or not value:
        raise MalformedBundle(f"bundle has no '{name}' value", _HINT)
    try:
        return base64.b64decode(value, validate=True)
    except binascii.Error as exc:
        raise MalformedBundle(f"bundle '{name}' is not base64", _HINT) from exc


def _key_hint(material: dict[str, Any]) -> str | None:
    public_key = material.get("publicKey")
    if not isinstance(public_key, dict):
        return None
    hint = public_key.get("hint")
    return hint if isinstance(hint, str) and hint else None


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()

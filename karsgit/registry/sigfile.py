"""The committed cosign signature artifact (``allowlist.cosign.json``), as publish
and ``verify --registry`` need it: the exact bytes the ``sha256-<hex>.sig`` tag
carries.

The format is shared with ``sign --keyless`` (``karsgit.signing.cosignsig``
writes it); this reader checks only what uploading needs: the three byte
strings, and that the manifest names the payload and config by their digests.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from karsgit.signing.errors import MalformedBundle

SIG_ARTIFACT_NAME = "allowlist.cosign.json"
SIMPLESIGNING_MEDIA_TYPE = "application/vnd.dev.cosign.simplesigning.v1+json"


@dataclass(frozen=True, slots=True)
class SigArtifact:
    reference: str  # "<registry>/<repository>" the payload names
    digest: str  # the bundle manifest digest the payload names
    payload: bytes
    config: bytes
    manifest: bytes

    @property
    def manifest_digest(self) -> str:
        return _sha256(self.manifest)

    @property
    def media_type(self) -> str:
        value = json.loads(self.manifest).get("mediaType")
        return value if isinstance(value, str) else "application/vnd.oci.image.manifest.v1+json"


def sig_tag(digest: str) -> str:
    """cosign's legacy tag: ``sha256:<hex>`` -> ``sha256-<hex>.sig``."""
    return digest.replace(":", "-", 1) + ".sig"


def parse_sig_artifact(data: bytes) -> SigArtifact:
    """Raise MalformedBundle on anything that is not a sound artifact."""
    try:
        doc = json.loads(data)
    except (ValueError, UnicodeDecodeError) as error:
        raise _bad(f"it is not JSON ({error})") from None
    if not isinstance(doc, dict):
        raise _bad("it is not a JSON object")
    keys = ("dockerReference", "dockerManifestDigest", "payload", "config", "manifest")
    fields = {k: v for k in keys if isinstance(v := doc.get(k), str) and v}
    missing = sorted(set(keys) - set(fields))
    if missing:
        raise _bad(f"it lacks {', '.join(missing)}")
    art = SigArtifact(
        fields["dockerReference"],
        fields["dockerManifestDigest"],
        fields["payload"].encode("utf-8"),
        fields["config"].encode("utf-8"),
        fields["manifest"].encode("utf-8"),
    )
    manifest = _object(art.manifest, "manifest")
    layers = manifest.get("layers")
    config = manifest.get("config")
    if not isinstance(layers, list) or not layers or not isinstance(config, dict):
        raise _bad("its manifest has no layers or no config")
    if config.get("digest") != _sha256(art.config):
        raise _bad("its manifest's config digest is not the sha256 of its config")
    payloads = [layer for layer in layers if isinstance(layer, dict)]
    if [layer.get("digest") for layer in payloads] != [_sha256(art.payload)]:
        raise _bad("its manifest's layer is not the sha256 of its payload")
    critical = _object(art.payload, "payload").get("critical")
    if (
        _field(critical, "image", "docker-manifest-digest") != art.digest
        or _field(critical, "identity", "docker-reference") != art.reference
    ):
        raise _bad("its payload names another digest or reference than the artifact")
    return art


def _field(doc: Any, outer: str, inner: str) -> Any:
    middle = doc.get(outer) if isinstance(doc, dict) else None
    return middle.get(inner) if isinstance(middle, dict) else None


def _object(data: bytes, what: str) -> dict[str, Any]:
    try:
        value = json.loads(data)
    except ValueError:
        raise _bad(f"its {what} is not JSON") from None
    if not isinstance(value, dict):
        raise _bad(f"its {what} is not a JSON object")
    return value


def _bad(why: str) -> MalformedBundle:
    return MalformedBundle(
        f"signature artifact is malformed: {why}", "run 'karsgit sign --keyless' and commit it"
    )


def _sha256(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()

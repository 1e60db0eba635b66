"""``allowlist.cosign.json`` artifacts built from the shared format
(/work/notes sigformat: the exact bytes the ``.sig`` tag carries), for tests of
publish and ``verify --registry`` that do not exercise the signature itself.

The annotations hold placeholders, not a signature: the signer check is the
caller's (the real one lives in ``karsgit.signing.cosignsig``).
"""

from __future__ import annotations

import hashlib
import json

MEDIA_TYPE = "application/vnd.karsgit.cosign-signature.v1+json"
SIMPLESIGNING = "application/vnd.dev.cosign.simplesigning.v1+json"


def _digest(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def payload(reference: str, digest: str) -> bytes:
    doc = {
        "critical": {
            "identity": {"docker-reference": reference},
            "image": {"docker-manifest-digest": digest},
            "type": "cosign container image signature",
        },
        "optional": None,
    }
    return json.dumps(doc, separators=(",", ":")).encode()


def artifact(reference: str, digest: str, *, marker: str = "test") -> bytes:
    body = payload(reference, digest)
    config = json.dumps(
        {"architecture": "", "config": {}, "created": "0001-01-01T00:00:00Z", "history": [
            {"created": "0001-01-01T00:00:00Z"}], "os": "", "rootfs": {
            "type": "layers", "diff_ids": [_digest(body)]}},
        separators=(",", ":"),
    ).encode()  # fmt: skip
    manifest = json.dumps(
        {
            "schemaVersion": 2,
            "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "config": {
                "mediaType": "application/vnd.oci.image.config.v1+json",
                "size": len(config),
                "digest": _digest(config),
            },
            "layers": [
                {
                    "mediaType": SIMPLESIGNING,
                    "size": len(body),
                    "digest": _digest(body),
                    "annotations": {
                        "dev.cosignproject.cosign/signature": f"placeholder-{marker}",
                        "dev.sigstore.cosign/certificate": "",
                        "dev.sigstore.cosign/chain": "",
                        "dev.sigstore.cosign/bundle": "{}",
                    },
                }
            ],
        },
        separators=(",", ":"),
    ).encode()
    doc = {
        "mediaType": MEDIA_TYPE,
        "dockerReference": reference,
        "dockerManifestDigest": digest,
        "payload": body.decode(),
        "config": config.decode(),
        "manifest": manifest.decode(),
    }
    return (json.dumps(doc, indent=2, sort_keys=True) + "\n").encode()

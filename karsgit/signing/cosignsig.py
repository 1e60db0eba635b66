"""The committed cosign signature artifact: what the ``sha256-<hex>.sig`` tag carries.

``allowlist.cosign.json`` holds the simple-signing payload, the ``.sig`` image's
config blob and its manifest, byte for byte as cosign writes them, so that
``publish`` uploads them verbatim (/work/notes/sigformat.md, DESIGN.md §2).
Pure code over cryptography: the trust material comes in as plain objects.
"""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID

from karsgit.signing.errors import MalformedBundle, SignatureInvalid, SignerMismatch
from karsgit.signing.signers import SignerIdentity, SignerPolicy, identity_from_certificate

SIG_ARTIFACT_NAME = "allowlist.cosign.json"
ARTIFACT_MEDIA_TYPE = "application/vnd.karsgit.cosign-signature.v1+json"
SIMPLESIGNING_MEDIA_TYPE = "application/vnd.dev.cosign.simplesigning.v1+json"
MANIFEST_MEDIA_TYPE = "application/vnd.oci.image.manifest.v1+json"
CONFIG_MEDIA_TYPE = "application/vnd.oci.image.config.v1+json"
SIGNATURE_ANNOTATION = "dev.cosignproject.cosign/signature"
CERTIFICATE_ANNOTATION = "dev.sigstore.cosign/certificate"
CHAIN_ANNOTATION = "dev.sigstore.cosign/chain"
BUNDLE_ANNOTATION = "dev.sigstore.cosign/bundle"
SIGNATURE_TYPE = "cosign container image signature"
# a real artifact is about 6 KB; anything far larger is not one of ours
MAX_ARTIFACT_BYTES = 1 << 20

_DIGEST = re.compile(r"sha256:[0-9a-f]{64}")
_KEYS = frozenset(
    {"mediaType", "dockerReference", "dockerManifestDigest", "payload", "config", "manifest"}
)
_HINT = "run 'karsgit sign --keyless' to write a fresh signature"
_ANNOTATIONS = (SIGNATURE_ANNOTATION, CERTIFICATE_ANNOTATION, CHAIN_ANNOTATION, BUNDLE_ANNOTATION)


@dataclass(frozen=True, slots=True)
class SigArtifact:
    """One ``.sig`` image: the payload, config blob and manifest bytes."""

    reference: str
    digest: str
    payload: bytes
    config: bytes
    manifest: bytes


@dataclass(frozen=True, slots=True)
class RekorEntry:
    """A Rekor v1 entry with its inclusion promise, as cosign's bundle annotation holds it."""

    signed_entry_timestamp: bytes
    body: bytes
    integrated_time: int
    log_index: int
    log_id: bytes

    def annotation(self) -> str:
        """cosign's ``RekorBundle`` JSON (Go field order; body stays base64)."""
        return _go_json(
            {
                "SignedEntryTimestamp": _b64(self.signed_entry_timestamp),
                "Payload": {
                    "body": _b64(self.body),
                    "integratedTime": self.integrated_time,
                    "logIndex": self.log_index,
                    "logID": self.log_id.hex(),
                },
            }
        )

    def set_payload(self) -> bytes:
        """The RFC 8785 bytes Rekor signed: sorted keys, ASCII strings and integers only."""
        doc = {
            "body": _b64(self.body),
            "integratedTime": self.integrated_time,
            "logID": self.log_id.hex(),
            "logIndex": self.log_index,
        }
        return json.dumps(doc, sort_keys=True, separators=(",", ":")).encode()


@dataclass(frozen=True, slots=True)
class SigLayer:
    """The signature layer's annotations, decoded."""

    signature: bytes
    certificate: x509.Certificate
    chain: tuple[x509.Certificate, ...]
    entry: RekorEntry


@dataclass(frozen=True, slots=True)
class TrustMaterial:
    """Fulcio CA chains (issuer first, root last) and Rekor keys by log id."""

    fulcio_chains: tuple[tuple[x509.Certificate, ...], ...]
    rekor_keys: Mapping[bytes, ec.EllipticCurvePublicKey]


def docker_reference(registry: str, repository: str) -> str:
    return f"{registry}/{repository}"


def simple_signing_payload(reference: str, digest: str) -> bytes:
    """cosign's payload: Go's json.Marshal of its SimpleContainerImage, no newline."""
    return _go_json(
        {
            "critical": {
                "identity": {"docker-reference": reference},
                "image": {"docker-manifest-digest": digest},
                "type": SIGNATURE_TYPE,
            },
            "optional": None,
        }
    ).encode()


def config_blob(payload: bytes) -> bytes:
    """The config cosign's empty image gets once the payload layer is appended."""
    return _go_json(
        {
            "architecture": "",
            "created": "0001-01-01T00:00:00Z",
            "history": [{"created": "0001-01-01T00:00:00Z"}],
            "os": "",
            "rootfs": {"type": "layers", "diff_ids": [_sha256(payload)]},
            "config": {},
        }
    ).encode()


def build_sig_artifact(
    reference: str,
    digest: str,
    signature: bytes,
    certificate: x509.Certificate,
    chain: tuple[x509.Certificate, ...],
    entry: RekorEntry,
) -> SigArtifact:
    """The ``.sig`` image for one signed payload, as ``cosign sign`` pushes it."""
    payload = simple_signing_payload(reference, digest)
    config = config_blob(payload)
    annotations = {
        SIGNATURE_ANNOTATION: _b64(signature),
        CERTIFICATE_ANNOTATION: _pem(certificate),
        CHAIN_ANNOTATION: "".join(_pem(c) for c in chain),
        BUNDLE_ANNOTATION: entry.annotation(),
    }
    manifest = {
        "schemaVersion": 2,
        "mediaType": MANIFEST_MEDIA_TYPE,
        "config": _descriptor(CONFIG_MEDIA_TYPE, config),
        "layers": [
            {
                **_descriptor(SIMPLESIGNING_MEDIA_TYPE, payload),
                "annotations": dict(sorted(annotations.items())),
            }
        ],
    }
    return SigArtifact(reference, digest, payload, config, _go_json(manifest).encode())


def render_sig_artifact(art: SigArtifact) -> bytes:
    doc = {
        "mediaType": ARTIFACT_MEDIA_TYPE,
        "dockerReference": art.reference,
        "dockerManifestDigest": art.digest,
        "payload": art.payload.decode(),
        "config": art.config.decode(),
        "manifest": art.manifest.decode(),
    }
    return json.dumps(doc, sort_keys=True, indent=2).encode() + b"\n"


def parse_sig_artifact(data: bytes) -> SigArtifact:
    """Read ``allowlist.cosign.json``; MalformedBundle on anything that is not one."""
    doc = _json_object(data, "signature artifact")
    if set(doc) != _KEYS:
        extra = sorted(set(doc) ^ _KEYS)
        raise MalformedBundle(f"signature artifact keys differ from the format at {extra}", _HINT)
    if doc["mediaType"] != ARTIFACT_MEDIA_TYPE:
        raise MalformedBundle(
            f"signature artifact media type {doc['mediaType']!r} is not '{ARTIFACT_MEDIA_TYPE}'",
            _HINT,
        )
    fields = {key: doc[key] for key in _KEYS}
    if not all(isinstance(value, str) for value in fields.values()):
        raise MalformedBundle("signature artifact values must be strings", _HINT)
    art = SigArtifact(
        reference=fields["dockerReference"],
        digest=fields["dockerManifestDigest"],
        payload=fields["payload"].encode(),
        config=fields["config"].encode(),
        manifest=fields["manifest"].encode(),
    )
    _check_parts(art)
    return art


def sig_layer(art: SigArtifact) -> SigLayer:
    """Decode the annotations of a parsed artifact's one signature layer."""
    annotations = _layer(_json_object(art.manifest, "signature manifest")).get("annotations")
    if not isinstance(annotations, dict):
        raise MalformedBundle("signature layer has no annotations", _HINT)
    values = {}
    for key in _ANNOTATIONS:
        value = annotations.get(key)
        if not isinstance(value, str) or not value:
            raise MalformedBundle(f"signature layer has no '{key}' annotation", _HINT)
        values[key] = value
    return SigLayer(
        signature=_b64_decode(values[SIGNATURE_ANNOTATION], "signature annotation"),
        certificate=_certificates(values[CERTIFICATE_ANNOTATION], "certificate")[0],
        chain=_certificates(values[CHAIN_ANNOTATION], "chain"),
        entry=_rekor_entry(values[BUNDLE_ANNOTATION]),
    )


def verify_sig_artifact(
    art: SigArtifact,
    registry: str,
    repository: str,
    digest: str,
    policy: SignerPolicy | SignerIdentity,
    trust: TrustMaterial,
) -> SignerIdentity:
    """The controller's acceptance of one ``.sig`` for ``registry/repository@digest``.

    ``policy`` is the signer policy, or one identity that must have signed (the
    ``sign`` run's own). Raises SignatureInvalid (wrong target, log entry, chain
    or signature) before SignerMismatch, so signer-mismatch always means a sound
    signature.
    """
    layer = check_target(art, registry, repository, digest)
    _verify_set(layer.entry, trust)
    _verify_chain(layer.certificate, trust, layer.entry.integrated_time)
    _verify_signature(layer.certificate, layer.signature, art.payload)
    _verify_body(layer, art.payload)
    identity = identity_from_certificate(layer.certificate)
    allowed = identity == policy if isinstance(policy, SignerIdentity) else policy.allows(identity)
    if not allowed:
        raise SignerMismatch(
            f"signature is made by {identity.describe()}, which the signer policy does not allow",
            "sign from an allowed identity, or allow this one in the signer policy",
        )
    return identity


def check_target(art: SigArtifact, registry: str, repository: str, digest: str) -> SigLayer:
    """The artifact names ``registry/repository@digest`` and has the annotations the
    controller needs (no trust needed); returns them decoded."""
    reference = docker_reference(registry, repository)
    if art.reference != reference:
        raise SignatureInvalid(
            f"signature is made for '{art.reference}', not for '{reference}'", _HINT
        )
    if art.digest != digest:
        raise SignatureInvalid(f"signature is made for {art.digest}, not for {digest}", _HINT)
    return sig_layer(art)


# ----------------------------------------------------------------- parsing


def _check_parts(art: SigArtifact) -> None:
    if not _DIGEST.fullmatch(art.digest):
        raise MalformedBundle(
            f"signature artifact digest {art.digest!r} is not sha256:<hex>", _HINT
        )
    if not art.reference or any(c.isspace() for c in art.reference):
        raise MalformedBundle(f"signature artifact reference {art.reference!r} is not valid", _HINT)
    if art.payload != simple_signing_payload(art.reference, art.digest):
        raise MalformedBundle(
            f"signature payload is not the simple-signing payload for {art.reference}@{art.digest}",
            _HINT,
        )
    manifest = _json_object(art.manifest, "signature manifest")
    if manifest.get("schemaVersion") != 2 or manifest.get("mediaType") != MANIFEST_MEDIA_TYPE:
        raise MalformedBundle(f"signature manifest is not an '{MANIFEST_MEDIA_TYPE}'", _HINT)
    _check_descriptor(manifest.get("config"), CONFIG_MEDIA_TYPE, art.config, "config")
    _check_descriptor(_layer(manifest), SIMPLESIGNING_MEDIA_TYPE, art.payload, "layer")
    config = _json_object(art.config, "signature config")
    rootfs = config.get("rootfs")
    if not isinstance(rootfs, dict) or rootfs.get("diff_ids") != [_sha256(art.payload)]:
        raise MalformedBundle("signature config does not name the payload layer", _HINT)


def _layer(manifest: dict[str, Any]) -> dict[str, Any]:
    layers = manifest.get("layers")
    if not isinstance(layers, list) or len(layers) != 1 or not isinstance(layers[0], dict):
        raise MalformedBundle("signature manifest must have exactly one layer", _HINT)
    return layers[0]


def _check_descriptor(value: object, media_type: str, blob: bytes, what: str) -> None:
    if not isinstance(value, dict) or value.get("mediaType") != media_type:
        raise MalformedBundle(f"signature manifest {what} is not of type '{media_type}'", _HINT)
    if value.get("digest") != _sha256(blob) or value.get("size") != len(blob):
        raise MalformedBundle(f"signature manifest {what} digest does not match its bytes", _HINT)


def _json_object(data: bytes, what: str) -> dict[str, Any]:
    if len(data) > MAX_ARTIFACT_BYTES:
        raise MalformedBundle(f"{what} is larger than {MAX_ARTIFACT_BYTES} bytes", _HINT)
    try:
        doc = json.loads(data)
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        # a cut-off file and a non-JSON file read the same to the user
        raise MalformedBundle(
            f"{what} is not valid json ({exc.__class__.__name__})", _HINT
        ) from exc
    if not isinstance(doc, dict):
        raise MalformedBundle(f"{what} is not a json object", _HINT)
    return doc


def _rekor_entry(text: str) -> RekorEntry:
    doc = _json_object(text.encode(), "rekor bundle annotation")
    payload = doc.get("Payload")
    if set(doc) != {"SignedEntryTimestamp", "Payload"} or not isinstance(payload, dict):
        raise MalformedBundle("rekor bundle annotation is not a cosign rekor bundle", _HINT)
    body, when, index, log_id = (
        payload.get(k) for k in ("body", "integratedTime", "logIndex", "logID")
    )
    if not (isinstance(body, str) and isinstance(log_id, str)):
        raise MalformedBundle("rekor bundle annotation lacks body or logID", _HINT)
    if not (_is_int(when) and _is_int(index)):
        raise MalformedBundle("rekor bundle annotation lacks integratedTime or logIndex", _HINT)
    try:
        raw_log_id = bytes.fromhex(log_id)
    except ValueError as exc:
        raise MalformedBundle("rekor bundle logID is not hex", _HINT) from exc
    return RekorEntry(
        signed_entry_timestamp=_b64_decode(doc["SignedEntryTimestamp"], "SignedEntryTimestamp"),
        body=_b64_decode(body, "rekor body"),
        integrated_time=int(when),  # type: ignore[arg-type]
        log_index=int(index),  # type: ignore[arg-type]
        log_id=raw_log_id,
    )


def _certificates(pem: str, what: str) -> tuple[x509.Certificate, ...]:
    try:
        certs = tuple(x509.load_pem_x509_certificates(pem.encode()))
    except ValueError as exc:
        raise MalformedBundle(
            f"signature {what} annotation is not pem certificates", _HINT
        ) from exc
    return certs


# ---------------------------------------------------------------- verifying


def _verify_set(entry: RekorEntry, trust: TrustMaterial) -> None:
    key = trust.rekor_keys.get(entry.log_id)
    if key is None:
        raise SignatureInvalid(
            f"rekor entry is from log {entry.log_id.hex()[:16]}..., which the trust root "
            "does not list",
            "check that --trust-config names the signing instance",
        )
    try:
        key.verify(entry.signed_entry_timestamp, entry.set_payload(), ec.ECDSA(hashes.SHA256()))
    except InvalidSignature as exc:
        raise SignatureInvalid("rekor inclusion promise (SET) does not verify", _HINT) from exc


def _verify_chain(cert: x509.Certificate, trust: TrustMaterial, when: int) -> None:
    """The leaf was issued by a trusted Fulcio chain and was valid at ``when``."""
    for chain in trust.fulcio_chains:
        if chain and _issued_along(cert, chain, when):
            break
    else:
        raise SignatureInvalid(
            "signing certificate does not chain to a trusted fulcio ca",
            "check that --trust-config names the signing instance",
        )
    try:
        usages = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    except x509.ExtensionNotFound:
        usages = x509.ExtendedKeyUsage([])
    if ExtendedKeyUsageOID.CODE_SIGNING not in usages:
        raise SignatureInvalid("signing certificate is not for code signing", _HINT)


def _issued_along(cert: x509.Certificate, chain: tuple[x509.Certificate, ...], when: int) -> bool:
    child = cert
    for parent in chain:
        if not _valid_at(child, when) or not _directly_issued(child, parent):
            return False
        child = parent
    return _valid_at(child, when)


@functools.lru_cache(maxsize=256)
def _directly_issued(child: x509.Certificate, parent: x509.Certificate) -> bool:
    # one signing run reuses one certificate for every bundle: check its chain once
    try:
        child.verify_directly_issued_by(parent)
    except (ValueError, TypeError, InvalidSignature):
        return False
    return True


def _valid_at(cert: x509.Certificate, when: int) -> bool:
    start = cert.not_valid_before_utc.timestamp()
    end = cert.not_valid_after_utc.timestamp()
    return start <= when <= end


def _verify_signature(cert: x509.Certificate, signature: bytes, payload: bytes) -> None:
    key = cert.public_key()
    if not isinstance(key, ec.EllipticCurvePublicKey):
        raise SignatureInvalid("signing certificate key is not an ecdsa key", _HINT)
    try:
        key.verify(signature, payload, ec.ECDSA(hashes.SHA256()))
    except InvalidSignature as exc:
        raise SignatureInvalid("signature does not verify over the payload", _HINT) from exc


def _verify_body(layer: SigLayer, payload: bytes) -> None:
    """The log entry records this payload, signature and certificate (hashedrekord)."""
    try:
        body = json.loads(layer.entry.body)
        spec = body["spec"]
        digest = spec["data"]["hash"]
        signature = base64.b64decode(spec["signature"]["content"], validate=True)
        logged = x509.load_pem_x509_certificate(
            base64.b64decode(spec["signature"]["publicKey"]["content"], validate=True)
        )
    except (ValueError, KeyError, TypeError, RecursionError, binascii.Error) as exc:
        raise SignatureInvalid("rekor entry body is not a hashedrekord entry", _HINT) from exc
    same = (
        body.get("kind") == "hashedrekord"
        and digest == {"algorithm": "sha256", "value": hashlib.sha256(payload).hexdigest()}
        and signature == layer.signature
        and logged == layer.certificate
    )
    if not same:
        raise SignatureInvalid("rekor entry records another payload, signature or key", _HINT)


# ------------------------------------------------------------------ helpers


def _go_json(value: object) -> str:
    """Go's encoding/json output: compact, HTML characters and U+2028/9 escaped."""
    text = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    for char, escaped in (
        ("<", "\\u003c"),
        (">", "\\u003e"),
        ("&", "\\u0026"),
        ("\u2028", "\\u2028"),
        ("\u2029", "\\u2029"),
    ):
        text = text.replace(char, escaped)
    return text


def _descriptor(media_type: str, blob: bytes) -> dict[str, Any]:
    return {"mediaType": media_type, "size": len(blob), "digest": _sha256(blob)}


def _sha256(blob: bytes) -> str:
    return "sha256:" + hashlib.sha256(blob).hexdigest()


def _pem(cert: x509.Certificate) -> str:
    return cert.public_bytes(serialization.Encoding.PEM).decode()


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


def _b64_decode(value: object, what: str) -> bytes:
    if not isinstance(value, str) or not value:
        raise MalformedBundle(f"{what} is missing", _HINT)
    try:
        return base64.b64decode(value, validate=True)
    except binascii.Error as exc:
        raise MalformedBundle(f"{what} is not base64", _HINT) from exc


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0

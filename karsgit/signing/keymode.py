"""Key-mode signing and verification (karsgit's own; sigstore-python has none).

A key bundle is a v0.3 bundle with ``publicKey.hint`` and no log entry; the
``.sig`` file is the same DER ECDSA signature in base64, which is what
``cosign sign-blob --key`` writes and ``cosign verify-blob --signature`` reads.
"""

from __future__ import annotations

import base64
import binascii
import hashlib

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, utils

from karsgit.errors import SigningError
from karsgit.signing.base import SignedArtifact
from karsgit.signing.bundle import build_key_bundle, parse_bundle
from karsgit.signing.cosignkey import key_hint, load_private_key
from karsgit.signing.errors import SignatureInvalid, SignerMismatch

_PREHASHED = ec.ECDSA(utils.Prehashed(hashes.SHA256()))
_RESIGN_HINT = "re-run 'karsgit sign' after reviewing the change"


class KeySigner:
    """Signs artifact bytes with a cosign-compatible P-256 key."""

    def __init__(self, private_key: ec.EllipticCurvePrivateKey) -> None:
        if not isinstance(private_key.curve, ec.SECP256R1):
            raise SigningError("private key is not a p-256 key", "use an ecdsa p-256 key pair")
        self._key = private_key
        self._hint = key_hint(private_key.public_key())

    @classmethod
    def from_pem(cls, pem: bytes, password: bytes) -> KeySigner:
        """Load a cosign.key file (password usually from COSIGN_PASSWORD)."""
        return cls(load_private_key(pem, password))

    def sign(self, data: bytes) -> SignedArtifact:
        digest = hashlib.sha256(data).digest()
        signature = self._sign_digest(digest)
        return SignedArtifact(
            bundle_json=build_key_bundle(digest, signature, self._hint),
            signature=base64.b64encode(signature),
        )

    def _sign_digest(self, digest: bytes) -> bytes:
        # RFC 6979 signatures make re-signing unchanged bytes a no-op for the
        # artifact writer; older OpenSSL builds fall back to random nonces.
        try:
            deterministic = ec.ECDSA(utils.Prehashed(hashes.SHA256()), deterministic_signing=True)
            return self._key.sign(digest, deterministic)
        except UnsupportedAlgorithm:
            return self._key.sign(digest, _PREHASHED)


def verify_key_bundle(
    bundle_json: bytes, data: bytes, public_key: ec.EllipticCurvePublicKey
) -> None:
    """Check a bundle over ``data`` against ``public_key``.

    Raises MalformedBundle / SignatureInvalid when the bundle or bytes are
    wrong and SignerMismatch when another key (or a certificate) signed. Log
    entries and timestamps, if present, are not required and not checked: the
    key is the trust anchor in this mode.
    """
    bundle = parse_bundle(bundle_json)
    expected_hint = key_hint(public_key)
    if bundle.has_certificate and bundle.key_hint is None:
        raise SignerMismatch(
            "bundle is signed with a certificate (keyless), not with a key",
            "verify with --cert-identity and --cert-oidc-issuer or --signer-policy",
        )
    digest = hashlib.sha256(data).digest()
    if bundle.digest != digest:
        raise SignatureInvalid("bundle digest does not match the artifact bytes", _RESIGN_HINT)
    if _signature_ok(public_key, bundle.signature, digest):
        return
    if bundle.key_hint is not None and bundle.key_hint != expected_hint:
        raise SignerMismatch(
            f"bundle was signed by key {bundle.key_hint}, not by key {expected_hint}",
            "verify with the public key that belongs to the signing key, or re-sign",
        )
    raise SignatureInvalid("bundle signature does not verify with the public key", _RESIGN_HINT)


def verify_key_signature(
    signature_b64: bytes, data: bytes, public_key: ec.EllipticCurvePublicKey
) -> None:
    """Check a cosign ``.sig`` file (base64 DER ECDSA) over ``data``."""
    try:
        signature = base64.b64decode(signature_b64.strip(), validate=True)
    except binascii.Error as exc:
        raise SignatureInvalid("signature file is not base64", _RESIGN_HINT) from exc
    if not _signature_ok(public_key, signature, hashlib.sha256(data).digest()):
        raise SignatureInvalid("signature file does not verify with the public key", _RESIGN_HINT)


def _signature_ok(public_key: ec.EllipticCurvePublicKey, signature: bytes, digest: bytes) -> bool:
    try:
        public_key.verify(signature, digest, _PREHASHED)
    except InvalidSignature:
        return False
    return True

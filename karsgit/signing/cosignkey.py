"""cosign-compatible encrypted P-256 keys.

The private key file is a PEM block labelled ``ENCRYPTED SIGSTORE PRIVATE KEY``
(cosign also still reads ``ENCRYPTED COSIGN PRIVATE KEY``) whose body is a JSON
envelope: scrypt derives a 32-byte key from the password, NaCl secretbox
encrypts a PKCS#8 DER P-256 private key. We accept exactly what cosign accepts,
so a key that works here works with cosign and the other way round.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import os
import re
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from karsgit.der import tlv
from karsgit.errors import SigningError

# A cosign public key (P-256), as the rest of karsgit names it without cryptography.
PublicKey = ec.EllipticCurvePublicKey

PRIVATE_LABEL = "ENCRYPTED SIGSTORE PRIVATE KEY"
LEGACY_PRIVATE_LABEL = "ENCRYPTED COSIGN PRIVATE KEY"
PUBLIC_LABEL = "PUBLIC KEY"

# cosign refuses anything else; a weaker N would make karsgit keys cosign can't read
SCRYPT_N_ALLOWED = frozenset({32768, 65536, 131072})
SCRYPT_N_DEFAULT = 65536
SCRYPT_R = 8
SCRYPT_P = 1
# OpenSSL's default scrypt memory cap (32 MiB) is below what N=32768, r=8 needs
_SCRYPT_MAXMEM = 512 * 1024 * 1024
_SALT_BYTES = 32
_NONCE_BYTES = 24  # secretbox's nonce size
_KEY_BYTES = 32

_PEM_RE = re.compile(
    rb"-----BEGIN ([A-Z0-9 ]+)-----\r?\n(.*?)-----END ([A-Z0-9 ]+)-----", re.DOTALL
)
_KEY_HINT = "pass the cosign.key written by 'karsgit keygen' or 'cosign generate-key-pair'"


def generate_keypair(password: bytes) -> tuple[bytes, bytes]:
    """Create a P-256 key; return (encrypted private PEM, public PEM)."""
    key = ec.generate_private_key(ec.SECP256R1())
    return encrypt_private_key(key, password), public_pem(key.public_key())


def encrypt_private_key(
    key: ec.EllipticCurvePrivateKey, password: bytes, *, scrypt_n: int = SCRYPT_N_DEFAULT
) -> bytes:
    """Encrypt ``key`` into cosign's PEM envelope."""
    from nacl.secret import SecretBox  # PyNaCl is only needed when a key is used

    if scrypt_n not in SCRYPT_N_ALLOWED:
        raise ValueError(f"scrypt N must be one of {sorted(SCRYPT_N_ALLOWED)}")
    der = key.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    salt, nonce = os.urandom(_SALT_BYTES), os.urandom(_NONCE_BYTES)
    box_key = _derive(password, salt, scrypt_n, SCRYPT_R, SCRYPT_P)
    ciphertext = SecretBox(box_key).encrypt(der, nonce).ciphertext
    # same field order and compact separators as Go's encoding/json emits
    envelope = {
        "kdf": {
            "name": "scrypt",
            "params": {"N": scrypt_n, "r": SCRYPT_R, "p": SCRYPT_P},
            "salt": _b64(salt),
        },
        "cipher": {"name": "nacl/secretbox", "nonce": _b64(nonce)},
        "ciphertext": _b64(ciphertext),
    }
    return pem_encode(PRIVATE_LABEL, json.dumps(envelope, separators=(",", ":")).encode())


def load_private_key(pem: bytes, password: bytes) -> ec.EllipticCurvePrivateKey:
    """Decrypt a cosign private key file; every failure is a SigningError."""
    label, body = _pem_decode(pem)
    if label not in (PRIVATE_LABEL, LEGACY_PRIVATE_LABEL):
        raise SigningError(f"key has pem label '{label}', not '{PRIVATE_LABEL}'", _KEY_HINT)
    envelope = _parse_envelope(body)
    der = _decrypt(envelope, password)
    return _load_pkcs8_p256(der)


def load_public_key(pem: bytes) -> ec.EllipticCurvePublicKey:
    """Read a PEM SubjectPublicKeyInfo holding a P-256 key."""
    label, der = _pem_decode(pem)
    if label != PUBLIC_LABEL:
        raise SigningError(
            f"public key has pem label '{label}', not '{PUBLIC_LABEL}'",
            "pass the cosign.pub written by 'karsgit keygen' or 'cosign generate-key-pair'",
        )
    try:
        key = serialization.load_der_public_key(der)
    except ValueError as exc:
        raise SigningError(
            "public key is not a valid subjectpublickeyinfo", "regenerate the public key"
        ) from exc
    if not isinstance(key, ec.EllipticCurvePublicKey) or not isinstance(key.curve, ec.SECP256R1):
        raise SigningError("public key is not a p-256 key", "use an ecdsa p-256 key pair")
    return key


def public_pem(key: ec.EllipticCurvePublicKey) -> bytes:
    """PEM SubjectPublicKeyInfo, the format of cosign.pub."""
    return key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def key_hint(public_key: ec.EllipticCurvePublicKey) -> str:
    """The bundle's ``publicKey.hint``: base64(sha256(DER SPKI)), as cosign computes it."""
    der = public_key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return _b64(hashlib.sha256(der).digest())


def pem_encode(label: str, der: bytes) -> bytes:
    """PEM with 64-column lines, like Go's encoding/pem."""
    text = base64.b64encode(der).decode()
    lines = [text[i : i + 64] for i in range(0, len(text), 64)]
    return (f"-----BEGIN {label}-----\n" + "\n".join(lines) + f"\n-----END {label}-----\n").encode()


def _pem_decode(pem: bytes) -> tuple[str, bytes]:
    match = _PEM_RE.search(pem)
    if match is None or match.group(1) != match.group(3):
        raise SigningError("key file is not pem", _KEY_HINT)
    try:
        body = base64.b64decode(b"".join(match.group(2).split()), validate=True)
    except binascii.Error as exc:
        raise SigningError("key file has a corrupt base64 body", _KEY_HINT) from exc
    return match.group(1).decode(), body


def _parse_envelope(body: bytes) -> dict[str, Any]:
    try:
        envelope = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise SigningError("encrypted key body is not valid json", _KEY_HINT) from exc
    if not isinstance(envelope, dict):
        raise SigningError("encrypted key body is not a json object", _KEY_HINT)
    return envelope


def _field(obj: Any, *path: str) -> Any:
    for name in path:
        if not isinstance(obj, dict) or name not in obj:
            raise SigningError(f"encrypted key lacks '{'.'.join(path)}'", _KEY_HINT)
        obj = obj[name]
    return obj


def _bytes_field(envelope: dict[str, Any], *path: str) -> bytes:
    value = _field(envelope, *path)
    try:
        return base64.b64decode(value, validate=True)
    except (TypeError, ValueError) as exc:
        raise SigningError(
            f"encrypted key field '{'.'.join(path)}' is not base64", _KEY_HINT
        ) from exc


def _decrypt(envelope: dict[str, Any], password: bytes) -> bytes:
    from nacl.exceptions import CryptoError
    from nacl.secret import SecretBox

    if _field(envelope, "kdf", "name") != "scrypt":
        raise SigningError("encrypted key does not use scrypt", _KEY_HINT)
    if _field(envelope, "cipher", "name") != "nacl/secretbox":
        raise SigningError("encrypted key does not use nacl/secretbox", _KEY_HINT)
    n, r, p = (_field(envelope, "kdf", "params", k) for k in ("N", "r", "p"))
    if n not in SCRYPT_N_ALLOWED or r != SCRYPT_R or p != SCRYPT_P:
        raise SigningError(
            f"unsupported scrypt parameters n={n} r={r} p={p}",
            "re-create the key with 'karsgit keygen' (cosign reads only n in "
            "32768/65536/131072 with r=8 p=1)",
        )
    nonce = _bytes_field(envelope, "cipher", "nonce")
    if len(nonce) != _NONCE_BYTES:
        raise SigningError(f"encrypted key nonce is {len(nonce)} bytes, not 24", _KEY_HINT)
    box_key = _derive(password, _bytes_field(envelope, "kdf", "salt"), n, r, p)
    try:
        return bytes(SecretBox(box_key).decrypt(_bytes_field(envelope, "ciphertext"), nonce))
    except CryptoError as exc:
        raise SigningError(
            "cannot decrypt the private key: wrong password or corrupt key",
            "set COSIGN_PASSWORD to the password the key was created with",
        ) from exc


def _derive(password: bytes, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(
        password, salt=salt, n=n, r=r, p=p, maxmem=_SCRYPT_MAXMEM, dklen=_KEY_BYTES
    )


def _load_pkcs8_p256(der: bytes) -> ec.EllipticCurvePrivateKey:
    # cryptography's DER loader also takes SEC1 ECPrivateKey; cosign does not
    if not _looks_like_pkcs8(der):
        raise SigningError(
            "decrypted private key is not pkcs#8",
            "re-create the key with 'karsgit keygen' or 'cosign generate-key-pair'",
        )
    try:
        key = serialization.load_der_private_key(der, password=None)
    except (ValueError, TypeError) as exc:
        raise SigningError("decrypted private key is not readable pkcs#8", _KEY_HINT) from exc
    if not isinstance(key, ec.EllipticCurvePrivateKey) or not isinstance(key.curve, ec.SECP256R1):
        raise SigningError("private key is not a p-256 key", "use an ecdsa p-256 key pair")
    return key


def _looks_like_pkcs8(der: bytes) -> bool:
    """PKCS#8 is SEQUENCE { INTEGER version, SEQUENCE algorithm, ... }.

    SEC1 is SEQUENCE { INTEGER 1, OCTET STRING key, ... }: the second element's
    tag tells them apart without a full ASN.1 parser.
    """
    outer = tlv(der, 0)
    if outer is None or outer[0] != 0x30:
        return False
    version = tlv(der, outer[1])
    if version is None or version[0] != 0x02:
        return False
    algorithm = tlv(der, version[2])
    return algorithm is not None and algorithm[0] == 0x30


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()

"""Constants, records and key-file crafting shared by the signing tests."""

from __future__ import annotations

import base64
import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

from nacl.secret import SecretBox

from karsgit.signing import SignedArtifact
from tests.support.fakesigstore import FakeSigstore

HERE = Path(__file__).resolve().parent
# ../shared/vectors beside the repo checkout; CI always has it, the repo never copies it
VECTORS = HERE.parents[2] / "shared" / "vectors"

ARTIFACT = b"apiVersion: kars.dev/v1alpha1\nkind: EgressAllowlist\n"


@dataclass(frozen=True)
class KeylessSetup:
    fake: FakeSigstore
    trust_config: Path
    trusted_root: Path


@dataclass(frozen=True)
class KeylessSigned:
    artifact: bytes
    signed: SignedArtifact
    identity: str
    issuer: str


def write(tmp: Path, name: str, data: bytes) -> Path:
    path = tmp / name
    path.write_bytes(data)
    return path


def cosign_key_file(
    plaintext: bytes,
    password: bytes,
    *,
    n: int = 32768,
    r: int = 8,
    p: int = 1,
    label: str = "ENCRYPTED SIGSTORE PRIVATE KEY",
) -> bytes:
    """Craft a cosign key file independently of karsgit's writer (any params, any body)."""
    salt, nonce = os.urandom(32), os.urandom(24)
    key = hashlib.scrypt(password, salt=salt, n=n, r=r, p=p, maxmem=1 << 30, dklen=32)
    envelope = {
        "kdf": {"name": "scrypt", "params": {"N": n, "r": r, "p": p}, "salt": _b64(salt)},
        "cipher": {"name": "nacl/secretbox", "nonce": _b64(nonce)},
        "ciphertext": _b64(SecretBox(key).encrypt(plaintext, nonce).ciphertext),
    }
    return pem(label, json.dumps(envelope).encode())


def pem(label: str, body: bytes) -> bytes:
    text = base64.encodebytes(body).decode()
    return f"-----BEGIN {label}-----\n{text}-----END {label}-----\n".encode()


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()

"""cosign key files: what karsgit writes, what it reads, and what it must refuse."""

from __future__ import annotations

import base64
import json
import re
import subprocess
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from karsgit.errors import SigningError
from karsgit.signing import generate_keypair, key_hint, load_private_key, load_public_key
from karsgit.signing.cosignkey import encrypt_private_key
from tests.support.signing import cosign_key_file, pem

PASSWORD = b"correct horse"


def _pkcs8(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def _envelope(private_pem: bytes) -> dict[str, object]:
    lines = private_pem.decode().strip().splitlines()
    return dict(json.loads(base64.b64decode("".join(lines[1:-1]))))


@pytest.fixture(scope="module")
def keypair() -> tuple[bytes, bytes]:
    return generate_keypair(PASSWORD)


def test_generated_key_round_trips(keypair: tuple[bytes, bytes]) -> None:
    private_pem, public_pem = keypair
    key = load_private_key(private_pem, PASSWORD)
    assert isinstance(key.curve, ec.SECP256R1)
    assert key_hint(load_public_key(public_pem)) == key_hint(key.public_key())


def test_generated_key_has_cosigns_layout(keypair: tuple[bytes, bytes]) -> None:
    private_pem, public_pem = keypair
    lines = private_pem.decode().splitlines()
    assert lines[0] == "-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----"
    assert lines[-1] == "-----END ENCRYPTED SIGSTORE PRIVATE KEY-----"
    assert all(len(line) == 64 for line in lines[1:-2])  # Go's encoding/pem wraps at 64
    assert private_pem.endswith(b"-----\n")
    envelope = _envelope(private_pem)
    assert list(envelope) == ["kdf", "cipher", "ciphertext"]
    kdf, cipher = envelope["kdf"], envelope["cipher"]
    assert isinstance(kdf, dict) and isinstance(cipher, dict)
    assert kdf["name"] == "scrypt"
    assert kdf["params"] == {"N": 65536, "r": 8, "p": 1}
    assert len(base64.b64decode(kdf["salt"])) == 32
    assert cipher["name"] == "nacl/secretbox"
    assert len(base64.b64decode(cipher["nonce"])) == 24
    assert public_pem.startswith(b"-----BEGIN PUBLIC KEY-----\n")


def test_public_key_is_readable_by_openssl(keypair: tuple[bytes, bytes], tmp_path: Path) -> None:
    pub = tmp_path / "cosign.pub"
    pub.write_bytes(keypair[1])
    out = subprocess.run(
        ["openssl", "pkey", "-pubin", "-in", str(pub), "-noout", "-text"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "prime256v1" in out or "P-256" in out


@pytest.mark.parametrize("n", [32768, 65536, 131072])
def test_every_scrypt_cost_cosign_reads_is_accepted(n: int) -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    loaded = load_private_key(cosign_key_file(_pkcs8(key), PASSWORD, n=n), PASSWORD)
    assert key_hint(loaded.public_key()) == key_hint(key.public_key())


@pytest.mark.parametrize("name", ["sigstore.key", "cosign-legacy-label.key"])
def test_cosign_written_keys_load(vectors: Path, name: str) -> None:
    key = load_private_key((vectors / name).read_bytes(), b"hello")
    assert isinstance(key.curve, ec.SECP256R1)


def test_cosign_sec1_key_is_refused(vectors: Path) -> None:
    with pytest.raises(SigningError, match="decrypted private key is not pkcs#8") as caught:
        load_private_key((vectors / "cosign-ec-sec1.key").read_bytes(), b"hello")
    assert "keygen" in caught.value.hint


def test_key_hint_is_base64_sha256_of_spki(vectors: Path) -> None:
    bundle = json.loads((vectors / "mk-bundle.sigstore.json").read_bytes())
    public = load_public_key((vectors / "mk-key.pub").read_bytes())
    assert key_hint(public) == bundle["verificationMaterial"]["publicKey"]["hint"]


def test_wrong_password(keypair: tuple[bytes, bytes]) -> None:
    with pytest.raises(SigningError, match="wrong password") as caught:
        load_private_key(keypair[0], b"not the password")
    assert "COSIGN_PASSWORD" in caught.value.hint


@pytest.mark.parametrize(
    ("n", "r", "p"),
    [(16384, 8, 1), (262144, 8, 1), (32768, 16, 1), (32768, 8, 2), (32768, 1, 1)],
)
def test_unsupported_scrypt_params_are_refused(n: int, r: int, p: int) -> None:
    # encrypted with a cheap N, then relabelled: the check must come before scrypt runs
    plaintext = _pkcs8(ec.generate_private_key(ec.SECP256R1()))
    crafted = _with_params(cosign_key_file(plaintext, PASSWORD, n=1024), n=n, r=r, p=p)
    with pytest.raises(SigningError, match=f"unsupported scrypt parameters n={n} r={r} p={p}"):
        load_private_key(crafted, PASSWORD)


def _with_params(pem_bytes: bytes, *, n: int, r: int, p: int) -> bytes:
    envelope = _envelope(pem_bytes)
    envelope["kdf"] = {**envelope["kdf"], "params": {"N": n, "r": r, "p": p}}  # type: ignore[dict-item]
    return pem("ENCRYPTED SIGSTORE PRIVATE KEY", json.dumps(envelope).encode())


def test_sec1_plaintext_is_refused_though_cryptography_would_load_it() -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    sec1 = key.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    )
    serialization.load_der_private_key(sec1, None)  # the trap: this works
    with pytest.raises(SigningError, match="not pkcs#8"):
        load_private_key(cosign_key_file(sec1, PASSWORD), PASSWORD)


def test_non_der_plaintext_is_refused() -> None:
    with pytest.raises(SigningError, match="not pkcs#8"):
        load_private_key(cosign_key_file(b"hello, not a key", PASSWORD), PASSWORD)


def test_p384_key_is_refused() -> None:
    p384 = _pkcs8(ec.generate_private_key(ec.SECP384R1()))
    with pytest.raises(SigningError, match="private key is not a p-256 key"):
        load_private_key(cosign_key_file(p384, PASSWORD), PASSWORD)


def test_cannot_write_a_key_cosign_would_refuse() -> None:
    with pytest.raises(ValueError, match="scrypt N"):
        encrypt_private_key(ec.generate_private_key(ec.SECP256R1()), PASSWORD, scrypt_n=16384)


def _envelope_pem(envelope: object) -> bytes:
    return pem("ENCRYPTED SIGSTORE PRIVATE KEY", json.dumps(envelope).encode())


@pytest.mark.parametrize(
    ("key_file", "message"),
    [
        (b"just some text\n", "key file is not pem"),
        (b"", "key file is not pem"),
        (pem("EC PRIVATE KEY", b"\x30\x00"), "key has pem label 'EC PRIVATE KEY'"),
        (pem("ENCRYPTED SIGSTORE PRIVATE KEY", b'{"kdf": {"name": "scr'), "not valid json"),
        (pem("ENCRYPTED SIGSTORE PRIVATE KEY", b"\xff\xfe\x00"), "not valid json"),
        (_envelope_pem([1, 2]), "not a json object"),
        (_envelope_pem({"cipher": {}}), "encrypted key lacks 'kdf.name'"),
        (
            b"-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\n!!!!\n"
            b"-----END ENCRYPTED SIGSTORE PRIVATE KEY-----\n",
            "corrupt base64 body",
        ),
        (
            b"-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\nAAAA\n-----END PUBLIC KEY-----\n",
            "key file is not pem",
        ),
    ],
)
def test_malformed_key_files(key_file: bytes, message: str) -> None:
    with pytest.raises(SigningError, match=re.escape(message)) as caught:
        load_private_key(key_file, PASSWORD)
    assert caught.value.hint
    assert caught.value.message[0].islower()
    assert "\n" not in caught.value.message


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"kdf": {"name": "argon2"}}, "does not use scrypt"),
        ({"cipher": {"name": "aes-gcm"}}, "does not use nacl/secretbox"),
        ({"cipher": {"nonce": base64.b64encode(b"short").decode()}}, "nonce is 5 bytes"),
        ({"cipher": {"nonce": "%%%"}}, "'cipher.nonce' is not base64"),
    ],
)
def test_envelope_fields_are_checked(change: dict[str, dict[str, str]], message: str) -> None:
    envelope = _envelope(cosign_key_file(b"x", PASSWORD))
    for section, fields in change.items():
        envelope[section] = {**envelope[section], **fields}  # type: ignore[dict-item]
    with pytest.raises(SigningError, match=re.escape(message)):
        load_private_key(_envelope_pem(envelope), PASSWORD)


def test_truncated_ciphertext_reads_as_wrong_password_or_corrupt() -> None:
    envelope = _envelope(cosign_key_file(b"x" * 40, PASSWORD))
    envelope["ciphertext"] = base64.b64encode(b"\x00" * 8).decode()
    with pytest.raises(SigningError, match="wrong password or corrupt key"):
        load_private_key(_envelope_pem(envelope), PASSWORD)


def test_public_key_checks(vectors: Path) -> None:
    with pytest.raises(SigningError, match="public key has pem label 'ENCRYPTED SIGSTORE"):
        load_public_key((vectors / "sigstore.key").read_bytes())
    p384 = ec.generate_private_key(ec.SECP384R1()).public_key()
    p384_pem = p384.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    with pytest.raises(SigningError, match="public key is not a p-256 key"):
        load_public_key(p384_pem)
    with pytest.raises(SigningError, match="not a valid subjectpublickeyinfo"):
        load_public_key(pem("PUBLIC KEY", b"\x30\x03\x02\x01\x00"))

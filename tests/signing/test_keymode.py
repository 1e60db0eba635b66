"""Key mode: karsgit signs, and karsgit, sigstore-js and openssl all verify."""

from __future__ import annotations

import base64
import json
import re
import subprocess
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from karsgit.errors import SigningError
from karsgit.signing import (
    KeySigner,
    MalformedBundle,
    SignatureInvalid,
    SignedArtifact,
    Signer,
    SignerMismatch,
    generate_keypair,
    key_hint,
    load_private_key,
    load_public_key,
    verify_key_bundle,
    verify_key_signature,
)
from tests.support.signing import ARTIFACT, KeylessSetup, KeylessSigned, write
from tests.support.sigstore_js import NodeVerify

PASSWORD = b"pw"


@pytest.fixture(scope="module")
def keys() -> tuple[bytes, bytes]:
    return generate_keypair(PASSWORD)


@pytest.fixture(scope="module")
def public(keys: tuple[bytes, bytes]) -> ec.EllipticCurvePublicKey:
    return load_public_key(keys[1])


@pytest.fixture(scope="module")
def signed(keys: tuple[bytes, bytes]) -> SignedArtifact:
    signer: Signer = KeySigner.from_pem(keys[0], PASSWORD)
    return signer.sign(ARTIFACT)


def test_bundle_verifies_and_names_the_key(
    signed: SignedArtifact, public: ec.EllipticCurvePublicKey
) -> None:
    verify_key_bundle(signed.bundle_json, ARTIFACT, public)
    doc = json.loads(signed.bundle_json)
    assert doc["verificationMaterial"] == {
        "publicKey": {"hint": key_hint(public)},
        "tlogEntries": [],
    }
    assert signed.bundle_json.endswith(b"}\n")


def test_sig_file_is_base64_der_of_the_bundle_signature(signed: SignedArtifact) -> None:
    assert signed.signature is not None
    der = base64.b64decode(signed.signature, validate=True)
    assert der[0] == 0x30  # DER SEQUENCE { r, s }
    assert (
        json.loads(signed.bundle_json)["messageSignature"]["signature"] == signed.signature.decode()
    )
    assert not signed.signature.endswith(b"\n")  # cosign writes none


def test_signing_unchanged_bytes_gives_the_same_files(keys: tuple[bytes, bytes]) -> None:
    signer = KeySigner.from_pem(keys[0], PASSWORD)
    assert signer.sign(ARTIFACT) == signer.sign(ARTIFACT)


def test_openssl_verifies_the_sig_file(
    signed: SignedArtifact, keys: tuple[bytes, bytes], tmp_path: Path
) -> None:
    assert signed.signature is not None
    pub = write(tmp_path, "cosign.pub", keys[1])
    sig = write(tmp_path, "sig.der", base64.b64decode(signed.signature))
    good = write(tmp_path, "allowlist.yaml", ARTIFACT)
    bad = write(tmp_path, "changed.yaml", ARTIFACT + b"#")

    def openssl(artifact: Path) -> subprocess.CompletedProcess[str]:
        cmd = ["openssl", "dgst", "-sha256", "-verify", str(pub), "-signature", str(sig)]
        return subprocess.run([*cmd, str(artifact)], capture_output=True, text=True, check=False)

    assert openssl(good).returncode == 0
    assert "Verified OK" in openssl(good).stdout
    assert openssl(bad).returncode == 1


def test_sigstore_js_verifies_the_key_bundle(
    signed: SignedArtifact,
    keys: tuple[bytes, bytes],
    sigstore_fake: KeylessSetup,
    node_verify: NodeVerify,
    tmp_path: Path,
) -> None:
    bundle = write(tmp_path, "allowlist.yaml.sigstore.json", signed.bundle_json)
    pub = write(tmp_path, "cosign.pub", keys[1])
    good = write(tmp_path, "allowlist.yaml", ARTIFACT)
    args = ("--key", str(pub), "--no-tlog")
    result = node_verify(bundle, good, sigstore_fake.trusted_root, *args)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "sigstore-js: VERIFIED" in result.stdout

    changed = write(tmp_path, "changed.yaml", ARTIFACT.replace(b"v1", b"v2"))
    rejected = node_verify(bundle, changed, sigstore_fake.trusted_root, *args)
    assert rejected.returncode == 1
    assert "sigstore-js: REJECTED" in rejected.stdout

    foreign = write(tmp_path, "foreign.pub", generate_keypair(b"x")[1])
    rejected = node_verify(
        bundle, good, sigstore_fake.trusted_root, "--key", str(foreign), "--no-tlog"
    )
    assert rejected.returncode == 1


def test_verify_signature_file(signed: SignedArtifact, public: ec.EllipticCurvePublicKey) -> None:
    assert signed.signature is not None
    verify_key_signature(signed.signature + b"\n", ARTIFACT, public)
    with pytest.raises(SignatureInvalid, match="signature file does not verify"):
        verify_key_signature(signed.signature, ARTIFACT + b" ", public)
    with pytest.raises(SignatureInvalid, match="signature file is not base64"):
        verify_key_signature(b"%%%", ARTIFACT, public)


def test_cosign_managed_key_bundle_verifies(vectors: Path) -> None:
    # a bundle with a tlog entry and a timestamp: the key alone is the anchor here
    public = load_public_key((vectors / "mk-key.pub").read_bytes())
    data = (vectors / "a.txt").read_bytes()
    verify_key_bundle((vectors / "mk-bundle.sigstore.json").read_bytes(), data, public)
    with pytest.raises(SignatureInvalid, match="digest does not match"):
        verify_key_bundle((vectors / "mk-bundle.sigstore.json").read_bytes(), data + b"!", public)


def test_cosign_key_signs_bundles_karsgit_verifies(vectors: Path) -> None:
    key = load_private_key((vectors / "sigstore.key").read_bytes(), b"hello")
    signed = KeySigner(key).sign(ARTIFACT)
    verify_key_bundle(signed.bundle_json, ARTIFACT, key.public_key())


def _flip(data: bytes, index: int) -> bytes:
    return data[:index] + bytes([data[index] ^ 0x01]) + data[index + 1 :]


def test_one_changed_byte_is_signature_invalid(
    signed: SignedArtifact, public: ec.EllipticCurvePublicKey
) -> None:
    with pytest.raises(
        SignatureInvalid, match="bundle digest does not match the artifact bytes"
    ) as caught:
        verify_key_bundle(signed.bundle_json, _flip(ARTIFACT, 10), public)
    assert caught.value.rule_id == "signature-invalid"


def test_bundle_for_other_bytes_is_signature_invalid(
    keys: tuple[bytes, bytes], public: ec.EllipticCurvePublicKey
) -> None:
    other = KeySigner.from_pem(keys[0], PASSWORD).sign(b"other bytes\n")
    with pytest.raises(SignatureInvalid, match="bundle digest does not match"):
        verify_key_bundle(other.bundle_json, ARTIFACT, public)


def test_tampered_signature_is_signature_invalid(
    signed: SignedArtifact, public: ec.EllipticCurvePublicKey
) -> None:
    doc = json.loads(signed.bundle_json)
    sig = base64.b64decode(doc["messageSignature"]["signature"])
    doc["messageSignature"]["signature"] = base64.b64encode(_flip(sig, len(sig) - 1)).decode()
    with pytest.raises(
        SignatureInvalid, match="bundle signature does not verify with the public key"
    ):
        verify_key_bundle(json.dumps(doc).encode(), ARTIFACT, public)


def test_foreign_key_is_signer_mismatch(
    signed: SignedArtifact, public: ec.EllipticCurvePublicKey
) -> None:
    foreign = load_public_key(generate_keypair(b"x")[1])
    with pytest.raises(
        SignerMismatch, match=re.escape(f"not by key {key_hint(foreign)}")
    ) as caught:
        verify_key_bundle(signed.bundle_json, ARTIFACT, foreign)
    assert caught.value.rule_id == "signer-mismatch"
    assert f"signed by key {key_hint(public)}" in caught.value.message


def test_keyless_bundle_with_a_key_is_signer_mismatch(
    keyless_signed: KeylessSigned, public: ec.EllipticCurvePublicKey
) -> None:
    with pytest.raises(SignerMismatch, match="signed with a certificate"):
        verify_key_bundle(keyless_signed.signed.bundle_json, ARTIFACT, public)


@pytest.mark.parametrize(
    ("cut", "message"), [(0.5, "bundle is not valid json"), (0.0, "bundle is not valid json")]
)
def test_truncated_bundle(
    signed: SignedArtifact, public: ec.EllipticCurvePublicKey, cut: float, message: str
) -> None:
    with pytest.raises(MalformedBundle, match=message):
        verify_key_bundle(
            signed.bundle_json[: int(len(signed.bundle_json) * cut)], ARTIFACT, public
        )


def test_non_json_bundle(public: ec.EllipticCurvePublicKey) -> None:
    with pytest.raises(MalformedBundle, match="bundle is not valid json"):
        verify_key_bundle(b"-----BEGIN PUBLIC KEY-----", ARTIFACT, public)


def test_signer_refuses_a_p384_key() -> None:
    with pytest.raises(SigningError, match="not a p-256 key"):
        KeySigner(ec.generate_private_key(ec.SECP384R1()))

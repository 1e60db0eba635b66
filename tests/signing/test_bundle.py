"""Sigstore bundle v0.3 JSON: stable output, and clear refusals of anything else."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from karsgit.signing import BUNDLE_MEDIA_TYPE, MalformedBundle, SignatureInvalid, parse_bundle
from karsgit.signing.bundle import build_key_bundle

DIGEST = hashlib.sha256(b"artifact").digest()
SIGNATURE = b"\x30\x06\x02\x01\x01\x02\x01\x01"
HINT = "TLMsSDfG3ajPsWge+z/vX5T/zluXnmvbkTkwLIV68Tk="


def test_key_bundle_bytes_are_fixed() -> None:
    bundle = build_key_bundle(DIGEST, SIGNATURE, HINT)
    assert bundle == (
        b'{"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json",'
        b'"verificationMaterial":{"publicKey":{"hint":"TLMsSDfG3ajPsWge+z/vX5T/zluXnmvbkTkwLIV68Tk="},'
        b'"tlogEntries":[]},"messageSignature":{"messageDigest":{"algorithm":"SHA2_256",'
        b'"digest":"x8XB1wxd7EQWq2FYr9CyI+9Awpsdwfl+2UKLlNTK2xw="},"signature":"MAYCAQECAQE="}}\n'
    )
    assert build_key_bundle(DIGEST, SIGNATURE, HINT) == bundle


def test_key_bundle_parses_back() -> None:
    parsed = parse_bundle(build_key_bundle(DIGEST, SIGNATURE, HINT))
    assert parsed.media_type == BUNDLE_MEDIA_TYPE
    assert (parsed.digest, parsed.signature, parsed.key_hint) == (DIGEST, SIGNATURE, HINT)
    assert not parsed.has_certificate
    assert parsed.tlog_entries == 0


def test_never_the_old_cosign_bundle_format() -> None:
    doc = json.loads(build_key_bundle(DIGEST, SIGNATURE, HINT))
    assert not {"base64Signature", "cert", "rekorBundle", "Payload"} & set(doc)


def test_third_party_bundles_parse(vectors: Path) -> None:
    mk = parse_bundle((vectors / "mk-bundle.sigstore.json").read_bytes())
    assert mk.key_hint and mk.tlog_entries == 1 and not mk.has_certificate
    hp = parse_bundle((vectors / "hp.json").read_bytes())  # the older v0.3 media type spelling
    assert hp.has_certificate and hp.key_hint is None


def test_malformed_bundle_is_a_signature_invalid_finding() -> None:
    with pytest.raises(SignatureInvalid) as caught:
        parse_bundle(b"")
    assert isinstance(caught.value, MalformedBundle)
    assert caught.value.rule_id == "signature-invalid"
    assert caught.value.hint


GOOD = build_key_bundle(DIGEST, SIGNATURE, HINT)


def _edit(**changes: object) -> bytes:
    doc = json.loads(GOOD)
    doc.update(changes)
    return json.dumps(doc).encode()


def _message(**changes: object) -> bytes:
    doc = json.loads(GOOD)
    doc["messageSignature"].update(changes)
    return json.dumps(doc).encode()


@pytest.mark.parametrize(
    ("bundle", "message"),
    [
        (GOOD[: len(GOOD) // 2], "bundle is not valid json"),
        (b"not json at all", "bundle is not valid json"),
        (b"\xff\xfe garbage", "bundle is not valid json"),
        (b"[]", "bundle is not a json object"),
        (_edit(mediaType="application/vnd.dev.sigstore.bundle.v0.1+json"), "bundle media type"),
        (_edit(mediaType=None), "bundle media type None is not"),
        (
            json.dumps({"base64Signature": "AA==", "cert": "x", "rekorBundle": {}}).encode(),
            "bundle media type None",
        ),
        (_edit(verificationMaterial=None), "bundle has no 'verificationMaterial' object"),
        (_edit(messageSignature=[]), "bundle has no 'messageSignature' object"),
        (_message(signature=""), "bundle has no 'signature' value"),
        (_message(signature="not base64!"), "bundle 'signature' is not base64"),
        (
            _message(messageDigest={"algorithm": "SHA2_512", "digest": "AA=="}),
            "bundle digest algorithm 'SHA2_512' is not SHA2_256",
        ),
    ],
)
def test_malformed_bundles(bundle: bytes, message: str) -> None:
    with pytest.raises(MalformedBundle, match=message):
        parse_bundle(bundle)

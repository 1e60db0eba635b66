"""allowlist.cosign.json: exact bytes of the parts, round trip, and every malformed
shape (MalformedBundle, never another exception); verification outcomes."""

from __future__ import annotations

import hashlib
import json
import re

import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from karsgit.signing.cosignsig import (
    RekorEntry,
    SigArtifact,
    build_sig_artifact,
    parse_sig_artifact,
    render_sig_artifact,
    verify_sig_artifact,
)
from karsgit.signing.errors import MalformedBundle, SignatureInvalid, SignerMismatch
from karsgit.signing.keyless import KeylessSigner, load_trust_material
from karsgit.signing.signers import SignerPolicy
from tests.signing.signing_helpers import KeylessSetup

REF = "registry.example.test/policy/egress-allowlist/agent"
DIGEST = "sha256:" + "ab" * 32
# written out by hand from cosign's SimpleContainerImage (Go json.Marshal, no newline)
PAYLOAD = (
    b'{"critical":{"identity":{"docker-reference":"registry.example.test/policy/'
    b'egress-allowlist/agent"},"image":{"docker-manifest-digest":"sha256:'
    + b"ab" * 32
    + b'"},"type":"cosign container image signature"},"optional":null}'
)


@pytest.fixture(scope="module")
def art(sigstore_fake: KeylessSetup) -> SigArtifact:
    token = sigstore_fake.fake.identity_token()
    with KeylessSigner(identity_token=token, trust_config=sigstore_fake.trust_config) as signer:
        return signer.sign_image(REF, DIGEST)


def _doc(art: SigArtifact) -> dict:
    return json.loads(render_sig_artifact(art))


def _bytes(doc: dict) -> bytes:
    return json.dumps(doc, sort_keys=True, indent=2).encode() + b"\n"


def test_parts_are_cosign_shaped(art: SigArtifact) -> None:
    assert art.payload == PAYLOAD
    diff_id = "sha256:" + hashlib.sha256(PAYLOAD).hexdigest()
    assert art.config == (
        b'{"architecture":"","created":"0001-01-01T00:00:00Z","history":[{"created":'
        b'"0001-01-01T00:00:00Z"}],"os":"","rootfs":{"type":"layers","diff_ids":["'
        + diff_id.encode()
        + b'"]},"config":{}}'
    )
    manifest = json.loads(art.manifest)
    assert list(manifest) == ["schemaVersion", "mediaType", "config", "layers"]
    assert list(manifest["layers"][0]) == ["mediaType", "size", "digest", "annotations"]
    assert b" " not in art.manifest.split(b"-----BEGIN")[0]  # compact, as Go writes it


def test_round_trip(art: SigArtifact) -> None:
    data = render_sig_artifact(art)
    assert parse_sig_artifact(data) == art
    assert render_sig_artifact(parse_sig_artifact(data)) == data


def _with(art: SigArtifact, **changes: object) -> bytes:
    doc = _doc(art)
    doc.update(changes)
    return _bytes(doc)


def _manifest_edit(art: SigArtifact, edit) -> bytes:  # type: ignore[no-untyped-def]
    manifest = json.loads(art.manifest)
    edit(manifest)
    return _with(art, manifest=json.dumps(manifest, separators=(",", ":")))


@pytest.mark.parametrize(
    ("make", "fact"),
    [
        (lambda a: render_sig_artifact(a)[:300], "not valid json"),
        (lambda a: b"[1, 2]", "not a json object"),
        (lambda a: b"[" * 100_000, "not valid json"),
        (lambda a: b" " * (2 << 20), "larger than"),
        (lambda a: _with(a, extra="x"), "keys differ"),
        (lambda a: _with(a, mediaType="application/json"), "media type"),
        (lambda a: _with(a, payload=1), "must be strings"),
        (lambda a: _with(a, dockerManifestDigest="sha256:AB"), "not sha256:<hex>"),
        (lambda a: _with(a, dockerReference="other.test/x"), "not the simple-signing payload"),
        (lambda a: _with(a, config=a.config.decode() + " "), "config digest does not match"),
        (
            lambda a: _manifest_edit(a, lambda m: m["layers"][0].update(size=1)),
            "layer digest does not match",
        ),
        (
            lambda a: _manifest_edit(a, lambda m: m["layers"].append(m["layers"][0])),
            "exactly one layer",
        ),
        (
            lambda a: _manifest_edit(a, lambda m: m["layers"][0].update(mediaType="x")),
            "layer is not of type",
        ),
        (lambda a: _manifest_edit(a, lambda m: m.update(schemaVersion=1)), "manifest is not"),
    ],
)
def test_malformed(art: SigArtifact, make, fact: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(MalformedBundle, match=fact) as caught:
        parse_sig_artifact(make(art))
    assert caught.value.rule_id == "signature-invalid"


def test_missing_annotation_is_malformed(art: SigArtifact, sigstore_fake: KeylessSetup) -> None:
    def drop(manifest: dict) -> None:
        del manifest["layers"][0]["annotations"]["dev.sigstore.cosign/bundle"]

    parsed = parse_sig_artifact(_manifest_edit(art, drop))
    trust = load_trust_material(sigstore_fake.trusted_root)
    policy = SignerPolicy.exact("ci@example.test", sigstore_fake.fake.oidc_issuer)
    with pytest.raises(
        MalformedBundle, match=re.escape("no 'dev.sigstore.cosign/bundle' annotation")
    ):
        verify_sig_artifact(parsed, *REF.split("/", 1), DIGEST, policy, trust)


def test_verify_outcomes(
    art: SigArtifact, sigstore_fake: KeylessSetup, foreign_trusted_root
) -> None:  # type: ignore[no-untyped-def]
    trust = load_trust_material(sigstore_fake.trusted_root)
    registry, repository = REF.split("/", 1)
    allowed = SignerPolicy.exact("ci@example.test", sigstore_fake.fake.oidc_issuer)
    identity = verify_sig_artifact(art, registry, repository, DIGEST, allowed, trust)
    assert (identity.issuer, identity.subject) == (
        sigstore_fake.fake.oidc_issuer,
        "ci@example.test",
    )
    other = SignerPolicy.exact("someone@example.test", sigstore_fake.fake.oidc_issuer)
    with pytest.raises(SignerMismatch):
        verify_sig_artifact(art, registry, repository, DIGEST, other, trust)
    with pytest.raises(SignatureInvalid, match="not for"):
        verify_sig_artifact(art, registry, "policy/other", DIGEST, allowed, trust)
    with pytest.raises(SignatureInvalid, match="trust root"):
        verify_sig_artifact(
            art, registry, repository, DIGEST, allowed, load_trust_material(foreign_trusted_root)
        )


def test_a_forged_set_or_body_is_signature_invalid(
    art: SigArtifact, sigstore_fake: KeylessSetup
) -> None:
    from karsgit.signing.cosignsig import sig_layer

    trust = load_trust_material(sigstore_fake.trusted_root)
    layer = sig_layer(art)
    registry, repository = REF.split("/", 1)
    allowed = SignerPolicy.exact("ci@example.test", sigstore_fake.fake.oidc_issuer)
    moved = RekorEntry(
        layer.entry.signed_entry_timestamp,
        layer.entry.body,
        layer.entry.integrated_time + 1,
        layer.entry.log_index,
        layer.entry.log_id,
    )
    forged = build_sig_artifact(REF, DIGEST, layer.signature, layer.certificate, layer.chain, moved)
    with pytest.raises(SignatureInvalid, match="SET"):
        verify_sig_artifact(forged, registry, repository, DIGEST, allowed, trust)
    # a sound signature by a fresh key, with the old (unrelated) log entry and certificate
    key = ec.generate_private_key(ec.SECP256R1())
    from cryptography.hazmat.primitives import hashes

    resigned = build_sig_artifact(
        REF,
        DIGEST,
        key.sign(art.payload, ec.ECDSA(hashes.SHA256())),
        layer.certificate,
        layer.chain,
        layer.entry,
    )
    with pytest.raises(SignatureInvalid, match="does not verify over the payload"):
        verify_sig_artifact(resigned, registry, repository, DIGEST, allowed, trust)

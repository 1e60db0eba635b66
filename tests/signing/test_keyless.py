"""Keyless: the real sigstore-python signer through a local fake Sigstore, checked by
karsgit's verifier, sigstore-python's own Verifier and sigstore-js."""

from __future__ import annotations

import base64
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from karsgit.errors import SigningError
from karsgit.signing import (
    BUNDLE_MEDIA_TYPE,
    KeylessSigner,
    KeylessVerifier,
    KeySigner,
    MalformedBundle,
    SignatureInvalid,
    SignerIdentity,
    SignerMismatch,
    SignerPolicy,
    generate_keypair,
    load_private_key,
    verify_keyless_bundle,
)
from karsgit.signing.keyless import load_trust_config, load_trusted_root
from tests.signing.conftest import NodeVerify
from tests.signing.signing_helpers import ARTIFACT, KeylessSetup, KeylessSigned, write
from tests.support.fakesigstore import FakeSigstore

CONFORMANCE_SAN = (
    "https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/"
    ".github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main"
)
GH = "https://token.actions.githubusercontent.com"


@pytest.fixture(scope="module")
def verifier(sigstore_fake: KeylessSetup) -> KeylessVerifier:
    return KeylessVerifier(sigstore_fake.trusted_root)


def exact(signed: KeylessSigned) -> SignerPolicy:
    return SignerPolicy.exact(signed.identity, signed.issuer)


def test_signer_writes_a_v03_bundle_without_sig_file(keyless_signed: KeylessSigned) -> None:
    doc = json.loads(keyless_signed.signed.bundle_json)
    assert doc["mediaType"] == BUNDLE_MEDIA_TYPE
    assert "certificate" in doc["verificationMaterial"]
    assert len(doc["verificationMaterial"]["tlogEntries"]) == 1
    assert keyless_signed.signed.signature is None


def test_karsgit_verifier_accepts(verifier: KeylessVerifier, keyless_signed: KeylessSigned) -> None:
    identity = verifier.verify(keyless_signed.signed.bundle_json, ARTIFACT, exact(keyless_signed))
    assert identity == SignerIdentity(
        keyless_signed.issuer, (keyless_signed.identity,), keyless_signed.identity, True
    )


def test_trust_config_file_also_serves_as_verify_trust(
    sigstore_fake: KeylessSetup, keyless_signed: KeylessSigned
) -> None:
    verify_keyless_bundle(
        keyless_signed.signed.bundle_json,
        ARTIFACT,
        sigstore_fake.trust_config,
        exact(keyless_signed),
    )


def test_sigstore_python_verifier_accepts(
    sigstore_fake: KeylessSetup, keyless_signed: KeylessSigned
) -> None:
    from sigstore.models import Bundle, TrustedRoot
    from sigstore.verify import Verifier, policy

    verifier = Verifier(trusted_root=TrustedRoot.from_file(str(sigstore_fake.trusted_root)))
    bundle = Bundle.from_json(keyless_signed.signed.bundle_json)
    identity = policy.Identity(identity=keyless_signed.identity, issuer=keyless_signed.issuer)
    verifier.verify_artifact(ARTIFACT, bundle, identity)


def test_sigstore_js_accepts_and_rejects(
    sigstore_fake: KeylessSetup,
    keyless_signed: KeylessSigned,
    foreign_trusted_root: Path,
    node_verify: NodeVerify,
    tmp_path: Path,
) -> None:
    bundle = write(tmp_path, "allowlist.yaml.sigstore.json", keyless_signed.signed.bundle_json)
    good = write(tmp_path, "allowlist.yaml", ARTIFACT)
    root = sigstore_fake.trusted_root
    who = ("--san", keyless_signed.identity, "--issuer", keyless_signed.issuer)

    def check(artifact: Path, trusted_root: Path, *args: str) -> subprocess.CompletedProcess[str]:
        return node_verify(bundle, artifact, trusted_root, *args)

    accepted = check(good, root, *who)
    assert accepted.returncode == 0, accepted.stdout + accepted.stderr
    assert '"san":"ci@example.test"' in accepted.stdout
    changed = write(tmp_path, "changed.yaml", ARTIFACT + b"\n")
    assert "REJECTED" in check(changed, root, *who).stdout
    assert "REJECTED" in check(good, foreign_trusted_root, *who).stdout
    wrong_san = ("--san", "other@example.test", "--issuer", keyless_signed.issuer)
    assert "REJECTED" in check(good, root, *wrong_san).stdout


def test_regex_and_multi_signer_policies(
    verifier: KeylessVerifier, keyless_signed: KeylessSigned
) -> None:
    policy = SignerPolicy.from_mapping(
        {
            "signers": [
                {"issuer": GH, "san": "re:.*"},
                {"issuer": keyless_signed.issuer, "san": r"re:[a-z]+@example\.test"},
            ]
        }
    )
    verifier.verify(keyless_signed.signed.bundle_json, ARTIFACT, policy)


def test_production_conformance_bundle_verifies_offline(vectors: Path) -> None:
    identity = verify_keyless_bundle(
        (vectors / "hp.json").read_bytes(),
        (vectors / "a.txt").read_bytes(),
        vectors / "prod_trusted_root.json",
        SignerPolicy.exact(CONFORMANCE_SAN, GH),
    )
    assert identity.issuer == GH


def test_production_bundle_with_another_identity_is_signer_mismatch(vectors: Path) -> None:
    with pytest.raises(SignerMismatch, match="which the signer policy does not allow"):
        verify_keyless_bundle(
            (vectors / "hp.json").read_bytes(),
            (vectors / "a.txt").read_bytes(),
            vectors / "prod_trusted_root.json",
            SignerPolicy.exact(CONFORMANCE_SAN.replace("main", "dev"), GH),
        )


def test_production_bundle_against_a_private_root_is_signature_invalid(
    vectors: Path, sigstore_fake: KeylessSetup
) -> None:
    with pytest.raises(SignatureInvalid, match="bundle does not verify"):
        verify_keyless_bundle(
            (vectors / "hp.json").read_bytes(),
            (vectors / "a.txt").read_bytes(),
            sigstore_fake.trusted_root,
            SignerPolicy.exact(CONFORMANCE_SAN, GH),
        )


# ------------------------------------------------------------------ negatives


def test_one_changed_byte_is_signature_invalid(
    verifier: KeylessVerifier, keyless_signed: KeylessSigned
) -> None:
    changed = ARTIFACT[:5] + bytes([ARTIFACT[5] ^ 1]) + ARTIFACT[6:]
    with pytest.raises(
        SignatureInvalid, match=r"bundle does not verify: .*digest mismatch"
    ) as caught:
        verifier.verify(keyless_signed.signed.bundle_json, changed, exact(keyless_signed))
    assert caught.value.rule_id == "signature-invalid"


def test_bundle_for_other_bytes_is_signature_invalid(
    verifier: KeylessVerifier, keyless_signed: KeylessSigned
) -> None:
    with pytest.raises(SignatureInvalid, match="bundle does not verify"):
        verifier.verify(keyless_signed.signed.bundle_json, b"other bytes", exact(keyless_signed))


def test_tampered_signature_is_signature_invalid(
    verifier: KeylessVerifier, keyless_signed: KeylessSigned
) -> None:
    doc = json.loads(keyless_signed.signed.bundle_json)
    sig = bytearray(base64.b64decode(doc["messageSignature"]["signature"]))
    sig[-1] ^= 1
    doc["messageSignature"]["signature"] = base64.b64encode(bytes(sig)).decode()
    with pytest.raises(SignatureInvalid, match="bundle does not verify"):
        verifier.verify(json.dumps(doc).encode(), ARTIFACT, exact(keyless_signed))


def test_foreign_trusted_root_is_signature_invalid(
    foreign_trusted_root: Path, keyless_signed: KeylessSigned
) -> None:
    with pytest.raises(SignatureInvalid, match="bundle does not verify"):
        verify_keyless_bundle(
            keyless_signed.signed.bundle_json, ARTIFACT, foreign_trusted_root, exact(keyless_signed)
        )


def test_wrong_san_is_signer_mismatch(
    verifier: KeylessVerifier, keyless_signed: KeylessSigned
) -> None:
    policy = SignerPolicy.exact("someone@example.test", keyless_signed.issuer)
    with pytest.raises(
        SignerMismatch, match=re.escape("signed by 'ci@example.test' from issuer")
    ) as caught:
        verifier.verify(keyless_signed.signed.bundle_json, ARTIFACT, policy)
    assert caught.value.rule_id == "signer-mismatch"
    assert "--signer-policy" in caught.value.hint


def test_wrong_issuer_is_signer_mismatch(
    verifier: KeylessVerifier, keyless_signed: KeylessSigned
) -> None:
    policy = SignerPolicy.exact(keyless_signed.identity, GH)
    with pytest.raises(SignerMismatch, match=re.escape("from issuer 'https://oidc.fake.test'")):
        verifier.verify(keyless_signed.signed.bundle_json, ARTIFACT, policy)


def test_forged_and_foreign_reports_signature_invalid_first(
    verifier: KeylessVerifier, keyless_signed: KeylessSigned
) -> None:
    policy = SignerPolicy.exact("someone@example.test", GH)
    with pytest.raises(SignatureInvalid):
        verifier.verify(keyless_signed.signed.bundle_json, b"other", policy)


def test_truncated_and_non_json_bundles(
    verifier: KeylessVerifier, keyless_signed: KeylessSigned
) -> None:
    bundle = keyless_signed.signed.bundle_json
    for broken in (bundle[:-40], bundle[:1], b"<html>502 Bad Gateway</html>"):
        with pytest.raises(MalformedBundle, match="bundle is not valid json"):
            verifier.verify(broken, ARTIFACT, exact(keyless_signed))


def test_wrong_media_type(verifier: KeylessVerifier, keyless_signed: KeylessSigned) -> None:
    doc = json.loads(keyless_signed.signed.bundle_json)
    doc["mediaType"] = "application/vnd.dev.sigstore.bundle+json;version=0.1"
    with pytest.raises(MalformedBundle, match="bundle media type"):
        verifier.verify(json.dumps(doc).encode(), ARTIFACT, exact(keyless_signed))


def test_certificate_that_is_not_der_is_malformed(
    verifier: KeylessVerifier, keyless_signed: KeylessSigned
) -> None:
    doc = json.loads(keyless_signed.signed.bundle_json)
    doc["verificationMaterial"]["certificate"]["rawBytes"] = base64.b64encode(b"junk").decode()
    with pytest.raises(MalformedBundle, match="not a valid sigstore bundle"):
        verifier.verify(json.dumps(doc).encode(), ARTIFACT, exact(keyless_signed))


def test_key_bundle_is_signer_mismatch(verifier: KeylessVerifier, vectors: Path) -> None:
    key = load_private_key((vectors / "sigstore.key").read_bytes(), b"hello")
    bundle = KeySigner(key).sign(ARTIFACT).bundle_json
    with pytest.raises(SignerMismatch, match="signed with a key"):
        verifier.verify(bundle, ARTIFACT, SignerPolicy.exact("a@b.test", GH))


# ------------------------------------------------------------ signer set-up


def test_one_certificate_serves_many_artifacts(sigstore_fake: KeylessSetup) -> None:
    fake = sigstore_fake.fake
    before = fake.certificates_issued
    signer = KeylessSigner(
        identity_token=fake.identity_token(), trust_config=sigstore_fake.trust_config
    )
    with signer:
        bundles = [signer.sign(b"sandbox %d\n" % i).bundle_json for i in range(3)]
    assert fake.certificates_issued == before + 1
    verifier = KeylessVerifier(sigstore_fake.trusted_root)
    policy = SignerPolicy.exact("ci@example.test", fake.oidc_issuer)
    for i, bundle in enumerate(bundles):
        verifier.verify(bundle, b"sandbox %d\n" % i, policy)


def test_token_from_environment(
    sigstore_fake: KeylessSetup, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = sigstore_fake.fake
    monkeypatch.setenv("SIGSTORE_ID_TOKEN", fake.identity_token(sub="env@example.test"))
    with KeylessSigner(trust_config=sigstore_fake.trust_config) as signer:
        bundle = signer.sign(ARTIFACT).bundle_json
    policy = SignerPolicy.exact("env@example.test", fake.oidc_issuer)
    KeylessVerifier(sigstore_fake.trusted_root).verify(bundle, ARTIFACT, policy)


def test_explicit_token_wins_over_environment(
    sigstore_fake: KeylessSetup, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = sigstore_fake.fake
    monkeypatch.setenv("SIGSTORE_ID_TOKEN", "not-a-jwt")
    explicit = fake.identity_token(sub="explicit@example.test")
    with KeylessSigner(identity_token=explicit, trust_config=sigstore_fake.trust_config) as signer:
        bundle = signer.sign(ARTIFACT).bundle_json
    policy = SignerPolicy.exact("explicit@example.test", fake.oidc_issuer)
    KeylessVerifier(sigstore_fake.trusted_root).verify(bundle, ARTIFACT, policy)


_CI_VARS = ("SIGSTORE_ID_TOKEN", "GITHUB_ACTIONS", "GITLAB_CI", "BUILDKITE", "CIRCLECI")


def _no_ambient_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (*_CI_VARS, "GOOGLE_SERVICE_ACCOUNT_NAME"):
        monkeypatch.delenv(name, raising=False)


def test_no_token_anywhere(sigstore_fake: KeylessSetup, monkeypatch: pytest.MonkeyPatch) -> None:
    import sigstore.oidc

    _no_ambient_ci(monkeypatch)
    # the GCP detector would probe a metadata server on a GCE runner; keep it offline
    monkeypatch.setattr(sigstore.oidc, "detect_credential", lambda: None)
    signer = KeylessSigner(trust_config=sigstore_fake.trust_config)
    with pytest.raises(SigningError, match="no oidc identity token for keyless signing") as caught:
        signer.sign(ARTIFACT)
    assert "SIGSTORE_ID_TOKEN" in caught.value.hint
    assert "id-token: write" in caught.value.hint


def test_gitlab_without_id_token(
    sigstore_fake: KeylessSetup, monkeypatch: pytest.MonkeyPatch
) -> None:
    _no_ambient_ci(monkeypatch)
    monkeypatch.setenv("GITLAB_CI", "true")
    import id as ambient

    # only GitLab's detector runs, so the real detection code answers without a network
    monkeypatch.setattr(ambient, "detect_credential", _only_gitlab)
    with pytest.raises(SigningError, match="cannot get an ambient oidc token"):
        KeylessSigner(trust_config=sigstore_fake.trust_config).sign(ARTIFACT)


def _only_gitlab(audience: str) -> str | None:
    from id._internal.oidc.ambient import detect_gitlab

    return detect_gitlab(audience)


def test_expired_or_malformed_token(sigstore_fake: KeylessSetup) -> None:
    expired = sigstore_fake.fake.identity_token(lifetime=-60)
    for token in (expired, "not-a-jwt"):
        signer = KeylessSigner(identity_token=token, trust_config=sigstore_fake.trust_config)
        with pytest.raises(SigningError, match="identity token is not usable"):
            signer.sign(ARTIFACT)


def test_unreachable_services(sigstore_fake: KeylessSetup, tmp_path: Path) -> None:
    offline = FakeSigstore()  # never started: its port is closed
    with offline:
        pass
    config, _ = offline.write_trust_files(tmp_path)
    signer = KeylessSigner(identity_token=offline.identity_token(), trust_config=config)
    with pytest.raises(SigningError, match="keyless signing failed") as caught:
        signer.sign(ARTIFACT)
    assert "reachable" in caught.value.hint


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "cannot read trust file"),
        (b"{", "is not valid json"),
        (b"[]", "is not a json object"),
        (b'{"mediaType": "application/json"}', "unknown media type 'application/json'"),
        (
            b'{"mediaType": "application/vnd.dev.sigstore.trustedroot+json;version=0.1",'
            b' "tlogs": 3}',
            "is invalid",
        ),
    ],
)
def test_bad_trust_files(tmp_path: Path, content: bytes | None, message: str) -> None:
    path = tmp_path / "trust.json"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(SigningError, match=message) as caught:
        load_trusted_root(path)
    assert "--trust-config" in caught.value.hint


def test_signing_needs_a_client_trust_config(sigstore_fake: KeylessSetup) -> None:
    with pytest.raises(SigningError, match="is not a sigstore client trust config"):
        load_trust_config(sigstore_fake.trusted_root)


def test_keyless_module_does_not_import_sigstore() -> None:
    code = (
        "import sys, karsgit.signing, karsgit.signing.keyless, karsgit.signing.keymode\n"
        "from karsgit.signing import KeylessSigner, KeylessVerifier, SignerPolicy\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('sigstore', 'id', 'requests')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_generate_keypair_is_not_keyless() -> None:
    # guard against a future refactor that routes key mode through sigstore
    code = (
        "import sys\nfrom karsgit.signing import KeySigner, generate_keypair\n"
        "KeySigner.from_pem(generate_keypair(b'p')[0], b'p').sign(b'x')\n"
        "print(any(m.startswith('sigstore') for m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
    assert generate_keypair  # imported for the API surface check above

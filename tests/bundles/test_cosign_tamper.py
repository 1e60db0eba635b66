"""Bad allowlist.cosign.json files fail verify with a finding, with trust and without;
sign --keyless replaces what is not current (issue 10 item 5) and refuses Rekor v2."""

from __future__ import annotations

import base64
import json

import pytest

from tests.bundles.conftest import bundle_path, manifest
from tests.support.fakesigstore import DEFAULT_IDENTITY

ART = ".kars/bundles/kars-system/{name}/allowlist.cosign.json"


def _rules(result) -> list[str]:
    return sorted(line.rsplit("(", 1)[1].rstrip(")") for line in result.out.splitlines() if line)


def _sign(karsgit, fake, sub: str = DEFAULT_IDENTITY):
    token = fake.sigstore.identity_token(sub=sub)
    return karsgit(
        "sign", "--keyless", "--identity-token", token, "--trust-config", str(fake.trust_config)
    )


def _verify(karsgit, fake, *, trust: bool = True):
    args = ["verify", "-f", "parsable"]
    if trust:
        args += [
            "--cert-identity",
            DEFAULT_IDENTITY,
            "--cert-oidc-issuer",
            fake.sigstore.oidc_issuer,
            "--trust-config",
            str(fake.trusted_root),
        ]
    return karsgit(*args)


@pytest.fixture
def two_signed(repo, karsgit, fake):
    """Two sandboxes with the same endpoints: the same digest, other repositories."""
    repo.write("sandboxes/a.yaml", manifest("a"))
    repo.write("sandboxes/b.yaml", manifest("b"))
    assert karsgit("compile").code == 0
    assert _sign(karsgit, fake).code == 0
    return repo


@pytest.mark.parametrize("trust", [True, False])
def test_truncated_artifact(two_signed, karsgit, fake, trust):
    path = two_signed.path / ART.format(name="a")
    path.write_bytes(path.read_bytes()[:500])
    result = _verify(karsgit, fake, trust=trust)
    assert result.code == 1
    assert _rules(result) == ["signature-invalid"]
    assert f"{ART.format(name='a')}:0:0: [error] signature artifact is not valid json" in result.out


@pytest.mark.parametrize("trust", [True, False])
def test_artifact_for_another_repository(two_signed, karsgit, fake, trust):
    a, b = (two_signed.path / ART.format(name=n) for n in "ab")
    a.write_bytes(b.read_bytes())  # same digest: only the repository differs
    result = _verify(karsgit, fake, trust=trust)
    assert _rules(result) == ["signature-invalid"]
    assert "egress-allowlist/b', not for 'registry.example.test/policy/egress-allowlist/a'" in (
        result.out
    )


@pytest.mark.parametrize("trust", [True, False])
def test_artifact_for_another_digest(two_signed, karsgit, fake, trust):
    two_signed.write("sandboxes/a.yaml", manifest("a", "api.github.com:443", "example.org:443"))
    assert karsgit("compile").code == 0  # a new digest; the old signature stays
    result = _verify(karsgit, fake, trust=trust)
    assert _rules(result) == ["signature-invalid"]
    assert "signature is made for sha256:" in result.out and ", not for sha256:" in result.out


def test_forged_signature_and_edited_payload(two_signed, karsgit, fake):
    path = two_signed.path / ART.format(name="a")
    doc = json.loads(path.read_text())
    sig_manifest = json.loads(doc["manifest"])
    notes = sig_manifest["layers"][0]["annotations"]
    raw = bytearray(base64.b64decode(notes["dev.cosignproject.cosign/signature"]))
    raw[-1] ^= 1
    notes["dev.cosignproject.cosign/signature"] = base64.b64encode(bytes(raw)).decode()
    doc["manifest"] = json.dumps(sig_manifest, separators=(",", ":"))
    path.write_text(json.dumps(doc, sort_keys=True, indent=2) + "\n")
    assert _rules(_verify(karsgit, fake)) == ["signature-invalid"]
    # sign replaces the forged artifact, and only that one
    again = _sign(karsgit, fake)
    assert again.code == 0 and "1 signed, 1 already current" in again.out
    assert _verify(karsgit, fake).code == 0


def test_sound_signature_by_another_identity_is_replaced(two_signed, karsgit, fake):
    before = (two_signed.path / ART.format(name="a")).read_bytes()
    result = _sign(karsgit, fake, sub="release@example.test")
    assert result.code == 0 and "2 signed, 0 already current" in result.out
    assert (two_signed.path / ART.format(name="a")).read_bytes() != before
    assert _rules(_verify(karsgit, fake)) == ["signer-mismatch", "signer-mismatch"]


def test_key_signature_is_replaced_by_keyless(repo, karsgit, keypair, fake):
    repo.write("sandboxes/a.yaml", manifest("a"))
    assert karsgit("compile").code == 0
    keyed = karsgit("sign", "--key", str(keypair.private))
    assert keyed.code == 0 and "the kars controller never accepts them" in keyed.out
    result = _sign(karsgit, fake)
    assert result.code == 0 and "1 signed, 0 already current" in result.out
    assert (repo.path / ART.format(name="a")).is_file()
    assert (repo.path / (bundle_path("a") + ".sigstore.json")).is_file()  # key mode's, kept


def test_old_keyless_yaml_signature_is_dropped(repo, karsgit, fake):
    from karsgit.signing import KeylessSigner

    repo.write("sandboxes/a.yaml", manifest("a"))
    assert karsgit("compile").code == 0
    bundle = repo.path / bundle_path("a")
    token = fake.sigstore.identity_token()
    with KeylessSigner(identity_token=token, trust_config=fake.trust_config) as signer:
        old = signer.sign(bundle.read_bytes())
    (repo.path / (bundle_path("a") + ".sigstore.json")).write_bytes(old.bundle_json)
    assert _sign(karsgit, fake).code == 0
    assert not (repo.path / (bundle_path("a") + ".sigstore.json")).exists()


def test_rekor_v2_signing_config_is_refused(repo, karsgit, fake, tmp_path):
    repo.write("sandboxes/a.yaml", manifest("a"))
    assert karsgit("compile").code == 0
    config = fake.sigstore.client_trust_config()
    for tlog in config["signingConfig"]["rekorTlogUrls"]:
        tlog["majorApiVersion"] = 2
    path = tmp_path / "v2.json"
    path.write_text(json.dumps(config))
    token = fake.sigstore.identity_token()
    issued, logged = fake.sigstore.certificates_issued, fake.sigstore.log_index
    result = karsgit("sign", "--keyless", "--identity-token", token, "--trust-config", str(path))
    assert result.code == 3
    assert "Rekor v2" in result.err and "needs the SET" in result.err
    assert "hint: " in result.err and "Traceback" not in result.err
    assert not (repo.path / ART.format(name="a")).exists()
    # refused before fulcio or the log were asked for anything
    assert (fake.sigstore.certificates_issued, fake.sigstore.log_index) == (issued, logged)


def test_missing_registry_signs_nothing(repo, karsgit, fake, monkeypatch):
    repo.write("sandboxes/a.yaml", manifest("a"))
    assert karsgit("compile").code == 0
    text = (repo.path / "sandboxes/a.yaml").read_text()
    (repo.path / "sandboxes/a.yaml").write_text(
        text.replace("registry: registry.example.test", "registry: ''")
    )
    monkeypatch.delenv("KARS_REGISTRY")
    result = _sign(karsgit, fake)
    assert result.code == 3 and "no registry" in result.err
    assert not (repo.path / ART.format(name="a")).exists()

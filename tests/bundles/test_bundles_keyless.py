"""sign --keyless through the local fake Sigstore writes allowlist.cosign.json (the
cosign .sig the controller reads); verify with exact identities and the signer-policy
ConfigMap, judged as the controller judges. The independent verifiers of the .sig
are in test_cosign_independent.py."""

from __future__ import annotations

import json

import pytest

from tests.bundles.conftest import bundle_path, manifest
from tests.support.fakesigstore import DEFAULT_IDENTITY, FakeSigstore

ARTIFACT = ".kars/bundles/kars-system/agent/allowlist.cosign.json"

POLICY = """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: kars-signer-policy
  namespace: kars-system
data:
  fulcioIssuers: |
    # the CI issuer
    https://token.actions.githubusercontent.com
    {issuer}
  sanPatterns: |
    # release workflow
    https://github.com/org/repo/.github/workflows/release.yaml@refs/heads/main
    {san}
"""


@pytest.fixture
def keyless_signed(repo, karsgit, fake):
    repo.write("sandboxes/agent.yaml", manifest("agent"))
    assert karsgit("compile").code == 0
    token = fake.sigstore.identity_token()
    result = karsgit(
        "sign", "--keyless", "--identity-token", token, "--trust-config", str(fake.trust_config)
    )
    assert result.code == 0, result.err
    return repo


def _rules(result) -> list[str]:
    return sorted(line.rsplit("(", 1)[1].rstrip(")") for line in result.out.splitlines() if line)


def test_keyless_writes_only_the_cosign_artifact(keyless_signed):
    artifact = json.loads((keyless_signed.path / ARTIFACT).read_text())
    assert artifact["mediaType"] == "application/vnd.karsgit.cosign-signature.v1+json"
    assert artifact["dockerReference"] == "registry.example.test/policy/egress-allowlist/agent"
    assert not (keyless_signed.path / (bundle_path() + ".sigstore.json")).exists()
    assert not (keyless_signed.path / (bundle_path() + ".sig")).exists()


def test_verify_exact_identity_and_no_churn(keyless_signed, karsgit, fake):
    args = ("--trust-config", str(fake.trusted_root))
    ok = karsgit(
        "verify",
        "--cert-identity",
        DEFAULT_IDENTITY,
        "--cert-oidc-issuer",
        fake.sigstore.oidc_issuer,
        *args,
    )
    assert ok.code == 0, ok.out
    bundle = keyless_signed.path / ARTIFACT
    before = bundle.read_bytes()
    token = fake.sigstore.identity_token()
    again = karsgit(
        "sign", "--keyless", "--identity-token", token, "--trust-config", str(fake.trust_config)
    )
    assert again.code == 0 and "0 signed, 1 already current" in again.out
    assert bundle.read_bytes() == before


@pytest.mark.parametrize(
    ("identity", "issuer"),
    [("someone@else.test", None), (DEFAULT_IDENTITY, "https://issuer.other.test")],
)
def test_wrong_san_or_issuer_is_signer_mismatch(keyless_signed, karsgit, fake, identity, issuer):
    result = karsgit(
        "verify",
        "-f",
        "parsable",
        "--cert-identity",
        identity,
        "--cert-oidc-issuer",
        issuer or fake.sigstore.oidc_issuer,
        "--trust-config",
        str(fake.trusted_root),
    )
    assert result.code == 1 and _rules(result) == ["signer-mismatch"]


def test_foreign_trusted_root_is_signature_invalid(keyless_signed, karsgit, tmp_path):
    with FakeSigstore() as other:  # never used to sign: only its (different) keys matter
        foreign = other.write_trust_files(tmp_path)[1]
    result = karsgit(
        "verify",
        "-f",
        "parsable",
        "--cert-identity",
        DEFAULT_IDENTITY,
        "--cert-oidc-issuer",
        "https://oidc.fake.test",
        "--trust-config",
        str(foreign),
    )
    assert _rules(result) == ["signature-invalid"]


def test_key_signature_checked_against_a_controller_policy_is_never_accepted(
    repo, karsgit, keypair, fake
):
    repo.write("sandboxes/agent.yaml", manifest("agent"))
    assert karsgit("compile").code == 0
    assert karsgit("sign", "--key", str(keypair.private)).code == 0
    result = karsgit(
        "verify",
        "-f",
        "parsable",
        "--cert-identity",
        DEFAULT_IDENTITY,
        "--cert-oidc-issuer",
        fake.sigstore.oidc_issuer,
        "--trust-config",
        str(fake.trusted_root),
    )
    assert _rules(result) == ["signature-missing"]
    assert "never accepted by the kars controller" in result.out


@pytest.mark.parametrize(
    ("san", "rules"),
    [
        (DEFAULT_IDENTITY, []),
        # the controller admits these (is_match is unanchored); the lint flags them
        (r"re:[a-z]+@example\.test", ["signer-pattern-lookalike"]),
        ("re:ci@example", ["signer-pattern-lookalike"]),
        (r"re:^ci@example\.test$", []),
        (r"re:^ci@example\.org$", ["signer-mismatch"]),
        ("ci@other.test", ["signer-mismatch"]),
        ("https://ci@example.test", ["signer-mismatch"]),  # url patterns match URI SANs only
    ],
)
def test_signer_policy_configmap(keyless_signed, karsgit, fake, san, rules):
    keyless_signed.write(
        "policy/signer-policy.yaml", POLICY.format(issuer=fake.sigstore.oidc_issuer, san=san)
    )
    result = karsgit(
        "verify",
        "-f",
        "parsable",
        "--signer-policy",
        "policy/signer-policy.yaml",
        "--trust-config",
        str(fake.trusted_root),
    )
    assert (result.code, _rules(result)) == (1 if rules else 0, rules)


def test_signer_policy_without_sans_is_exit_3(keyless_signed, karsgit, fake):
    keyless_signed.write("p.yaml", "kind: ConfigMap\ndata:\n  fulcioIssuers: https://x.test\n")
    result = karsgit(
        "verify", "--signer-policy", "p.yaml", "--trust-config", str(fake.trusted_root)
    )
    assert result.code == 3 and "sanPatterns" in result.err


def test_keyless_without_token_fails_closed(repo, karsgit, fake, monkeypatch):
    repo.write("sandboxes/agent.yaml", manifest("agent"))
    assert karsgit("compile").code == 0
    for name in (
        "ACTIONS_ID_TOKEN_REQUEST_URL",
        "ACTIONS_ID_TOKEN_REQUEST_TOKEN",
        "GITHUB_ACTIONS",
    ):
        monkeypatch.delenv(name, raising=False)
    result = karsgit("sign", "--keyless", "--trust-config", str(fake.trust_config))
    assert result.code == 3
    assert not (repo.path / ARTIFACT).exists()


def test_signer_policy_list_form(keyless_signed, karsgit, fake):
    keyless_signed.write(
        "policy.yaml",
        f"signers:\n  - issuer: {fake.sigstore.oidc_issuer}\n    san: {DEFAULT_IDENTITY}\n",
    )
    result = karsgit(
        "verify", "--signer-policy", "policy.yaml", "--trust-config", str(fake.trusted_root)
    )
    assert result.code == 0, result.out

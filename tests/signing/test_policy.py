"""Signer policies judged as the kars controller judges (sigstore-rs constraints):
url patterns exact against a URI subject, emails exact, ``re:`` unanchored against an
email subject only; the issuer from OID .1.1 only; the subject is the first email or
URI SAN."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec

from karsgit.errors import SigningError
from karsgit.signing import AllowedSigner, SignerIdentity, SignerPolicy
from karsgit.signing.signers import identity_from_certificate
from tests.signing.signing_helpers import KeylessSetup

GH = "https://token.actions.githubusercontent.com"
GL = "https://gitlab.com"
WORKFLOW = "https://github.com/acme/gitops/.github/workflows/sign.yml@refs/heads/main"


def who(issuer: str | None, *sans: str) -> SignerIdentity:
    """A certificate whose SANs are ``sans`` (URIs when they contain '://')."""
    subject = sans[0] if sans else None
    return SignerIdentity(issuer, sans, subject, bool(subject) and "://" not in subject)


def test_exact_pair() -> None:
    policy = SignerPolicy.exact(WORKFLOW, GH)
    assert policy.allows(who(GH, WORKFLOW))
    assert not policy.allows(who(GL, WORKFLOW))
    assert not policy.allows(who(GH, WORKFLOW + "x"))
    assert not policy.allows(who(None, WORKFLOW))


def test_url_patterns_are_exact_and_never_regex() -> None:
    regex = AllowedSigner(GH, r"re:https://github\.com/acme/.*")
    assert not SignerPolicy((regex,)).allows(who(GH, WORKFLOW))  # re: is for emails only
    url = SignerPolicy((AllowedSigner(GH, WORKFLOW),))
    assert url.allows(who(GH, WORKFLOW))
    assert not url.allows(who(GH, WORKFLOW + "-evil"))
    assert not url.allows(who(GH, "dev@example.test", WORKFLOW))  # the subject is the first


def test_regex_is_unanchored_as_rust_is_match() -> None:
    policy = SignerPolicy((AllowedSigner(GL, r"re:ci@example\.com"),))
    assert policy.allows(who(GL, "ci@example.com"))
    assert policy.allows(who(GL, "x-ci@example.com.attacker.net"))  # what the lint flags
    anchored = SignerPolicy((AllowedSigner(GL, r"re:^ci@example\.com$"),))
    assert not anchored.allows(who(GL, "x-ci@example.com.attacker.net"))
    assert not anchored.allows(who(GL, "https://ci@example.com"))


def test_rust_end_of_text_is_understood() -> None:
    policy = SignerPolicy((AllowedSigner(GL, r"re:^ci@example\.com\z"),))
    assert policy.allows(who(GL, "ci@example.com"))
    assert not policy.allows(who(GL, "ci@example.com.evil"))


def test_any_issuer_san_pair_may_match_but_pairs_do_not_mix() -> None:
    policy = SignerPolicy.from_mapping(
        {
            "signers": [
                {"issuer": GH, "san": WORKFLOW},
                {"issuer": GL, "san": "re:@acme\\.example$"},
            ]
        }
    )
    assert policy.allows(who(GH, WORKFLOW))
    assert policy.allows(who(GL, "dev@acme.example"))
    assert not policy.allows(who(GL, WORKFLOW))  # GitHub's SAN from GitLab's issuer
    assert not policy.allows(who(GH, "dev@acme.example"))


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        ({}, "signer policy has no 'signers' list"),
        ([], "signer policy has no 'signers' list"),
        ({"signers": []}, "signer policy allows no signer"),
        ({"signers": ["x"]}, "signer policy entry is not a mapping"),
        ({"signers": [{"issuer": GH}]}, "needs string 'issuer' and 'san'"),
        ({"signers": [{"issuer": "", "san": "a"}]}, "empty issuer or san"),
        ({"signers": [{"issuer": GH, "san": "re:("}]}, "is not a valid regex"),
        ({"signers": [{"issuer": GH, "san": r"re:(a)\1"}]}, "backreference"),
        ({"signers": [{"issuer": GH, "san": "re:a(?=b)"}]}, "lookahead"),
    ],
)
def test_bad_policies(doc: object, message: str) -> None:
    with pytest.raises(SigningError, match=message) as caught:
        SignerPolicy.from_mapping(doc)
    assert caught.value.hint


def test_exact_refuses_a_pattern() -> None:
    with pytest.raises(SigningError, match="looks like a pattern"):
        SignerPolicy.exact("re:.*", GH)


def test_identity_of_a_fulcio_shaped_cert(sigstore_fake: KeylessSetup) -> None:
    fake = sigstore_fake.fake
    key = ec.generate_private_key(ec.SECP256R1()).public_key()
    cert = fake.issue_cert(key, WORKFLOW, GH)
    assert identity_from_certificate(cert) == who(GH, WORKFLOW)
    cert = fake.issue_cert(key, "dev@example.test", GL)
    assert identity_from_certificate(cert) == who(GL, "dev@example.test")


def test_issuer_comes_from_the_v1_extension_only(sigstore_fake: KeylessSetup) -> None:
    key = ec.generate_private_key(ec.SECP256R1()).public_key()
    cert = sigstore_fake.fake.issue_cert(key, "dev@example.test", GL, issuer_v2=GH)
    assert identity_from_certificate(cert).issuer == GL  # sigstore-rs never reads .1.8
    policy = SignerPolicy.exact("dev@example.test", GH)
    assert not policy.allows(identity_from_certificate(cert))


def test_identity_of_the_conformance_cert(vectors: Path) -> None:
    import json
    from base64 import b64decode

    doc = json.loads((vectors / "hp.json").read_bytes())
    der = b64decode(doc["verificationMaterial"]["certificate"]["rawBytes"])
    identity = identity_from_certificate(x509.load_der_x509_certificate(der))
    assert identity.issuer == GH
    assert identity.sans == (
        "https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/"
        ".github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main",
    )


def test_describe_names_the_signer() -> None:
    assert who(GH, WORKFLOW).describe() == f"'{WORKFLOW}' from issuer '{GH}'"

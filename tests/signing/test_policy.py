"""Signer policies: exact pairs, ``re:`` full-match SAN patterns, and what a cert names."""

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
    return SignerIdentity(issuer=issuer, sans=sans)


def test_exact_pair() -> None:
    policy = SignerPolicy.exact(WORKFLOW, GH)
    assert policy.allows(who(GH, WORKFLOW))
    assert not policy.allows(who(GL, WORKFLOW))
    assert not policy.allows(who(GH, WORKFLOW + "x"))
    assert not policy.allows(who(None, WORKFLOW))


def test_regex_san_must_match_in_full() -> None:
    signer = AllowedSigner(
        GH, r"re:https://github\.com/acme/gitops/\.github/workflows/[^/]+@refs/heads/main"
    )
    policy = SignerPolicy((signer,))
    assert policy.allows(who(GH, WORKFLOW))
    assert not policy.allows(who(GH, WORKFLOW + "-evil"))  # a prefix match is not enough
    assert not policy.allows(who(GH, "x" + WORKFLOW))


def test_any_issuer_san_pair_may_match_but_pairs_do_not_mix() -> None:
    policy = SignerPolicy.from_mapping(
        {
            "signers": [
                {"issuer": GH, "san": WORKFLOW},
                {"issuer": GL, "san": "re:project_path:acme/gitops:ref_type:branch:ref:.*"},
            ]
        }
    )
    assert policy.allows(who(GH, WORKFLOW))
    assert policy.allows(who(GL, "project_path:acme/gitops:ref_type:branch:ref:main"))
    assert not policy.allows(who(GL, WORKFLOW))  # GitHub's SAN from GitLab's issuer
    assert policy.allows(who(GH, "other", WORKFLOW))  # any SAN of the cert may match


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

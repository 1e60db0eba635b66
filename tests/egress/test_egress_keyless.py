"""Signing after an egress edit in keyless mode: the cosign artifact the controller reads."""

from __future__ import annotations

import pytest

from tests.egress.egress_helpers import BUNDLE, REGISTRY
from tests.support.fakesigstore import DEFAULT_IDENTITY, FakeSigstore

ARTIFACT = BUNDLE.rsplit("/", 1)[0] + "/allowlist.cosign.json"


@pytest.fixture
def keyless(gitops, tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    with FakeSigstore() as fake:
        config, root = fake.write_trust_files(tmp_path)
        gitops.write(
            ".karsgit.yaml",
            f"bundles:\n  registry: {REGISTRY}\n"
            f"signing:\n  mode: keyless\n  trust_config: {config}\n",
        )
        monkeypatch.setenv("SIGSTORE_ID_TOKEN", fake.identity_token())
        yield gitops, fake, root


def test_edit_is_signed_keyless(keyless, karsgit) -> None:  # type: ignore[no-untyped-def]
    repo, fake, root = keyless
    result = karsgit("egress", "agent", "--approve", "example.com")
    assert result.code == 0, result.err
    assert f"signed {BUNDLE}" in result.out
    assert (repo.path / ARTIFACT).is_file()
    assert not (repo.path / (BUNDLE + ".sigstore.json")).exists()
    verified = karsgit(
        "verify",
        "--cert-identity",
        DEFAULT_IDENTITY,
        "--cert-oidc-issuer",
        fake.oidc_issuer,
        "--trust-config",
        str(root),
    )
    assert verified.code == 0, verified.out

"""Fixtures for the signing tests: shared interop vectors, a local fake Sigstore,
the independent sigstore-js verifier, and helpers to craft cosign key files."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from karsgit.signing import KeylessSigner
from tests.support.fakesigstore import FakeSigstore
from tests.support.signing import (
    ARTIFACT,
    VECTORS,
    KeylessSetup,
    KeylessSigned,
)
from tests.support.sigstore_js import NodeVerify, sigstore_js


@pytest.fixture(scope="session")
def vectors() -> Path:
    if not (VECTORS / "README.md").is_file():
        pytest.fail(
            f"interop vectors not found at {VECTORS}: check out the 'shared' folder beside the repo"
        )
    return VECTORS


@pytest.fixture(scope="session")
def sigstore_fake(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KeylessSetup]:
    """One local Fulcio/CT/Rekor for the whole session (key generation is not free)."""
    with FakeSigstore() as fake:
        config, root = fake.write_trust_files(tmp_path_factory.mktemp("trust"))
        yield KeylessSetup(fake, config, root)


@pytest.fixture(scope="session")
def foreign_trusted_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The trusted root of another instance, with different keys."""
    with FakeSigstore() as other:
        return other.write_trust_files(tmp_path_factory.mktemp("foreign"))[1]


@pytest.fixture(scope="session")
def keyless_signed(sigstore_fake: KeylessSetup) -> KeylessSigned:
    """ARTIFACT signed once by the real sigstore-python signer through the fake."""
    token = sigstore_fake.fake.identity_token()
    with KeylessSigner(identity_token=token, trust_config=sigstore_fake.trust_config) as signer:
        signed = signer.sign(ARTIFACT)
    return KeylessSigned(ARTIFACT, signed, "ci@example.test", sigstore_fake.fake.oidc_issuer)


@pytest.fixture(scope="session")
def node_verify() -> NodeVerify:
    return sigstore_js()

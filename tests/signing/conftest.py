"""Fixtures for the signing tests: shared interop vectors, a local fake Sigstore,
the independent sigstore-js verifier, and helpers to craft cosign key files."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from karsgit.signing import KeylessSigner
from tests.signing.signing_helpers import (
    ARTIFACT,
    NODE_MODULES,
    VECTORS,
    VERIFY_JS,
    KeylessSetup,
    KeylessSigned,
)
from tests.support.fakesigstore import FakeSigstore

NodeVerify = Callable[..., subprocess.CompletedProcess[str]]


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
    """Run tests/support/verify-offline.js (sigstore-js); fails, never skips, without it."""
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is not on PATH: install Node 20 to run the sigstore-js verifier")
    if not (NODE_MODULES / "@sigstore" / "verify").is_dir():
        pytest.fail(
            f"{NODE_MODULES} is missing: run 'npm install --prefix tests/support/node' "
            "(CI installs it)"
        )

    def run(
        bundle: Path, artifact: Path, root: Path, *args: str
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [node, str(VERIFY_JS), str(bundle), str(artifact), str(root), *args],
            capture_output=True,
            text=True,
            check=False,
            timeout=60,
        )

    return run

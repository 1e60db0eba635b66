"""Fixtures for the bundle tests: manifests, a key pair, a local fake Sigstore and
the independent verifiers (openssl, sigstore-js)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.bundles import PASSWORD, REGISTRY
from tests.support.fakesigstore import FakeSigstore
from tests.support.sigstore_js import NodeVerify, sigstore_js


@pytest.fixture(autouse=True)
def _env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KARS_REGISTRY", REGISTRY)
    monkeypatch.setenv("COSIGN_PASSWORD", PASSWORD)
    monkeypatch.delenv("SIGSTORE_ID_TOKEN", raising=False)


@dataclass(frozen=True)
class KeyPair:
    private: Path
    public: Path


@pytest.fixture(scope="session")
def keypair(tmp_path_factory: pytest.TempPathFactory) -> KeyPair:
    """A key pair outside any repository (session: scrypt is slow on purpose)."""
    from karsgit.signing import generate_keypair

    directory = tmp_path_factory.mktemp("keys")
    private, public = generate_keypair(PASSWORD.encode())
    (directory / "cosign.key").write_bytes(private)
    (directory / "cosign.pub").write_bytes(public)
    return KeyPair(directory / "cosign.key", directory / "cosign.pub")


@pytest.fixture(scope="session")
def foreign_keypair(tmp_path_factory: pytest.TempPathFactory) -> KeyPair:
    from karsgit.signing import generate_keypair

    directory = tmp_path_factory.mktemp("foreign")
    private, public = generate_keypair(PASSWORD.encode())
    (directory / "cosign.key").write_bytes(private)
    (directory / "cosign.pub").write_bytes(public)
    return KeyPair(directory / "cosign.key", directory / "cosign.pub")


@dataclass(frozen=True)
class Fake:
    sigstore: FakeSigstore
    trust_config: Path
    trusted_root: Path


@pytest.fixture(scope="session")
def fake(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Fake]:
    with FakeSigstore() as sigstore:
        config, root = sigstore.write_trust_files(tmp_path_factory.mktemp("trust"))
        yield Fake(sigstore, config, root)


@pytest.fixture(scope="session")
def node_verify() -> NodeVerify:
    return sigstore_js()

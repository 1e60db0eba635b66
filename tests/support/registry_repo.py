"""Fixtures for the registry tests: the real distribution registry (plain,
htpasswd, TLS), and GitOps repositories with compiled bundles and signature
artifacts built from the shared format."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.bundles import manifest
from tests.support.fakesigstore import DEFAULT_IDENTITY, FakeSigstore
from tests.support.registry import LocalRegistry, start_registry
from tests.support.repos import Repo

DIGEST = re.compile(r"digest: (sha256:[0-9a-f]{64})")
REPOSITORY = re.compile(r"repository: (\S+)")


@pytest.fixture
def registry(tmp_path: Path) -> Iterator[LocalRegistry]:
    server = start_registry(tmp_path / "registry-plain")
    yield server
    server.stop()


@pytest.fixture
def auth_registry(tmp_path: Path) -> Iterator[LocalRegistry]:
    server = start_registry(tmp_path / "registry-auth", basic_auth=True)
    yield server
    server.stop()


@pytest.fixture
def tls_registry(tmp_path: Path) -> Iterator[LocalRegistry]:
    server = start_registry(tmp_path / "registry-tls", tls=True)
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def _no_ambient_registry_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    empty = tmp_path / "docker-config"
    empty.mkdir()
    monkeypatch.setenv("DOCKER_CONFIG", str(empty))
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    monkeypatch.delenv("SSL_CERT_DIR", raising=False)


def sandbox_names(count: int) -> list[str]:
    return [f"agent-{i:04d}" for i in range(count)]


def ref_of(repo: Repo, name: str) -> tuple[str, str]:
    """(repository, digest) as written in the sandbox's allowlistRef, read by regex."""
    text = (repo.path / f"sandboxes/{name}.yaml").read_text()
    found_digest, found_repo = DIGEST.search(text), REPOSITORY.search(text)
    assert found_digest and found_repo, text
    return found_repo.group(1), found_digest.group(1)


@dataclass(frozen=True)
class Stand:
    """The Fulcio/Rekor stand-in and the trust options that accept its signatures."""

    fake: FakeSigstore
    trusted_root: Path
    trust_config: Path

    @property
    def trust(self) -> tuple[str, ...]:
        return (
            "--trust-config", str(self.trusted_root),
            "--cert-identity", DEFAULT_IDENTITY,
            "--cert-oidc-issuer", self.fake.oidc_issuer,
        )  # fmt: skip


@pytest.fixture(scope="session")
def stand(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stand]:
    with FakeSigstore() as fake:
        config, root = fake.write_trust_files(tmp_path_factory.mktemp("trust"))
        yield Stand(fake, root, config)


@pytest.fixture
def make_repo(
    repo: Repo, karsgit: Callable[..., object], monkeypatch: pytest.MonkeyPatch, stand: Stand
) -> Callable[..., Repo]:
    """A compiled repository of ``count`` Strict sandboxes whose ref names ``host``,
    signed by ``karsgit sign --keyless`` (one ``allowlist.cosign.json`` each)."""

    def make(host: str, count: int = 2, *, signed: bool = True) -> Repo:
        monkeypatch.setenv("KARS_REGISTRY", host)
        names = sandbox_names(count)
        for index, name in enumerate(names):
            repo.write(f"sandboxes/{name}.yaml", manifest(name, f"api{index}.example.com:443"))
        result = karsgit("compile")
        assert result.code == 0, result.err  # type: ignore[attr-defined]
        if signed:  # the real signer, through the stand-in's Fulcio and Rekor
            token = stand.fake.identity_token()
            config = str(stand.trust_config)
            done = karsgit("sign", "--keyless", "--identity-token", token, "--trust-config", config)
            assert done.code == 0, done.err  # type: ignore[attr-defined]
        repo.commit("compiled")
        return repo

    return make


def docker_config(directory: Path, host: str, user: str, password: str) -> Path:
    import base64

    directory.mkdir(parents=True, exist_ok=True)
    auth = base64.b64encode(f"{user}:{password}".encode()).decode()
    (directory / "config.json").write_text(json.dumps({"auths": {host: {"auth": auth}}}))
    return directory

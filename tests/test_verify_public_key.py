"""Key mode: ``verify`` takes the public key from ``signing.public_key`` (or the
``.pub`` beside ``signing.key``) and never reads the private key, so it runs in
CI where the private key is not (issue 10, item 19)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.repos import Repo, sandbox

PASSWORD = "pw"
BUNDLE = ".kars/bundles/kars-system/agent/allowlist.yaml"


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, bytes]:
    from karsgit.signing import generate_keypair

    private, public = generate_keypair(PASSWORD.encode())
    path = tmp_path_factory.mktemp("keys") / "cosign.key"
    path.write_bytes(private)
    return path, public


@pytest.fixture
def signed(repo: Repo, pair, karsgit, monkeypatch: pytest.MonkeyPatch) -> Repo:
    """Compiled and signed with a private key kept outside the repository."""
    monkeypatch.setenv("COSIGN_PASSWORD", PASSWORD)
    private, public = pair
    repo.write(".karsgit.yaml", "bundles:\n  registry: registry.local:5000\n")
    repo.write("apps/agent.yaml", sandbox())
    assert karsgit("compile").code == 0
    assert karsgit("sign", "--key", str(private)).code == 0
    (repo.path / "cosign.pub").write_bytes(public)
    return repo


def config(signing: str) -> str:
    return f"bundles:\n  registry: registry.local:5000\nsigning:\n{signing}"


@pytest.mark.parametrize(
    "signing",
    [
        "  mode: key\n  key: cosign.key\n  public_key: cosign.pub\n",
        "  mode: key\n  key: cosign.key\n",  # the .pub beside the .key
    ],
    ids=["public_key", "beside"],
)
def test_verify_without_the_private_key(signed: Repo, karsgit, signing: str) -> None:
    signed.write(".karsgit.yaml", config(signing))
    assert not (signed.path / "cosign.key").exists()  # as in CI
    done = karsgit("verify")
    assert done.code == 0, done.out + done.err
    assert "presence only" not in done.err


def test_the_public_key_really_verifies(signed: Repo, karsgit) -> None:
    from karsgit.signing import generate_keypair

    signed.write(".karsgit.yaml", config("  mode: key\n  key: cosign.key\n"))
    _, other = generate_keypair(b"")
    (signed.path / "cosign.pub").write_bytes(other)
    done = karsgit("verify", "-f", "parsable")
    assert done.code == 1
    assert f"{BUNDLE}:0:0: [error] bundle was signed by key" in done.out
    assert "(signer-mismatch)" in done.out


def test_no_public_key_is_a_one_line_error(signed: Repo, karsgit) -> None:
    (signed.path / "cosign.pub").unlink()
    signed.write(".karsgit.yaml", config("  mode: key\n  key: keys/cosign.key\n"))
    done = karsgit("verify")
    assert done.code == 3
    assert "karsgit: error: signing.mode is key but no public key to verify with" in done.err
    assert "keys/cosign.pub does not exist" in done.err
    assert "hint: set signing.public_key: keys/cosign.pub" in done.err


def test_a_changed_public_key_is_a_config_change(signed: Repo, karsgit) -> None:
    from karsgit.signing import generate_keypair

    signed.write(".karsgit.yaml", config("  mode: key\n  public_key: cosign.pub\n"))
    signed.commit("signed")
    _, other = generate_keypair(b"")
    (signed.path / "cosign.pub").write_bytes(other)
    done = karsgit("check", "--base", "HEAD", "-f", "parsable")
    assert done.code == 1
    assert "cosign.pub:" in done.out and "(config-changed)" in done.out
    assert "signing.public_key file 'cosign.pub' changed" in done.out

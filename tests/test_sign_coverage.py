"""``sign`` never passes with a bundle that compile writes left unsigned, and
never signs while a private key of any common form is tracked (issue 10, item 15)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization as ser
from cryptography.hazmat.primitives.asymmetric import ec

from tests.support.repos import Repo, sandbox

CONFIG = "bundles:\n  registry: registry.local:5000\n"


@pytest.fixture(scope="module")
def key_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from karsgit.signing import generate_keypair

    private, _ = generate_keypair(b"pw")
    path = tmp_path_factory.mktemp("keys") / "cosign.key"
    path.write_bytes(private)
    return path


@pytest.fixture
def key(key_file: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("COSIGN_PASSWORD", "pw")
    return key_file


def three(repo: Repo) -> None:
    repo.write(".karsgit.yaml", CONFIG)
    for name in ("a", "b", "c"):
        repo.write(f"apps/{name}.yaml", sandbox(name, namespace="team-" + name))


def test_uncompiled_bundles_fail_the_run(repo: Repo, karsgit, key: Path) -> None:
    three(repo)
    repo.commit("sandboxes, not compiled")
    done = karsgit("sign", "--key", str(key))
    assert done.code == 1
    assert "no bundles to sign" in done.out
    for name in ("a", "b", "c"):
        rel = f".kars/bundles/team-{name}/{name}/allowlist.yaml"
        assert f"karsgit: {rel} left unsigned: there is no bundle there" in done.err
    assert "3 bundle(s) left unsigned" in done.err


def test_a_bundle_behind_a_symlinked_directory_stops_the_run(
    repo: Repo, karsgit, key: Path
) -> None:
    three(repo)
    assert karsgit("compile").code == 0
    bundles = repo.path / ".kars" / "bundles"
    (repo.path / "elsewhere").mkdir()
    os.rename(bundles / "team-c", repo.path / "elsewhere" / "team-c")
    (bundles / "team-c").symlink_to(repo.path / "elsewhere" / "team-c")
    done = karsgit("sign", "--key", str(key))
    # the bundle tree may hold no link at all (issue 10, item 7): refused, nothing signed
    assert done.code == 3
    assert ".kars/bundles/team-c" in done.err and "remove the symlink" in done.err
    assert "signed" not in done.out
    assert not list(repo.path.glob(".kars/bundles/*/*/allowlist.yaml.sig"))


def test_all_bundles_signed_passes(repo: Repo, karsgit, key: Path) -> None:
    three(repo)
    assert karsgit("compile").code == 0
    done = karsgit("sign", "--key", str(key))
    assert done.code == 0, done.err
    assert "3 signed, 0 already current" in done.out and "left unsigned" not in done.err


def _ec() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


KEYS = {
    "sec1.pem": lambda: _ec().private_bytes(
        ser.Encoding.PEM, ser.PrivateFormat.TraditionalOpenSSL, ser.NoEncryption()
    ),
    "pkcs8-encrypted.pem": lambda: _ec().private_bytes(
        ser.Encoding.PEM, ser.PrivateFormat.PKCS8, ser.BestAvailableEncryption(b"pw")
    ),
    "signing.der": lambda: _ec().private_bytes(
        ser.Encoding.DER, ser.PrivateFormat.PKCS8, ser.NoEncryption()
    ),
    "sec1.key": lambda: _ec().private_bytes(
        ser.Encoding.DER, ser.PrivateFormat.TraditionalOpenSSL, ser.NoEncryption()
    ),
    "encrypted.p8": lambda: _ec().private_bytes(
        ser.Encoding.DER, ser.PrivateFormat.PKCS8, ser.BestAvailableEncryption(b"pw")
    ),
}


@pytest.mark.parametrize("name", sorted(KEYS))
def test_tracked_private_keys_are_found_and_sign_refuses(
    repo: Repo, karsgit, key: Path, name: str
) -> None:
    three(repo)
    assert karsgit("compile").code == 0
    (repo.path / "secrets").mkdir()
    (repo.path / "secrets" / name).write_bytes(KEYS[name]())
    repo.commit("a key slipped in")
    checked = karsgit("check", "-f", "parsable")
    assert f"secrets/{name}:" in checked.out and "(private-key-in-repo)" in checked.out
    done = karsgit("sign", "--key", str(key))
    assert done.code == 3
    assert f"private key file 'secrets/{name}' is tracked" in done.err
    assert not (repo.path / ".kars/bundles/team-a/a/allowlist.yaml.sigstore.json").exists()


def test_a_public_der_key_is_not_a_private_key(repo: Repo, karsgit) -> None:
    three(repo)
    public = (
        _ec().public_key().public_bytes(ser.Encoding.DER, ser.PublicFormat.SubjectPublicKeyInfo)
    )
    (repo.path / "cosign.der").write_bytes(public)
    repo.commit("public key")
    assert "(private-key-in-repo)" not in karsgit("check", "-f", "parsable").out
